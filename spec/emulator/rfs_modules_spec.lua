-- Private modules taking effect in the emulator (RFS API
-- reference, private modules, https://support.huaweicloud.com/api-aos/): a
-- template's module block with an rf:// source loads the module version's
-- package; its resources deploy with module addresses (resources, events,
-- plans), inputs and outputs flow; upgrading to a second version shows the
-- diff in an execution plan; a missing module or version fails the run.

local S = require("spec.emulator.rfs_support")
local zip = require("hwcloud.zip")

local V1 = [[
variable "name" {
  type = string
}
resource "huaweicloud_vpc" "this" {
  name = var.name
  cidr = "10.0.0.0/16"
}
output "vpc_id" {
  value = huaweicloud_vpc.this.id
}
]]

-- 2.0.0: a wider CIDR and a subnet
local V2 = [[
variable "name" {
  type = string
}
variable "subnet_cidr" {
  type    = string
  default = "10.0.1.0/24"
}
resource "huaweicloud_vpc" "this" {
  name = var.name
  cidr = "10.0.0.0/8"
}
resource "huaweicloud_vpc_subnet" "this" {
  name   = "${var.name}-subnet"
  cidr       = var.subnet_cidr
  gateway_ip = cidrhost(var.subnet_cidr, 1)
  vpc_id     = huaweicloud_vpc.this.id
}
output "vpc_id" {
  value = huaweicloud_vpc.this.id
}
]]

describe("RFS private modules in templates (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  local function publish(version, tf, name)
    local up = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=net.zip", headers = {},
      body = zip.build({ { name = "main.tf", data = tf }, { name = "README.md", data = "net module" } }) })
    name = name or "net_base"
    if e.rfs("GET", "/v1/private-modules/" .. name .. "/metadata").status == 404 then
      assert.equal(201, e.rfs("POST", "/v1/private-modules", { module_name = name }).status)
    end
    assert.equal(201, e.rfs("POST", "/v1/private-modules/" .. name .. "/versions",
      { module_version = version, module_uri = up.body.url }).status)
    return e.rfs("GET", "/v1/private-modules/" .. name .. "/versions/" .. version .. "/metadata").body.module_source
  end

  -- the blocks huaweicloud_vpc_eip requires (the provider's schema), and its end
  local EIP_BLOCKS = '  publicip {\n    type = "5_bgp"\n  }\n  bandwidth {\n    share_type = "PER"\n    size       = 5\n  }\n}\n'

  local function stack_tf(source, name)
    return 'module "net" {\n  source = "' .. source .. '"\n  name   = "' .. (name or "prod-net") .. '"\n}\n' ..
      'resource "huaweicloud_vpc_eip" "ip" {\n  name        = "ip"\n  description = module.net.vpc_id\n' .. EIP_BLOCKS ..
      'output "vpc_id" {\n  value = module.net.vpc_id\n}\n'
  end

  local function addresses(stack)
    local out = {}
    for _, r in ipairs(e.rfs("GET", "/stacks/" .. stack .. "/resources").body.stack_resources) do
      out[#out + 1] = r.logical_resource_type .. "." .. r.logical_resource_name
    end
    table.sort(out)
    return out
  end

  it("deploys a module version with module addresses, inputs and outputs, then upgrades through a plan", function()
    local src1 = publish("1.0.0", V1)
    local src2 = publish("2.0.0", V2)
    e.create("web", stack_tf(src1))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("web").status)
    assert.same({ "huaweicloud_vpc.module.net.this", "huaweicloud_vpc_eip.ip" }, addresses("web"))
    local res = e.rfs("GET", "/stacks/web/resources").body.stack_resources
    local vpc_id
    for _, r in ipairs(res) do
      if r.logical_resource_type == "huaweicloud_vpc" then
        vpc_id = r.physical_resource_id
        assert.equal("prod-net", r.physical_resource_name)
      end
    end
    local outputs = e.rfs("GET", "/stacks/web/outputs").body.outputs
    assert.equal('"' .. vpc_id .. '"', outputs[1].value)
    assert.truthy(S.find_event(e.events("web"), "CREATION_COMPLETE", "^module%.net%.huaweicloud_vpc%.this: Creation complete"))

    -- the plan of the upgrade shows the module's diff
    assert.equal(202, e.rfs("POST", "/stacks/web/execution-plans", { execution_plan_name = "upgrade", template_body = stack_tf(src2) }).status)
    local items = e.rfs("GET", "/stacks/web/execution-plans/upgrade").body.execution_plan_items
    local by = {}
    for _, it in ipairs(items) do by[it.resource_type .. "." .. it.resource_name] = it end
    local upd = by["huaweicloud_vpc.module.net.this"]
    assert.equal("UPDATE", upd.action)
    assert.equal("cidr", upd.attributes[1].name)
    assert.equal("10.0.0.0/16", upd.attributes[1].previous_value)
    assert.equal("10.0.0.0/8", upd.attributes[1].target_value)
    assert.equal("ADD", by["huaweicloud_vpc_subnet.module.net.this"].action)
    assert.is_nil(by["huaweicloud_vpc_eip.ip"]) -- unchanged
    -- price items name the module apart (RFS API reference,
    -- EstimateExecutionPlanPrice module_address)
    local prices = e.rfs("GET", "/stacks/web/execution-plans/upgrade/prices").body.items
    assert.equal(1, #prices)
    assert.equal("module.net", prices[1].module_address)
    assert.equal("this", prices[1].resource_name)
    assert.equal("huaweicloud_vpc_subnet", prices[1].resource_type)
    assert.equal(202, e.rfs("POST", "/stacks/web/execution-plans/upgrade", {}).status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("web").status)
    assert.same({ "huaweicloud_vpc.module.net.this", "huaweicloud_vpc_eip.ip", "huaweicloud_vpc_subnet.module.net.this" },
      addresses("web"))
    -- the VPC was updated in place, not replaced
    for _, r in ipairs(e.rfs("GET", "/stacks/web/resources").body.stack_resources) do
      if r.logical_resource_type == "huaweicloud_vpc" then assert.equal(vpc_id, r.physical_resource_id) end
    end
    -- back to 1.0.0: the subnet goes away
    e.rfs("POST", "/stacks/web/deployments", { template_body = stack_tf(src1) })
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("web").status)
    assert.same({ "huaweicloud_vpc.module.net.this", "huaweicloud_vpc_eip.ip" }, addresses("web"))
  end)

  it("deploys a .zip template whose local modules call each other (source = \"./modules/x\")", function()
    local bytes = zip.build({
      { name = "main.tf", data = 'module "app" {\n  source = "./modules/app"\n  prefix = "z"\n}\n' ..
        'output "ids" {\n  value = module.app.ids\n}\n' },
      { name = "modules/app/main.tf", data = 'variable "prefix" {\n  type = string\n}\n' ..
        'module "net" {\n  source = "../net"\n  name = "${var.prefix}-net"\n}\n' ..
        'resource "huaweicloud_vpc_eip" "ip" {\n  name = "${var.prefix}-ip"\n' .. EIP_BLOCKS ..
        'output "ids" {\n  value = [module.net.vpc_id, huaweicloud_vpc_eip.ip.id]\n}\n' },
      { name = "modules/net/main.tf", data = V1 },
    })
    local up = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=stack.zip", headers = {}, body = bytes })
    assert.equal(201, e.rfs("POST", "/stacks", { stack_name = "z", template_uri = up.body.url }).status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("z").status)
    assert.same({ "huaweicloud_vpc.module.app.module.net.this", "huaweicloud_vpc_eip.module.app.ip" }, addresses("z"))
    local ids = S.json.decode(e.rfs("GET", "/stacks/z/outputs").body.outputs[1].value)
    assert.equal(2, #ids)
    -- a local source outside the zip, or without a zip, fails the deployment
    e.create("y", 'module "m" {\n  source = "./modules/net"\n  name = "a"\n}\n')
    assert.matches("needs a %.zip template", e.stack("y").status_message)
    local bad = zip.build({ { name = "main.tf", data = 'module "m" {\n  source = "../outside"\n}\n' } })
    up = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=bad.zip", headers = {}, body = bad })
    e.rfs("POST", "/stacks", { stack_name = "x", template_uri = up.body.url })
    assert.matches("leaves the template's directory", e.stack("x").status_message)
    local notf = zip.build({ { name = "README.md", data = "x" } })
    up = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=notf.zip", headers = {}, body = notf })
    assert.equal("RF.10011157", e.rfs("POST", "/stacks", { stack_name = "w", template_uri = up.body.url }).code)
  end)

  it("reads module calls of .tf.json templates", function()
    local src = publish("1.0.0", V1)
    e.create("j", '{"module": {"net": {"source": "' .. src .. '", "name": "json-net"}},' ..
      ' "output": {"vpc_id": {"value": "${module.net.vpc_id}"}}}')
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("j").status)
    assert.same({ "huaweicloud_vpc.module.net.this" }, addresses("j"))
    assert.matches("^\"%x+%-", e.rfs("GET", "/stacks/j/outputs").body.outputs[1].value)
  end)

  it("shows module resources to hooks with module_address", function()
    local src = publish("1.0.0", V1)
    e.rfs("POST", "/v1/private-hooks", { hook_name = "mod-hook", hook_version = "1.0.0",
      configuration = { target_stacks = "ALL", failure_mode = "FAIL" },
      policy_body = 'package policy\nimport rego.v1\nmods := {rc.module_address | some rc in input.plan.resource_changes; rc.module_address}\n' ..
        'hook_result := {"is_passed": count(mods) == 0, "err_msg": sprintf("modules used: %v", [mods])}\n' })
    e.create("web", stack_tf(src))
    local m = e.stack("web")
    assert.equal("DEPLOYMENT_FAILED", m.status)
    assert.matches('modules used: {"module.net"}', m.status_message)
  end)

  it("fails the deployment or plan when the module or version is missing, or the inputs are wrong", function()
    local src = publish("1.0.0", V1)
    e.create("a", stack_tf(src:gsub("1%.0%.0$", "9.9.9")))
    local m = e.stack("a")
    assert.equal("DEPLOYMENT_FAILED", m.status)
    assert.matches("Module version not found", m.status_message)
    assert.truthy(S.find_event(e.events("a"), "ERROR", "net_base has no version 9%.9%.9"))
    e.create("b", stack_tf(src:gsub("/net_base%?", "/nothing?")))
    assert.matches("the private module nothing of", e.stack("b").status_message)
    e.create("c", stack_tf(src:gsub("==", ">=")))
    assert.matches("exact version", e.stack("c").status_message)
    e.create("d", 'module "net" {\n  source = "' .. src .. '"\n}\n')
    assert.matches('argument "name" is required by module%.net', e.stack("d").status_message)
    e.create("f", 'module "net" {\n  source = "' .. src .. '"\n  name = "x"\n  colour = "red"\n}\n')
    assert.matches('argument named "colour"', e.stack("f").status_message)
    -- a plan fails the same way; deleting the module breaks the next deployment only
    e.create("g", stack_tf(src))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("g").status)
    e.rfs("DELETE", "/v1/private-modules/net_base")
    e.rfs("POST", "/stacks/g/execution-plans", { execution_plan_name = "p", template_body = stack_tf(src) })
    local p = e.rfs("GET", "/stacks/g/execution-plans/p/metadata").body
    assert.equal("CREATION_FAILED", p.status)
    assert.matches("does not exist", p.status_message)
    assert.equal(2, #e.rfs("GET", "/stacks/g/resources").body.stack_resources)
  end)
end)
