-- Integration specs of how the RFS waiters behave for a person at a
-- terminal (issue 13): Ctrl-C during a real wait stops it at once and says
-- what was awaited (a child lua5.4 / luajit process against the emulator);
-- wait_stack_deleted after a failed deployment shows only the deletion;
-- every waiter's error (stack, stack set, endpoint service, endpoint) on
-- failure, timeout, 404 and Ctrl-C is one line naming the outcome once;
-- failure messages say each fact once and name the template file given.

local core = require("hwcloud.core")
local emu = require("spec.helpers.emulator")
local S = require("spec.helpers.services")

local TEMPLATE = 'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  cidr = "10.0.0.0/16"\n}\n'
-- one resource made, one that fails (the emulator's failure injection)
local FAILING = TEMPLATE .. 'resource "huaweicloud_vpc" "bad" {\n  name = "bad"\n  cidr = "10.1.0.0/16"\n'
  .. '  emulator_fail = "injected failure"\n}\n'

-- The child: starts a deployment, then waits for it with 10 s pauses (or
-- arg[9]); its on_progress line tells the spec the wait has begun.
local CHILD = [[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local hwcloud = require "hwcloud"
local rfs = hwcloud.new{ endpoint = arg[2], ak = arg[3], sk = arg[4], region = arg[5], project_id = arg[6] }:rfs()
rfs:create_stack{ stack_name = arg[7], template_body = arg[8] }
local interval = tonumber(arg[9]) or 10
require("hwcloud.wait").FIRST_INTERVAL = interval
rfs:wait_stack{ stack_name = arg[7], interval = interval, timeout = 60, on_event = false,
  on_progress = function(info) io.stdout:write("waiting ", tostring(info.state), "\n"); io.stdout:flush() end }
print("wait returned")
]]

-- The same with two stacks (arg[7] and arg[7] .. "-b"), each waited for by a
-- task of client:parallel; each task's first poll prints a line.
local CHILD_PARALLEL = [[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local hwcloud = require "hwcloud"
local client = hwcloud.new{ endpoint = arg[2], ak = arg[3], sk = arg[4], region = arg[5], project_id = arg[6] }
local rfs = client:rfs()
require("hwcloud.wait").FIRST_INTERVAL = 10
local tasks = {}
for i, name in ipairs{ arg[7], arg[7] .. "-b" } do
  rfs:create_stack{ stack_name = name, template_body = arg[8] }
  tasks[i] = function()
    return rfs:wait_stack{ stack_name = name, interval = 10, timeout = 60, on_event = false,
      on_progress = function(info) io.stdout:write("waiting ", tostring(info.state), "\n"); io.stdout:flush() end }
  end
end
client:parallel(tasks)
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
    local scripts = {}
    setup(function()
      for name, text in pairs{ single = CHILD, parallel = CHILD_PARALLEL } do
        scripts[name] = os.tmpname()
        local f = assert(io.open(scripts[name], "w"))
        f:write(text)
        f:close()
      end
    end)
    teardown(function()
      for _, path in pairs(scripts) do os.remove(path) end
    end)

    -- Runs the child (`which` script) under `lua` with the module of
    -- `build`, sends it SIGINT by pid once it waits (each of its `waits`
    -- lines read, and time to fall asleep), and returns what it printed
    -- after that and how long it took to exit.
    local function interrupt(lua, build, stack_name, which, waits, interval, after_wait)
      assert(emu.read_file(build .. "/hwcloud/core.so"), build .. "/hwcloud/core.so is missing: run make")
      -- a deployment that lasts a minute
      local status = h.e.control("POST", "/_emulator/config", { speed = 1, delays = { rfs_resource = 60 } })
      assert.equal(200, status)
      local args = { scripts[which or "single"], build, h.e.endpoint, h.e.ak, h.e.sk, h.e.region, h.e.project_id, stack_name, TEMPLATE,
                     interval or 10 }
      for i, a in ipairs(args) do args[i] = sh_quote(a) end
      local p = assert(io.popen("sh -c 'echo $$; exec \"$0\" \"$@\"' " .. lua .. " " .. table.concat(args, " ") .. " 2>&1"))
      local pid = assert(tonumber(p:read("l")))
      for _ = 1, waits or 1 do
        local line = p:read("l")
        if line ~= "waiting DEPLOYMENT_IN_PROGRESS" then
          os.execute("kill -KILL " .. pid .. " 2>/dev/null") -- stopped by pid, its output kept
          local rest = p:read("a")
          p:close()
          error("the child did not start waiting: " .. tostring(line) .. "\n" .. rest)
        end
      end
      if after_wait then after_wait() end
      os.execute("sleep 0.3")
      local t0 = core.now()
      assert.is_true(os.execute("kill -INT " .. pid))
      local out = p:read("a")
      local took = core.now() - t0
      p:close()
      return out, took
    end

    -- what one waiter says of stack_name
    local function waited(stack_name)
      return "rfs.wait_stack: after %d+ s waiting for stack " .. (stack_name:gsub("%p", "%%%0"))
        .. " %(id [%x%-]+%) to reach DEPLOYMENT_COMPLETE or CREATION_COMPLETE %(last state DEPLOYMENT_IN_PROGRESS%)"
    end
    local NOT_CANCELLED = "; nothing was cancelled, the server carries on$"

    -- stack_names: the stacks awaited; `prefix`: what the message starts with
    local function check(out, took, stack_names, prefix)
      -- the child slept 10 s between polls; it must stop well before that
      assert.is_true(took < 2, string.format("took %.2f s to stop", took))
      local line = out:match("[^\n]*") -- the interpreter's one line
      local said = {}
      for i, name in ipairs(stack_names) do said[i] = waited(name) end
      assert.matches("hwcloud waiter error INTERRUPTED: " .. (prefix or "") .. table.concat(said, "; ") .. NOT_CANCELLED,
        line)
      assert.not_matches("wait returned", out)
      assert.not_matches("retry%.lua", out)
      assert.not_matches("clock%.lua", out)
      -- the deployments were not cancelled
      for _, name in ipairs(stack_names) do
        assert.equal("DEPLOYMENT_IN_PROGRESS", h.rfs:get_stack_metadata{ stack_name = name }.status)
      end
    end

    it("lua5.4: stops at once with one line saying what it waited for", function()
      local out, took = interrupt("lua5.4", "build", "ctrl-c")
      check(out, took, { "ctrl-c" })
      assert.matches("^lua5%.4: hwcloud waiter error INTERRUPTED", out)
      assert.not_matches("traceback", out)
    end)

    it("lua5.4: stops at once while a poll waits for its answer", function()
      -- every request on the stack stalls 5 s once the wait has begun, and
      -- the child polls every 0.2 s: SIGINT comes while a request is in flight
      local out, took = interrupt("lua5.4", "build", "ctrl-c-stall", "single", 1, 0.2, function()
        h.fault{ action = "stall", delay = 5, path = "/v1/" .. h.e.project_id .. "/stacks/ctrl-c-stall", count = 20 }
        os.execute("sleep 0.5")
      end)
      check(out, took, { "ctrl-c-stall" })
      assert.matches("^lua5%.4: hwcloud waiter error INTERRUPTED", out)
    end)

    it("lua5.4, waiters inside client:parallel: stop at once with one line naming each wait", function()
      local out, took = interrupt("lua5.4", "build", "par", "parallel", 2)
      check(out, took, { "par", "par-b" }, "client:parallel: ")
      assert.matches("^lua5%.4: hwcloud waiter error INTERRUPTED", out)
      assert.not_matches("traceback", out)
    end)

    it("luajit: stops at once with the same message (luajit adds its traceback)", function()
      local out, took = interrupt("luajit", "build-luajit", "ctrl-c-jit")
      check(out, took, { "ctrl-c-jit" })
      assert.matches("^luajit: hwcloud waiter error INTERRUPTED", out)
    end)

    it("luajit, waiters inside client:parallel: the same one line", function()
      local out, took = interrupt("luajit", "build-luajit", "par-jit", "parallel", 2)
      check(out, took, { "par-jit", "par-jit-b" }, "client:parallel: ")
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

  describe("every waiter's error", function()
    local uuid = require("hwcloud.uuid")
    local function svc(account, extra)
      return h.client(account or h.e, extra):vpcep()
    end
    local function new_service(owner, approval)
      return owner:create_endpoint_service{ vpc_id = uuid.v4(), port_id = uuid.v4(), server_type = "VM",
        approval_enabled = approval, ports = { { client_port = 80, server_port = 8080, protocol = "TCP" } } }
    end
    -- a service the second account may connect to
    local function open_service(owner, approval)
      local s = new_service(owner, approval)
      owner:add_or_remove_service_permissions{ vpc_endpoint_service_id = s.id, action = "add",
        permissions = { "iam:domain::" .. h.e.second.domain_id } }
      return s
    end
    local function new_endpoint(consumer, service_id)
      return consumer:create_endpoint{ endpoint_service_id = service_id, vpc_id = uuid.v4(), subnet_id = uuid.v4() }
    end
    -- a stack set of `template` and the waiter arguments of its first operation
    local function stack_set_operation(name, template)
      h.rfs:create_stack_set{ stack_set_name = name, administration_agency_name = "rfs_admin",
        managed_agency_name = "rfs_exec", template_body = template }
      local op = h.rfs:create_stack_instance{ stack_set_name = name,
        deployment_targets = { regions = { h.e.region }, domain_ids = { h.e.second.domain_id } } }
      return { stack_set_name = name, stack_set_operation_id = op.stack_set_operation_id }
    end
    local function slow(kind)
      assert.equal(200, (h.e.control("POST", "/_emulator/config", { speed = 1, delays = { [kind] = 600 } })))
    end

    -- {waiter object, method, args} of a wait that goes on (the emulator
    -- made slow), per waiter
    local PENDING = {
      wait_stack = function()
        slow("rfs_resource")
        h.rfs:create_stack{ stack_name = "slow", template_body = TEMPLATE }
        return h.rfs, "wait_stack", { stack_name = "slow" }
      end,
      wait_stack_set_operation = function()
        slow("rfs_stack_set_queue")
        return h.rfs, "wait_stack_set_operation", stack_set_operation("fleet", TEMPLATE)
      end,
      wait_endpoint_service = function()
        slow("vpcep_service_create")
        local v = svc()
        return v, "wait_endpoint_service", { vpc_endpoint_service_id = new_service(v).id }
      end,
      wait_endpoint = function()
        local owner, consumer = svc(), svc(h.e.second)
        local s = open_service(owner, false)
        slow("vpcep_endpoint_create")
        return consumer, "wait_endpoint", { vpc_endpoint_id = new_endpoint(consumer, s.id).id }
      end,
    }

    -- waits that end in the failure state, per waiter (the emulator has no
    -- way to fail an endpoint service)
    local FAILING_WAIT = {
      wait_stack = function()
        h.rfs:create_stack{ stack_name = "bad", template_body = FAILING }
        return h.rfs, "wait_stack", { stack_name = "bad" }, "DEPLOYMENT_FAILED", "injected failure"
      end,
      wait_stack_set_operation = function()
        return h.rfs, "wait_stack_set_operation", stack_set_operation("badfleet", FAILING), "OPERATION_FAILED",
          "injected failure"
      end,
      wait_endpoint = function()
        -- an endpoint waiting for approval fails when its service is deleted
        local owner, consumer = svc(), svc(h.e.second)
        local s = open_service(owner, true)
        local ep = new_endpoint(consumer, s.id)
        assert.equal("pendingAcceptance", consumer:wait_endpoint(h.w{ vpc_endpoint_id = ep.id }).status)
        owner:delete_endpoint_service{ vpc_endpoint_service_id = s.id }
        return consumer, "wait_endpoint", { vpc_endpoint_id = ep.id, status = "accepted" }, "failed", "EndPoint.2003"
      end,
    }

    local GONE = {
      wait_stack = function() return h.rfs, { stack_name = "nowhere" } end,
      wait_stack_set_operation = function()
        h.rfs:create_stack_set{ stack_set_name = "empty", administration_agency_name = "rfs_admin",
          managed_agency_name = "rfs_exec" }
        return h.rfs, { stack_set_name = "empty", stack_set_operation_id = uuid.v4() }
      end,
      wait_endpoint_service = function() return svc(), { vpc_endpoint_service_id = uuid.v4() } end,
      wait_endpoint = function() return svc(), { vpc_endpoint_id = uuid.v4() } end,
    }

    -- one line, with the outcome (the code) said once and the rest after it
    local function one_line(err, code)
      assert.is_true(core.is_error(err), tostring(err))
      assert.equal("waiter", err.kind)
      assert.equal(code, err.code)
      local line = tostring(err)
      assert.not_matches("\n", line)
      assert.equal(1, select(2, line:lower():gsub(code:lower(), "")), line)
      assert.not_matches("timed out", line)
      return line
    end

    for name in pairs(PENDING) do
      describe(name, function()
        it("timing out", function()
          local obj, method, args = PENDING[name]()
          local now = 0
          args.clock, args.sleep, args.timeout, args.on_progress = function() return now end,
            function(s) now = now + s end, 30, false
          local line = one_line(S.raised(obj[method], obj, args), "TIMEOUT")
          assert.matches("^hwcloud waiter error TIMEOUT: [%w_.]+: after 30 s waiting for .- to reach .- %(last state %S+%)$",
            line)
        end)

        it("interrupted", function()
          local obj, method, args = PENDING[name]()
          args.sleep, args.on_progress = function() error("interrupted!", 0) end, false
          local line = one_line(S.raised(obj[method], obj, args), "INTERRUPTED")
          assert.matches("^hwcloud waiter error INTERRUPTED: [%w_.]+: after 0 s waiting for .- to reach .- "
            .. "%(last state %S+%); nothing was cancelled, the server carries on$", line)
        end)

        it("gone", function()
          local obj, args = GONE[name]()
          local line = one_line(S.raised(obj[name], obj, h.w(args)), "GONE")
          assert.matches("^hwcloud waiter error GONE: [%w_.]+: after 0 s waiting for .- to reach [%w_ ]+$", line)
        end)

        if FAILING_WAIT[name] then
          it("failing", function()
            local obj, method, args, code, why = FAILING_WAIT[name]()
            args.on_event = args.stack_name and false or nil
            local line = one_line(S.raised(obj[method], obj, h.w(args)), code)
            assert.matches("^hwcloud waiter error " .. code .. ": [%w_.]+: [^:]+: .*" .. why, line)
          end)
        end
      end)
    end
  end)

  describe("failure messages", function()
    -- line 3 has an operator with nothing after it
    local BAD = 'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  cidr = "10.0.0.0/16" +\n}\n'

    local function count(text, plain)
      local n, at = 0, 1
      while true do
        local i, j = text:find(plain, at, true)
        if not i then return n end
        n, at = n + 1, j + 1
      end
    end

    it("say the status message and the ERROR event that repeats it once", function()
      local rfs = h.rfs
      local created = rfs:create_stack{ stack_name = "once", template_body = FAILING }
      local err = S.raised(rfs.wait_stack, rfs, h.w{ stack_name = "once", deployment_id = created.deployment_id,
                                                     on_event = false })
      assert.equal(1, #err.errors)
      assert.equal(err.resource.status_message, err.errors[1].event_message) -- the same fact twice on the server
      assert.equal(1, count(tostring(err), "huaweicloud_vpc.bad: Creation failed"))
      assert.equal("rfs.wait_stack: stack once: " .. err.errors[1].event_message, err.message)
    end)

    -- deploy_from_file of `text` in a file *-bad.tf: the error, the event
    -- messages passed on (one text), the file's name as a pattern
    local function deploy_file(text, stack_name)
      local path = os.tmpname() .. "-bad.tf"
      local f = assert(io.open(path, "w"))
      f:write(text)
      f:close()
      local printed = {}
      local ok, err = pcall(h.rfs.deploy_from_file, h.rfs, h.w{ stack_name = stack_name, template_file = path,
        on_event = function(ev) printed[#printed + 1] = ev.event_message end })
      os.remove(path)
      assert.is_false(ok)
      return err, table.concat(printed, "\n"), (path:match("[^/]+$"):gsub("%p", "%%%0"))
    end

    it("place a syntax error in the file deploy_from_file read, by line and column", function()
      local err, printed, name = deploy_file(BAD, "parse")
      assert.matches(name .. ":3,%d+: Invalid expression", tostring(err))
      assert.equal(1, count(tostring(err), "Invalid expression"))
      assert.not_matches("main%.tf", tostring(err))
      assert.matches(name .. ":3,%d+: Invalid expression", err.errors[1].event_message)
      assert.matches(name .. ":3,%d+: Invalid expression", printed)
      assert.not_matches("main%.tf", printed)
    end)

    it("leave the main.tf of a private module the template calls as it is", function()
      local upload = require("hwcloud.rfs").emulator_upload(h.main)
      local function module_source(module_name, text)
        return (h.rfs:publish_module_version{ module_name = module_name, module_version = "1.0.0", upload = upload,
          files = { ["main.tf"] = text } })
      end
      local function calling(source) return 'module "net" {\n  source = "' .. source .. '"\n}\n' end
      -- a syntax error in the module: "Error in module.net (<source>): main.tf:3,25: ..."
      local err, printed, name = deploy_file(calling(module_source("broken", BAD)), "mod-parse")
      assert.matches("Error in module%.net %(rf://[^)]+%): main%.tf:3,%d+: Invalid expression", tostring(err))
      assert.matches("Error in module%.net %(rf://[^)]+%): main%.tf:3,%d+: Invalid expression", printed)
      assert.not_matches(name, tostring(err) .. printed)
      -- an evaluation error in the module: "module.net: main.tf:2,3: ..."
      err, printed, name = deploy_file(calling(module_source("typo",
        'resource "huaweicloud_vpc" "this" {\n  nmae = "v"\n  cidr = "10.0.0.0/16"\n}\n')), "mod-eval")
      assert.matches("module%.net: main%.tf:2,3: huaweicloud_vpc%.this: Unsupported argument", tostring(err))
      assert.matches("module%.net: main%.tf:2,3: huaweicloud_vpc%.this: Unsupported argument", printed)
      assert.not_matches(name, tostring(err) .. printed)
      -- the root's own places are still the file's in a template calling a module
      err, printed, name = deploy_file(calling(module_source("fine", 'output "o" {\n  value = 1\n}\n')) .. BAD,
        "mod-root")
      assert.matches(name .. ":6,%d+: Invalid expression", tostring(err))
      assert.matches(name .. ":6,%d+: Invalid expression", printed)
      assert.not_matches("main%.tf", tostring(err) .. printed)
    end)

    it("place a syntax error in a .zip template in its member file", function()
      local rfs_mod = require("hwcloud.rfs")
      local url = rfs_mod.emulator_upload(h.main)(require("hwcloud.zip").build{
        { name = "ok.tf", data = 'variable "x" {\n  default = 1\n}\n' }, { name = "bad.tf", data = BAD } }, "net.zip")
      h.rfs:create_stack{ stack_name = "zipped", template_uri = url }
      local err = S.raised(h.rfs.wait_stack, h.rfs, h.w{ stack_name = "zipped", on_event = false })
      assert.matches("bad%.tf:3,%d+: Invalid expression", tostring(err))
      assert.equal(1, count(tostring(err), "Invalid expression"))
    end)
  end)
end)
