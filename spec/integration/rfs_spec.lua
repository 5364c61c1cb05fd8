-- Integration specs of hwcloud.rfs against the emulator (real HTTP, real
-- signatures): every one of the 46 operations, every iterator, every waiter,
-- the emulator's asynchronous delays, and injected faults (throttling, 5xx,
-- a dropped connection in the middle of a wait), deploy_from_file, and the
-- same calls through hwcloud.safe returning nil, err.

local safe = require("hwcloud.safe")
local core = require("hwcloud.core")
local rfs_mod = require("hwcloud.rfs")
local emu = require("spec.helpers.emulator")
local S = require("spec.helpers.services")

local TEMPLATE = [[
variable "name" {
  type    = string
  default = "t"
}

resource "huaweicloud_vpc" "main" {
  name = var.name
  cidr = "10.0.0.0/16"
}

output "vpc_id" {
  value = huaweicloud_vpc.main.id
}

output "name" {
  value = var.name
}

output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
]]

-- A resource that fails: `how` is an emulator failure-injection argument.
local function failing(how)
  return TEMPLATE .. "\nresource \"huaweicloud_vpc\" \"bad\" {\n  name = \"bad\"\n  cidr = \"10.1.0.0/16\"\n  "
    .. how .. "\n}\n"
end

local collect, raised = S.collect, S.raised

