-- Private providers in templates of the emulator (RFS API
-- reference, private providers, https://support.huaweicloud.com/api-aos/): a
-- template requiring huawei.com/private-provider/<name> at a version that
-- exists deploys that provider's resources as generic simulated resources
-- (no FunctionGraph call); an unknown provider or version fails the plan
-- and the deployment.

local S = require("spec.emulator.rfs_support")

local function tf(source, version)
  return ([[
terraform {
  required_providers {
    myprov = {
      source  = "%s"
      version = "%s"
    }
  }
}
resource "myprov_widget" "w" {
  name = "gadget"
  size = 3
}
output "widget_id" {
  value = myprov_widget.w.id
}
]]):format(source, version)
end

describe("RFS private providers in templates (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function()
    e.reset()
    local urn = "urn:fss:" .. e.region .. ":0123456789abcdef0123456789abcdef:function:default:myprov"
    assert.equal(201, e.rfs("POST", "/v1/private-providers",
      { provider_name = "myprov", provider_version = "1.0.0", function_graph_urn = urn }).status)
  end)

  it("deploys the resources of an existing provider version as generic resources", function()
    e.create("w", tf("huawei.com/private-provider/myprov", "1.0.0"))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("w").status)
    local res = e.rfs("GET", "/stacks/w/resources").body.stack_resources
    assert.equal(1, #res)
    assert.equal("myprov_widget", res[1].logical_resource_type)
    assert.equal("gadget", res[1].physical_resource_name)
    assert.equal(36, #res[1].physical_resource_id)
    -- .tf.json, required_providers as an array as in Huawei's sample
    e.create("wj", [[{"terraform": {"required_providers": [{"myprov": {"source": "huawei.com/private-provider/myprov", "version": "1.0.0"}}]},
      "resource": {"myprov_widget": {"w": {"name": "json"}}}}]])
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("wj").status)
    e.create("wj2", [[{"terraform": {"required_providers": {"myprov": {"source": "huawei.com/private-provider/myprov", "version": "3.0.0"}}},
      "resource": {"myprov_widget": {"w": {"name": "json"}}}}]])
    assert.matches("no version 3%.0%.0", e.stack("wj2").status_message)
    -- the source may use upper case after the fixed prefix
    e.create("w2", tf("huawei.com/private-provider/MyProv", "1.0.0"))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("w2").status)
  end)

  it("fails the plan and the deployment for an unknown provider or version", function()
    e.create("w")
    e.rfs("POST", "/stacks/w/execution-plans", { execution_plan_name = "p1",
      template_body = tf("huawei.com/private-provider/myprov", "2.0.0") })
    local p = e.rfs("GET", "/stacks/w/execution-plans/p1/metadata").body
    assert.equal("CREATION_FAILED", p.status)
    assert.matches("myprov has no version 2%.0%.0", p.status_message)
    e.rfs("POST", "/stacks/w/execution-plans", { execution_plan_name = "p2",
      template_body = tf("huawei.com/private-provider/other", "1.0.0") })
    assert.matches("private provider other .*does not exist", e.rfs("GET", "/stacks/w/execution-plans/p2/metadata").body.status_message)
    e.rfs("POST", "/stacks/w/deployments", { template_body = tf("huawei.com/private-provider/myprov", ">= 1.0.0") })
    local m = e.stack("w")
    assert.equal("DEPLOYMENT_FAILED", m.status)
    assert.matches("exact version", m.status_message)
    assert.truthy(S.find_event(e.events("w"), "ERROR", "exact version"))
    -- deleting the version breaks later runs
    e.rfs("DELETE", "/v1/private-providers/myprov/versions/1.0.0")
    e.create("x", tf("huawei.com/private-provider/myprov", "1.0.0"))
    assert.equal("DEPLOYMENT_FAILED", e.stack("x").status)
  end)
end)
