-- The profile file, modelled on Huawei's SDK profile
-- (~/.huaweicloud/credentials, or HUAWEICLOUD_SDK_CREDENTIALS_FILE): an INI
-- file whose section (option profile, HUAWEICLOUD_SDK_PROFILE, else [basic],
-- else [global]) holds the same keys as the client options.

local trim = require("hwcloud.text").trim

local M = {}

--- Default profile section.
M.DEFAULT_SECTION = "basic"

--- Parse the text of a profile file.
-- Format: `[section]` headers; `key = value` lines (value trimmed, optional
-- surrounding double or single quotes removed); `#` and `;` start comment
-- lines; keys are case-insensitive.
-- @tparam string text
-- @tparam[opt] string path used in error messages
-- @treturn[1] table sections: name -> {key = value}
-- @treturn[2] nil
-- @treturn[2] string what is wrong, with the line number
function M.parse(text, path)
  local sections = {}
  local current
  local lineno = 0
  path = path or "profile"
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    local trimmed = trim((line:gsub("\r$", "")))
    if trimmed ~= "" and not trimmed:find("^[#;]") then
      local name = trimmed:match("^%[(.*)%]$")
      name = name and trim(name)
      if name then
        current = sections[name] or {}
        sections[name] = current
      else
        local key, value = trimmed:match("^([%w_%-%.]+)%s*[=:]%s*(.-)$")
        if not key then
          return nil, path .. ":" .. lineno .. ": expected [section] or key = value"
        end
        if not current then
          return nil, path .. ":" .. lineno .. ": key " .. key .. " outside any [section]"
        end
        local q = value:sub(1, 1)
        if (q == '"' or q == "'") and #value >= 2 and value:sub(-1) == q then
          value = value:sub(2, -2)
        end
        current[key:lower()] = value
      end
    end
  end
  return sections
end

--- Path of the profile file and the section to use.
-- @tparam table opts client options (`credentials_file`, `profile`)
-- @tparam table env environment snapshot
-- @treturn string|nil path (nil when HOME is unknown)
-- @treturn string section name
-- @treturn boolean whether the section was asked for explicitly
function M.location(opts, env)
  local path = opts.credentials_file or env.HUAWEICLOUD_SDK_CREDENTIALS_FILE
  if not path and env.HOME then
    path = env.HOME .. "/.huaweicloud/credentials"
  end
  local section = opts.profile or env.HUAWEICLOUD_SDK_PROFILE
  return path, section or M.DEFAULT_SECTION, section ~= nil
end

--- Read a whole file.
-- @tparam string path
-- @treturn string|nil its bytes, nil when it cannot be opened
function M.read_file(path)
  local f = io.open(path, "rb")
  if not f then
    return nil
  end
  local text = f:read("*a")
  f:close()
  return text
end

return M
