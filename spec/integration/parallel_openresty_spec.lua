-- client:parallel inside OpenResty (ngx.thread + the cosocket transport)
-- against the emulator: an nginx of our own runs a small app (below) whose
-- cases call client:parallel and answer with what happened. Covers results in
-- order with a stalled answer ending last, fail_fast killing the threads of
-- stalled tasks, a retried task among healthy ones, one IAM token for 20
-- tasks, a token shared between clients through a lua_shared_dict, and
-- stacks deployed and waited for side by side.

local emu = require "spec.helpers.emulator"
local openresty = require "spec.helpers.openresty"

local APP = [==[
local hwcloud = require "hwcloud"
local cosocket = require "hwcloud.transport.cosocket"

local M = {}
local cases = {}

local function client(a, extra)
  local o = { ak = a.ak, sk = a.sk, project_id = a.project_id, region = a.region, endpoint = a.endpoint,
              retry_base_delay = 0.01, retry_max_delay = 0.02, transport = cosocket.new({ timeout = 10 }) }
  for k, v in pairs(extra or {}) do o[k] = v end
  for k, v in pairs(o) do if v == false then o[k] = nil end end
  return hwcloud.new(o)
end

local function projects(c, path)
  return c:request({ service = "iam", method = "GET", path = path or "/v3/auth/projects" })
end

local function outcome(r)
  if r.ok then return { ok = true, value = r.value } end
  local e = r.err
  if type(e) ~= "table" then return { ok = false, message = tostring(e) } end
  return { ok = false, kind = e.kind, status = e.status, message = e.message }
end

local function outcomes(results, failed)
  local out = {}
  for i, r in ipairs(results) do out[i] = outcome(r) end
  return { results = out, failed = failed }
end

function cases.order(a)
  local c = client(a)
  local ended = {}
  local t = outcomes(c:map({ 1, 2, 3, 4, 5 }, function(i)
    local r = projects(c)
    ended[#ended + 1] = i
    return r.status * 10 + i
  end, { concurrency = 5 }))
  t.ended = ended
  return t
end

function cases.fail_fast(a)
  local c = client(a, { max_retries = 0 })
  local finished = 0
  local tasks = {}
  for i = 1, 6 do
    tasks[i] = function()
      if i == 4 then return c:rfs():get_stack_metadata({ stack_name = "not-there" }) end
      projects(c)
      finished = finished + 1
    end
  end
  local t = outcomes(c:parallel(tasks, { concurrency = 4, fail_fast = true }))
  t.finished = finished
  t.after = projects(c).status
  return t
end

function cases.retry(a)
  local c = client(a)
  local ended = {}
  local t = outcomes(c:map({ 1, 2, 3, 4 }, function(i)
    local r = projects(c, i == 1 and "/v3/projects" or nil)
    ended[#ended + 1] = i
    return r.attempts
  end))
  t.ended = ended
  return t
end

function cases.token_once(a)
  local c = client(a, { ak = false, sk = false, project_id = false, user = a.user, password = a.password,
                        domain = a.domain })
  local list = {}
  for i = 1, 20 do list[i] = i end
  return outcomes(c:map(list, function() return projects(c).status end, { concurrency = 20 }))
end

function cases.shared(a)
  local extra = { ak = false, sk = false, project_id = false, user = a.user, password = a.password,
                  domain = a.domain, shared_dict = "hwcloud_tokens" }
  local s1 = projects(client(a, extra)).status
  local c2 = client(a, extra)
  local s2 = projects(c2).status
  return { statuses = { s1, s2 }, keys = #ngx.shared.hwcloud_tokens:get_keys(), project_id = c2:get_project_id() }
end

function cases.deploy(a)
  local c = client(a)
  local rfs = c:rfs()
  return outcomes(c:map({ "or-1", "or-2", "or-3" }, function(name)
    return (rfs:deploy_from_file({ stack_name = name, template_file = a.template, interval = 0.1,
                                   on_event = false, on_progress = false })).status
  end, { concurrency = 3 }))
end

function M.run()
  local a = ngx.req.get_uri_args()
  local ok, res = pcall(cases[a.case], a)
  if not ok then res = { crashed = tostring(res) } end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(hwcloud.encode(res))
end

return M
]==]

local describe_or_skip = openresty.available() and describe or pending

describe_or_skip("client:parallel in OpenResty", function()
  local e, app

  setup(function()
    e = emu.start({ speed = 0 })
    app = openresty.start({ name = "parallel_app", source = APP, http = "lua_shared_dict hwcloud_tokens 1m;" })
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
    assert.are.equal(201, (e.control("POST", "/_emulator/faults", spec)))
  end

  local function logged(method, path)
    local _, body = e.control("GET", "/_emulator/requests?limit=500")
    local n, names = 0, {}
    for _, r in ipairs(body.requests) do
      if r.method == method and r.path:find(path) then
        n = n + 1
        names[#names + 1] = r.path
      end
    end
    return n, names
  end

  it("returns results in order while a stalled answer ends last", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, action = "stall", delay = 0.5 })
    local r = run("order")
    assert.are.equal(0, r.failed)
    for i = 1, 5 do assert.are.same({ ok = true, value = 2000 + i }, r.results[i]) end
    assert.are.equal(1, r.ended[5])
  end)

  it("fail_fast kills the threads of the stalled tasks", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 3, action = "stall", delay = 3 })
    local r = run("fail_fast")
    assert.are.equal(6, r.failed)
    assert.are.equal(404, r.results[4].status)
    for _, i in ipairs({ 1, 2, 3, 5, 6 }) do
      assert.are.equal("cancelled", r.results[i].kind, "task " .. i)
    end
    assert.are.equal(0, r.finished)
    assert.are.equal(200, r.after)
  end)

  it("retries one task while the healthy ones end first", function()
    fault({ method = "GET", path = "/v3/projects", count = 2, status = 503 })
    local r = run("retry")
    assert.are.equal(0, r.failed)
    assert.are.same({ ok = true, value = 3 }, r.results[1])
    for i = 2, 4 do assert.are.same({ ok = true, value = 1 }, r.results[i]) end
    assert.are.equal(1, r.ended[4])
  end)

  it("fetches one IAM token for 20 tasks", function()
    local r = run("token_once")
    assert.are.equal(0, r.failed, r.results[1].message)
    assert.are.equal(1, (logged("POST", "^/v3/auth/tokens$")))
    assert.are.equal(20, (logged("GET", "^/v3/auth/projects$")))
  end)

  it("shares a token between clients through a lua_shared_dict", function()
    local r = run("shared")
    assert.are.same({ 200, 200 }, r.statuses)
    assert.are.equal(1, r.keys)
    assert.are.equal(e.project_id, r.project_id)
    assert.are.equal(1, (logged("POST", "^/v3/auth/tokens$")))
  end)

  it("deploys and waits for stacks side by side", function()
    assert.are.equal(200, (e.control("POST", "/_emulator/config", { speed = 0.2 })))
    local r = run("deploy", { template = emu.root .. "/examples/templates/network.tf" })
    assert.are.equal(0, r.failed, r.results[1].message)
    for i = 1, 3 do assert.are.same({ ok = true, value = "DEPLOYMENT_COMPLETE" }, r.results[i]) end
    local _, polls = logged("GET", "/stacks/or%-%d/metadata$")
    local first, last
    for k, p in ipairs(polls) do
      if p:find("/or-1/", 1, true) then first, last = first or k, k end
    end
    local others = 0
    for k = first, last do
      if not polls[k]:find("/or-1/", 1, true) then others = others + 1 end
    end
    assert.is_true(others > 0, "the waiters did not poll side by side")
  end)
end)
