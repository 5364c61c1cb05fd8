-- Starts and stops the hwcloud emulator for specs (bin/hwcloud-emulator in a
-- fresh state directory), and drives it over real HTTP with hwcloud.core.
--   local emu = require "spec.helpers.emulator"
--   local e = emu.start{speed = 0}          -- port=, config= also accepted
--   e.endpoint, e.port, e.ak, e.sk, e.project_id, e.domain_id, e.region,
--   e.domain_name, e.user_name, e.password, e.second (the second account)
--   local res = e.call("GET", "/v1/" .. e.project_id .. "/vpc-endpoints")
--   e.control("POST", "/_emulator/faults", {...}); e.reset(); e.stop()
--   e.advance(seconds)   -- move the emulator's clock forward instead of sleeping
--   emu.read_file(path) -> contents or nil
-- `e.call` never raises for HTTP errors: it returns {status, body, headers,
-- code, message, request_id, error}. The emulator is stopped by pid in
-- e.stop(), and also when the helper's handle is garbage-collected or Lua exits.

local M = {}

local function root_dir()
  local p = assert(io.popen("pwd"))
  local dir = p:read("*l")
  p:close()
  return dir
end

local ROOT = root_dir()
package.path = ROOT .. "/emulator/lua/?.lua;" .. ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;" .. package.path
package.cpath = ROOT .. "/build/?.so;" .. package.cpath

