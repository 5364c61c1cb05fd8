-- Retries, credentials and waiters inside client:parallel against the
-- emulator: a task retried after 503 and a 429 with Retry-After while the
-- healthy tasks end first, one IAM token request for 20 tasks (password
-- credentials) and one project lookup for 20 tasks (AK/SK without a project
-- id), as the emulator's request log shows, and stacks deployed and waited
-- for side by side, their polls interleaved and their event lines prefixed
-- with the stack's name.

local emu = require "spec.helpers.emulator"
local wait = require "hwcloud.wait"

describe("client:parallel with retries, credentials and waiters", function()
  local h = require("spec.helpers.parallel").new()
  setup(h.start)
  teardown(h.stop)
  before_each(h.reset)
  local fault, log, count = h.fault, h.log, h.count

  -- a client without project id and credentials, unless opts gives them
  local function client(opts)
    local o = { ak = false, sk = false, project_id = false }
    for k, v in pairs(opts or {}) do o[k] = v end
    return h.client(o)
  end

  local function twenty()
    local list = {}
    for i = 1, 20 do list[i] = i end
    return list
  end

  it("retries one task (503 twice, then 429 with Retry-After) while the healthy ones end first", function()
    fault({ method = "GET", path = "/v3/projects", count = 2, status = 503 })
    fault({ method = "GET", path = "/v3/projects", count = 1, status = 429, headers = { ["Retry-After"] = "0.3" } })
    local c = client({ ak = h.e.ak, sk = h.e.sk, project_id = h.e.project_id })
    local ended = {}
    local results, failed = c:map({ 1, 2, 3, 4, 5 }, function(i)
      local path = i == 1 and "/v3/projects" or "/v3/auth/projects"
      local r = c:request({ service = "iam", method = "GET", path = path })
      ended[#ended + 1] = i
      return r.attempts
    end, { concurrency = 5 })
    assert.are.equal(0, failed)
    assert.are.equal(4, results[1].value)
    for i = 2, 5 do assert.are.equal(1, results[i].value) end
    assert.are.equal(1, ended[5])
    assert.are.equal(4, count("GET", "/v3/projects"))
  end)

  it("fetches one IAM token for 20 tasks", function()
    local c = client({ user = h.e.user_name, password = h.e.password, domain = h.e.domain_name })
    local results, failed = c:map(twenty(), function()
      return c:request({ service = "iam", method = "GET", path = "/v3/auth/projects" }).status
    end, { concurrency = 20 })
    assert.are.equal(0, failed, failed > 0 and tostring(results[1].err) or nil)
    assert.are.equal(1, count("POST", "/v3/auth/tokens"))
    assert.are.equal(20, count("GET", "/v3/auth/projects"))
    assert.are.equal(h.e.project_id, c:get_project_id())
  end)

  it("resolves the project id once for 20 tasks", function()
    local c = client({ ak = h.e.ak, sk = h.e.sk })
    local vpcep = c:vpcep()
    local results, failed = c:map(twenty(), function()
      return vpcep:list_endpoints({}).total_count
    end, { concurrency = 20 })
    assert.are.equal(0, failed, failed > 0 and tostring(results[1].err) or nil)
    assert.are.equal(0, results[20].value)
    assert.are.equal(1, count("GET", "/v3/projects"))
  end)

  it("deploys and waits for stacks side by side, one readable line per event", function()
    assert.are.equal(200, (h.e.control("POST", "/_emulator/config", { speed = 0.2 })))
    local tf = emu.root .. "/examples/templates/network.tf"
    local c = client({ ak = h.e.ak, sk = h.e.sk, project_id = h.e.project_id })
    local rfs = c:rfs()
    local lines = {}
    local say, enabled = wait.say, wait.progress_enabled
    wait.say = function(line) lines[#lines + 1] = line end
    wait.progress_enabled = function() return true end
    local names = { "net-1", "net-2", "net-3", "net-4" }
    local ok, results, failed = pcall(c.map, c, names, function(name)
      local meta, outputs = rfs:deploy_from_file({ stack_name = name, template_file = tf, interval = 0.1 })
      return { status = meta.status, outputs = outputs }
    end, { concurrency = 4 })
    wait.say, wait.progress_enabled = say, enabled
    assert.is_true(ok, tostring(results))
    assert.are.equal(0, failed, failed > 0 and tostring(results[1].err) or nil)
    for i, name in ipairs(names) do
      assert.are.equal("DEPLOYMENT_COMPLETE", results[i].value.status, name)
      assert.is_string(results[i].value.outputs.vpc_id)
    end
    -- every event line names its stack; every stack printed its own
    local per = {}
    for _, line in ipairs(lines) do
      local name = line:match("^  (net%-%d): %d%d%d%d%-")
      if name then per[name] = (per[name] or 0) + 1 end
      assert.is_truthy(name or line:match("^%[%s*%d+ s%] stack net%-%d: "), line)
    end
    for _, name in ipairs(names) do assert.is_true((per[name] or 0) > 0, name) end
    -- the waiters polled side by side: another stack was polled between the
    -- first and the last poll of net-1
    local polls, first, last = {}, nil, nil
    for _, r in ipairs(log()) do
      local name = r.method == "GET" and r.path:match("/stacks/(net%-%d)/metadata$")
      if name then
        polls[#polls + 1] = name
        if name == "net-1" then first, last = first or #polls, #polls end
      end
    end
    local between = {}
    for k = first, last do between[polls[k]] = true end
    assert.is_true(between["net-2"] or between["net-3"] or between["net-4"] or false)
    assert.is_true(last - first >= 2, "net-1 was polled once")
  end)
end)
