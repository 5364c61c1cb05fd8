-- The default transport: one hwcloud.core session (libcurl, reused
-- connections) per client, created on the first send. `send(self, request)`
-- takes `{method=, url=, headers = {{name, value}, ...}, body = string|nil}`
-- and returns the core's response table, or raises the core's error table
-- (status >= 400 and transport failures). Inside a task of client:parallel
-- the request goes onto the loop's multi handle (hwcloud.scheduler) through
-- one of the transport's idle sessions, and the task yields until it ends.

local core = require "hwcloud.core"
local scheduler = require "hwcloud.scheduler"

local M = {}

local Transport = {}
Transport.__index = Transport
Transport.__tostring = function()
  return "hwcloud.transport.curl"
end

-- session options copied from the client options: the core's one list
local SESSION_OPTS = core.session_options

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
  return setmetatable({ cfg = cfg, session = nil, idle = {} }, Transport)
end

--- Send one request over the session.
-- @tparam table request `{method=, url=, headers=, body=}`
-- @treturn table response; raises an hwcloud error on failure
function Transport:send(request)
  local task = scheduler.current()
  if task and task.sched.send then
    -- a session per transfer in flight, back to the idle list afterwards
    local idle = self.idle
    local s = idle[#idle] or core.session(self.cfg)
    idle[#idle] = nil
    local ok, resp = pcall(task.sched.send, task.sched, task, s, request)
    idle[#idle + 1] = s
    if not ok then error(resp, 0) end
    return resp
  end
  local s = self.session
  if not s then
    s = core.session(self.cfg)
    self.session = s
  end
  return s:send(request)
end

--- Close the sessions (idempotent); a later send opens a new one.
function Transport:close()
  local s = self.session
  self.session = nil
  if s then
    s:close()
  end
  local idle = self.idle
  self.idle = {}
  for _, x in ipairs(idle) do x:close() end
end

return M
