-- RFS stacks in the emulator over real HTTP: CreateStack, ListStacks,
-- GetStackMetadata, UpdateStack, DeleteStack(Enhanced), DeployStack,
-- Continue*, GetStackTemplate, events, resources, outputs, and the stack
-- state machine (progress in time, failures, rollback, deletion protection).

local S = require("spec.emulator.rfs_support")

describe("RFS stacks (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  describe("CreateStack", function()
    it("creates an empty stack in CREATION_COMPLETE without a deployment", function()
      local r = e.create("empty")
      assert.equal(201, r.status)
      assert.equal(36, #r.body.stack_id)
      assert.is_nil(r.body.deployment_id)
      local m = e.stack("empty")
      assert.equal("CREATION_COMPLETE", m.status)
      assert.equal(r.body.stack_id, m.stack_id)
      assert.is_false(m.enable_auto_rollback)
      assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", m.create_time)
      local t = e.rfs("GET", "/stacks/empty/templates")
      assert.equal(404, t.status)
      assert.equal("RF.10013023", t.code)
    end)

    it("deploys an HCL template: resources, outputs (sensitive masked), events, template", function()
      local r = e.create("web", S.VPC_TF, { vars_structure = { { var_key = "vpc_name", var_value = "prod-vpc" } } })
      assert.equal(201, r.status)
      local dep = r.body.deployment_id
      assert.equal(36, #dep)
      local m = e.stack("web")
      assert.equal("DEPLOYMENT_COMPLETE", m.status)
      assert.same({ { var_key = "vpc_name", var_value = "prod-vpc" } }, m.vars_structure)

      local res = e.rfs("GET", "/stacks/web/resources").body.stack_resources
      assert.equal(1, #res)
      assert.equal("huaweicloud_vpc", res[1].logical_resource_type)
      assert.equal("main", res[1].logical_resource_name)
      assert.equal("prod-vpc", res[1].physical_resource_name)
      assert.equal("CREATION_COMPLETE", res[1].resource_status)
      local attrs = {}
      for _, a in ipairs(res[1].resource_attributes) do attrs[a.key] = a.value end
      assert.equal("10.0.0.0/16", attrs.cidr)
      assert.equal(res[1].physical_resource_id, attrs.id)

      local outs = {}
      for _, o in ipairs(e.rfs("GET", "/stacks/web/outputs").body.outputs) do outs[o.name] = o end
      assert.equal('"' .. res[1].physical_resource_id .. '"', outs.vpc_id.value)
      assert.equal("string", outs.vpc_id.type)
      assert.equal("the VPC id", outs.vpc_id.description)
      assert.equal('"prod-vpc-x"', outs.name.value)
      assert.equal("<sensitive>", outs.secret.value)
      assert.equal("<sensitive>", outs.secret.type)
      assert.is_true(outs.secret.sensitive)

      local evs = e.events("web", dep)
      assert.truthy(S.find_event(evs, "CREATION_COMPLETE"))
      assert.truthy(S.find_event(evs, "SUMMARY", "1 added, 0 changed, 0 destroyed"))
      local c = S.find_event(evs, "CREATION_COMPLETE")
      assert.equal("id", c.resource_id_key)
      assert.equal(res[1].physical_resource_id, c.resource_id_value)

      local t = e.rfs("GET", "/stacks/web/templates")
      assert.equal(307, t.status)
      local loc = t.headers["Location"]
      assert.matches("/_rfs/blobs/.+/main%.tf$", loc)
      local got = e.send({ method = "GET", url = loc, headers = {} })
      assert.equal(200, got.status)
      assert.equal(S.VPC_TF, got.raw_body)
    end)

    it("deploys a .tf.json template", function()
      local r = e.create("js", S.VPC_JSON, { vars_body = 'vpc_name = "from-tfvars"' })
      assert.equal(201, r.status)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("js").status)
      local outs = e.rfs("GET", "/stacks/js/outputs").body.outputs
      local by = {}
      for _, o in ipairs(outs) do by[o.name] = o.value end
      assert.equal('"from-tfvars-x"', by.name)
      local t = e.rfs("GET", "/stacks/js/templates")
      assert.matches("main%.tf%.json$", t.headers["Location"])
    end)

    it("accepts a template_uri the emulator served (upload to /_rfs/blobs)", function()
      local up = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=main.tf", headers = {}, body = S.VPC_TF })
      assert.equal(201, up.status)
      local r = e.rfs("POST", "/stacks", { stack_name = "byuri", template_uri = up.body.url })
      assert.equal(201, r.status)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("byuri").status)
      -- an unknown blob answers like OBS: 404 NoSuchKey
      local missing = e.send({ method = "GET", url = up.body.url:gsub("/_rfs/blobs/[^/]+/", "/_rfs/blobs/nope/") })
      assert.equal(404, missing.status)
      assert.matches("NoSuchKey", missing.body)
    end)

    it("refuses URLs it cannot fetch and bad URL shapes", function()
      local r = e.rfs("POST", "/stacks", { stack_name = "x", template_uri = "https://bucket.obs.example.com/a.tf" })
      assert.equal(400, r.status)
      assert.equal("RF.10011074", r.code)
      r = e.rfs("POST", "/stacks", { stack_name = "x", template_uri = "ftp://bucket/a.txt" })
      assert.equal("RF.10011035", r.code)
    end)

    it("validates the request", function()
      local cases = {
        { nil, { stack_name = "ok" }, "RF.10011001", { crid = false } },
        { nil, { stack_name = "ok" }, "RF.10011006", { crid = "short" } },
        { nil, { stack_name = "1abc" }, "RF.10011010" },
        { nil, { stack_name = "a b" }, "RF.10011010" },
        { nil, { stack_name = string.rep("a", 129) }, "RF.10011005" },
        { nil, {}, "RF.10011001" },
        { nil, { stack_name = "ok", template_body = "x", template_uri = "https://a/b.tf" }, "RF.10011003" },
        { nil, { stack_name = "ok", bogus = 1 }, "RF.10011002" },
        { nil, { stack_name = "ok", vars_body = 'a = 1' }, "RF.10011056" },
        { nil, { stack_name = "ok", enable_auto_rollback = "yes" }, "RF.10011038" },
        { nil, { stack_name = "ok", description = string.rep("d", 1025) }, "RF.10011005" },
        { nil, { stack_name = "ok", agencies = { { provider_name = "huaweicloud", agency_name = "a" },
                                                  { provider_name = "huaweicloud", agency_name = "b" } } }, "RF.10011065" },
        { nil, { stack_name = "ok", template_body = S.VPC_TF, vars_body = 'vpc_name = "a"',
                 vars_structure = { { var_key = "vpc_name", var_value = "b" } } }, "RF.10011093" },
        { nil, { stack_name = "ok", template_body = S.VPC_TF, vars_structure = { { var_key = "1x", var_value = "b" } } }, "RF.10011039" },
        { nil, { stack_name = "ok", template_body = S.VPC_TF, vars_body = 'vpc_name = ' }, "RF.10011051" },
        { nil, { stack_name = "ok", agencies = { provider_name = "huaweicloud" } }, "RF.10011055" },
        { nil, { stack_name = "ok", agencies = { "huaweicloud" } }, "RF.10011038" },
        { nil, { stack_name = "ok", agencies = { { provider_name = "huaweicloud", agency_name = "a", role = "x" } } }, "RF.10011002" },
        { nil, { stack_name = "ok", agencies = (function()
          local l = {}
          for i = 1, 11 do l[i] = { provider_name = "p" .. i, agency_name = "a" } end
          return l
        end)() }, "RF.10011005" },
        { nil, { stack_name = "ok", template_body = S.VPC_TF,
                 vars_structure = { { var_key = "vpc_name", var_value = "b", secret = true } } }, "RF.10011002" },
      }
      for i, c in ipairs(cases) do
        local r = e.rfs("POST", "/stacks", c[2], c[4])
        assert.equal(400, r.status, "case " .. i)
        assert.equal(c[3], r.code, "case " .. i .. ": " .. tostring(r.message))
      end
      local r = e.call("POST", "/v1/" .. e.project_id .. "/stacks", "{not json",
        { headers = { { "Client-Request-Id", S.crid() } } })
      assert.equal(400, r.status)
      assert.equal("RF.10011033", r.code)
    end)

    it("accepts a Chinese stack name", function()
      assert.equal(201, e.create("栈_一").status)
    end)

    it("refuses a name already used (409) but allows reuse after deletion", function()
      local first = e.create("dup").body.stack_id
      local r = e.create("dup")
      assert.equal(409, r.status)
      assert.equal("RF.10013502", r.code)
      assert.equal(202, e.rfs("DELETE", "/stacks/dup").status)
      local again = e.create("dup")
      assert.equal(201, again.status)
      assert.not_equal(first, again.body.stack_id)
      local g = e.rfs("GET", "/stacks/dup/metadata?stack_id=" .. first)
      assert.equal(400, g.status)
      assert.equal("RF.10011015", g.code)
    end)
  end)

  describe("ListStacks", function()
    it("lists newest first with marker pagination", function()
      for _, n in ipairs({ "a1", "a2", "a3" }) do e.create(n) end
      local r = e.rfs("GET", "/stacks")
      assert.equal(200, r.status)
      assert.equal(3, #r.body.stacks)
      assert.equal(3, r.body.page_info.current_count)
      local p1 = e.rfs("GET", "/stacks?limit=2").body
      assert.equal(2, #p1.stacks)
      assert.truthy(p1.page_info.next_marker)
      local p2 = e.rfs("GET", "/stacks?limit=2&marker=" .. p1.page_info.next_marker).body
      assert.equal(1, #p2.stacks)
      assert.is_nil(p2.page_info.next_marker)
      local names = {}
      for _, s in ipairs(p1.stacks) do names[#names + 1] = s.stack_name end
      names[#names + 1] = p2.stacks[1].stack_name
      assert.same({ "a3", "a2", "a1" }, names)
    end)

    it("returns an empty array and rejects a bad limit", function()
      local r = e.rfs("GET", "/stacks")
      assert.same({}, r.body.stacks)
      assert.equal("[]", r.raw_body:match('"stacks":(%[%])'))
      assert.equal("RF.10011005", e.rfs("GET", "/stacks?limit=101").code)
      assert.equal("RF.10011036", e.rfs("GET", "/stacks?limit=x").code)
      assert.equal("RF.10011038", e.rfs("GET", "/stacks?marker=nope").code)
      assert.equal("RF.10011001", e.rfs("GET", "/stacks", nil, { crid = false }).code)
    end)
  end)

  describe("GetStackMetadata", function()
    it("answers 404 RF.10013001 for an unknown stack", function()
      local r = e.rfs("GET", "/stacks/nope/metadata")
      assert.equal(404, r.status)
      assert.equal("RF.10013001", r.code)
    end)
  end)

  describe("UpdateStack", function()
    it("changes only the given fields", function()
      e.create("u", nil, { description = "one" })
      local r = e.rfs("PATCH", "/stacks/u", { enable_deletion_protection = true,
        agencies = { { provider_name = "huaweicloud", agency_name = "rfs_agency" } } })
      assert.equal(204, r.status)
      local m = e.stack("u")
      assert.equal("one", m.description)
      assert.is_true(m.enable_deletion_protection)
      assert.equal("rfs_agency", m.agencies[1].agency_name)
    end)

    it("refuses an empty update and a wrong stack_id", function()
      e.create("u")
      assert.equal("RF.10011084", e.rfs("PATCH", "/stacks/u", {}).code)
      local r = e.rfs("PATCH", "/stacks/u", { description = "x", stack_id = string.rep("0", 36) })
      assert.equal("RF.10011015", r.code)
      assert.equal(404, e.rfs("PATCH", "/stacks/none", { description = "x" }).status)
    end)
  end)

  describe("state machine", function()
    it("moves DEPLOYMENT_IN_PROGRESS -> DEPLOYMENT_COMPLETE in time and refuses changes meanwhile", function()
      e.slow()
      local r = e.create("slow", S.VPC_TF)
      assert.equal(201, r.status)
      local m = e.stack("slow")
      assert.equal("DEPLOYMENT_IN_PROGRESS", m.status)
      -- busy: documented 403s
      local u = e.rfs("PATCH", "/stacks/slow", { description = "x" })
      assert.equal(403, u.status)
      assert.equal("RF.10012519", u.code)
      local d = e.rfs("DELETE", "/stacks/slow")
      assert.equal(403, d.status)
      assert.equal("RF.10012544", d.code)
      assert.equal(403, e.rfs("POST", "/stacks/slow/deployments", { template_body = S.VPC_TF }).status)
      assert.equal(403, e.rfs("POST", "/stacks/slow/execution-plans",
        { execution_plan_name = "p", template_body = S.VPC_TF }).status)
      -- outputs are empty and there is no template yet while in progress
      assert.same({}, e.rfs("GET", "/stacks/slow/outputs").body.outputs)
      assert.equal(404, e.rfs("GET", "/stacks/slow/templates").status)
      e.fast()
      m = e.stack("slow")
      assert.equal("DEPLOYMENT_COMPLETE", m.status)
      assert.equal(3, #e.rfs("GET", "/stacks/slow/outputs").body.outputs)
    end)

    it("progresses step by step as the clock advances", function()
      e.settings({ speed = 1, delays = { rfs_prepare = 30, rfs_resource = 30, rfs_finish = 0 } })
      e.create("timed", S.VPC_TF)
      assert.equal("DEPLOYMENT_IN_PROGRESS", e.stack("timed").status)
      assert.same({}, e.rfs("GET", "/stacks/timed/resources").body.stack_resources)
      e.advance(31)
      local res = e.rfs("GET", "/stacks/timed/resources").body.stack_resources
      assert.equal(1, #res)
      assert.is_nil(res[1].resource_attributes)
      assert.equal("DEPLOYMENT_IN_PROGRESS", e.stack("timed").status)
      e.advance(30)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("timed").status)
      local evs = e.events("timed")
      assert.truthy(S.find_event(evs, "CREATION_IN_PROGRESS"))
    end)

    it("shows the previous template while a redeployment runs", function()
      e.create("tpl", S.VPC_TF)
      e.slow()
      local new_tf = S.VPC_TF:gsub("10.0.0.0/16", "10.1.0.0/16")
      assert.equal(202, e.rfs("POST", "/stacks/tpl/deployments", { template_body = new_tf }).status)
      local loc = e.rfs("GET", "/stacks/tpl/templates").headers["Location"]
      assert.equal(S.VPC_TF, e.send({ method = "GET", url = loc, headers = {} }).raw_body)
      e.fast()
      loc = e.rfs("GET", "/stacks/tpl/templates").headers["Location"]
      assert.equal(new_tf, e.send({ method = "GET", url = loc, headers = {} }).raw_body)
    end)

    it("DeployStack diffs: updates changed resources and destroys removed ones", function()
      local two = S.VPC_TF .. S.SUBNET_TF
      e.create("d", two)
      local before = e.rfs("GET", "/stacks/d/resources").body.stack_resources
      assert.equal(2, #before)
      local changed = S.VPC_TF:gsub("10.0.0.0/16", "10.9.0.0/16")
      local r = e.rfs("POST", "/stacks/d/deployments", { template_body = changed })
      assert.equal(202, r.status)
      local evs = e.events("d", r.body.deployment_id)
      assert.truthy(S.find_event(evs, "UPDATE_COMPLETE"))
      assert.truthy(S.find_event(evs, "DELETION_IN_PROGRESS", "huaweicloud_vpc_subnet%.%w+: Destroying%.%.%. %[id="))
      assert.truthy(S.find_event(evs, "DELETION_COMPLETE", ": Destruction complete after %d+s$"))
      assert.truthy(S.find_event(evs, "SUMMARY", "0 added, 1 changed, 1 destroyed"))
      local after = e.rfs("GET", "/stacks/d/resources").body.stack_resources
      assert.equal(1, #after)
      assert.equal(before[1].physical_resource_id, after[1].physical_resource_id)
      assert.equal("UPDATE_COMPLETE", after[1].resource_status)
    end)

    it("DeployStack validates its body", function()
      e.create("d")
      assert.equal("RF.10011056", e.rfs("POST", "/stacks/d/deployments", {}).code)
      assert.equal("RF.10011032", e.rfs("POST", "/stacks/d/deployments").code)
      assert.equal("RF.10011003", e.rfs("POST", "/stacks/d/deployments", { template_body = "a", template_uri = "https://x/a.tf" }).code)
      assert.equal(404, e.rfs("POST", "/stacks/zz/deployments", { template_body = S.VPC_TF }).status)
    end)

    it("fails a deployment with a syntax error, with an ERROR event saying why", function()
      local r = e.create("syn", 'resource "huaweicloud_vpc" "v" {\n  name = \n}\n')
      local m = e.stack("syn")
      assert.equal("DEPLOYMENT_FAILED", m.status)
      assert.matches("Failed to parse the template", m.status_message)
      local err = S.find_event(e.events("syn", r.body.deployment_id), "ERROR")
      assert.matches("main%.tf:2", err.event_message)
      local bad_json = e.create("synj", '{"resource": {"a_b": {"c": {"x": }}}}')
      assert.equal(201, bad_json.status)
      assert.equal("DEPLOYMENT_FAILED", e.stack("synj").status)
    end)

    it("fails a deployment with a missing variable", function()
      e.create("miss", 'variable "need" {}\nresource "huaweicloud_vpc" "v" {\n  name = var.need\n}\n')
      local m = e.stack("miss")
      assert.equal("DEPLOYMENT_FAILED", m.status)
      assert.matches("No value for required variable", m.status_message)
      assert.truthy(S.find_event(e.events("miss"), "ERROR", "need"))
      assert.same({}, e.rfs("GET", "/stacks/miss/resources").body.stack_resources)
    end)

    it("fails on an injected resource failure and continues the deployment", function()
      local r = e.create("inj", S.failing_tf("emulator_fail = 1"))
      local m = e.stack("inj")
      assert.equal("DEPLOYMENT_FAILED", m.status)
      assert.matches("huaweicloud_vpc_subnet.bad", m.status_message)
      local res = e.rfs("GET", "/stacks/inj/resources").body.stack_resources
      local st = {}
      for _, x in ipairs(res) do st[x.logical_resource_name] = x.resource_status end
      assert.equal("CREATION_COMPLETE", st.ok)
      assert.equal("CREATION_FAILED", st.bad)
      local evs = e.events("inj", r.body.deployment_id)
      assert.truthy(S.find_event(evs, "CREATION_FAILED"))
      assert.truthy(S.find_event(evs, "ERROR", "injected failure"))
      -- S8 only from DEPLOYMENT_FAILED; the second attempt succeeds
      local c = e.rfs("POST", "/stacks/inj/continuations", {})
      assert.equal(202, c.status)
      assert.not_equal(r.body.deployment_id, c.body.deployment_id)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("inj").status)
      local again = e.rfs("POST", "/stacks/inj/continuations")
      assert.equal(403, again.status)
      assert.equal("RF.10012547", again.code)
      -- auto-rollback cannot be enabled in a *_FAILED state
      e.create("inj2", S.failing_tf())
      local u = e.rfs("PATCH", "/stacks/inj2", { enable_auto_rollback = true })
      assert.equal(403, u.status)
      assert.equal("RF.10012546", u.code)
    end)

    it("fails resources whose type is listed in rfs_fail_types", function()
      e.settings({ rfs_fail_types = { "huaweicloud_vpc" } })
      e.create("cfg", S.VPC_TF)
      local m = e.stack("cfg")
      assert.equal("DEPLOYMENT_FAILED", m.status)
      assert.matches("rfs_fail_types", m.status_message)
    end)

    it("rolls back automatically to the last stable state", function()
      e.create("rb", S.VPC_TF, { enable_auto_rollback = true })
      local before = e.rfs("GET", "/stacks/rb/resources").body.stack_resources
      local r = e.rfs("POST", "/stacks/rb/deployments", { template_body = S.failing_tf() })
      local m = e.stack("rb")
      assert.equal("ROLLBACK_COMPLETE", m.status)
      local after = e.rfs("GET", "/stacks/rb/resources").body.stack_resources
      assert.equal(1, #after)
      assert.equal(before[1].physical_resource_id, after[1].physical_resource_id)
      local evs = e.events("rb", r.body.deployment_id)
      assert.truthy(S.find_event(evs, "ERROR"))
      assert.truthy(S.find_event(evs, "SUMMARY", "Rollback complete"))
      assert.equal(3, #e.rfs("GET", "/stacks/rb/outputs").body.outputs)
    end)

    it("shows ROLLBACK_IN_PROGRESS while the rollback runs", function()
      e.create("rbs", S.VPC_TF, { enable_auto_rollback = true })
      e.settings({ speed = 1, delays = { rfs_prepare = 0, rfs_resource = 0, rfs_finish = 60 } })
      e.rfs("POST", "/stacks/rbs/deployments", { template_body = S.failing_tf() })
      assert.equal("ROLLBACK_IN_PROGRESS", e.stack("rbs").status)
      assert.equal(403, e.rfs("POST", "/stacks/rbs/rollbacks").status)
      e.fast()
      assert.equal("ROLLBACK_COMPLETE", e.stack("rbs").status)
      -- a new deployment is allowed from ROLLBACK_COMPLETE
      assert.equal(202, e.rfs("POST", "/stacks/rbs/deployments", { template_body = S.VPC_TF }).status)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("rbs").status)
    end)

    it("reaches ROLLBACK_FAILED and continues the rollback", function()
      e.create("rbf", nil, { enable_auto_rollback = true })
      e.rfs("POST", "/stacks/rbf/deployments", { template_body = S.failing_tf("emulator_fail = true\n  emulator_fail_rollback = 1") })
      local m = e.stack("rbf")
      assert.equal("ROLLBACK_FAILED", m.status)
      assert.matches("Rollback failed", m.status_message)
      local no = e.rfs("POST", "/stacks/rbf/continuations")
      assert.equal("RF.10012547", no.code)
      local c = e.rfs("POST", "/stacks/rbf/rollbacks", {})
      assert.equal(202, c.status)
      assert.equal(36, #c.body.deployment_id)
      assert.equal("ROLLBACK_COMPLETE", e.stack("rbf").status)
      assert.same({}, e.rfs("GET", "/stacks/rbf/resources").body.stack_resources)
      local again = e.rfs("POST", "/stacks/rbf/rollbacks")
      assert.equal(403, again.status)
    end)
  end)

  describe("DeleteStack", function()
    it("deletes through DELETION_IN_PROGRESS and the stack disappears", function()
      e.create("del", S.VPC_TF)
      e.slow()
      assert.equal(202, e.rfs("DELETE", "/stacks/del").status)
      assert.equal("DELETION_IN_PROGRESS", e.stack("del").status)
      assert.equal(403, e.rfs("DELETE", "/stacks/del").status)
      e.fast()
      assert.equal(404, e.rfs("GET", "/stacks/del/metadata").status)
      assert.same({}, e.rfs("GET", "/stacks").body.stacks)
    end)

    it("enforces deletion protection", function()
      e.create("prot", nil, { enable_deletion_protection = true })
      local r = e.rfs("DELETE", "/stacks/prot")
      assert.equal(403, r.status)
      assert.equal("RF.10012548", r.code)
      assert.equal(403, e.rfs("POST", "/stacks/prot/deletion", {}).status)
      e.rfs("PATCH", "/stacks/prot", { enable_deletion_protection = false })
      assert.equal(202, e.rfs("DELETE", "/stacks/prot").status)
    end)

    it("DeleteStackEnhanced keeps resources on request and checks the guard", function()
      local id = e.create("enh", S.VPC_TF).body.stack_id
      local bad = e.rfs("POST", "/stacks/enh/deletion", { stack_id = string.rep("1", 36) })
      assert.equal("RF.10011015", bad.code)
      assert.equal("RF.10011038", e.rfs("POST", "/stacks/enh/deletion", { retain_all_resources = "yes" }).code)
      local r = e.rfs("POST", "/stacks/enh/deletion", { stack_id = id, retain_all_resources = true })
      assert.equal(202, r.status)
      assert.equal(404, e.rfs("GET", "/stacks/enh/metadata").status)
    end)

    it("reaches DELETION_FAILED on an injected delete failure, then deletes", function()
      e.create("df", 'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  emulator_fail_delete = 1\n}\n')
      e.rfs("DELETE", "/stacks/df")
      local m = e.stack("df")
      assert.equal("DELETION_FAILED", m.status)
      assert.truthy(S.find_event(e.events("df"), "DELETION_FAILED", "^huaweicloud_vpc%.v: Destruction failed: injected failure"))
      -- redeploying from DELETION_FAILED is allowed [INFERRED]
      local fixed = 'resource "huaweicloud_vpc" "v" {\n  name = "v"\n}\n'
      assert.equal(202, e.rfs("POST", "/stacks/df/deployments", { template_body = fixed }).status)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("df").status)
      assert.equal(202, e.rfs("DELETE", "/stacks/df").status)
      assert.equal(404, e.rfs("GET", "/stacks/df/metadata").status)
    end)
  end)

  describe("ListStackEvents", function()
    it("filters, projects fields and checks the deployment id", function()
      local r = e.create("ev", S.failing_tf())
      local dep = r.body.deployment_id
      local q = "/stacks/ev/events?deployment_id=" .. dep .. "&filter=event_type%3D%3DERROR%7Cevent_type%3D%3DSUMMARY"
      local evs = e.rfs("GET", q).body.stack_events
      assert.is_true(#evs >= 1)
      for _, ev in ipairs(evs) do assert.equal("ERROR", ev.event_type) end
      local f = e.rfs("GET", "/stacks/ev/events?filter=resource_name%3D%3Dbad&field=resource_name").body.stack_events
      assert.is_true(#f >= 2)
      for _, ev in ipairs(f) do
        assert.equal("bad", ev.resource_name)
        assert.truthy(ev.event_type)
        assert.is_nil(ev.event_message)
        assert.is_nil(ev.time)
      end
      local page = e.rfs("GET", "/stacks/ev/events?limit=2").body
      assert.equal(2, #page.stack_events)
      assert.truthy(page.page_info.next_marker)
      local unknown = e.rfs("GET", "/stacks/ev/events?deployment_id=" .. string.rep("a", 36))
      assert.equal(404, unknown.status)
      assert.equal("RF.10011087", e.rfs("GET", "/stacks/ev/events?filter=foo%3D%3Dbar").code)
      assert.equal("RF.10011088", e.rfs("GET", "/stacks/ev/events?filter=event_type!%3DLOG").code)
      assert.equal("RF.10011093", e.rfs("GET", "/stacks/ev/events?filter=event_type%3D%3DLOG,event_type%3D%3DERROR").code)
      assert.equal(200, e.rfs("GET", "/stacks/ev/events?filter=whatever%3B").status)
    end)
  end)

  describe("ListStackResources / ListStackOutputs", function()
    it("answer 404 for an unknown stack and page", function()
      assert.equal("RF.10013001", e.rfs("GET", "/stacks/none/resources").code)
      assert.equal("RF.10013001", e.rfs("GET", "/stacks/none/outputs").code)
      e.create("pg", S.VPC_TF)
      local p = e.rfs("GET", "/stacks/pg/outputs?limit=1").body
      assert.equal(1, #p.outputs)
      assert.truthy(p.page_info.next_marker)
    end)
  end)
end)
