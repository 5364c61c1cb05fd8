-- The default transport: one hwcloud.core session (libcurl, reused
-- connections) per client, created on the first send. `send(self, request)`
-- takes `{method=, url=, headers = {{name, value}, ...}, body = string|nil}`
-- and returns the core's response table, or raises the core's error table
-- (status >= 400 and transport failures).

local core = require "hwcloud.core"

local M = {}

local Transport = {}
Transport.__index = Transport
Transport.__tostring = function()
  return "hwcloud.transport.curl"
end

-- session options copied from the client options
local SESSION_OPTS = { "timeout", "connect_timeout", "verify_tls", "ca_file", "ca_path",
                       "proxy", "no_proxy", "user_agent", "max_body_bytes" }

--- Make a curl transport. No connection is opened until the first send.
-- @tparam[opt] table opts `{timeout=, connect_timeout=, verify_tls=, ca_file=,
--   ca_path=, proxy=, no_proxy=, user_agent=, max_body_bytes=}` (seconds, bytes)
-- @treturn table transport with `send` and `close`
function M.new(opts)
  local cfg = {}
  for _, k in ipairs(SESSION_OPTS) do
    if opts and opts[k] ~= nil then
      cfg[k] = opts[k]
    end
  end
  return setmetatable({ cfg = cfg, session = nil }, Transport)
end

--- Send one request over the session.
-- @tparam table request `{method=, url=, headers=, body=}`
-- @treturn table response; raises an hwcloud error on failure
function Transport:send(request)
  local s = self.session
  if not s then
    s = core.session(self.cfg)
    self.session = s
  end
  return s:send(request)
end

--- Close the session (idempotent); a later send opens a new one.
function Transport:close()
  local s = self.session
  self.session = nil
  if s then
    s:close()
  end
end

return M
