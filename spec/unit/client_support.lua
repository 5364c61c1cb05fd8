-- Shared fixtures of the client unit specs (spec/unit/client_*_spec.lua): a
-- scripted transport that records what the client sends, a fake clock and
-- sleep, a controlled environment (os.getenv replaced, then restored), and a
-- temporary directory for profile files.

local core = require "hwcloud.core"

local M = {}

--- A transport answering from a script. Each entry is a response table, an
-- error table (raised), or a function(req, n) returning either; the last
-- entry repeats. `t.requests` records every request sent.
function M.transport(script)
  local t = { requests = {}, closed = 0 }
  function t.send(self, req)
    self.requests[#self.requests + 1] = req
    local n = #self.requests
    local r = script[n] or script[#script]
    if type(r) == "function" then
      r = r(req, n)
    end
    if core.is_error(r) then
      error(r, 0)
    end
    return r
  end
  function t.close(self)
    self.closed = self.closed + 1
  end
  return t
end

--- A 2xx response like the core returns.
function M.ok(body, status, headers)
  local h = headers or {}
  return { status = status or 200, headers = h, body = body, request_id = "rid-ok" }
end

--- An HTTP error like the core raises.
function M.http_error(status, code, headers, extra)
  local t = {
    kind = "http", status = status, code = code, message = code or ("status " .. status),
    class = status >= 500 and "ServerResponseException" or "ClientRequestException",
    headers = headers or {}, request_id = "rid-err",
  }
  for k, v in pairs(extra or {}) do t[k] = v end
  return core.error(t)
end

--- A transport failure like the core raises.
function M.net_error(kind, curl_code)
  return core.error({ kind = kind, curl_code = curl_code, message = kind .. " failure",
                      class = kind == "timeout" and "RequestTimeoutException" or "ConnectionException" })
end

--- A fake clock: sleep advances it and records the pauses.
function M.clock(start)
  local c = { now = start or 1700000000, sleeps = {} }
  c.clock = function() return c.now end
  c.sleep = function(s)
    c.sleeps[#c.sleeps + 1] = s
    c.now = c.now + s
  end
  return c
end

local real_getenv = os.getenv

--- Replace os.getenv by a lookup in `vars` (nothing else is visible).
function M.set_env(vars)
  os.getenv = function(name) return vars[name] end -- luacheck: ignore
end

--- Put the real os.getenv back.
function M.restore_env()
  os.getenv = real_getenv -- luacheck: ignore
end

--- A fresh temporary directory (removed by `M.rmdir`).
function M.tmpdir()
  local p = io.popen("mktemp -d /tmp/hwcloud-client-spec-XXXXXX")
  local dir = p:read("*l")
  p:close()
  return dir
end

function M.rmdir(dir)
  if dir and dir:find("^/tmp/hwcloud%-client%-spec%-") then
    os.execute("rm -rf '" .. dir .. "'")
  end
end

function M.write(path, text)
  os.execute("mkdir -p '" .. path:match("^(.*)/[^/]*$") .. "'")
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

--- The value of a header in a list of {name, value} pairs (any case).
function M.header(list, name)
  name = name:lower()
  for _, h in ipairs(list or {}) do
    if h[1]:lower() == name then return h[2] end
  end
  return nil
end

--- Decode a request body sent by the client.
function M.json(body)
  return core.decode(body)
end

return M
