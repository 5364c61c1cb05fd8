-- A fake hwcloud client for the service unit specs (operation, paginate,
-- wait, rfs, vpcep): it records every request table it is given and answers
-- from routes registered by the test, the way client:request would: a status
-- below 400 returns {status, headers, body, request_id}, 400 and above raises
-- an hwcloud.Error of kind "http". Bodies go through core.encode/decode, so
-- what the services build must be encodable JSON.

local core = require("hwcloud.core")
-- shared with the client specs: the HTTP error and the fake clock
local support = require("spec.unit.client_support")

local M = {}

local Fake = {}
Fake.__index = Fake

--- A new fake client.
-- @tparam[opt] table o `{project_id = "..."}` (default a 32-hex id)
function M.new(o)
  o = o or {}
  return setmetatable({
    project_id = o.project_id or "0123456789abcdef0123456789abcdef",
    requests = {},
    routes = {},
  }, Fake)
end

--- Answer `method` + a path matching the Lua pattern `pattern` (anchored)
-- with `fn(req, captures...) -> status, body, headers`, or with a fixed
-- response table `{status=, body=, headers=}`.
function Fake:on(method, pattern, fn)
  table.insert(self.routes, 1, { method = method, pattern = "^" .. pattern .. "$", fn = fn })
  return self
end

--- An hwcloud.Error like the core raises for an HTTP error status (the
-- client specs' one, with `message` and `retryable` set).
function M.http_error(status, code, message, extra)
  local t = { message = message or code, retryable = status == 429 or status >= 500 }
  for k, v in pairs(extra or {}) do t[k] = v end
  return support.http_error(status, code, nil, t)
end

--- The requests sent so far whose method and path match (pattern anchored).
function Fake:sent(method, pattern)
  local out = {}
  for _, r in ipairs(self.requests) do
    if (method == nil or r.method == method) and (pattern == nil or r.path:match("^" .. pattern .. "$")) then
      out[#out + 1] = r
    end
  end
  return out
end

function Fake:request(req)
  -- what would go on the wire
  if req.body ~= nil then req.json = core.encode(req.body) end
  self.requests[#self.requests + 1] = req
  for _, route in ipairs(self.routes) do
    local caps = { req.path:match(route.pattern) }
    if route.method == req.method and caps[1] ~= nil then
      local status, body, headers
      if type(route.fn) == "function" then
        status, body, headers = route.fn(req, (table.unpack or unpack)(caps))
      else
        status, body, headers = route.fn.status, route.fn.body, route.fn.headers
      end
      status = status or 200
      if status >= 400 then
        error(M.http_error(status, type(body) == "table" and body.error_code or nil,
          type(body) == "table" and body.error_msg or nil), 0)
      end
      if type(body) == "table" then body = core.decode(core.encode(body)) end
      return { status = status, headers = headers or {}, body = body, request_id = "fake" }
    end
  end
  error(M.http_error(404, "Fake.NoRoute", "no fake route for " .. req.method .. " " .. req.path), 0)
end

--- A fake clock and sleep (the client specs' one, starting at 1000): sleep
-- advances the clock and records the pauses.
-- @treturn table `{clock = fn, sleep = fn, now = number, sleeps = {...}}`
function M.clock()
  return support.clock(1000)
end

return M
