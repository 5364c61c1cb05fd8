-- Unit specs of hwcloud.rfs: generated methods, the waiters (event
-- streaming, failures with ERROR events, rollback, deletion, plans, stack
-- set operations), outputs() and deploy_from_file(), against a fake client
-- with an injected clock and sleep.

local core = require("hwcloud.core")
local rfs = require("hwcloud.rfs")
local fake = require("spec.helpers.fake_client")
local S = require("spec.helpers.services")
local raised = S.raised

-- A stack that moves one step per metadata read. Each step is
-- {status=, events = {...}, status_message=?}; events accumulate and are
-- served newest first, two per page, filtered by deployment_id when asked.
local function simulate(client, name, steps, o)
  o = o or {}
  local step, events = 0, {}
  local sim = { event_queries = {} }
  client:on("GET", "/v1/[^/]+/stacks/" .. name .. "/metadata", function()
    step = math.min(step + 1, #steps)
    local s = steps[step]
    if s.gone then return 404, { error_code = "RF.10013001", error_msg = "stack not found" } end
    for _, e in ipairs(s.events or {}) do events[#events + 1] = e end
    return 200, { stack_name = name, stack_id = "sid", status = s.status, status_message = s.status_message,
                  update_time = o.update_time or "2026-01-01T00:00:00Z" }
  end)
  client:on("GET", "/v1/[^/]+/stacks/" .. name .. "/events", function(req)
    sim.event_queries[#sim.event_queries + 1] = req.query
    if steps[step] and steps[step].gone then return 404, { error_code = "RF.10013001" } end
    local list = {}
    for i = #events, 1, -1 do
      local e = events[i]
      if not req.query.deployment_id or e.deployment == req.query.deployment_id then
        local copy = {}
        for k, v in pairs(e) do if k ~= "deployment" then copy[k] = v end end
        list[#list + 1] = copy
      end
    end
    local start = tonumber(req.query.marker or "0")
    local page = { list[start + 1], list[start + 2] }
    local body = { stack_events = page, page_info = {} }
    if start + 2 < #list then body.page_info.next_marker = tostring(start + 2) end
    return 200, body
  end)
  return sim
end

local function ev(t, etype, msg, extra)
  local e = { time = "2026-01-01T00:00:" .. t .. "Z", event_type = etype, event_message = msg, deployment = "d1" }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

describe("hwcloud.rfs", function()
  local client, svc, t
  before_each(function()
    client = fake.new()
    svc = rfs.new(client)
    t = fake.clock()
  end)

  it("has one method per operation", function()
    local n = 0
    for _, op in ipairs(rfs.operations.operations) do
      assert.is_function(svc[op.name], op.name)
      n = n + 1
    end
    assert.equal(75, n)
  end)

  it("calls through the client with the service name", function()
    client:on("GET", "/v1/[^/]+/stacks/web/metadata", { status = 200, body = { stack_name = "web", status = "CREATION_COMPLETE" } })
    local meta, response = svc:get_stack_metadata{ stack_name = "web" }
    assert.equal("CREATION_COMPLETE", meta.status)
    assert.equal(200, response.status)
    assert.equal("rfs", client.requests[1].service)
    assert.is_string(client.requests[1].headers["Client-Request-Id"])
  end)

  describe("wait_stack", function()
    local function wait_stack(args)
      args.clock, args.sleep, args.on_progress = t.clock, t.sleep, false
      return svc:wait_stack(args)
    end

    it("streams each new event once, oldest first, and returns the metadata on DEPLOYMENT_COMPLETE", function()
      local sim = simulate(client, "web", {
        { status = "DEPLOYMENT_IN_PROGRESS", events = { ev("01", "LOG", "start") } },
        { status = "DEPLOYMENT_IN_PROGRESS", events = {
            ev("02", "CREATION_IN_PROGRESS", "creating", { resource_type = "huaweicloud_vpc", resource_name = "main" }),
            ev("02", "CREATION_IN_PROGRESS", "creating", { resource_type = "huaweicloud_vpc", resource_name = "other" }),
            ev("03", "CREATION_COMPLETE", "created", { resource_type = "huaweicloud_vpc", resource_name = "main" }) } },
        { status = "SOME_NEW_STATE", events = {} },
        { status = "DEPLOYMENT_COMPLETE", events = { ev("04", "SUMMARY", "1 added") } },
      })
      local seen = {}
      local meta = wait_stack{ stack_name = "web", deployment_id = "d1",
                               on_event = function(e) seen[#seen + 1] = e.event_type .. ":" .. tostring(e.resource_name) end }
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.same({ "LOG:nil", "CREATION_IN_PROGRESS:main", "CREATION_IN_PROGRESS:other",
                    "CREATION_COMPLETE:main", "SUMMARY:nil" }, seen)
      for _, q in ipairs(sim.event_queries) do assert.equal("d1", q.deployment_id) end
      assert.same({ 1, 2, 4 }, t.sleeps)
    end)

    it("counts identical events separately", function()
      simulate(client, "web", {
        { status = "DEPLOYMENT_IN_PROGRESS", events = { ev("01", "LOG", "tick") } },
        { status = "DEPLOYMENT_COMPLETE", events = { ev("01", "LOG", "tick") } },
      })
      local n = 0
      wait_stack{ stack_name = "web", deployment_id = "d1", on_event = function() n = n + 1 end }
      assert.equal(2, n)
    end)

    it("without a deployment_id streams only events since the stack's last update", function()
      simulate(client, "web", {
        { status = "DEPLOYMENT_IN_PROGRESS", events = { ev("01", "LOG", "old run"), ev("30", "LOG", "this run") } },
        { status = "DEPLOYMENT_COMPLETE", events = { ev("31", "SUMMARY", "done") } },
      }, { update_time = "2026-01-01T00:00:20Z" })
      local seen = {}
      wait_stack{ stack_name = "web", on_event = function(e) seen[#seen + 1] = e.event_message end }
      assert.same({ "this run", "done" }, seen)
    end)

    it("raises a waiter error with every ERROR event on DEPLOYMENT_FAILED", function()
      simulate(client, "web", {
        { status = "DEPLOYMENT_IN_PROGRESS", events = { ev("01", "LOG", "start") } },
        { status = "DEPLOYMENT_FAILED", status_message = "deployment failed", events = {
            ev("02", "ERROR", "quota exceeded"), ev("03", "ERROR", "bad flavor"), ev("04", "SUMMARY", "0 added") } },
      })
      local err = raised(wait_stack, { stack_name = "web", deployment_id = "d1", on_event = false })
      assert.equal("waiter", err.kind)
      assert.equal("DEPLOYMENT_FAILED", err.code)
      assert.equal(2, #err.errors)
      assert.equal("quota exceeded", err.errors[1].event_message)
      assert.equal("bad flavor", err.errors[2].event_message)
      assert.equal(4, #err.events)
      assert.equal("rfs.wait_stack: stack web: deployment failed: quota exceeded: bad flavor",
        err.message)
      assert.equal("DEPLOYMENT_FAILED", err.resource.status)
    end)

    it("follows a rollback to its end and raises", function()
      simulate(client, "web", {
        { status = "DEPLOYMENT_IN_PROGRESS" },
        { status = "ROLLBACK_IN_PROGRESS", events = { ev("02", "ERROR", "boom") } },
        { status = "ROLLBACK_COMPLETE" },
      })
      local err = raised(wait_stack, { stack_name = "web", deployment_id = "d1", on_event = false })
      assert.equal("ROLLBACK_COMPLETE", err.code)
      assert.equal("boom", err.errors[1].event_message)
    end)

    it("raises GONE when the stack disappears", function()
      simulate(client, "web", { { status = "DEPLOYMENT_IN_PROGRESS" }, { gone = true } })
      assert.equal("GONE", raised(wait_stack, { stack_name = "web", on_event = false }).code)
    end)

    it("times out after `timeout` seconds", function()
      simulate(client, "web", { { status = "DEPLOYMENT_IN_PROGRESS" } })
      local err = raised(wait_stack, { stack_name = "web", timeout = 30, interval = 10, on_event = false })
      assert.equal("TIMEOUT", err.code)
      assert.equal("DEPLOYMENT_IN_PROGRESS", err.state)
    end)

    it("survives a dropped connection while polling", function()
      local sim_calls = 0
      simulate(client, "web", { { status = "DEPLOYMENT_IN_PROGRESS" }, { status = "DEPLOYMENT_COMPLETE" } })
      local real = client.request
      client.request = function(self, req)
        sim_calls = sim_calls + 1
        if sim_calls == 2 then error(core.error{ kind = "network", message = "connection dropped", retryable = true }, 0) end
        return real(self, req)
      end
      assert.equal("DEPLOYMENT_COMPLETE", wait_stack{ stack_name = "web", on_event = false }.status)
    end)

    it("checks its arguments, typos included", function()
      assert.equal("rfs.wait_stack: stack_name is required", raised(svc.wait_stack, svc, {}).message)
      local err = raised(svc.wait_stack, svc, { stack_name = "web", deploymentid = "d" })
      assert.equal("rfs.wait_stack: unknown field deploymentid (did you mean deployment_id?)", err.message)
      assert.equal("argument", err.kind)
      assert.equal("rfs.deploy_from_file: unknown field template_body",
        raised(svc.deploy_from_file, svc, { stack_name = "web", template_file = "x.tf", template_body = "x" }).message)
      -- an unknown field is named before a required one is missed (issue 13, item 7)
      err = raised(svc.deploy_from_file, svc, { stack_name = "web", templat_file = "x.tf" })
      assert.equal("rfs.deploy_from_file: unknown field templat_file (did you mean template_file?)", err.message)
      assert.equal("templat_file", err.field)
      -- a NaN timeout would never be reached, a NaN interval never slept
      assert.equal("rfs.wait_stack: timeout must be a finite number of seconds >= 0",
        raised(svc.wait_stack, svc, { stack_name = "web", timeout = 0 / 0 }).message)
      assert.equal("rfs.wait_stack: interval must be a positive finite number of seconds",
        raised(svc.wait_stack, svc, { stack_name = "web", interval = math.huge }).message)
      assert.equal(0, #client.requests)
    end)

    it("passes project_id on to every call", function()
      simulate(client, "web", { { status = "DEPLOYMENT_COMPLETE", events = { ev("01", "LOG", "x") } } })
      client:on("GET", "/v1/other/stacks/web/metadata", { body = { status = "DEPLOYMENT_COMPLETE" } })
      client:on("GET", "/v1/other/stacks/web/events", { body = { stack_events = {} } })
      wait_stack{ stack_name = "web", project_id = "other", on_event = false }
      for _, req in ipairs(client.requests) do assert.matches("^/v1/other/", req.path) end
    end)

    it("prints events and progress on stderr by default only when it is a terminal (or HWCLOUD_PROGRESS=1)", function()
      -- progress is decided once per process: run the waiter in a child
      local jit = rawget(_G, "jit")
      local script = os.tmpname()
      local f = assert(io.open(script, "w"))
      f:write([[
package.path = "lua/?.lua;lua/?/init.lua;./?.lua;" .. package.path
package.cpath = "]] .. (jit and "build-luajit" or "build") .. [[/?.so;" .. package.cpath
local fake = require("spec.helpers.fake_client")
local client, t = fake.new(), fake.clock()
local step = 0
client:on("GET", "/v1/[^/]+/stacks/web/metadata", function()
  step = step + 1
  return 200, { stack_name = "web", status = step < 2 and "DEPLOYMENT_IN_PROGRESS" or "DEPLOYMENT_COMPLETE" }
end)
client:on("GET", "/v1/[^/]+/stacks/web/events", function()
  return 200, { stack_events = { { time = "2026-01-01T00:00:01Z", event_type = "LOG", event_message = "hello" } } }
end)
require("hwcloud.rfs").new(client):wait_stack{ stack_name = "web", deployment_id = "d1", clock = t.clock, sleep = t.sleep }
io.stdout:write("done\n")
]])
      f:close()
      local lua = jit and "luajit" or "lua5.4"
      local function run(env)
        local errfile = os.tmpname()
        local p = io.popen("env -u HWCLOUD_PROGRESS " .. env .. " " .. lua .. " " .. script .. " 2>" .. errfile)
        local out = p:read("*a")
        p:close()
        local ef = io.open(errfile)
        local err = ef:read("*a")
        ef:close()
        os.remove(errfile)
        return out, err
      end
      local out, err = run("HWCLOUD_PROGRESS=1")
      local out2, err2 = run("")
      os.remove(script)
      assert.equal("done\n", out)
      assert.matches("LOG%s+hello", err)
      assert.matches("stack web: DEPLOYMENT_IN_PROGRESS", err, 1, true)
      assert.equal("done\n", out2)
      assert.equal("", err2) -- stderr is a file here, not a terminal
    end)

    it("formats events as one line", function()
      assert.equal("2026-01-01 00:00:02 CREATION_COMPLETE      huaweicloud_vpc.main[0] (vpc-1) done",
        rfs.format_event{ time = "2026-01-01T00:00:02Z", event_type = "CREATION_COMPLETE",
          resource_type = "huaweicloud_vpc", resource_name = "main", resource_key = "0",
          resource_id_value = "vpc-1", event_message = "done" })
      -- a message that names the resource itself is not prefixed again
      assert.equal("2026-01-01 00:00:02 CREATION_COMPLETE      huaweicloud_vpc.main: Creation complete",
        rfs.format_event{ time = "2026-01-01T00:00:02Z", event_type = "CREATION_COMPLETE",
          resource_type = "huaweicloud_vpc", resource_name = "main", resource_id_value = "vpc-1",
          event_message = "huaweicloud_vpc.main: Creation complete" })
      assert.equal("2026-01-01 00:00:02 SUMMARY", rfs.format_event{ time = "2026-01-01T00:00:02Z",
        event_type = "SUMMARY" })
    end)
  end)

  describe("wait_stack_deleted", function()
    it("returns true once the stack is gone (404)", function()
      simulate(client, "web", {
        { status = "DELETION_IN_PROGRESS", events = { ev("01", "DELETION_IN_PROGRESS", "deleting") } },
        { gone = true },
      })
      local seen = 0
      assert.is_true(svc:wait_stack_deleted{ stack_name = "web", clock = t.clock, sleep = t.sleep,
                                             on_progress = false, on_event = function() seen = seen + 1 end })
      assert.equal(1, seen)
    end)

    it("raises on DELETION_FAILED", function()
      simulate(client, "web", {
        { status = "DELETION_IN_PROGRESS" },
        { status = "DELETION_FAILED", events = { ev("02", "ERROR", "still in use") } },
      })
      local err = raised(svc.wait_stack_deleted, svc, { stack_name = "web", clock = t.clock, sleep = t.sleep,
                                                        on_progress = false, on_event = false })
      assert.equal("DELETION_FAILED", err.code)
      assert.equal("still in use", err.errors[1].event_message)
    end)
  end)

  describe("wait_execution_plan", function()
    local function plan(statuses)
      local i = 0
      client:on("GET", "/v1/[^/]+/stacks/web/execution%-plans/p1/metadata", function(req)
        i = math.min(i + 1, #statuses)
        return 200, { execution_plan_name = "p1", status = statuses[i], status_message = "bad template",
                      execution_plan_id = req.query.execution_plan_id }
      end)
    end
    local base = function(extra)
      local a = { stack_name = "web", execution_plan_name = "p1", clock = t.clock, sleep = t.sleep, on_progress = false }
      for k, v in pairs(extra or {}) do a[k] = v end
      return a
    end

    it("waits until AVAILABLE", function()
      plan({ "CREATION_IN_PROGRESS", "AVAILABLE" })
      local meta = svc:wait_execution_plan(base{ execution_plan_id = "x" })
      assert.equal("AVAILABLE", meta.status)
      assert.equal("x", client.requests[1].query.execution_plan_id)
    end)

    it("waits until APPLIED when asked", function()
      plan({ "AVAILABLE", "APPLY_IN_PROGRESS", "APPLIED" })
      assert.equal("APPLIED", svc:wait_execution_plan(base{ status = "APPLIED" }).status)
      assert.equal(3, #client.requests)
    end)

    it("raises on CREATION_FAILED", function()
      plan({ "CREATION_IN_PROGRESS", "CREATION_FAILED" })
      local err = raised(svc.wait_execution_plan, svc, base())
      assert.equal("CREATION_FAILED", err.code)
      assert.matches("bad template", err.message)
    end)
  end)

  describe("wait_stack_set_operation", function()
    it("waits until OPERATION_COMPLETE", function()
      local i = 0
      client:on("GET", "/v1/stack%-sets/set1/operations/op1/metadata", function()
        i = i + 1
        return 200, { status = i < 3 and "OPERATION_IN_PROGRESS" or "OPERATION_COMPLETE" }
      end)
      local meta = svc:wait_stack_set_operation{ stack_set_name = "set1", stack_set_operation_id = "op1",
                                                 clock = t.clock, sleep = t.sleep, on_progress = false }
      assert.equal("OPERATION_COMPLETE", meta.status)
    end)

    it("raises on OPERATION_FAILED with the failed instances", function()
      client:on("GET", "/v1/stack%-sets/set1/operations/op1/metadata",
        { body = { status = "OPERATION_FAILED", status_message = "failure tolerance exceeded" } })
      client:on("GET", "/v1/stack%-sets/set1/stack%-instances", { body = { stack_instances = {
        { region = "r1", stack_domain_id = "d1", status = "OPERATION_FAILED", status_message = "agency missing",
          latest_stack_set_operation_id = "op1" },
        { region = "r2", stack_domain_id = "d1", status = "OPERATION_COMPLETE", latest_stack_set_operation_id = "op1" },
      } } })
      local err = raised(svc.wait_stack_set_operation, svc, { stack_set_name = "set1", stack_set_operation_id = "op1",
                                                              clock = t.clock, sleep = t.sleep, on_progress = false })
      assert.equal("OPERATION_FAILED", err.code)
      assert.equal(1, #err.instances)
      assert.matches("failure tolerance exceeded: r1/d1 agency missing", err.message)
    end)
  end)

  describe("outputs", function()
    it("returns {name = value} with JSON values decoded and sensitive ones masked", function()
      client:on("GET", "/v1/[^/]+/stacks/web/outputs", function(req)
        if req.query.marker then
          return 200, { outputs = { { name = "raw", value = "not json" } } }
        end
        return 200, { outputs = {
          { name = "vpc_id", value = '"vpc-123"', type = "string" },
          { name = "count", value = "3", type = "number" },
          { name = "ids", value = '["a","b"]', type = "list(string)" },
          { name = "secret", value = "<sensitive>", type = "<sensitive>", sensitive = true },
        }, page_info = { next_marker = "2" } }
      end)
      local out = svc:outputs("web")
      assert.equal("vpc-123", out.vpc_id)
      assert.equal(3, out.count)
      assert.same({ "a", "b" }, out.ids)
      assert.equal("<sensitive>", out.secret)
      assert.equal("not json", out.raw)
      assert.same(out, svc:outputs{ stack_name = "web" })
    end)
  end)

  describe("vars_structure", function()
    it("turns a table into sorted string variables", function()
      assert.same({
        { var_key = "a", var_value = "x" }, { var_key = "b", var_value = "10" },
        { var_key = "c", var_value = "true" }, { var_key = "d", var_value = '["p","q"]' },
      }, rfs.vars_structure{ b = 10, a = "x", c = true, d = { "p", "q" } })
    end)
  end)

  describe("deploy_from_file", function()
    local file
    before_each(function()
      file = os.tmpname()
      local f = assert(io.open(file, "w"))
      f:write('resource "huaweicloud_vpc" "main" { name = var.name }\n')
      f:close()
    end)
    after_each(function() os.remove(file) end)

    local function outputs_route()
      client:on("GET", "/v1/[^/]+/stacks/web/outputs", { body = { outputs = { { name = "id", value = '"v1"' } } } })
      client:on("GET", "/v1/[^/]+/stacks/web/events", { body = { stack_events = {} } })
    end

    it("creates the stack when it does not exist, waits, and returns metadata and outputs", function()
      local created = false
      client:on("GET", "/v1/[^/]+/stacks/web/metadata", function()
        if not created then return 404, { error_code = "RF.10013001" } end
        return 200, { stack_name = "web", status = "DEPLOYMENT_COMPLETE" }
      end)
      client:on("POST", "/v1/[^/]+/stacks", function(req)
        created = true
        return 201, { stack_id = "s", deployment_id = "d9" }
      end)
      outputs_route()
      local meta, outs = svc:deploy_from_file{ stack_name = "web", template_file = file, vars = { name = "n" },
        description = "demo", clock = t.clock, sleep = t.sleep, on_event = false, on_progress = false }
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.same({ id = "v1" }, outs)
      local create = client:sent("POST", "/v1/[^/]+/stacks")[1]
      assert.same({ stack_name = "web", description = "demo",
                    template_body = 'resource "huaweicloud_vpc" "main" { name = var.name }\n',
                    vars_structure = { { var_key = "name", var_value = "n" } } }, create.body)
      assert.equal("d9", client:sent("GET", "/v1/[^/]+/stacks/web/events")[1].query.deployment_id)
    end)

    it("redeploys an existing stack", function()
      local deployed = false
      client:on("GET", "/v1/[^/]+/stacks/web/metadata", function()
        return 200, { stack_name = "web", status = deployed and "DEPLOYMENT_COMPLETE" or "CREATION_COMPLETE" }
      end)
      client:on("POST", "/v1/[^/]+/stacks/web/deployments", function(req)
        deployed = true
        return 202, { deployment_id = "d2" }
      end)
      outputs_route()
      local meta = svc:deploy_from_file{ stack_name = "web", template_file = file, description = "ignored here",
        clock = t.clock, sleep = t.sleep, on_event = false, on_progress = false }
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      local deploy = client:sent("POST", "/v1/[^/]+/stacks/web/deployments")[1]
      assert.is_nil(deploy.body.description)
      assert.is_string(deploy.body.template_body)
      assert.equal(0, #client:sent("POST", "/v1/[^/]+/stacks"))
    end)

    it("raises an argument error for a missing file", function()
      local err = raised(svc.deploy_from_file, svc, { stack_name = "web", template_file = "/nonexistent/x.tf" })
      assert.equal("argument", err.kind)
      assert.equal("template_file", err.field)
      assert.matches("^rfs%.deploy_from_file: cannot read template_file", err.message)
    end)

    it("raises an argument error for a directory (it opens but does not read), before sending anything", function()
      local dir = os.tmpname()
      os.remove(dir)
      assert(os.execute("mkdir " .. dir))
      local err = raised(svc.deploy_from_file, svc, { stack_name = "web", template_file = dir })
      local vars_err = raised(svc.deploy_from_file, svc, { stack_name = "web", template_file = file, vars_file = dir })
      os.remove(dir)
      assert.equal("argument", err.kind)
      assert.equal("template_file", err.field)
      assert.equal("rfs.deploy_from_file: cannot read template_file: Is a directory", err.message)
      assert.equal("vars_file", vars_err.field)
      assert.equal(0, #client:sent("POST", "/v1/[^/]+/stacks"))
      assert.equal(0, #client:sent("GET", "/v1/[^/]+/stacks/web/metadata"))
    end)
  end)
end)
