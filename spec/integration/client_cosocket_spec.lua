-- The client inside OpenResty with the cosocket transport
-- (hwcloud.transport.cosocket) against the emulator: an nginx of our own runs
-- a small app (written below) whose handler makes client calls and answers
-- with what happened, as JSON. Covers AK/SK with project resolution and
-- connection reuse, IAM password tokens, a rejected signature, retries on
-- injected faults with ngx.sleep backoff, a refused connection on a POST, a
-- stalled answer hitting the timeout, and safe mode.

local emu = require "spec.helpers.emulator"
local openresty = require "spec.helpers.openresty"
local free_port = require("spec.helpers.server").free_port

-- the app the test nginx runs (module `client_cosocket_app`)
local APP = [==[
local hwcloud = require "hwcloud"
local safe = require "hwcloud.safe"
local cosocket = require "hwcloud.transport.cosocket"

local M = {}

local function fields(err)
  if type(err) ~= "table" then return { message = tostring(err) } end
  return { kind = err.kind, status = err.status, code = err.code, message = err.message,
           attempts = err.attempts, curl_code = err.curl_code, request_id = err.request_id }
end

local cases = {}

local function client(a, extra)
  local o = { ak = a.ak, sk = a.sk, region = a.region, endpoint = a.endpoint,
              retry_base_delay = 0.01, retry_max_delay = 0.02,
              transport = cosocket.new({ timeout = tonumber(a.timeout) or 5 }) }
  for k, v in pairs(extra or {}) do o[k] = v end
  for k, v in pairs(o) do if v == false then o[k] = nil end end
  return hwcloud.new(o)
end

local function projects(c)
  return c:request({ service = "iam", method = "GET", path = "/v3/auth/projects" })
end

function cases.aksk(a)
  local c = client(a)
  local pid = c:get_project_id()
  local r1 = projects(c)
  local r2 = projects(c)
  return { project_id = pid, status = r2.status, attempts = r2.attempts, reused = r2.reused,
           request_id = r2.request_id, n = #r1.body.projects,
           content_type = r2.headers["Content-Type"] }
end

function cases.password(a)
  local c = client(a, { ak = false, sk = false, user = a.user, password = a.password,
                        domain = a.domain })
  local r = projects(c)
  return { status = r.status, project_id = c:get_project_id() }
end

function cases.badsig(a)
  local ok, err = pcall(projects, client(a, { sk = "wrong-secret" }))
  return { ok = ok, err = fields(err) }
end

function cases.retry(a)
  local r = projects(client(a))
  return { status = r.status, attempts = r.attempts }
end

function cases.refused(a)
  local c = client(a)
  local ok, err = pcall(c.request, c, { service = "iam", method = "POST",
    path = "/v3.0/OS-CREDENTIAL/securitytokens", body = { a = 1 } })
  return { ok = ok, err = fields(err) }
end

function cases.timeout(a)
  local ok, err = pcall(projects, client(a, { max_retries = 0 }))
  return { ok = ok, err = fields(err) }
end

function cases.safe(a)
  local c = safe.new({ ak = a.ak, sk = "bad", region = a.region, endpoint = a.endpoint,
                       transport = cosocket.new() })
  local resp, err = c:request({ service = "iam", method = "GET", path = "/v3/auth/projects" })
  return { resp = resp == nil and "nil" or "value", err = fields(err) }
end

function M.run()
  local a = ngx.req.get_uri_args()
  local ok, res = pcall(cases[a.case], a)
  if not ok then
    res = { crashed = tostring(res) }
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(hwcloud.encode(res))
end

return M
]==]

local describe_or_skip = openresty.available() and describe or pending

describe_or_skip("client in OpenResty with the cosocket transport", function()
  local e, app

  setup(function()
    e = emu.start({ speed = 0 })
    app = openresty.start({ name = "client_cosocket_app", source = APP })
  end)

  teardown(function()
    if app then app.stop() end
    if e then e.stop() end
  end)

  before_each(function() e.reset() end)

  local function run(case, extra)
    return app.run(e, case, extra)
  end

  local function fault(spec)
    local status = e.control("POST", "/_emulator/faults", spec)
    assert(status >= 200 and status < 300, "fault not accepted")
  end

  it("signs with AK/SK, resolves the project and reuses the connection", function()
    local r = run("aksk")
    assert.are.equal(e.project_id, r.project_id)
    assert.are.equal(200, r.status)
    assert.are.equal(1, r.attempts)
    assert.is_true(r.reused)
    assert.matches("^%x+$", r.request_id)
    assert.matches("json", r.content_type)
    assert.is_true(r.n >= 1)
  end)

  it("authenticates with an IAM password", function()
    local r = run("password")
    assert.are.equal(200, r.status)
    assert.are.equal(e.project_id, r.project_id)
  end)

  it("raises the rejection of a bad signature as an http error", function()
    local r = run("badsig")
    assert.is_false(r.ok)
    assert.are.equal("http", r.err.kind)
    assert.are.equal(401, r.err.status)
    assert.is_string(r.err.code)
    assert.matches("signature", r.err.message:lower(), 1, true)
    assert.are.equal(1, r.err.attempts)
  end)

  it("retries injected 503, 429 and a dropped connection", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, status = 503 })
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, status = 429 })
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, action = "drop" })
    local r = run("retry")
    assert.are.equal(200, r.status)
    assert.are.equal(4, r.attempts)
  end)

  it("retries a POST whose connection is refused", function()
    local r = run("refused", { endpoint = "http://127.0.0.1:" .. free_port() })
    assert.is_false(r.ok)
    assert.are.equal("network", r.err.kind)
    assert.are.equal(7, r.err.curl_code)
    assert.are.equal(4, r.err.attempts)
  end)

  it("times out on a stalled answer", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, action = "stall", delay = 2 })
    local r = run("timeout", { timeout = "0.3" })
    assert.is_false(r.ok)
    assert.are.equal("timeout", r.err.kind)
    assert.are.equal(28, r.err.curl_code)
  end)

  it("returns nil, err in safe mode", function()
    local r = run("safe")
    assert.are.equal("nil", r.resp)
    assert.are.equal(401, r.err.status)
  end)
end)
