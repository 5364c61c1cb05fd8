-- client:parallel over core.multi against the test server, in the core
-- suite so the AddressSanitizer build runs it too (spec/run): a batch with
-- fail_fast cancelling slow transfers, one whose sessions are reused by the
-- next batch, and a batch left to the garbage collector after an error of
-- the loop itself. spec/integration/parallel_spec.lua covers the emulator.
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
