-- Unit specs of hwcloud.wait: the poll loop (timeout, growing interval,
-- transient errors, progress) and for_status, with an injected clock and
-- sleep so nothing really waits.

local core = require("hwcloud.core")
local wait = require("hwcloud.wait")
local fake = require("spec.helpers.fake_client")
local S = require("spec.helpers.services")
local raised = S.raised

describe("wait.poll", function()
  local t
  before_each(function() t = fake.clock() end)

  local function poll(o)
    o.operation, o.what = o.operation or "test.wait", o.what or "thing x"
    o.clock, o.sleep = t.clock, o.sleep or t.sleep
    if o.on_progress == nil then o.on_progress = false end
    return wait.poll(o)
  end

  it("returns at once when the first check is done", function()
    assert.equal("r", poll{ check = function() return true, "r", "DONE" end })
    assert.same({}, t.sleeps)
  end)

  it("waits 1, 2, 4 s and then every interval", function()
    local n = 0
    local r = poll{ interval = 5, check = function()
      n = n + 1
      return n == 7, n, "S" .. n
    end }
    assert.equal(7, r)
    assert.same({ 1, 2, 4, 5, 5, 5 }, t.sleeps)
  end)

  it("defaults to a 1200 s timeout and polls at most every 5 s", function()
    local checks = 0
    local err = raised(poll, { check = function()
      checks = checks + 1
      return false, nil, "IN_PROGRESS"
    end })
    assert.equal("TIMEOUT", err.code)
    assert.equal(1200, err.timeout)
    assert.equal(1200, err.elapsed)
    assert.same({ 1, 2, 4, 5 }, { t.sleeps[1], t.sleeps[2], t.sleeps[3], t.sleeps[4] })
    local longest = 0
    for _, s in ipairs(t.sleeps) do longest = math.max(longest, s) end
    assert.equal(5, longest)
    assert.equal(#t.sleeps + 1, checks)
  end)

  it("never waits longer than the interval, even for the first pause", function()
    local n = 0
    poll{ interval = 0.25, check = function() n = n + 1; return n == 3 end }
    assert.same({ 0.25, 0.25 }, t.sleeps)
  end)

  it("raises a waiter TIMEOUT error with the last state after the timeout", function()
    local checks = 0
    local err = raised(poll, { timeout = 12, interval = 5, check = function()
      checks = checks + 1
      return false, nil, "IN_PROGRESS"
    end })
    assert.is_true(core.is_error(err))
    assert.equal("waiter", err.kind)
    assert.equal("TIMEOUT", err.code)
    assert.equal("IN_PROGRESS", err.state)
    assert.equal(12, err.timeout)
    assert.equal("test.wait: after 12 s waiting for thing x (last state IN_PROGRESS)", err.message)
    -- 1 + 2 + 4 + 5 = 12: the last check happens exactly at the timeout
    assert.same({ 1, 2, 4, 5 }, t.sleeps)
    assert.equal(5, checks)
  end)

  it("keeps polling through transient errors (throttling, 5xx, network) until done", function()
    local n = 0
    local r = poll{ check = function()
      n = n + 1
      if n == 1 then error(fake.http_error(429, "APIGW.0308", "throttled"), 0) end
      if n == 2 then error(core.error{ kind = "network", message = "connection reset", retryable = true }, 0) end
      if n == 3 then error(fake.http_error(503, "RF.10010001"), 0) end
      return true, "ok", "DONE"
    end }
    assert.equal("ok", r)
    assert.equal(4, n)
  end)

  it("reports the last transient error as the cause of a timeout", function()
    local err = raised(poll, { timeout = 3, check = function()
      error(core.error{ kind = "timeout", message = "slow" }, 0)
    end })
    assert.equal("TIMEOUT", err.code)
    assert.equal("slow", err.cause.message)
  end)

  it("raises other errors at once", function()
    local err = raised(poll, { check = function() error(fake.http_error(403, "RF.10012507"), 0) end })
    assert.equal(403, err.status)
    assert.same({}, t.sleeps)
    err = raised(poll, { check = function() error("boom", 0) end })
    assert.equal("boom", err)
  end)

  it("turns Ctrl-C (\"interrupted!\") in a sleep or a check into one INTERRUPTED waiter error", function()
    local n = 0
    local err = raised(poll, { target = "reach DONE", id = function(r) return r.id end,
      check = function()
        n = n + 1
        return false, { id = "id-" .. n }, "S" .. n
      end,
      sleep = function(s)
        t.sleep(s)
        if n == 3 then error("lua/hwcloud/clock.lua:1: interrupted!", 0) end
      end })
    assert.equal("waiter", err.kind)
    assert.equal("INTERRUPTED", err.code)
    assert.equal("S3", err.state)
    assert.equal(7, err.elapsed)
    assert.same({ id = "id-3" }, err.resource)
    assert.equal("test.wait: after 7 s waiting for thing x (id id-3) to reach DONE (last state S3); "
      .. "nothing was cancelled, the server carries on", err.message)
    assert.not_matches("\n", tostring(err))

    err = raised(poll, { check = function() error("interrupted!", 0) end })
    assert.equal("INTERRUPTED", err.code)
    assert.equal("test.wait: after 0 s waiting for thing x; "
      .. "nothing was cancelled, the server carries on", err.message)
    -- other string errors pass unchanged
    assert.equal("not interrupted! really", raised(poll, { check = function() error("not interrupted! really", 0) end }))
  end)

  it("calls on_progress after every poll with the state and elapsed time", function()
    local seen = {}
    local n = 0
    poll{ on_progress = function(info) seen[#seen + 1] = info end, check = function()
      n = n + 1
      if n == 2 then error(fake.http_error(500, "x"), 0) end
      return n == 3, nil, "S" .. n
    end }
    assert.equal(2, #seen)
    assert.same({ operation = "test.wait", what = "thing x", state = "S1", elapsed = 0 }, seen[1])
    assert.equal("S1", seen[2].state)
    assert.equal(1, seen[2].elapsed)
    assert.equal(500, seen[2].error.status)
  end)
end)

describe("wait.join_once", function()
  it("joins the parts of a message with ': ', leaving out a part another one holds", function()
    assert.equal("a is X: boom", wait.join_once{ "a is X", "boom", "boom" })
    assert.equal("a is X: bad.tf:3,1: boom", wait.join_once{ "a is X", "boom", "bad.tf:3,1: boom" })
    assert.equal("a is X: one: two", wait.join_once{ "a is X", "one", "two", "" })
    assert.equal("a is X", wait.join_once{ "a is X" })
    -- pattern characters are plain text
    assert.equal("a is X: 50% (.*)", wait.join_once{ "a is X", "50% (.*)", "(.*)" })
  end)
end)

describe("wait.progress_printer", function()
  local lines, saved_say, saved_enabled
  before_each(function()
    lines = {}
    saved_say, saved_enabled = wait.say, wait.progress_enabled
    wait.say = function(l) lines[#lines + 1] = l end
    wait.progress_enabled = function() return true end
  end)
  after_each(function()
    wait.say, wait.progress_enabled = saved_say, saved_enabled
  end)

  it("prints state changes, a heartbeat every 15 s and transient errors", function()
    local p = wait.progress_printer()
    p{ operation = "o", what = "stack a", state = "IN", elapsed = 0 }
    p{ operation = "o", what = "stack a", state = "IN", elapsed = 5 }
    p{ operation = "o", what = "stack a", state = "IN", elapsed = 16 }
    p{ operation = "o", what = "stack a", state = "OUT", elapsed = 17 }
    p{ operation = "o", what = "stack a", state = "OUT", elapsed = 18, error = "oops" }
    assert.same({
      "[   0 s] stack a: IN",
      "[  16 s] stack a: still IN",
      "[  17 s] stack a: OUT",
      "[  18 s] o: stack a: retrying after: oops",
    }, lines)
  end)

  it("prints nothing when progress is off", function()
    wait.progress_enabled = function() return false end
    wait.progress_printer(){ operation = "o", what = "w", state = "S", elapsed = 0 }
    assert.same({}, lines)
  end)

  it("always prints through a given function", function()
    wait.progress_enabled = function() return false end
    local mine = {}
    wait.progress_printer(function(l) mine[#mine + 1] = l end){ operation = "o", what = "w", state = "S", elapsed = 2 }
    assert.same({ "[   2 s] w: S" }, mine)
    assert.same({}, lines)
  end)
end)

describe("wait.for_status", function()
  local t
  before_each(function() t = fake.clock() end)

  local function run(o)
    o.operation, o.what = "svc.wait_x", "thing 1"
    o.clock, o.sleep, o.on_progress = t.clock, o.sleep or t.sleep, false
    return wait.for_status(o)
  end

  local function sequence(list)
    local i = 0
    return function()
      i = math.min(i + 1, #list)
      local v = list[i]
      if type(v) == "table" and core.is_error(v) then error(v, 0) end
      return v
    end
  end

  it("returns the resource once it reaches a success state; unknown states keep waiting", function()
    local r = run{ get = sequence({ { status = "creating" }, { status = "SOMETHING_NEW" }, { status = "available", id = 1 } }),
                   success = { "available" }, failure = { "failed" } }
    assert.same({ status = "available", id = 1 }, r)
    assert.equal(2, #t.sleeps)
  end)

  it("raises a waiter error coded with the failure state", function()
    local err = raised(run, { get = sequence({ { status = "creating" }, { status = "failed" } }),
                             success = "available", failure = "failed",
                             details = function(r, s) return "it broke", { extra = 1 } end })
    assert.equal("waiter", err.kind)
    assert.equal("failed", err.code)
    assert.equal("failed", err.state)
    assert.equal("svc.wait_x: thing 1: it broke", err.message)
    assert.equal(1, err.extra)
    assert.same({ status = "failed" }, err.resource)
  end)

  it("treats 404 as done for deletions", function()
    assert.is_true(run{ get = sequence({ { status = "deleting" }, fake.http_error(404, "X") }),
                        success = {}, failure = { "failed" }, gone = "success" })
  end)

  it("raises GONE on 404 otherwise", function()
    local err = raised(run, { get = sequence({ fake.http_error(404, "X") }), success = { "available" } })
    assert.equal("GONE", err.code)
    assert.equal("svc.wait_x: after 0 s waiting for thing 1 to reach available", err.message)
    assert.equal(404, err.cause.status)
  end)

  it("tostring of every waiter error is one line naming the outcome once: the code", function()
    local function line(o)
      local err = raised(run, o)
      local s = tostring(err)
      assert.not_matches("\n", s)
      local n = select(2, s:lower():gsub(err.code:lower(), ""))
      assert.equal(1, n, s)
      return s
    end
    local failing = { get = sequence({ { status = "creating" }, { status = "failed" } }), success = "available",
                      failure = "failed", details = function() return "quota exceeded" end }
    assert.equal("hwcloud waiter error failed: svc.wait_x: thing 1: quota exceeded", line(failing))
    failing.details = nil
    failing.get = sequence({ { status = "failed" } })
    assert.equal("hwcloud waiter error failed: svc.wait_x: thing 1", line(failing))
    assert.equal("hwcloud waiter error TIMEOUT: svc.wait_x: after 3 s waiting for thing 1 to reach available "
      .. "(last state creating)", line{ get = sequence({ { status = "creating" } }), success = "available", timeout = 3 })
    assert.equal("hwcloud waiter error GONE: svc.wait_x: after 1 s waiting for thing 1 to reach available "
      .. "(last state creating)",
      line{ get = sequence({ { status = "creating" }, fake.http_error(404, "X") }), success = "available" })
    assert.equal("hwcloud waiter error INTERRUPTED: svc.wait_x: after 0 s waiting for thing 1 to reach available "
      .. "(last state creating); nothing was cancelled, the server carries on",
      line{ get = sequence({ { status = "creating" } }), success = "available",
            sleep = function() error("interrupted!", 0) end })
  end)

  it("says what it waited for when interrupted: the success states, or deletion", function()
    local function interrupted(o)
      o.sleep = function() error("interrupted!", 0) end
      return raised(run, o).message
    end
    assert.matches("waiting for thing 1 to reach available or ready %(last state creating%)",
      interrupted{ get = sequence({ { status = "creating" } }), success = { "available", "ready" } })
    assert.matches("waiting for thing 1 to be deleted %(last state deleting%)",
      interrupted{ get = sequence({ { status = "deleting" } }), success = {}, gone = "success" })
  end)

  it("calls after() with every resource read", function()
    local states = {}
    run{ get = sequence({ { status = "a" }, { status = "b" } }), success = { "b" },
         after = function(r, s) states[#states + 1] = s end }
    assert.same({ "a", "b" }, states)
  end)
end)
