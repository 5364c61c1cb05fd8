-- Private hooks taking effect in the emulator (RFS API
-- reference, private hooks, https://support.huaweicloud.com/api-aos/): a
-- FAIL-mode hook blocks a deployment before any resource changes (ERROR
-- event naming the hook and why, DEPLOYMENT_FAILED, no rollback), a
-- WARN-mode hook only writes an event, plans end CREATION_FAILED, deletions
-- DELETION_FAILED; only hooks with target_stacks ALL run, with their
-- default version; unsupported Rego is refused when the version is made.

local S = require("spec.emulator.rfs_support")

-- forbids creating VPCs whose name does not start with "prod-"
local NAMING = [[
package policy
import rego.v1

bad contains msg if {
  some rc in input.plan.resource_changes
  rc.type == "huaweicloud_vpc"
  some action in rc.actions
  action in {"create", "update"}
  not startswith(rc.after.name, "prod-")
  msg := sprintf("%s: the name %q must start with prod-", [rc.address, rc.after.name])
}

hook_result := {"is_passed": count(bad) == 0, "err_msg": concat("; ", sort(bad))}
]]

-- forbids deleting anything
local NO_DELETE = [[
package policy

deletes := [rc.address | rc := input.plan.resource_changes[_]; rc.actions[_] == "delete"]

hook_result = {"is_passed": false, "err_msg": sprintf("%s may not delete %v", [input.action, deletes])} {
  count(deletes) > 0
}
default hook_result = {"is_passed": true}
]]

local function vpc_tf(name)
  return 'resource "huaweicloud_vpc" "main" {\n  name = "' .. name .. '"\n  cidr = "10.0.0.0/16"\n}\n'
end

describe("RFS private hooks on stacks (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  local function hook(name, policy, mode, target)
    local r = e.rfs("POST", "/v1/private-hooks", { hook_name = name, hook_version = "1.0.0", policy_body = policy,
      configuration = { target_stacks = target or "ALL", failure_mode = mode } })
    assert.equal(201, r.status)
  end

  it("blocks a deployment with a FAIL hook: ERROR event naming the hook and why, nothing created", function()
    hook("naming-hook", NAMING, "FAIL")
    local r = e.create("web", vpc_tf("dev-net"))
    assert.equal(201, r.status)
    local m = e.stack("web")
    assert.equal("DEPLOYMENT_FAILED", m.status)
    assert.matches("naming%-hook", m.status_message)
    local ev = S.find_event(e.events("web"), "ERROR", "naming%-hook")
    assert.truthy(ev)
    assert.matches("version 1%.0%.0", ev.event_message)
    assert.matches("CreateStack", ev.event_message)
    assert.matches('huaweicloud_vpc%.main: the name "dev%-net" must start with prod%-', ev.event_message)
    assert.equal(0, #e.rfs("GET", "/stacks/web/resources").body.stack_resources)
    -- a compliant template passes
    assert.equal(202, e.rfs("POST", "/stacks/web/deployments", { template_body = vpc_tf("prod-net") }).status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("web").status)
    assert.equal(1, #e.rfs("GET", "/stacks/web/resources").body.stack_resources)
    -- an update to a forbidden name is blocked too, the resource stays as it was
    e.rfs("POST", "/stacks/web/deployments", { template_body = vpc_tf("test-net") })
    assert.equal("DEPLOYMENT_FAILED", e.stack("web").status)
    local res = e.rfs("GET", "/stacks/web/resources").body.stack_resources
    assert.equal("prod-net", res[1].physical_resource_name)
  end)

  it("only warns with a WARN hook: a LOG event, the deployment completes", function()
    hook("naming-hook", NAMING, "WARN")
    e.create("web", vpc_tf("dev-net"))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("web").status)
    local ev = S.find_event(e.events("web"), "LOG", "naming%-hook")
    assert.truthy(ev)
    assert.matches("^Warning", ev.event_message)
    assert.matches("must start with prod%-", ev.event_message)
    assert.is_nil(S.find_event(e.events("web"), "ERROR"))
    -- without err_msg the event carries the default text
    hook("quiet-hook", 'package policy\nhook_result := {"is_passed": false}\n', "WARN")
    e.create("web2", vpc_tf("prod-net"))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("web2").status)
    assert.truthy(S.find_event(e.events("web2"), "LOG", "quiet%-hook.*private hook validation failed"))
  end)

  it("ignores hooks targeting NONE and follows the default version", function()
    hook("naming-hook", NAMING, "FAIL", "NONE")
    e.create("a", vpc_tf("dev-net"))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("a").status)
    e.rfs("PATCH", "/v1/private-hooks/naming-hook/metadata", { configuration = { target_stacks = "ALL" } })
    e.create("b", vpc_tf("dev-net"))
    assert.equal("DEPLOYMENT_FAILED", e.stack("b").status)
    -- a new version takes effect only once it is the default
    e.rfs("POST", "/v1/private-hooks/naming-hook/versions", { hook_version = "2.0.0",
      policy_body = "package policy\nhook_result := {\"is_passed\": true}\n" })
    e.create("c", vpc_tf("dev-net"))
    assert.equal("DEPLOYMENT_FAILED", e.stack("c").status)
    e.rfs("PATCH", "/v1/private-hooks/naming-hook/metadata", { default_version = "2.0.0" })
    e.create("d", vpc_tf("dev-net"))
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("d").status)
  end)

  it("fails execution plans and deletions with FAIL hooks", function()
    e.create("web", vpc_tf("prod-net"))
    hook("no-delete-hook", NO_DELETE, "FAIL")
    local plan = e.rfs("POST", "/stacks/web/execution-plans", { execution_plan_name = "p1", template_body = vpc_tf("prod-net") .. "\n" })
    assert.equal(202, plan.status)
    local m = e.rfs("GET", "/stacks/web/execution-plans/p1/metadata").body
    assert.equal("AVAILABLE", m.status)
    e.rfs("POST", "/stacks/web/execution-plans", { execution_plan_name = "p2",
      template_body = 'resource "huaweicloud_vpc" "other" {\n  name = "prod-2"\n}\n' })
    m = e.rfs("GET", "/stacks/web/execution-plans/p2/metadata").body
    assert.equal("CREATION_FAILED", m.status)
    assert.matches("CreateExecutionPlan may not delete %[\"huaweicloud_vpc%.main\"%]", m.status_message)
    assert.equal(202, e.rfs("DELETE", "/stacks/web").status)
    local st = e.stack("web")
    assert.equal("DELETION_FAILED", st.status)
    assert.matches("DeleteStack may not delete", st.status_message)
    assert.equal(1, #e.rfs("GET", "/stacks/web/resources").body.stack_resources)
    -- without the hook the stack goes away
    e.rfs("DELETE", "/v1/private-hooks/no-delete-hook")
    e.rfs("POST", "/stacks/web/deletion", {})
    assert.equal(404, e.rfs("GET", "/stacks/web/metadata").status)
  end)

  it("refuses unsupported Rego when the version is created, naming the reason", function()
    for _, policy in ipairs({
      "package policy\nallowed(x) := true\nhook_result := {\"is_passed\": allowed(1)}",
      "package policy\nhook_result := {\"is_passed\": http.send({\"url\": \"http://x\"}).status_code == 200}",
      "package policy\nhook_result := {\"is_passed\": true} with input as {}",
      "package main\nhook_result := {\"is_passed\": true}",
      "package policy\nhook_result := {\"is_passed\": true",
    }) do
      local r = e.rfs("POST", "/v1/private-hooks", { hook_name = "h", hook_version = "1.0.0", policy_body = policy })
      assert.equal(400, r.status, policy)
      assert.equal("RF.10011171", r.code)
      assert.matches("Rego subset", r.message)
    end
    assert.equal(0, #e.rfs("GET", "/v1/private-hooks").body.hooks)
  end)
end)
