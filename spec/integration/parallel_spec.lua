-- client:parallel and client:map over the libcurl multi loop against the
-- emulator: results in order while answers arrive out of order (a stalled
-- answer ends last), mixed success and failure, fail_fast cancelling running
-- transfers and tasks not yet started, nested calls, pooled connections,
-- argument errors, and Ctrl-C (SIGINT to a separate lua5.4) stopping the
-- batch cleanly.

local core = require "hwcloud.core"
local hwcloud = require "hwcloud"

describe("client:parallel on the libcurl loop", function()
  local h = require("spec.helpers.parallel").new()
  setup(h.start)
  teardown(h.stop)
  before_each(h.reset)
  local client, fault = h.client, h.fault

  local function projects(c, query)
    return c:request({ service = "iam", method = "GET", path = "/v3/auth/projects", query = query })
  end

  it("returns results in order while the answers end out of order", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, action = "stall", delay = 0.5 })
    local c = client()
    local ended = {}
    local results, failed = c:map({ "a", "b", "c", "d", "e" }, function(x, i)
      local r = projects(c, { tag = x })
      ended[#ended + 1] = i
      return x .. r.status
    end, { concurrency = 5 })
    assert.are.equal(0, failed)
    for i, x in ipairs({ "a", "b", "c", "d", "e" }) do
      assert.are.same({ ok = true, value = x .. 200 }, results[i])
    end
    -- the first request took the stall: every other one ended before it
    assert.are.equal(1, ended[5])
    assert.are.equal(5, #ended)
  end)

  it("mixes success and failure, each failure with its own error", function()
    local c = client()
    local rfs = c:rfs()
    local results, failed = c:parallel({
      function() return projects(c).status end,
      function() return rfs:get_stack_metadata({ stack_name = "missing-one" }) end,
      function() error("plain failure") end,
      function() return projects(c).status end,
      function() return c:request({ service = "iam", method = "GET", path = "/v3/nothing-here" }) end,
    })
    assert.are.equal(3, failed)
    assert.are.same({ ok = true, value = 200 }, results[1])
    assert.is_false(results[2].ok)
    assert.is_true(hwcloud.is_error(results[2].err))
    assert.are.equal(404, results[2].err.status)
    assert.matches("plain failure", results[3].err)
    assert.are.same({ ok = true, value = 200 }, results[4])
    assert.are.equal("http", results[5].err.kind)
    assert.are.equal(404, results[5].err.status)
  end)

  it("fail_fast cancels the running transfers and the tasks not started", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 3, action = "stall", delay = 3 })
    local c = client({ max_retries = 0 })
    local started, finished = {}, {}
    local tasks = {}
    for i = 1, 6 do
      tasks[i] = function()
        started[i] = true
        if i == 4 then
          return c:rfs():get_stack_metadata({ stack_name = "not-there" })
        end
        local r = projects(c)
        finished[i] = true
        return r.status
      end
    end
    local results, failed = c:parallel(tasks, { concurrency = 4, fail_fast = true })
    assert.are.equal(6, failed)
    assert.are.equal(404, results[4].err.status)
    for _, i in ipairs({ 1, 2, 3, 5, 6 }) do
      assert.is_false(results[i].ok)
      assert.are.equal("cancelled", results[i].err.kind, "task " .. i)
      assert.matches("task 4 failed", results[i].err.message)
      assert.is_nil(finished[i])
    end
    assert.is_nil(started[5])
    assert.is_nil(started[6])
    -- the client goes on working (the idle sessions are free again)
    assert.are.equal(200, projects(c).status)
    local again = c:map({ 1, 2 }, function() return projects(c).status end)
    assert.are.same({ { ok = true, value = 200 }, { ok = true, value = 200 } }, again)
  end)

  it("runs a parallel call nested in a task on the same loop", function()
    local c = client()
    local results = c:map({ 1, 2, 3 }, function(i)
      local inner = c:map({ 1, 2 }, function(j) return i * 10 + j + projects(c).status * 0 end)
      return inner[1].value + inner[2].value
    end, { concurrency = 2 })
    assert.are.same({ { ok = true, value = 23 }, { ok = true, value = 43 }, { ok = true, value = 63 } }, results)
  end)

  it("reuses pooled connections: 40 GETs at concurrency 4 open at most 4", function()
    local c = client()
    local results = c:map({}, function() end)
    assert.are.same({}, results)
    local list = {}
    for i = 1, 40 do list[i] = i end
    results = c:map(list, function() return projects(c) end, { concurrency = 4 })
    local fresh = 0
    for _, r in ipairs(results) do
      assert.is_true(r.ok)
      if not r.value.reused then fresh = fresh + 1 end
    end
    assert.is_true(fresh >= 1 and fresh <= 4, "opened " .. fresh)
  end)

  it("raises argument errors naming the method and the argument", function()
    local c = client()
    local function err(fn, ...)
      local ok, x = pcall(fn, ...)
      assert.is_false(ok)
      assert.are.equal("argument", x.kind)
      return x.message
    end
    assert.matches("client:parallel: tasks%[2%] must be a function", err(c.parallel, c, { print, 1 }))
    assert.matches("client:parallel: unknown option opts.conc", err(c.parallel, c, {}, { conc = 1 }))
    assert.matches("opts.concurrency must be", err(c.parallel, c, {}, { concurrency = 0 }))
    assert.matches("opts.fail_fast must be a boolean", err(c.map, c, {}, print, { fail_fast = 1 }))
    assert.matches("client:map: fn must be a function", err(c.map, c, {}, 1))
    assert.matches("client:parallel", err(hwcloud.new().parallel, {}, {}))
  end)

  it("stops on Ctrl-C: transfers cancelled, the error goes through, the client still works", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 4, action = "stall", delay = 5 })
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local hwcloud = require "hwcloud"
local pid = io.open("/proc/self/stat"):read("l"):match("^(%d+)")
local c = hwcloud.new{ ak = arg[1], sk = arg[2], region = arg[3], endpoint = arg[4], project_id = arg[5],
                       max_retries = 0 }
local function projects() return c:request{ service = "iam", method = "GET", path = "/v3/auth/projects" } end
local after = 0
local ok, err = pcall(c.parallel, c, {
  projects, projects, projects,
  function()
    -- what Ctrl-C does, while the transfers are stalled (system() ignores
    -- SIGINT while its child runs, hence the background kill)
    os.execute("(sleep 1; kill -INT " .. pid .. ") &")
    projects()
    after = after + 1
  end,
})
print("parallel", ok, tostring(err), after)
print("after", projects().status)
]])
    f:close()
    local p = io.popen(("lua5.4 %s %s %s %s %s %s 2>&1"):format(script, h.e.ak, h.e.sk, h.e.region, h.e.endpoint, h.e.project_id))
    local out = p:read("a")
    p:close()
    os.remove(script)
    assert.matches("parallel\tfalse\t[^\n]*interrupted!\t0", out)
    assert.matches("after\t200", out)
  end)
end)
