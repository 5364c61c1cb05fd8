-- The export lines `bin/hwcloud-emulator start` prints: written at start-up
-- into STATE_DIR/env (mode 0600) for the default account (the first one in
-- the accounts file) and, when there is one, the second account as
-- HWCLOUD_SECOND_* (its project in the default region), so the shell script
-- never has to parse JSON.

local accounts = require "emu.accounts"

local exports = {}

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

--- Write STATE_DIR/env for the default and second accounts (opts = {state_dir=, port=}).
function exports.write(opts)
  if not opts.state_dir then return end
  local a = accounts.all()[1]
  local p = a.projects[1]
  local lines = {
    "export HWCLOUD_ENDPOINT=" .. shell_quote("http://127.0.0.1:" .. tostring(opts.port)),
    "export HUAWEICLOUD_SDK_AK=" .. shell_quote(a.access_key),
    "export HUAWEICLOUD_SDK_SK=" .. shell_quote(a.secret_key),
    "export HUAWEICLOUD_SDK_PROJECT_ID=" .. shell_quote(p.id),
    "export HUAWEICLOUD_SDK_REGION=" .. shell_quote(p.region),
    "export HUAWEICLOUD_SDK_DOMAIN_ID=" .. shell_quote(a.domain_id),
  }
  local b = accounts.all()[2]
  if b then
    local bp = b.projects[1]
    for _, q in ipairs(b.projects) do
      if q.region == p.region then bp = q break end
    end
    lines[#lines + 1] = "export HWCLOUD_SECOND_AK=" .. shell_quote(b.access_key)
    lines[#lines + 1] = "export HWCLOUD_SECOND_SK=" .. shell_quote(b.secret_key)
    lines[#lines + 1] = "export HWCLOUD_SECOND_PROJECT_ID=" .. shell_quote(bp.id)
    lines[#lines + 1] = "export HWCLOUD_SECOND_DOMAIN_ID=" .. shell_quote(b.domain_id)
  end
  local path = opts.state_dir .. "/env"
  os.remove(path)
  local f = assert(io.open(path, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  os.execute("chmod 600 " .. shell_quote(path))
end

return exports
