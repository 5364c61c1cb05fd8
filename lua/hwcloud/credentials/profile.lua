-- The profile file, modelled on Huawei's SDK profile
-- (~/.huaweicloud/credentials, or HUAWEICLOUD_SDK_CREDENTIALS_FILE): an INI
-- file whose section (option profile, HUAWEICLOUD_SDK_PROFILE, else [basic],
-- else [global]) holds the same keys as the client options.

local trim = require("hwcloud.text").trim

local M = {}

--- Default profile section.
M.DEFAULT_SECTION = "basic"

-- Comments follow the AWS SDKs' profile files (AWS SDK for Java 2.x
-- developer guide, "Profile file changes": docs.aws.amazon.com/sdk-for-java/
-- latest/developer-guide/migration-profile-file.html), which Huawei's
-- credentials file resembles: a line starting with `#` or `;` is a comment;
-- after a section's `]` a `#` or `;` starts one even when adjacent; in a value
-- only when white space precedes it (`a;b` is a value, `a ;b` is `a`).

-- a value as written after `=` (leading white space included): a quoted
-- value ends at its closing quote (so it may hold ` ;` or ` #`) when only
-- white space or a comment follows it; otherwise the value runs to the first
-- white space followed by `#` or `;`, trimmed, one pair of surrounding quotes
-- removed
local function value_of(rest)
  local v = trim(rest)
  local q = v:sub(1, 1)
  if q == '"' or q == "'" then
    local close = v:find(q, 2, true)
    if close and v:find("^%s*$", close + 1) or (close and v:find("^%s*[#;]", close + 1)) then
      return v:sub(2, close - 1)
    end
  end
  local cut = rest:find("%s[#;]")
  if cut then
    v = trim(rest:sub(1, cut))
  end
  q = v:sub(1, 1)
  if (q == '"' or q == "'") and #v >= 2 and v:sub(-1) == q then
    v = v:sub(2, -2)
  end
  return v
end

--- Parse the text of a profile file.
-- Format: `[section]` headers; `key = value` (or `key: value`) lines (value
-- trimmed, optional surrounding double or single quotes removed); keys are
-- case-insensitive; `#` and `;` start comment lines, and inline comments
-- after a header and after a value (where white space must precede them).
-- @tparam string text
-- @tparam[opt] string path used in error messages
-- @treturn[1] table sections: name -> {key = value}
-- @treturn[2] nil
-- @treturn[2] string what is wrong, with the line number (never a value)
function M.parse(text, path)
  local sections = {}
  local current
  local lineno = 0
  path = path or "profile"
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    local trimmed = trim((line:gsub("\r$", "")))
    if trimmed ~= "" and not trimmed:find("^[#;]") then
      local name, after = trimmed:match("^%[([^%]]*)%](.*)$")
      if name then
        if not (after:find("^%s*$") or after:find("^%s*[#;]")) then
          return nil, path .. ":" .. lineno .. ": only a comment (# or ;) may follow [section]"
        end
        name = trim(name)
        current = sections[name] or {}
        sections[name] = current
      else
        local key, rest = trimmed:match("^([%w_%-%.]+)%s*[=:](.*)$")
        if not key then
          return nil, path .. ":" .. lineno .. ": expected [section] or key = value"
        end
        if not current then
          return nil, path .. ":" .. lineno .. ": key " .. key .. " outside any [section]"
        end
        current[key:lower()] = value_of(rest)
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