local json = require "emu.json"

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end
M.read_file = read_file

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function run(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("*a")
  local ok, _, code = p:close()
  return ok == true or code == 0, out
end

local function account_view(a)
  local p = a.projects[1]
  return {
    name = a.name, ak = a.access_key, sk = a.secret_key, project_id = p.id, region = p.region or p.name,
    domain_id = a.domain_id, domain_name = a.domain_name, user_name = a.user_name, user_id = a.user_id,
    password = a.password, projects = a.projects,
  }
end

-- Alive and not a zombie (an exited nginx that nobody has reaped yet).
local function alive(pid)
  local f = io.open("/proc/" .. pid .. "/status")
  if not f then return false end
  local s = f:read("*a")
  f:close()
  return not s:find("\nState:%s*Z")
end
M.alive = alive

local function kill_pid(pid)
  if not pid then return end
  os.execute("kill -TERM " .. pid .. " 2>/dev/null")
  for _ = 1, 250 do
    if not alive(pid) then return end
    os.execute("sleep 0.02")
  end
  os.execute("kill -KILL " .. pid .. " 2>/dev/null")
end

--- Start an emulator. opts: speed (default 0), port, config (accounts file).
-- @return handle (see the file comment); raises when it does not start
function M.start(opts)
  opts = opts or {}
  -- before anything is started: a missing build must not leave an emulator behind
  local core = require "hwcloud.core"
  local session = core.session{ timeout = 30 }
  local dir = assert(io.popen("mktemp -d /tmp/hwcloud-emu-spec.XXXXXX")):read("*l")
  local cmd = { sh_quote(ROOT .. "/bin/hwcloud-emulator"), "start", "--state-dir", sh_quote(dir),
                "--speed", tostring(opts.speed or 0) }
  if opts.port then cmd[#cmd + 1] = "--port " .. tostring(opts.port) end
  local config = opts.config or (ROOT .. "/emulator/accounts.json")
  cmd[#cmd + 1] = "--config " .. sh_quote(config)
  local ok, out = run(table.concat(cmd, " "))
  if not ok then
    os.execute("rm -rf " .. sh_quote(dir))
    error("emulator did not start: " .. out, 2)
  end
  local cfg = assert(json.decode(assert(read_file(config))))
  local e = account_view(cfg.accounts[1])
  e.second = cfg.accounts[2] and account_view(cfg.accounts[2]) or nil
  e.accounts = {}
  for i, a in ipairs(cfg.accounts) do e.accounts[i] = account_view(a) end
  e.config = cfg
  e.state_dir = dir
  e.endpoint = out:match("HWCLOUD_ENDPOINT='([^']+)'")
  e.port = tonumber(e.endpoint:match(":(%d+)$"))
  e.pid = tonumber(read_file(dir .. "/nginx.pid"):match("%d+"))
  e.exports = out

  local stopped = false
  --- Stop nginx (by pid) and remove the state directory. Idempotent.
  function e.stop()
    if stopped then return end
    stopped = true
    pcall(session.close, session)
    kill_pid(e.pid)
    os.execute("rm -rf " .. sh_quote(dir))
  end
  -- stop on garbage collection or interpreter exit as well
  e._guard = setmetatable({}, { __gc = function() e.stop() end })

  local function send(req)
    local okc, res = pcall(session.send, session, req)
    if okc then
      return { status = res.status, body = res.body, raw_body = res.raw_body, headers = res.headers,
               request_id = res.request_id, response = res }
    end
    local err = res
    if type(err) ~= "table" or not err.status then error(err, 0) end
    local body = err.data
    if body == nil then body = err.body end
    if type(body) == "string" then body = json.decode(body) or body end
    return { status = err.status, code = err.code, message = err.message, headers = err.headers,
             request_id = err.request_id, body = body, error = err }
  end
  e.send = send

  --- Call the control API: returns status, decoded body (or nil).
  function e.control(method, path, body)
    local res = send{ method = method, url = e.endpoint .. path,
      headers = { { "Content-Type", "application/json" } },
      body = body ~= nil and json.encode(body) or nil }
    local b = res.body
    if res.status and res.raw_body and type(b) ~= "table" then b = json.decode(res.raw_body) end
    return res.status, b
  end

  --- Forget every resource, token, fault and logged request (POST /_emulator/reset).
  function e.reset()
    local status = e.control("POST", "/_emulator/reset")
    assert(status == 204, "emulator reset failed: " .. tostring(status))
  end

  --- Move the emulator's clock forward (POST /_emulator/clock): every
  -- asynchronous step and expiry due by then has happened on the next read.
  -- @return the emulated time after the move
  function e.advance(seconds)
    local status, body = e.control("POST", "/_emulator/clock", { advance = seconds })
    assert(status == 200, "emulator clock advance failed: " .. tostring(status))
    return body.now
  end

  --- An IAM token for an account (default: this one), project-scoped to its first project.
  function e.token(as)
    as = as or e
    local res = send{ method = "POST", url = e.endpoint .. "/v3/auth/tokens",
      headers = { { "Content-Type", "application/json;charset=UTF-8" } },
      body = json.encode({ auth = {
        identity = { methods = { "password" }, password = { user = {
          name = as.user_name, password = as.password, domain = { name = as.domain_name } } } },
        scope = { project = { id = as.project_id } } } }) }
    assert(res.status == 201, "token request failed: " .. tostring(res.status))
    return res.headers["X-Subject-Token"]
  end

  --- Make a request as an account, signed with AK/SK unless opts.token or opts.unsigned.
  -- body: a table (JSON-encoded) or a string. opts: as (account, default e), token,
  -- unsigned, headers (extra list of {name, value}), date (X-Sdk-Date to sign with),
  -- tamper (function(req) changing the signed request before it is sent),
  -- project_header (false: no X-Project-Id), security_token.
  function e.call(method, path, body, opts)
    opts = opts or {}
    local as = opts.as or e
    if type(body) == "table" then body = json.encode(body) end
    local url = e.endpoint .. path
    local headers = { { "Content-Type", "application/json;charset=UTF-8" } }
    if opts.project_header ~= false and not opts.token then
      headers[#headers + 1] = { "X-Project-Id", as.project_id }
    end
    for _, h in ipairs(opts.headers or {}) do headers[#headers + 1] = h end
    local req
    if opts.token then
      headers[#headers + 1] = { "X-Auth-Token", opts.token }
      req = { method = method, url = url, headers = headers, body = body }
    elseif opts.unsigned then
      req = { method = method, url = url, headers = headers, body = body }
    else
      local signed = core.sign{ method = method, url = url, headers = headers, body = body,
        ak = opts.ak or as.ak, sk = opts.sk or as.sk, date = opts.date, security_token = opts.security_token,
        algorithm = opts.algorithm, region_id = opts.region_id, service_name = opts.service_name }
      req = { method = method, url = url, headers = signed.headers, body = body }
    end
    if opts.tamper then opts.tamper(req) end
    return send(req)
  end

  return e
end

--- An X-Sdk-Date value `seconds` away from now (for expired-date tests).
function M.sdk_date(offset)
  return os.date("!%Y%m%dT%H%M%SZ", os.time() + (offset or 0))
end

M.json = json
M.root = ROOT
--- The contents of a file, or nil when it cannot be read.
M.read_file = read_file

return M