describe("RFS against the emulator", function()
  local e, client, rfs
  local h = S.emulator(function() return e end)
  -- waiter options: quick polls, quiet (ws: for the stack waiters, no events either)
  local w, speed, fault = h.w, h.speed, h.fault

  local function new_client(extra)
    return h.client(e, extra)
  end

  local function ws(args)
    if args.on_event == nil then args.on_event = false end
    return w(args)
  end

  local function deployed(name, template, extra)
    local args = { stack_name = name, template_body = template or TEMPLATE }
    for k, v in pairs(extra or {}) do args[k] = v end
    local r = rfs:create_stack(args)
    return rfs:wait_stack(ws{ stack_name = name, deployment_id = r.deployment_id }), r
  end

  setup(function()
    e = emu.start{ speed = 0 }
    client = new_client()
    rfs = client:rfs()
  end)

  teardown(function()
    if client then client:close() end
    if e then e.stop() end
  end)

  before_each(h.reset)

  describe("stacks", function()
    it("create, update, deploy, wait (streaming events), read, redirect, delete", function()
      local body, response = rfs:create_stack{ stack_name = "lifecycle", description = "empty" }
      assert.equal(201, response.status)
      assert.is_string(body.stack_id)
      assert.is_nil(body.deployment_id)
      assert.equal("CREATION_COMPLETE", rfs:get_stack_metadata{ stack_name = "lifecycle" }.status)
      assert.equal("CREATION_COMPLETE", rfs:wait_stack(ws{ stack_name = "lifecycle" }).status)

      local _, r2 = rfs:update_stack{ stack_name = "lifecycle", description = "changed", stack_id = body.stack_id }
      assert.equal(204, r2.status)
      assert.equal("changed", rfs:get_stack_metadata{ stack_name = "lifecycle", stack_id = body.stack_id }.description)

      local dep, r3 = rfs:deploy_stack{ stack_name = "lifecycle", template_body = TEMPLATE,
                                       vars_structure = rfs_mod.vars_structure{ name = "alpha" } }
      assert.equal(202, r3.status)
      assert.is_string(dep.deployment_id)
      local streamed = {}
      local meta = rfs:wait_stack(ws{ stack_name = "lifecycle", deployment_id = dep.deployment_id,
                                     on_event = function(ev) streamed[#streamed + 1] = ev end })
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.equal("lifecycle", meta.stack_name)

      -- every event of the deployment was streamed exactly once
      local listed = collect(rfs:each_stack_event{ stack_name = "lifecycle", deployment_id = dep.deployment_id, limit = 1 })
      assert.equal(#listed, #streamed)
      assert.is_true(#streamed >= 2)
      local types = {}
      for _, ev in ipairs(streamed) do types[ev.event_type] = true end
      assert.is_true(types.SUMMARY or types.LOG)
      local page, r4 = rfs:list_stack_events{ stack_name = "lifecycle", deployment_id = dep.deployment_id }
      assert.equal(200, r4.status)
      assert.equal(#listed, #page.stack_events)

      local resources = collect(rfs:each_stack_resource{ stack_name = "lifecycle", limit = 1 })
      assert.equal(1, #resources)
      assert.equal("huaweicloud_vpc", resources[1].logical_resource_type)
      assert.equal("main", resources[1].logical_resource_name)
      assert.equal(1, #rfs:list_stack_resources{ stack_name = "lifecycle" }.stack_resources)

      local outs = collect(rfs:each_stack_output{ stack_name = "lifecycle", limit = 1 })
      assert.equal(3, #outs)
      assert.equal(3, #rfs:list_stack_outputs{ stack_name = "lifecycle" }.outputs)
      local values = rfs:outputs("lifecycle")
      assert.equal("alpha", values.name)
      assert.equal("<sensitive>", values.secret)
      assert.is_string(values.vpc_id)

      local tpl, r5 = rfs:get_stack_template{ stack_name = "lifecycle" }
      assert.equal(307, r5.status)
      assert.matches("^https?://", tpl.location)
      local session = core.session{ timeout = 10 }
      local fetched = session:send{ method = "GET", url = tpl.location, headers = {} }
      session:close()
      assert.equal(200, fetched.status)
      assert.equal(TEMPLATE, fetched.raw_body or fetched.body)

      local _, r6 = rfs:delete_stack{ stack_name = "lifecycle" }
      assert.equal(202, r6.status)
      assert.is_true(rfs:wait_stack_deleted(ws{ stack_name = "lifecycle" }))
      local err = raised(rfs.get_stack_metadata, rfs, { stack_name = "lifecycle" })
      assert.equal(404, err.status)
      assert.equal("RF.10013001", err.code)
    end)

    it("deploy_from_file creates a stack from a file, then updates it, and returns the outputs", function()
      local path = os.tmpname()
      local f = assert(io.open(path, "w"))
      f:write(TEMPLATE)
      f:close()
      local events = 0
      local meta, outputs = rfs:deploy_from_file(w{ stack_name = "from-file", template_file = path,
        vars = { name = "one" }, description = "from a file", on_event = function() events = events + 1 end })
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.equal("one", outputs.name)
      assert.is_true(events > 0)
      local first = meta.stack_id
      meta, outputs = rfs:deploy_from_file(ws{ stack_name = "from-file", template_file = path, vars = { name = "two" } })
      os.remove(path)
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.equal(first, meta.stack_id)
      assert.equal("two", outputs.name)
      assert.equal("from a file", rfs:get_stack_metadata{ stack_name = "from-file" }.description)
      assert.equal(1, #collect(rfs:each_stack()))
    end)

    it("creates with a template and pages through each_stack", function()
      for i = 1, 3 do deployed("many-" .. i) end
      local names = {}
      for s in rfs:each_stack{ limit = 2 } do names[#names + 1] = s.stack_name end
      table.sort(names)
      assert.same({ "many-1", "many-2", "many-3" }, names)
      local first = rfs:list_stacks{ limit = 2 }
      assert.equal(2, #first.stacks)
      assert.is_string(first.page_info.next_marker)
    end)

    it("raises DEPLOYMENT_FAILED with the ERROR events; continue_deploy_stack runs it again", function()
      local created = rfs:create_stack{ stack_name = "flaky", template_body = failing("emulator_fail = 1") }
      local err = raised(rfs.wait_stack, rfs, ws{ stack_name = "flaky", deployment_id = created.deployment_id })
      assert.equal("waiter", err.kind)
      assert.equal("DEPLOYMENT_FAILED", err.code)
      assert.is_true(#err.errors >= 1)
      for _, ev in ipairs(err.errors) do assert.equal("ERROR", ev.event_type) end
      assert.matches("DEPLOYMENT_FAILED", tostring(err))

      local again, r = rfs:continue_deploy_stack{ stack_name = "flaky" }
      assert.equal(202, r.status)
      assert.not_equal(created.deployment_id, again.deployment_id)
      assert.equal("DEPLOYMENT_COMPLETE",
        rfs:wait_stack(ws{ stack_name = "flaky", deployment_id = again.deployment_id }).status)
    end)

    it("follows an automatic rollback and raises; continue_rollback_stack after ROLLBACK_FAILED", function()
      deployed("rolling", TEMPLATE, { enable_auto_rollback = true })
      local d = rfs:deploy_stack{ stack_name = "rolling", template_body = failing("emulator_fail = true") }
      local err = raised(rfs.wait_stack, rfs, ws{ stack_name = "rolling", deployment_id = d.deployment_id })
      assert.equal("ROLLBACK_COMPLETE", err.code)
      assert.is_true(#err.errors >= 1)

      d = rfs:deploy_stack{ stack_name = "rolling",
                            template_body = failing("emulator_fail = true\n  emulator_fail_rollback = 1") }
      err = raised(rfs.wait_stack, rfs, ws{ stack_name = "rolling", deployment_id = d.deployment_id })
      assert.equal("ROLLBACK_FAILED", err.code)
      local again, r = rfs:continue_rollback_stack{ stack_name = "rolling" }
      assert.equal(202, r.status)
      err = raised(rfs.wait_stack, rfs, ws{ stack_name = "rolling", deployment_id = again.deployment_id })
      assert.equal("ROLLBACK_COMPLETE", err.code)
    end)

    it("delete_stack_enhanced: DELETION_FAILED raises, retain_all_resources deletes", function()
      deployed("sticky", failing("emulator_fail_delete = true"))
      local _, r = rfs:delete_stack_enhanced{ stack_name = "sticky" }
      assert.equal(202, r.status)
      local err = raised(rfs.wait_stack_deleted, rfs, ws{ stack_name = "sticky" })
      assert.equal("DELETION_FAILED", err.code)
      assert.is_true(#err.errors >= 1)
      rfs:delete_stack_enhanced{ stack_name = "sticky", retain_all_resources = true }
      assert.is_true(rfs:wait_stack_deleted(ws{ stack_name = "sticky" }))
    end)

    it("refuses what the stack status forbids with the documented error", function()
      deployed("busy")
      speed(1)
      rfs:deploy_stack{ stack_name = "busy", template_body = TEMPLATE }
      local err = raised(rfs.delete_stack, rfs, { stack_name = "busy" })
      assert.equal(403, err.status)
      assert.equal("RF.10012544", err.code)
      speed(0)
      assert.equal("DEPLOYMENT_COMPLETE", rfs:wait_stack(ws{ stack_name = "busy" }).status)
    end)
  end)

  describe("execution plans", function()
    it("create, wait, list, describe, price, apply, wait APPLIED, delete", function()
      deployed("planned", TEMPLATE)
      local p1, r1 = rfs:create_execution_plan{ stack_name = "planned", execution_plan_name = "p1",
        template_body = TEMPLATE, vars_structure = rfs_mod.vars_structure{ name = "beta" }, description = "rename" }
      assert.equal(202, r1.status)
      assert.is_string(p1.execution_plan_id)
      local meta = rfs:wait_execution_plan(w{ stack_name = "planned", execution_plan_name = "p1",
                                              execution_plan_id = p1.execution_plan_id })
      assert.equal("AVAILABLE", meta.status)
      assert.is_table(meta.summary)

      rfs:create_execution_plan{ stack_name = "planned", execution_plan_name = "p2", template_body = TEMPLATE }
      rfs:wait_execution_plan(w{ stack_name = "planned", execution_plan_name = "p2" })
      local names = {}
      for p in rfs:each_execution_plan{ stack_name = "planned", limit = 1 } do names[#names + 1] = p.execution_plan_name end
      table.sort(names)
      assert.same({ "p1", "p2" }, names)
      assert.equal(2, #rfs:list_execution_plans{ stack_name = "planned" }.execution_plans)

      local items = rfs:get_execution_plan{ stack_name = "planned", execution_plan_name = "p1" }
      assert.is_table(items.execution_plan_items)
      assert.is_true(#items.execution_plan_items >= 1)
      assert.equal("AVAILABLE", rfs:get_execution_plan_metadata{ stack_name = "planned", execution_plan_name = "p1" }.status)

      local price, rp = rfs:estimate_execution_plan_price{ stack_name = "planned", execution_plan_name = "p1" }
      assert.equal(200, rp.status)
      assert.is_table(price.items)
      assert.is_string(price.currency)

      local _, rd = rfs:delete_execution_plan{ stack_name = "planned", execution_plan_name = "p2" }
      assert.equal(204, rd.status)

      local applied, ra = rfs:apply_execution_plan{ stack_name = "planned", execution_plan_name = "p1",
                                                    execution_plan_id = p1.execution_plan_id }
      assert.equal(202, ra.status)
      assert.equal("APPLIED", rfs:wait_execution_plan(w{ stack_name = "planned", execution_plan_name = "p1",
                                                         status = "APPLIED" }).status)
      assert.equal("DEPLOYMENT_COMPLETE",
        rfs:wait_stack(ws{ stack_name = "planned", deployment_id = applied.deployment_id }).status)
      assert.equal("beta", rfs:outputs("planned").name)
    end)

    it("raises CREATION_FAILED for a plan that cannot be computed", function()
      deployed("badplan", TEMPLATE)
      rfs:create_execution_plan{ stack_name = "badplan", execution_plan_name = "bad",
        template_body = TEMPLATE .. '\nvariable "needed" {\n  type = string\n}\n' }
      local err = raised(rfs.wait_execution_plan, rfs, w{ stack_name = "badplan", execution_plan_name = "bad" })
      assert.equal("CREATION_FAILED", err.code)
    end)
  end)

  describe("templates", function()
    it("parse_template_variables", function()
      local body, r = rfs:parse_template_variables{ template_body = TEMPLATE }
      assert.equal(200, r.status)
      assert.equal(1, #body.variables)
      assert.equal("name", body.variables[1].name)
    end)

    it("create, list, show, update, version, content, delete", function()
      local t, r = rfs:create_template{ template_name = "tpl", template_description = "first",
                                       version_description = "v1", template_body = TEMPLATE }
      assert.equal(200, r.status)
      assert.equal("V1", t.version_id)
      rfs:create_template{ template_name = "tpl2", template_body = TEMPLATE }
      local names = {}
      for x in rfs:each_template{ limit = 1 } do names[#names + 1] = x.template_name end
      table.sort(names)
      assert.same({ "tpl", "tpl2" }, names)
      assert.equal(2, #rfs:list_templates().templates)

      local meta = rfs:show_template_metadata{ template_name = "tpl", template_id = t.template_id }
      assert.equal("first", meta.template_description)
      local _, ru = rfs:update_template_metadata{ template_name = "tpl", template_description = "second" }
      assert.equal(204, ru.status)
      assert.equal("second", rfs:show_template_metadata{ template_name = "tpl" }.template_description)

      local v2 = rfs:create_template_version{ template_name = "tpl", template_id = t.template_id,
                                              version_description = "v2", template_body = TEMPLATE .. "\n" }
      assert.equal("V2", v2.version_id)
      local versions = {}
      for v in rfs:each_template_version{ template_name = "tpl", limit = 1 } do versions[#versions + 1] = v.version_id end
      table.sort(versions)
      assert.same({ "V1", "V2" }, versions)
      assert.equal(2, #rfs:list_template_versions{ template_name = "tpl" }.versions)

      local content, rc = rfs:show_template_version_content{ template_name = "tpl", version_id = "V1" }
      assert.equal(307, rc.status)
      assert.matches("^https?://", content.location)
      assert.equal("v2", rfs:show_template_version_metadata{ template_name = "tpl", version_id = "V2" }.version_description)

      local _, rdv = rfs:delete_template_version{ template_name = "tpl", version_id = "V1" }
      assert.equal(204, rdv.status)
      assert.equal(1, #collect(rfs:each_template_version{ template_name = "tpl" }))
      local _, rdt = rfs:delete_template{ template_name = "tpl" }
      assert.equal(204, rdt.status)
      assert.equal(404, raised(rfs.show_template_metadata, rfs, { template_name = "tpl" }).status)
    end)
  end)

  describe("stack sets", function()
    it("every stack set and stack instance operation, iterator and waiter", function()
      local targets = { regions = { e.region }, domain_ids = { e.second.domain_id } }
      local set, r = rfs:create_stack_set{ stack_set_name = "fleet", stack_set_description = "demo",
        permission_model = "SELF_MANAGED", administration_agency_name = "rfs_admin",
        managed_agency_name = "rfs_exec", template_body = TEMPLATE, vars_body = 'name = "fleet"' }
      assert.equal(201, r.status)
      assert.is_string(set.stack_set_id)
      rfs:create_stack_set{ stack_set_name = "fleet2", administration_agency_name = "rfs_admin",
                            managed_agency_name = "rfs_exec" }
      local names = {}
      for s in rfs:each_stack_set{ limit = 1, sort_key = { "create_time" }, sort_dir = { "asc" } } do
        names[#names + 1] = s.stack_set_name
      end
      assert.same({ "fleet", "fleet2" }, names)
      assert.equal(2, #rfs:list_stack_sets().stack_sets)

      local meta = rfs:show_stack_set_metadata{ stack_set_name = "fleet", stack_set_id = set.stack_set_id }
      assert.equal("IDLE", meta.status)
      local _, ru = rfs:update_stack_set{ stack_set_name = "fleet", stack_set_description = "changed" }
      assert.equal(204, ru.status)
      assert.equal("changed", rfs:show_stack_set_metadata{ stack_set_name = "fleet" }.stack_set_description)
      local tpl, rt = rfs:show_stack_set_template{ stack_set_name = "fleet" }
      assert.equal(307, rt.status)
      assert.matches("^https?://", tpl.location)

      local op = rfs:create_stack_instance{ stack_set_name = "fleet", deployment_targets = targets }
      assert.is_string(op.stack_set_operation_id)
      local done = rfs:wait_stack_set_operation(w{ stack_set_name = "fleet",
                                                   stack_set_operation_id = op.stack_set_operation_id })
      assert.equal("OPERATION_COMPLETE", done.status)
      assert.equal("OPERATION_COMPLETE", rfs:show_stack_set_operation_metadata{ stack_set_name = "fleet",
        stack_set_operation_id = op.stack_set_operation_id }.status)

      local instances = collect(rfs:each_stack_instance{ stack_set_name = "fleet", limit = 1 })
      assert.equal(1, #instances)
      assert.equal(1, #rfs:list_stack_instances{ stack_set_name = "fleet" }.stack_instances)
      local inst = rfs:show_stack_instance{ stack_set_name = "fleet",
        stack_instance_addr = e.region .. "/" .. e.second.domain_id }
      assert.equal(e.second.domain_id, inst.stack_domain_id)

      op = rfs:update_stack_instances{ stack_set_name = "fleet", deployment_targets = targets,
                                       var_overrides = { vars_body = 'name = "override"' } }
      rfs:wait_stack_set_operation(w{ stack_set_name = "fleet", stack_set_operation_id = op.stack_set_operation_id })
      op = rfs:deploy_stack_set{ stack_set_name = "fleet", deployment_targets = targets, template_body = TEMPLATE,
                                 vars_body = 'name = "fleet2"' }
      rfs:wait_stack_set_operation(w{ stack_set_name = "fleet", stack_set_operation_id = op.stack_set_operation_id })
      local ops = collect(rfs:each_stack_set_operation{ stack_set_name = "fleet", limit = 1 })
      assert.equal(3, #ops)
      assert.equal(3, #rfs:list_stack_set_operations{ stack_set_name = "fleet" }.stack_set_operations)

      op = rfs:delete_stack_instance{ stack_set_name = "fleet", deployment_targets = targets }
      rfs:wait_stack_set_operation(w{ stack_set_name = "fleet", stack_set_operation_id = op.stack_set_operation_id })
      assert.equal(0, #collect(rfs:each_stack_instance{ stack_set_name = "fleet" }))

      -- the deprecated DELETE-with-body form
      op = rfs:create_stack_instance{ stack_set_name = "fleet", deployment_targets = targets }
      rfs:wait_stack_set_operation(w{ stack_set_name = "fleet", stack_set_operation_id = op.stack_set_operation_id })
      op = rfs:delete_stack_instance_deprecated{ stack_set_name = "fleet", deployment_targets = targets }
      rfs:wait_stack_set_operation(w{ stack_set_name = "fleet", stack_set_operation_id = op.stack_set_operation_id })
      assert.equal(0, #collect(rfs:each_stack_instance{ stack_set_name = "fleet" }))

      local _, rd = rfs:delete_stack_set{ stack_set_name = "fleet" }
      assert.equal(204, rd.status)
      assert.equal(404, raised(rfs.show_stack_set_metadata, rfs, { stack_set_name = "fleet" }).status)
    end)
  end)

  describe("with the emulator's delays", function()
    it("waits through DEPLOYMENT_IN_PROGRESS, streaming events as they come, with progress", function()
      speed(0.1)
      local polls, arrivals, states = 0, {}, {}
      local created = rfs:create_stack{ stack_name = "slow", template_body = TEMPLATE }
      local meta = rfs:wait_stack{ stack_name = "slow", deployment_id = created.deployment_id,
        interval = 0.05, timeout = 60,
        on_progress = function(info)
          polls = polls + 1
          states[info.state or "?"] = true
        end,
        on_event = function() arrivals[polls] = true end }
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.is_true(states.DEPLOYMENT_IN_PROGRESS)
      local distinct = 0
      for _ in pairs(arrivals) do distinct = distinct + 1 end
      assert.is_true(distinct >= 2, "events should arrive over several polls")
    end)

    it("times out with the last state", function()
      speed(1)
      local created = rfs:create_stack{ stack_name = "slower", template_body = TEMPLATE }
      local err = raised(rfs.wait_stack, rfs, { stack_name = "slower", deployment_id = created.deployment_id,
        timeout = 0.3, interval = 0.1, on_progress = false, on_event = false })
      assert.equal("TIMEOUT", err.code)
      assert.equal("DEPLOYMENT_IN_PROGRESS", err.state)
    end)
  end)

  describe("with injected faults", function()
    it("retries throttled reads (429) inside the client", function()
      deployed("throttled")
      fault{ method = "GET", path = "/stacks/throttled/metadata", count = 2, status = 429 }
      local meta, response = rfs:get_stack_metadata{ stack_name = "throttled" }
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.equal(3, response.attempts)
    end)

    it("keeps waiting through a dropped connection and 5xx answers mid-wait", function()
      local fragile = new_client{ max_retries = 0 }
      local svc = fragile:rfs()
      speed(0.1)
      local created = svc:create_stack{ stack_name = "dropped", template_body = TEMPLATE }
      fault{ method = "GET", path = "/stacks/dropped/metadata", count = 2, action = "drop" }
      fault{ method = "GET", path = "/stacks/dropped/events", count = 1, status = 503 }
      local transient = 0
      local meta = svc:wait_stack{ stack_name = "dropped", deployment_id = created.deployment_id,
        interval = 0.05, timeout = 60, on_event = false,
        on_progress = function(info) if info.error then transient = transient + 1 end end }
      assert.equal("DEPLOYMENT_COMPLETE", meta.status)
      assert.equal(3, transient)
      fragile:close()
    end)

    it("raises a non-transient error during a wait at once", function()
      deployed("denied")
      fault{ method = "GET", path = "/stacks/denied/metadata", count = 1, status = 403,
             body = { error_code = "RF.10012507", error_msg = "denied" } }
      local err = raised(rfs.wait_stack, rfs, ws{ stack_name = "denied" })
      assert.equal(403, err.status)
      assert.equal("RF.10012507", err.code)
    end)
  end)

  describe("through hwcloud.safe", function()
    it("service methods, iterators, waiters and outputs return nil, err instead of raising", function()
      local sc = safe.new{ endpoint = e.endpoint, ak = e.ak, sk = e.sk, project_id = e.project_id,
                           region = e.region, max_retries = 0 }
      local srfs = sc:rfs()
      -- a method: the body and the response, or nil and the API's error
      local body, resp = srfs:list_stacks()
      assert.is_table(body.stacks)
      assert.equal(200, resp.status)
      local none, err = srfs:get_stack_metadata{ stack_name = "missing" }
      assert.is_nil(none)
      assert.equal("http", err.kind)
      assert.equal(404, err.status)
      -- argument errors, of a method and of an iterator's first call
      none, err = srfs:create_stack{ template_body = TEMPLATE }
      assert.is_nil(none)
      assert.equal("argument", err.kind)
      assert.equal("stack_name", err.field)
      none, err = srfs:each_stack_event{}
      assert.is_nil(none)
      assert.equal("argument", err.kind)
      -- an iterator whose page request fails gives the loop false, err
      -- (never a silent end), then raises if called again
      deployed("safe")
      local n = 0
      for _ in srfs:each_stack_event{ stack_name = "safe" } do n = n + 1 end
      assert.is_true(n > 0)
      fault{ method = "GET", path = "/stacks/safe/events", count = 1, status = 403,
             body = { error_code = "RF.10012507", error_msg = "denied" } }
      local iter = srfs:each_stack_event{ stack_name = "safe" }
      local item, ierr = iter()
      assert.is_false(item)
      assert.equal(403, ierr.status)
      assert.equal("RF.10012507", ierr.code)
      local again_ok, again = pcall(iter)
      assert.is_false(again_ok)
      assert.equal(ierr, again)
      -- outputs and a waiter that succeeds
      local outputs = srfs:outputs("safe")
      assert.equal("t", outputs.name)
      assert.equal("DEPLOYMENT_COMPLETE", srfs:wait_stack(ws{ stack_name = "safe" }).status)
      -- a waiter that fails: nil and the waiter error with the ERROR events
      local created = rfs:create_stack{ stack_name = "safe-bad", template_body = failing("emulator_fail = true") }
      none, err = srfs:wait_stack(ws{ stack_name = "safe-bad", deployment_id = created.deployment_id })
      assert.is_nil(none)
      assert.equal("waiter", err.kind)
      assert.equal("DEPLOYMENT_FAILED", err.code)
      assert.is_true(#err.errors >= 1)
      none, err = srfs:outputs("missing")
      assert.is_nil(none)
      assert.equal(404, err.status)
      sc:close()
    end)
  end)

  it("sends a fresh Client-Request-Id with every call", function()
    rfs:list_stacks()
    rfs:list_stacks()
    rfs:list_templates()
    local _, log = e.control("GET", "/_emulator/requests")
    local ids = {}
    local entries = log.requests or log
    for _, entry in ipairs(entries) do
      local h = entry.headers or {}
      local id = h["client-request-id"] or h["Client-Request-Id"]
      if entry.path and entry.path:find("^/v1/") then
        assert.is_string(id, "no Client-Request-Id on " .. tostring(entry.path))
        assert.is_nil(ids[id])
        ids[id] = true
      end
    end
    local n = 0
    for _ in pairs(ids) do n = n + 1 end
    assert.equal(3, n)
  end)
end)
