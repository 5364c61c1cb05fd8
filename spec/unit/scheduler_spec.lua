-- hwcloud.scheduler and hwcloud.parallel without the network (the loop's
-- multi handle only waits for timers here; spec/integration/parallel_spec.lua
-- runs them against the emulator): timers wake tasks in deadline order, one
-- flight serves every task that asks, a task's own yields are resumed, a
-- failure with fail_fast stops sleeping tasks, the request limit halves on
-- throttling and grows back. Runs on Lua 5.4 and LuaJIT.

local scheduler = require "hwcloud.scheduler"
local parallel = require "hwcloud.parallel"

describe("hwcloud.scheduler", function()
  it("wakes sleeping tasks in the order of their deadlines", function()
    local woke = {}
    local results = parallel.map({ 0.06, 0.02, 0.04, 0 }, function(d, i)
      assert.is_true(scheduler.sleep(d))
      woke[#woke + 1] = i
      return i
    end, { concurrency = 4 })
    assert.are.same({ 4, 2, 3, 1 }, woke)
    for i = 1, 4 do assert.are.same({ ok = true, value = i }, results[i]) end
  end)

  it("does not sleep outside a task", function()
    assert.is_nil(scheduler.current())
    assert.is_false(scheduler.sleep(1))
  end)

  it("runs one flight for every task that asks while it runs", function()
    local owner, calls = {}, 0
    local results = parallel.map({ 1, 2, 3, 4, 5 }, function(i)
      return scheduler.single_flight(owner, "token", function()
        calls = calls + 1
        scheduler.sleep(0.02)
        return "value-" .. calls, i
      end)
    end, { concurrency = 5 })
    assert.are.equal(1, calls)
    for i = 1, 5 do assert.are.equal("value-1", results[i].value) end
    -- a failed flight fails every waiter, and the next ask runs a new one
    results = parallel.map({ 1, 2, 3 }, function()
      return scheduler.single_flight(owner, "token", function()
        calls = calls + 1
        scheduler.sleep(0.01)
        error("no token", 0)
      end)
    end)
    assert.are.equal(2, calls)
    for i = 1, 3 do assert.are.equal("no token", results[i].err) end
    assert.are.equal("direct", scheduler.single_flight(owner, "token", function() return "direct" end))
  end)

  it("resumes a task that yields on its own", function()
    local order = {}
    parallel.run({
      function() order[#order + 1] = "a1"; coroutine.yield(); order[#order + 1] = "a2" end,
      function() order[#order + 1] = "b1"; coroutine.yield(); order[#order + 1] = "b2" end,
    })
    assert.are.same({ "a1", "b1", "a2", "b2" }, order)
  end)

  it("stops sleeping and waiting tasks with fail_fast", function()
    local after = 0
    local owner = {}
    local results, failed = parallel.run({
      function() scheduler.sleep(30); after = after + 1 end,
      function() return scheduler.single_flight(owner, "k", function() scheduler.sleep(30) end) end,
      function() scheduler.sleep(0.01); return scheduler.single_flight(owner, "k", function() end) end,
      function() scheduler.sleep(0.02); error("stop", 0) end,
      function() after = after + 1 end,
    }, { concurrency = 4, fail_fast = true })
    assert.are.equal(5, failed)
    assert.are.equal("stop", results[4].err)
    for _, i in ipairs({ 1, 2, 3, 5 }) do
      assert.are.equal("cancelled", results[i].err.kind, "task " .. i)
    end
    assert.are.equal(0, after)
  end)

  it("on Ctrl-C lets each waiting waiter say what it waited for, in one error, and stops every task", function()
    -- what lua.c does on SIGINT: a count hook on the main thread (where the
    -- loop runs) raising "interrupted!"; LuaJIT's hooks are global (and its
    -- main thread is not a coroutine), so there it fires inside the task
    -- that sets it
    local main = coroutine.running()
    local function sethook(...)
      if main then return debug.sethook(main, ...) end
      return debug.sethook(...)
    end
    local function ctrl_c()
      sethook(function()
        sethook()
        error("interrupted!")
      end, "", 1)
    end
    local wait = require "hwcloud.wait"
    local function waiter(n)
      return function()
        return wait.poll{ operation = "test.wait", what = "thing " .. n, target = "reach DONE", on_progress = false,
          timeout = 5,
          check = function() return false, nil, "BUSY" end }
      end
    end
    local after, started = 0, 0
    local t0 = os.time()
    local ok, err = pcall(parallel.run, {
      waiter(1),
      function() scheduler.sleep(30); after = after + 1 end,
      waiter(2),
      function() scheduler.sleep(0.05); ctrl_c(); scheduler.sleep(30); after = after + 1 end,
      function() started = started + 1 end,
    }, { concurrency = 4 })
    assert.is_false(ok)
    assert.is_true(os.time() - t0 < 10)
    assert.are.equal("waiter", err.kind)
    assert.are.equal("INTERRUPTED", err.code)
    assert.are.equal("hwcloud.parallel.run: test.wait: after 0 s waiting for thing 1 to reach DONE (last state BUSY); "
      .. "test.wait: after 0 s waiting for thing 2 to reach DONE (last state BUSY); "
      .. "nothing was cancelled, the server carries on", err.message)
    assert.are.equal(2, #err.errors)
    assert.matches("interrupted!$", err.cause)
    assert.are.same({ 0, 0 }, { after, started })
    -- one waiter alone: its own error as it is
    ok, err = pcall(parallel.run, { waiter(1), function() scheduler.sleep(0.05); ctrl_c(); scheduler.sleep(30) end })
    assert.are.equal("test.wait: after 0 s waiting for thing 1 to reach DONE (last state BUSY); "
      .. "nothing was cancelled, the server carries on", err.message)
    -- no waiter: the interrupt itself
    ok, err = pcall(parallel.run, { function() scheduler.sleep(0.05); ctrl_c(); scheduler.sleep(30) end })
    assert.matches("interrupted!$", err)
  end)

  it("halves the request limit on throttling and grows it back", function()
    local now = 100
    local s = scheduler.new({ max_inflight = 16, clock = function() return now end })
    s.inflight = 16
    s:throttled()
    assert.are.equal(8, s.limit)
    s:throttled() -- within the same second: once
    assert.are.equal(8, s.limit)
    now = now + 1
    s.inflight = 3
    s:throttled()
    assert.are.equal(1, s.limit)
    for _ = 1, 1 + 2 + 3 do s:succeeded() end
    assert.are.equal(4, s.limit)
    for _ = 1, 200 do s:succeeded() end
    assert.are.equal(16, s.limit)
    s:close()
  end)
end)
