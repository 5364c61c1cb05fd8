-- Integration specs of how the RFS waiters behave for a person at a
-- terminal (issue 13): Ctrl-C during a real wait stops it at once and says
-- what was awaited (a child lua5.4 / luajit process against the emulator);
-- wait_stack_deleted after a failed deployment shows only the deletion.

local core = require("hwcloud.core")
local emu = require("spec.helpers.emulator")
local S = require("spec.helpers.services")

local TEMPLATE = 'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  cidr = "10.0.0.0/16"\n}\n'
-- one resource made, one that fails (the emulator's failure injection)
local FAILING = TEMPLATE .. 'resource "huaweicloud_vpc" "bad" {\n  name = "bad"\n  cidr = "10.1.0.0/16"\n'
  .. '  emulator_fail = "injected failure"\n}\n'

-- The child: starts a deployment, then waits for it with 10 s pauses; its
-- on_progress line tells the spec the wait has begun.
local CHILD = [[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local hwcloud = require "hwcloud"
local rfs = hwcloud.new{ endpoint = arg[2], ak = arg[3], sk = arg[4], region = arg[5], project_id = arg[6] }:rfs()
rfs:create_stack{ stack_name = arg[7], template_body = arg[8] }
require("hwcloud.wait").FIRST_INTERVAL = 10
rfs:wait_stack{ stack_name = arg[7], interval = 10, timeout = 60, on_event = false,
  on_progress = function(info) io.stdout:write("waiting ", tostring(info.state), "\n"); io.stdout:flush() end }
print("wait returned")
]]

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

describe("RFS waiters at a terminal", function()
  local h = S.emulator()
  setup(h.up)
  teardown(h.down)
  before_each(h.reset)

  describe("Ctrl-C during wait_stack", function()
    local script
    setup(function()
      script = os.tmpname()
      local f = assert(io.open(script, "w"))
      f:write(CHILD)
      f:close()
    end)
    teardown(function() if script then os.remove(script) end end)

    -- Runs the child under `lua` with the module of `build`, sends it SIGINT
    -- by pid once it waits (and has had time to fall asleep), and returns
    -- what it printed after that and how long it took to exit.
    local function interrupt(lua, build, stack_name)
      assert(emu.read_file(build .. "/hwcloud/core.so"), build .. "/hwcloud/core.so is missing: run make")
      -- a deployment that lasts a minute
      local status = h.e.control("POST", "/_emulator/config", { speed = 1, delays = { rfs_resource = 60 } })
      assert.equal(200, status)
      local args = { script, build, h.e.endpoint, h.e.ak, h.e.sk, h.e.region, h.e.project_id, stack_name, TEMPLATE }
      for i, a in ipairs(args) do args[i] = sh_quote(a) end
      local p = assert(io.popen("sh -c 'echo $$; exec \"$0\" \"$@\"' " .. lua .. " " .. table.concat(args, " ") .. " 2>&1"))
      local pid = p:read("l")
      local first = p:read("l")
      assert.equal("waiting DEPLOYMENT_IN_PROGRESS", first)
      os.execute("sleep 0.3")
      local t0 = core.now()
      assert.is_true(os.execute("kill -INT " .. assert(tonumber(pid))) == true or false)
      local out = p:read("a")
      local took = core.now() - t0
      p:close()
      return out, took
    end

    local function check(out, took, stack_name)
      -- the child slept 10 s between polls; it must stop well before that
      assert.is_true(took < 2, string.format("took %.2f s to stop", took))
      local line = out:match("[^\n]*") -- the interpreter's one line
      assert.matches("hwcloud waiter error INTERRUPTED: rfs.wait_stack: interrupted after %d+ s waiting for stack "
        .. (stack_name:gsub("%p", "%%%0")) .. " %(id [%x%-]+%) to reach DEPLOYMENT_COMPLETE or CREATION_COMPLETE "
        .. "%(last state DEPLOYMENT_IN_PROGRESS%); nothing was cancelled, the operation continues on the server$",
        line)
      assert.not_matches("wait returned", out)
      assert.not_matches("retry%.lua", out)
      assert.not_matches("clock%.lua", out)
      -- the deployment was not cancelled
      assert.equal("DEPLOYMENT_IN_PROGRESS", h.rfs:get_stack_metadata{ stack_name = stack_name }.status)
    end

    it("lua5.4: stops at once with one line saying what it waited for", function()
      local out, took = interrupt("lua5.4", "build", "ctrl-c")
      check(out, took, "ctrl-c")
      assert.matches("^lua5%.4: hwcloud waiter error INTERRUPTED", out)
      assert.not_matches("traceback", out)
    end)

    it("luajit: stops at once with the same message (luajit adds its traceback)", function()
      local out, took = interrupt("luajit", "build-luajit", "ctrl-c-jit")
      check(out, took, "ctrl-c-jit")
      assert.matches("^luajit: hwcloud waiter error INTERRUPTED", out)
    end)
  end)

  describe("events", function()
    it("wait_stack_deleted after a failed deployment passes on only the deletion's events", function()
      local rfs, e = h.rfs, h.e
      -- start at the beginning of an emulated second, so that the deployment
      -- fails and the deletion starts in the same second (times are whole seconds)
      local _, clock = e.control("GET", "/_emulator/clock")
      e.advance(math.floor(clock.now) + 1.001 - clock.now)
      local created = rfs:create_stack{ stack_name = "failed", template_body = FAILING }
      local err = S.raised(rfs.wait_stack, rfs, h.w{ stack_name = "failed", deployment_id = created.deployment_id,
                                                     on_event = false })
      assert.equal("DEPLOYMENT_FAILED", err.code)
      h.speed(1) -- the deletion takes emulated seconds; each poll moves the clock on
      rfs:delete_stack{ stack_name = "failed" }
      local seen, lines = {}, {}
      assert.is_true(rfs:wait_stack_deleted{ stack_name = "failed", interval = 1, timeout = 60, on_progress = false,
        sleep = function(s) e.advance(s) end,
        on_event = function(ev)
          seen[#seen + 1] = ev
          lines[#lines + 1] = require("hwcloud.rfs").format_event(ev)
        end })
      local text = table.concat(lines, "\n")
      assert.matches("DELETION_IN_PROGRESS%s+huaweicloud_vpc.v", text)
      assert.matches("DELETION_COMPLETE%s+huaweicloud_vpc.v", text)
      for _, ev in ipairs(seen) do
        assert.matches("^DELETION_", ev.event_type, text)
      end
      assert.not_matches("injected failure", text)
      assert.not_matches("Creation", text)
    end)

    it("a deletion failing in the second the failed deployment ended reports its own error only", function()
      local rfs = h.rfs
      local template = FAILING:gsub('cidr = "10.0.0.0/16"', 'cidr = "10.0.0.0/16"\n  emulator_fail_delete = "stuck"', 1)
      local created = rfs:create_stack{ stack_name = "stuck", template_body = template }
      assert.equal("DEPLOYMENT_FAILED", S.raised(rfs.wait_stack, rfs,
        h.w{ stack_name = "stuck", deployment_id = created.deployment_id, on_event = false }).code)
      rfs:delete_stack{ stack_name = "stuck" } -- at speed 0 it has failed already
      local seen = {}
      local err = S.raised(rfs.wait_stack_deleted, rfs,
        h.w{ stack_name = "stuck", on_event = function(ev) seen[#seen + 1] = ev end })
      assert.equal("DELETION_FAILED", err.code)
      assert.equal(1, #err.errors)
      assert.matches("huaweicloud_vpc.v: Destruction failed", err.errors[1].event_message)
      assert.not_matches("Creation", tostring(err))
      for _, ev in ipairs(seen) do assert.matches("^DELETION_", ev.event_type) end
    end)
  end)
end)
