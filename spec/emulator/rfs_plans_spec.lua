-- RFS execution plans and template analysis in the emulator over real HTTP:
-- CreateExecutionPlan (real diff), List/Get/GetMetadata, Apply (and
-- staleness), Delete, EstimateExecutionPlanPrice, ParseTemplateVariables.

local S = require("spec.emulator.rfs_support")

describe("RFS execution plans (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  local function plan(stack, name, tf, extra)
    local body = { execution_plan_name = name, template_body = tf }
    for k, v in pairs(extra or {}) do body[k] = v end
    return e.rfs("POST", "/stacks/" .. stack .. "/execution-plans", body)
  end

  local function items(stack, name)
    return e.rfs("GET", "/stacks/" .. stack .. "/execution-plans/" .. name).body.execution_plan_items
  end

  it("plans ADD items for an empty stack and becomes AVAILABLE", function()
    e.create("s")
    local r = plan("s", "p1", S.VPC_TF, { description = "first", vars_body = 'vpc_name = "pv"' })
    assert.equal(202, r.status)
    assert.equal(36, #r.body.execution_plan_id)
    local m = e.rfs("GET", "/stacks/s/execution-plans/p1/metadata").body
    assert.equal("AVAILABLE", m.status)
    assert.equal("first", m.description)
    assert.equal('vpc_name = "pv"', m.vars_body)
    assert.same({ resource_add = 1, resource_update = 0, resource_delete = 0, resource_import = 0 }, m.summary)
    local it1 = items("s", "p1")[1]
    assert.equal("ADD", it1.action)
    assert.equal("huaweicloud_vpc", it1.resource_type)
    assert.equal("RESOURCE", it1.mode)
    assert.equal("huaweicloud", it1.provider_name)
    local attrs = {}
    for _, a in ipairs(it1.attributes) do attrs[a.name] = a end
    assert.equal("pv", attrs.name.target_value)
    assert.is_nil(attrs.name.previous_value)
    assert.equal("(will be generated after apply)", attrs.id.target_value)
    -- attributes the provider computes (emu/rfs/schema) are known after apply; unset optional ones are not listed
    assert.equal("(will be generated after apply)", attrs.status.target_value)
    assert.is_nil(attrs.description)
    -- nothing changes on the stack until the plan is applied
    assert.same({}, e.rfs("GET", "/stacks/s/resources").body.stack_resources)
  end)

  it("diffs UPDATE and DELETE against the deployed resources, then applies", function()
    local two = S.VPC_TF .. S.SUBNET_TF
    e.create("s", two)
    local changed = S.VPC_TF:gsub("10.0.0.0/16", "10.7.0.0/16")
    plan("s", "p", changed)
    local by = {}
    for _, it in ipairs(items("s", "p")) do by[it.action] = it end
    assert.truthy(by.UPDATE)
    assert.truthy(by.DELETE)
    assert.is_nil(by.ADD)
    assert.equal(1, #by.UPDATE.attributes)
    assert.same({ name = "cidr", previous_value = "10.0.0.0/16", target_value = "10.7.0.0/16" }, by.UPDATE.attributes[1])
    assert.equal("huaweicloud_vpc_subnet", by.DELETE.resource_type)
    local ap = e.rfs("POST", "/stacks/s/execution-plans/p", {})
    assert.equal(202, ap.status)
    assert.equal(36, #ap.body.deployment_id)
    assert.equal("APPLIED", e.rfs("GET", "/stacks/s/execution-plans/p/metadata").body.status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("s").status)
    local res = e.rfs("GET", "/stacks/s/resources").body.stack_resources
    assert.equal(1, #res)
    assert.truthy(S.find_event(e.events("s", ap.body.deployment_id), "UPDATE_COMPLETE"))
    -- applied plans cannot be applied again
    local again = e.rfs("POST", "/stacks/s/execution-plans/p")
    assert.equal(403, again.status)
    assert.equal("RF.10012543", again.code)
  end)

  it("makes older plans stale after any deployment", function()
    e.create("s", S.VPC_TF)
    plan("s", "a", S.VPC_TF)
    plan("s", "b", S.VPC_TF)
    assert.equal(202, e.rfs("POST", "/stacks/s/execution-plans/a").status)
    local r = e.rfs("POST", "/stacks/s/execution-plans/b")
    assert.equal(403, r.status)
    assert.equal("RF.10012545", r.code)
    plan("s", "c", S.VPC_TF)
    e.rfs("POST", "/stacks/s/deployments", { template_body = S.VPC_TF })
    assert.equal("RF.10012545", e.rfs("POST", "/stacks/s/execution-plans/c").code)
  end)

  it("moves CREATION_IN_PROGRESS -> AVAILABLE in time; no items, no apply, no delete meanwhile", function()
    e.create("s")
    e.slow()
    plan("s", "p", S.VPC_TF)
    local m = e.rfs("GET", "/stacks/s/execution-plans/p/metadata").body
    assert.equal("CREATION_IN_PROGRESS", m.status)
    assert.is_nil(m.summary)
    assert.is_nil(items("s", "p"))
    assert.equal("RF.10012543", e.rfs("POST", "/stacks/s/execution-plans/p").code)
    local d = e.rfs("DELETE", "/stacks/s/execution-plans/p")
    assert.equal(403, d.status)
    assert.equal("RF.10012549", d.code)
    e.fast()
    assert.equal("AVAILABLE", e.rfs("GET", "/stacks/s/execution-plans/p/metadata").body.status)
  end)

  it("shows APPLY_IN_PROGRESS while the applied deployment runs, then APPLIED", function()
    e.create("s")
    plan("s", "p", S.VPC_TF)
    assert.equal("AVAILABLE", e.rfs("GET", "/stacks/s/execution-plans/p/metadata").body.status)
    e.slow()
    assert.equal(202, e.rfs("POST", "/stacks/s/execution-plans/p").status)
    assert.equal("APPLY_IN_PROGRESS", e.rfs("GET", "/stacks/s/execution-plans/p/metadata").body.status)
    assert.equal("DEPLOYMENT_IN_PROGRESS", e.stack("s").status)
    assert.equal("RF.10012549", e.rfs("DELETE", "/stacks/s/execution-plans/p").code)
    e.fast()
    assert.equal("APPLIED", e.rfs("GET", "/stacks/s/execution-plans/p/metadata").body.status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("s").status)
  end)

  it("refuses to apply while the stack is busy", function()
    e.create("s")
    plan("s", "p", S.VPC_TF)
    e.slow()
    e.rfs("POST", "/stacks/s/deployments", { template_body = S.VPC_TF })
    local r = e.rfs("POST", "/stacks/s/execution-plans/p")
    assert.equal(403, r.status)
    assert.equal("RF.10012542", r.code)
    e.fast()
  end)

  it("ends in CREATION_FAILED for a broken template", function()
    e.create("s")
    plan("s", "bad", 'resource "x_y" "z" {\n  a = var.missing\n}\n')
    local m = e.rfs("GET", "/stacks/s/execution-plans/bad/metadata").body
    assert.equal("CREATION_FAILED", m.status)
    assert.matches("undeclared input variable", m.status_message)
    assert.is_nil(items("s", "bad"))
    local l = e.rfs("GET", "/stacks/s/execution-plans").body.execution_plans
    assert.equal("CREATION_FAILED", l[1].status)
  end)

  it("lists newest first, deletes, and answers the documented errors", function()
    e.create("s")
    plan("s", "one", S.VPC_TF)
    local id2 = plan("s", "two", S.VPC_TF).body.execution_plan_id
    local l = e.rfs("GET", "/stacks/s/execution-plans").body
    assert.equal("two", l.execution_plans[1].execution_plan_name)
    assert.equal("s", l.execution_plans[1].stack_name)
    assert.equal(2, l.page_info.current_count)
    assert.equal(409, plan("s", "one", S.VPC_TF).status)
    assert.equal("RF.10013501", plan("s", "one", S.VPC_TF).code)
    assert.equal(404, plan("nostack", "x", S.VPC_TF).status)
    assert.equal("RF.10011056", plan("s", "x", nil).code)
    assert.equal("RF.10011010", plan("s", "-x", S.VPC_TF).code)
    assert.equal("RF.10013002", e.rfs("GET", "/stacks/s/execution-plans/nope/metadata").code)
    local get = e.rfs("GET", "/stacks/s/execution-plans/nope")
    assert.equal(404, get.status)
    assert.equal("RF.10013002", get.code)
    assert.equal("RF.10011018", e.rfs("GET", "/stacks/s/execution-plans/one/metadata?execution_plan_id=" .. id2).code)
    assert.equal(204, e.rfs("DELETE", "/stacks/s/execution-plans/one").status)
    assert.equal(404, e.rfs("DELETE", "/stacks/s/execution-plans/one").status)
    assert.equal(1, #e.rfs("GET", "/stacks/s/execution-plans").body.execution_plans)
    assert.equal(404, e.rfs("GET", "/stacks/zz/execution-plans").status)
  end)

  it("estimates prices of the resources a plan adds", function()
    e.create("s")
    plan("s", "p", [[
resource "huaweicloud_vpc" "v" { name = "v" }
resource "huaweicloud_compute_instance" "vm" {
  name = "vm"
  flavor_id = "s6.small.1"
  charging_mode = "prePaid"
  network { uuid = "5c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d6" }
}
resource "huaweicloud_mystery" "m" { name = "m" }
]])
    local r = e.rfs("GET", "/stacks/s/execution-plans/p/prices")
    assert.equal(200, r.status)
    assert.equal("CNY", r.body.currency)
    local by = {}
    for _, it in ipairs(r.body.items) do by[it.resource_type] = it end
    assert.equal("FREE", by.huaweicloud_vpc.resource_price[1].charge_mode)
    local vm = by.huaweicloud_compute_instance.resource_price[1]
    assert.equal("PRE_PAID", vm.charge_mode)
    assert.equal("MONTH", vm.period_type)
    assert.is_true(vm.sale_price > 0)
    assert.is_false(by.huaweicloud_mystery.supported)
    assert.equal(404, e.rfs("GET", "/stacks/s/execution-plans/none/prices").status)
  end)
end)

describe("RFS ParseTemplateVariables (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)

  it("lists variables with type, default, sensitivity and validations", function()
    local tf = [[
variable "name" {
  type        = string
  description = "the name"
  default     = "x"
  validation {
    condition     = length(var.name) > 0
    error_message = "must not be empty"
  }
}
variable "count_of" {
  type     = number
  nullable = false
}
variable "tags" {
  type    = map(string)
  default = { env = "dev" }
  sensitive = true
}
]]
    local r = e.rfs("POST", "/template-analyses/variables", { template_body = tf })
    assert.equal(200, r.status)
    local v = r.body.variables
    assert.equal(3, #v)
    assert.equal("name", v[1].name)
    assert.equal("string", v[1].type)
    assert.equal("the name", v[1].description)
    assert.equal("x", v[1].default)
    assert.is_false(v[1].sensitive)
    assert.is_true(v[1].nullable)
    assert.equal("length(var.name) > 0", v[1].validations[1].condition)
    assert.equal("must not be empty", v[1].validations[1].error_message)
    assert.is_false(v[2].nullable)
    assert.is_nil(v[2].default)
    assert.equal("map(string)", v[3].type)
    assert.same({ env = "dev" }, v[3].default)
    assert.is_true(v[3].sensitive)
  end)

  it("handles .tf.json, no variables, and bad templates", function()
    local r = e.rfs("POST", "/template-analyses/variables", { template_body = S.VPC_JSON })
    assert.equal("vpc_name", r.body.variables[1].name)
    r = e.rfs("POST", "/template-analyses/variables", { template_body = 'resource "a_b" "c" {}' })
    assert.equal(200, r.status)
    assert.is_nil(r.body.variables)
    r = e.rfs("POST", "/template-analyses/variables", { template_body = 'variable "x" {' })
    assert.equal(400, r.status)
    assert.equal("RF.10011074", r.code)
    assert.equal("RF.10011056", e.rfs("POST", "/template-analyses/variables", {}).code)
    assert.equal("RF.10011001", e.rfs("POST", "/template-analyses/variables", { template_body = "" }, { crid = false }).code)
  end)
end)
