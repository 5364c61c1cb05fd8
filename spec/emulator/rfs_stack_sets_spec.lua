-- RFS stack sets in the emulator over real HTTP: sets, instances backed by
-- real stacks per (region, account), fan-out operations progressing in time,
-- failure tolerance, var overrides, and the documented/inferred errors.

local S = require("spec.emulator.rfs_support")

describe("RFS stack sets (emulator)", function()
  local e
  local P = "/v1/stack-sets"

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  local function create_set(name, extra)
    local b = { stack_set_name = name, administration_agency_name = "admin", managed_agency_name = "exec",
      template_body = S.VPC_TF, vars_body = 'vpc_name = "set-vpc"' }
    for k, v in pairs(extra or {}) do b[k] = v end
    return e.rfs("POST", P, b)
  end

  local function targets(regions, domains)
    return { regions = regions, domain_ids = domains }
  end

  local function op(name, id)
    return e.rfs("GET", P .. "/" .. name .. "/operations/" .. id .. "/metadata").body
  end

  local function instances(name)
    return e.rfs("GET", P .. "/" .. name .. "/stack-instances").body.stack_instances
  end

  it("creates, shows and lists stack sets", function()
    local r = create_set("ss", { stack_set_description = "d", initial_stack_description = "i" })
    assert.equal(201, r.status)
    assert.equal(36, #r.body.stack_set_id)
    local m = e.rfs("GET", P .. "/ss/metadata").body
    assert.equal("IDLE", m.status)
    assert.equal("SELF_MANAGED", m.permission_model)
    assert.equal('vpc_name = "set-vpc"', m.vars_body)
    assert.matches("%.%d%d%dZ$", m.create_time)
    local l = e.rfs("GET", P).body
    assert.equal(1, #l.stack_sets)
    assert.equal("ss", l.stack_sets[1].stack_set_name)
    local f = e.rfs("GET", P .. "?filter=permission_model%3D%3DSERVICE_MANAGED").body
    assert.same({}, f.stack_sets)
    local t = e.rfs("GET", P .. "/ss/templates")
    assert.equal(307, t.status)
    assert.equal(S.VPC_TF, e.send({ method = "GET", url = t.headers["Location"], headers = {} }).raw_body)
  end)

  it("validates stack set creation", function()
    assert.equal(409, (function() create_set("ss"); return create_set("ss").status end)())
    assert.equal("RF.10011001", e.rfs("POST", P, { stack_set_name = "x", managed_agency_name = "m" }).code)
    assert.equal("RF.10011001", e.rfs("POST", P, { stack_set_name = "x", administration_agency_name = "a" }).code)
    assert.equal("RF.10011027", e.rfs("POST", P, { stack_set_name = "x", permission_model = "OTHER" }).code)
    assert.equal("RF.10011002", e.rfs("POST", P, { stack_set_name = "x", permission_model = "SERVICE_MANAGED",
      administration_agency_name = "a" }).code)
    assert.equal(201, e.rfs("POST", P, { stack_set_name = "svc", permission_model = "SERVICE_MANAGED" }).status)
    assert.equal("RF.10011038", e.rfs("GET", P .. "?sort_key=create_time").code)
    assert.equal(404, e.rfs("GET", P .. "/none/metadata").status)
    assert.equal(404, e.rfs("GET", P .. "/none/operations").status)
    assert.equal(404, e.rfs("GET", P .. "/none/stack-instances").status)
    local empty = e.rfs("POST", P, { stack_set_name = "notpl", administration_agency_name = "a", managed_agency_name = "m" })
    assert.equal(201, empty.status)
    assert.equal(404, e.rfs("GET", P .. "/notpl/templates").status)
    local g = e.rfs("GET", P .. "/ss/metadata?stack_set_id=" .. string.rep("0", 36))
    assert.equal(400, g.status)
    assert.equal("RF.10011020", g.code)
    assert.matches("does not match the stack set named ss", g.message, 1, true)
    assert.equal("RF.10011006", e.rfs("GET", P .. "/ss/metadata?stack_set_id=short").code)
  end)

  it("fans out instances to (region, account) stacks and progresses in time", function()
    create_set("ss")
    e.slow()
    local r = e.rfs("POST", P .. "/ss/stack-instances",
      { deployment_targets = targets({ "cn-north-4", "ap-southeast-1" }, { e.domain_id }) })
    assert.equal(202, r.status)
    local id = r.body.stack_set_operation_id
    assert.equal("QUEUE_IN_PROGRESS", op("ss", id).status)
    assert.equal("OPERATION_IN_PROGRESS", e.rfs("GET", P .. "/ss/metadata").body.status)
    for _, inst in ipairs(instances("ss")) do assert.equal("WAIT_IN_PROGRESS", inst.status) end
    -- a second operation is refused while one runs
    local busy = e.rfs("POST", P .. "/ss/deployments", { deployment_targets = targets({ "cn-north-4" }, { e.domain_id }) })
    assert.equal(409, busy.status)
    e.fast()
    local o = op("ss", id)
    assert.equal("OPERATION_COMPLETE", o.status)
    assert.equal("CREATE_STACK_INSTANCES", o.action)
    local list = instances("ss")
    assert.equal(2, #list)
    for _, inst in ipairs(list) do
      assert.equal("OPERATION_COMPLETE", inst.status)
      assert.equal(id, inst.latest_stack_set_operation_id)
      assert.truthy(inst.stack_id)
    end
    -- the instance in the caller's own region is a real stack of this project
    local show = e.rfs("GET", P .. "/ss/stack-instances/cn-north-4%2F" .. e.domain_id)
    assert.equal(200, show.status)
    local m = e.stack(show.body.stack_name)
    assert.equal("DEPLOYMENT_COMPLETE", m.status)
    local res = e.rfs("GET", "/stacks/" .. show.body.stack_name .. "/resources").body.stack_resources
    assert.equal("set-vpc", res[1].physical_resource_name)
    assert.equal(404, e.rfs("GET", P .. "/ss/stack-instances/cn-east-3%2F" .. e.domain_id).status)
    -- sorted and filtered listing
    local f = e.rfs("GET", P .. "/ss/stack-instances?filter=region%3D%3Dap_southeast_1").body.stack_instances
    assert.same({}, f)
    -- region ids hold "-" (as Huawei's SDKs send them)
    local dashed = e.rfs("GET", P .. "/ss/stack-instances?filter=region%3D%3Dcn-north-4").body.stack_instances
    assert.equal(1, #dashed)
    assert.equal("cn-north-4", dashed[1].region)
    assert.equal("RF.10011089", e.rfs("GET", P .. "/ss/stack-instances?filter=region%3D%3Dcn%20north").code)
    local asc = e.rfs("GET", P .. "/ss/stack-instances?sort_key=create_time&sort_dir=asc").body.stack_instances
    assert.equal(2, #asc)
    local ops = e.rfs("GET", P .. "/ss/operations").body.stack_set_operations
    assert.equal(1, #ops)
    assert.equal(id, ops[1].operation_id)
  end)

  it("deploys a new template to instances, overrides vars, deletes instances and the set", function()
    create_set("ss")
    e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = targets({ "cn-north-4" }, { e.domain_id }) })
    local new_tf = S.VPC_TF:gsub("10.0.0.0/16", "10.5.0.0/16")
    local d = e.rfs("POST", P .. "/ss/deployments", { deployment_targets = targets({ "cn-north-4" }, { e.domain_id }),
      template_body = new_tf, vars_body = 'vpc_name = "v2"' })
    assert.equal(202, d.status)
    assert.equal("OPERATION_COMPLETE", op("ss", d.body.stack_set_operation_id).status)
    local name = instances("ss")[1].stack_name
    local res = e.rfs("GET", "/stacks/" .. name .. "/resources").body.stack_resources
    assert.equal("v2", res[1].physical_resource_name)
    -- overrides may only name variables of the set
    local bad = e.rfs("PATCH", P .. "/ss/stack-instances", { deployment_targets = targets({ "cn-north-4" }, { e.domain_id }),
      var_overrides = { vars_body = 'other = "x"' } })
    assert.equal(400, bad.status)
    local u = e.rfs("PATCH", P .. "/ss/stack-instances", { deployment_targets = targets({ "cn-north-4" }, { e.domain_id }),
      var_overrides = { vars_body = 'vpc_name = "override"' } })
    assert.equal(202, u.status)
    assert.equal("UPDATE_STACK_INSTANCES", op("ss", u.body.stack_set_operation_id).action)
    res = e.rfs("GET", "/stacks/" .. name .. "/resources").body.stack_resources
    assert.equal("override", res[1].physical_resource_name)
    local show = e.rfs("GET", P .. "/ss/stack-instances/cn-north-4%2F" .. e.domain_id).body
    assert.equal('vpc_name = "override"', show.var_overrides.vars_body)
    -- a set with instances cannot be deleted
    assert.equal(403, e.rfs("DELETE", P .. "/ss").status)
    local del = e.rfs("POST", P .. "/ss/stack-instances/deletion", { deployment_targets = targets({ "cn-north-4" }, { e.domain_id }) })
    assert.equal(202, del.status)
    assert.equal("OPERATION_COMPLETE", op("ss", del.body.stack_set_operation_id).status)
    assert.same({}, instances("ss"))
    assert.equal(404, e.rfs("GET", "/stacks/" .. name .. "/metadata").status)
    assert.equal(204, e.rfs("DELETE", P .. "/ss").status)
    assert.equal(404, e.rfs("GET", P .. "/ss/metadata").status)
  end)

  it("honours failure tolerance and cancels waiting instances", function()
    create_set("ff", { template_body = S.failing_tf() })
    local r = e.rfs("POST", P .. "/ff/stack-instances", {
      deployment_targets = targets({ "cn-north-4", "ap-southeast-1" }, { e.domain_id, e.second.domain_id }),
      operation_preferences = { region_concurrency_type = "SEQUENTIAL", region_order = { "cn-north-4", "ap-southeast-1" },
        failure_tolerance_count = 0, max_concurrent_count = 1 },
    })
    assert.equal(202, r.status)
    local o = op("ff", r.body.stack_set_operation_id)
    assert.equal("OPERATION_FAILED", o.status)
    assert.matches("tolerance", o.status_message)
    local st = {}
    for _, inst in ipairs(instances("ff")) do st[inst.status] = (st[inst.status] or 0) + 1 end
    assert.equal(1, st.OPERATION_FAILED)
    assert.equal(3, st.CANCEL_COMPLETE)
    assert.equal("IDLE", e.rfs("GET", P .. "/ff/metadata").body.status)
  end)

  it("validates targets and preferences", function()
    create_set("ss")
    local T = targets({ "cn-north-4" }, { e.domain_id })
    assert.equal("RF.10011001", e.rfs("POST", P .. "/ss/stack-instances", {}).code)
    assert.equal("RF.10011001", e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = { regions = { "cn-north-4" } } }).code)
    assert.equal("RF.10011027", e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = T,
      operation_preferences = { region_concurrency_type = "RANDOM" } }).code)
    assert.equal("RF.10011093", e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = T,
      operation_preferences = { max_concurrent_count = 1, max_concurrent_percentage = 10 } }).code)
    assert.equal(400, e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = T,
      operation_preferences = { region_order = { "ap-southeast-1" } } }).status)
    for _, call in ipairs({ { "POST", "/ss/deployments" }, { "PATCH", "/ss/stack-instances" },
        { "POST", "/ss/stack-instances/deletion" } }) do -- no such instance yet
      local r = e.rfs(call[1], P .. call[2], { deployment_targets = T })
      assert.equal(400, r.status)
      assert.equal("RF.10011038", r.code)
      assert.matches("no instance for region cn%-north%-4", r.message)
    end
    assert.equal(404, e.rfs("GET", P .. "/ss/operations/" .. string.rep("a", 36) .. "/metadata").status)
    assert.equal(202, e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = T }).status)
    assert.equal(400, e.rfs("POST", P .. "/ss/stack-instances", { deployment_targets = T }).status) -- exists
    assert.equal(400, e.rfs("DELETE", P .. "/ss/stack-instances",
      { deployment_targets = targets({ "cn-east-3" }, { e.domain_id }) }).status)
    -- DELETE with a body (deprecated form)
    local d = e.rfs("DELETE", P .. "/ss/stack-instances", { deployment_targets = T })
    assert.equal(202, d.status)
    assert.equal("DELETE_STACK_INSTANCES", op("ss", d.body.stack_set_operation_id).action)
  end)

  it("refuses an 11th parallel operation before recording its instances", function()
    create_set("par", { managed_operation = { enable_parallel_operation = true } })
    e.slow()
    for i = 1, 10 do
      local r = e.rfs("POST", P .. "/par/stack-instances", { deployment_targets = targets({ "cn-north-4" }, { "dom" .. i }) })
      assert.equal(202, r.status)
    end
    local r = e.rfs("POST", P .. "/par/stack-instances", { deployment_targets = targets({ "cn-north-4" }, { "dom11" }) })
    assert.equal(409, r.status)
    assert.equal("RF.10013506", r.code)
    assert.equal(10, #instances("par"))
    assert.equal(404, e.rfs("GET", P .. "/par/stack-instances/cn-north-4%2Fdom11").status)
  end)

  it("updates stack set metadata", function()
    create_set("ss")
    assert.equal(204, e.rfs("PATCH", P .. "/ss", { stack_set_description = "new",
      managed_operation = { enable_parallel_operation = true } }).status)
    local m = e.rfs("GET", P .. "/ss/metadata").body
    assert.equal("new", m.stack_set_description)
    assert.is_true(m.managed_operation.enable_parallel_operation)
    assert.equal("RF.10011084", e.rfs("PATCH", P .. "/ss", {}).code)
    assert.equal(404, e.rfs("PATCH", P .. "/nope", { stack_set_description = "x" }).status)
  end)
end)
