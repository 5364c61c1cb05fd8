-- client:parallel over core.multi against the test server, in the core
-- suite so the AddressSanitizer build runs it too (spec/run): a batch with
-- fail_fast cancelling slow transfers, one whose sessions are reused by the
-- next batch, fewer requests in flight after a 429 than without, and a batch
-- whose loop itself fails. spec/integration/parallel_spec.lua covers the emulator.
local hwcloud = require "hwcloud"
local server_helper = require "spec.helpers.server"

describe("client:parallel on core.multi", function()
  local server, c

  setup(function()
    server = server_helper.start()
    c = hwcloud.new{ endpoint = server.url, ak = "a", sk = "s", region = "r", max_retries = 0, timeout = 5 }
  end)
  teardown(function()
    if c then c:close() end
    if server then server.stop() end
  end)

  local function get(path)
    local p, q = path:match("^([^?]*)%??(.*)$")
    return function()
      return c:request{ service = "test", method = "GET", path = p, query = q, auth = "none", scope = "none" }
    end
  end

  it("cancels the slow transfers when a task fails, then runs the next batch", function()
    for _ = 1, 3 do
      local results, failed = c:parallel({ get("/slow?seconds=3"), get("/slow?seconds=3"), get("/error/A?status=404"),
        get("/slow?seconds=3"), get("/json") }, { concurrency = 4, fail_fast = true })
      assert.are.equal(5, failed)
      assert.are.equal(404, results[3].err.status)
      for _, i in ipairs({ 1, 2, 4, 5 }) do assert.are.equal("cancelled", results[i].err.kind) end
      local again = c:map({ "/json", "/text", "/gzip" }, function(p) return get(p)().status end)
      assert.are.same({ { ok = true, value = 200 }, { ok = true, value = 200 }, { ok = true, value = 200 } }, again)
    end
    collectgarbage()
    collectgarbage()
  end)

  -- runs 12 tasks at concurrency 8: the first GETs `first`, the others a slow
  -- answer; returns how many transfers were running after each add, and
  -- whether the first one had ended by then
  local function flights(first)
    local scheduler = require "hwcloud.scheduler"
    local adds, first_done = {}, false
    local sched_new = scheduler.new
    scheduler.new = function(o)
      local sched = sched_new(o)
      local get_multi = sched.get_multi
      sched.get_multi = function(self)
        local m = get_multi(self)
        return setmetatable({}, { __index = function(_, k)
          return function(_, ...)
            local r = m[k](m, ...)
            if k == "add" then adds[#adds + 1] = { running = m:running(), after = first_done } end
            return r
          end
        end })
      end
      return sched
    end
    local tasks = { function() pcall(get(first)); first_done = true end }
    for i = 2, 12 do tasks[i] = get("/slow?seconds=0.3") end
    local ok, results, failed = pcall(c.parallel, c, tasks, { concurrency = 8 })
    scheduler.new = sched_new
    assert.is_true(ok, tostring(results))
    assert.are.equal(0, failed)
    return adds
  end

  it("lets fewer requests fly after a throttled answer", function()
    local most, late = 0, 0
    for _, a in ipairs(flights("/error/A?status=429")) do
      if a.after then
        late = late + 1
        if a.running > most then most = a.running end
      end
    end
    assert.are.equal(4, late) -- tasks 9 to 12 start after the 429
    assert.is_true(most <= 4, "after the 429 up to " .. most .. " requests flew at once")
    -- without the 429 the late ones fly beside the 7 slow ones
    most = 0
    for _, a in ipairs(flights("/json")) do
      if a.after and a.running > most then most = a.running end
    end
    assert.is_true(most >= 7, "only " .. most .. " at once without throttling")
  end)

  it("stops every transfer when the loop itself fails", function()
    local scheduler = require "hwcloud.scheduler"
    local turns = 0
    local sched_new = scheduler.new
    scheduler.new = function(o)
      local s = sched_new(o)
      local turn = s.turn
      s.turn = function(self)
        turns = turns + 1
        if turns == 3 then error("the loop broke", 0) end
        return turn(self)
      end
      return s
    end
    local ok, err = pcall(c.parallel, c, { get("/slow?seconds=3"), get("/slow?seconds=3") })
    scheduler.new = sched_new
    assert.is_false(ok)
    assert.are.equal("the loop broke", err)
    assert.are.equal(200, get("/json")().status)
    local results = c:map({ 1, 2 }, function() return get("/json")().status end)
    assert.are.same({ { ok = true, value = 200 }, { ok = true, value = 200 } }, results)
  end)
end)
