-- RFS private registries in the emulator over real HTTP (RFS API
-- reference, private registry APIs, https://support.huaweicloud.com/api-aos/):
-- customized providers, private hooks and private modules: names, ids,
-- immutable semantic versions, deletion with all versions, the
-- default-version rules of hooks, sorting and paging, the *_id guards,
-- package checks and the 307 downloads.

local S = require("spec.emulator.rfs_support")
local zip = require("hwcloud.zip")

local URN = "urn:fss:%s:0123456789abcdef0123456789abcdef:function:default:my-provider"
local POLICY = 'package policy\nimport rego.v1\nhook_result := {"is_passed": true}\n'
local MODULE_TF = 'variable "name" {\n  type = string\n}\nresource "huaweicloud_vpc" "this" {\n  name = var.name\n}\n'

describe("RFS private registries (emulator)", function()
  local e, region

  setup(function()
    e = S.start()
    region = e.region
  end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  -- upload bytes to the emulator's blob store; returns the URL
  local function upload(bytes, file_name)
    local r = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=" .. file_name, headers = {}, body = bytes })
    assert.equal(201, r.status)
    return r.body.url
  end

  local function module_zip(files)
    local entries = {}
    for name, data in pairs(files or { ["main.tf"] = MODULE_TF }) do entries[#entries + 1] = { name = name, data = data } end
    table.sort(entries, function(a, b) return a.name < b.name end)
    return upload(zip.build(entries), "module.zip")
  end

  local function urn() return URN:format(region) end

  describe("providers", function()
    it("creates a provider with its first version, lists, shows, updates and deletes it", function()
      local r = e.rfs("POST", "/v1/private-providers", {
        provider_name = "my-provider", provider_description = "mine", provider_version = "1.0.0",
        function_graph_urn = urn(), provider_agency_name = "rf_agency",
      })
      assert.equal(201, r.status)
      assert.equal(36, #r.body.provider_id)
      assert.equal("huawei.com/private-provider/my-provider", r.body.provider_source)
      local id = r.body.provider_id
      assert.equal(409, e.rfs("POST", "/v1/private-providers", { provider_name = "my-provider" }).status)
      local list = e.rfs("GET", "/v1/private-providers").body
      assert.equal(1, #list.providers)
      assert.equal(1, list.page_info.current_count)
      assert.equal("rf_agency", list.providers[1].provider_agency_name)
      local m = e.rfs("GET", "/v1/private-providers/my-provider/metadata").body
      assert.equal(id, m.provider_id)
      assert.equal("mine", m.provider_description)
      assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ$", m.create_time)
      assert.equal(204, e.rfs("PATCH", "/v1/private-providers/my-provider/metadata", { provider_description = "ours" }).status)
      assert.equal("ours", e.rfs("GET", "/v1/private-providers/my-provider/metadata").body.provider_description)
      assert.equal("RF.10011084", e.rfs("PATCH", "/v1/private-providers/my-provider/metadata", { provider_id = id }).code)
      assert.equal(204, e.rfs("DELETE", "/v1/private-providers/my-provider?provider_id=" .. id).status)
      assert.equal(404, e.rfs("GET", "/v1/private-providers/my-provider/metadata").status)
      -- the name is reusable, the id is not
      local again = e.rfs("POST", "/v1/private-providers", { provider_name = "my-provider" }).body.provider_id
      assert.are_not.equal(id, again)
    end)

    it("refuses bad names, unpaired version/URN, both agencies and a URN of another region", function()
      assert.equal("RF.10011166", e.rfs("POST", "/v1/private-providers", { provider_name = "My-Provider" }).code)
      assert.equal("RF.10011166", e.rfs("POST", "/v1/private-providers", { provider_name = "bad-" }).code)
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-providers", { provider_name = "p", provider_version = "1.0.0" }).code)
      assert.equal("RF.10011003", e.rfs("POST", "/v1/private-providers",
        { provider_name = "p", provider_agency_name = "a", provider_agency_urn = "iam::1:agency:a" }).code)
      local other = e.rfs("POST", "/v1/private-providers",
        { provider_name = "p", provider_version = "1.0.0", function_graph_urn = URN:format("xx-other-9") })
      assert.equal("RF.10011167", other.code)
      assert.equal("RF.10011002", e.rfs("POST", "/v1/private-providers", { provider_name = "p", color = "red" }).code)
      assert.equal(0, #e.rfs("GET", "/v1/private-providers").body.providers)
    end)

    it("creates, lists, shows and deletes versions; versions are unique and semantic", function()
      local id = e.rfs("POST", "/v1/private-providers", { provider_name = "p" }).body.provider_id
      assert.equal(0, #e.rfs("GET", "/v1/private-providers/p/versions").body.versions)
      local r = e.rfs("POST", "/v1/private-providers/p/versions",
        { provider_version = "1.0.0", function_graph_urn = urn(), version_description = "first", provider_id = id })
      assert.equal(201, r.status)
      assert.equal(201, e.rfs("POST", "/v1/private-providers/p/versions", { provider_version = "1.1.0-rc.1", function_graph_urn = urn() }).status)
      assert.equal(409, e.rfs("POST", "/v1/private-providers/p/versions", { provider_version = "1.0.0", function_graph_urn = urn() }).status)
      assert.equal("RF.10011038", e.rfs("POST", "/v1/private-providers/p/versions", { provider_version = "v1.0.0", function_graph_urn = urn() }).code)
      assert.equal("RF.10011006", e.rfs("POST", "/v1/private-providers/p/versions", { provider_version = "1.0", function_graph_urn = urn() }).code)
      assert.equal("RF.10011038", e.rfs("POST", "/v1/private-providers/p/versions", { provider_version = "01.0.0", function_graph_urn = urn() }).code)
      local vs = e.rfs("GET", "/v1/private-providers/p/versions").body.versions
      assert.equal(2, #vs)
      assert.equal("1.1.0-rc.1", vs[1].provider_version) -- newest first
      local asc = e.rfs("GET", "/v1/private-providers/p/versions?sort_key=create_time&sort_dir=asc").body.versions
      assert.equal("1.0.0", asc[1].provider_version)
      local v = e.rfs("GET", "/v1/private-providers/p/versions/1.0.0/metadata").body
      assert.equal("first", v.version_description)
      assert.equal(urn(), v.function_graph_urn)
      assert.equal("huawei.com/private-provider/p", v.provider_source)
      assert.equal(204, e.rfs("DELETE", "/v1/private-providers/p/versions/1.0.0").status)
      assert.equal(204, e.rfs("DELETE", "/v1/private-providers/p/versions/1.1.0-rc.1").status) -- may become empty
      assert.equal("RF.10013061", e.rfs("GET", "/v1/private-providers/p/versions/1.0.0/metadata").code)
      assert.equal("RF.10013060", e.rfs("GET", "/v1/private-providers/nope/versions").code)
    end)

    it("checks the provider_id guard on every call", function()
      e.rfs("POST", "/v1/private-providers", { provider_name = "p", provider_version = "1.0.0", function_graph_urn = urn() })
      local wrong = string.rep("0", 8) .. "-0000-4000-8000-" .. string.rep("0", 12)
      for _, c in ipairs({
        { "GET", "/v1/private-providers/p/metadata?provider_id=" .. wrong },
        { "PATCH", "/v1/private-providers/p/metadata", { provider_id = wrong, provider_description = "x" } },
        { "GET", "/v1/private-providers/p/versions?provider_id=" .. wrong },
        { "GET", "/v1/private-providers/p/versions/1.0.0/metadata?provider_id=" .. wrong },
        { "POST", "/v1/private-providers/p/versions", { provider_id = wrong, provider_version = "2.0.0", function_graph_urn = urn() } },
        { "DELETE", "/v1/private-providers/p/versions/1.0.0?provider_id=" .. wrong },
        { "DELETE", "/v1/private-providers/p?provider_id=" .. wrong },
      }) do
        local r = e.rfs(c[1], c[2], c[3])
        assert.equal(400, r.status, c[1] .. " " .. c[2])
        assert.equal("RF.10011021", r.code)
      end
      assert.equal(1, #e.rfs("GET", "/v1/private-providers/p/versions").body.versions)
    end)

    it("pages with limit 10-1000 and next_marker, sorted by create_time", function()
      for i = 1, 12 do e.rfs("POST", "/v1/private-providers", { provider_name = "p" .. i }) end
      local first = e.rfs("GET", "/v1/private-providers?limit=10").body
      assert.equal(10, #first.providers)
      assert.equal("p12", first.providers[1].provider_name)
      assert.truthy(first.page_info.next_marker)
      local second = e.rfs("GET", "/v1/private-providers?limit=10&marker=" .. first.page_info.next_marker).body
      assert.equal(2, #second.providers)
      assert.is_nil(second.page_info.next_marker)
      assert.equal("p1", second.providers[2].provider_name)
      assert.equal("RF.10011006", e.rfs("GET", "/v1/private-providers?limit=9").code)
      assert.equal("RF.10011005", e.rfs("GET", "/v1/private-providers?limit=1001").code)
      assert.equal("RF.10011038", e.rfs("GET", "/v1/private-providers?sort_key=create_time").code)
      assert.equal("RF.10011027", e.rfs("GET", "/v1/private-providers?sort_key=create_time&sort_dir=up").code)
      assert.equal(12, #e.rfs("GET", "/v1/private-providers").body.providers) -- default limit 1000
    end)

    it("enforces the (configurable) quotas of items and versions with 403", function()
      e.settings({ quotas = { rfs_private_items = 2, rfs_private_versions = 1, rfs_private_hook_versions = 2 } })
      finally(function() e.settings({ quotas = { rfs_private_items = 100, rfs_private_versions = 100, rfs_private_hook_versions = 200 } }) end)
      e.rfs("POST", "/v1/private-providers", { provider_name = "a", provider_version = "1.0.0", function_graph_urn = urn() })
      e.rfs("POST", "/v1/private-providers", { provider_name = "b" })
      local r = e.rfs("POST", "/v1/private-providers", { provider_name = "c" })
      assert.equal(403, r.status)
      assert.equal("RF.10012561", r.code)
      r = e.rfs("POST", "/v1/private-providers/a/versions", { provider_version = "2.0.0", function_graph_urn = urn() })
      assert.equal(403, r.status)
      assert.equal("RF.10012562", r.code)
      e.rfs("POST", "/v1/private-hooks", { hook_name = "h", hook_version = "1.0.0", policy_body = POLICY })
      assert.equal(201, e.rfs("POST", "/v1/private-hooks/h/versions", { hook_version = "1.1.0", policy_body = POLICY }).status)
      assert.equal("RF.10012564", e.rfs("POST", "/v1/private-hooks/h/versions", { hook_version = "1.2.0", policy_body = POLICY }).code)
      e.rfs("POST", "/v1/private-modules", { module_name = "m1" })
      e.rfs("POST", "/v1/private-modules", { module_name = "m2" })
      assert.equal("RF.10012566", e.rfs("POST", "/v1/private-modules", { module_name = "m3" }).code)
    end)

    it("requires Client-Request-Id and keeps catalogues per account", function()
      assert.equal("RF.10011001", e.rfs("GET", "/v1/private-providers", nil, { crid = false }).code)
      e.rfs("POST", "/v1/private-providers", { provider_name = "p" })
      if e.second then
        assert.equal(0, #e.rfs("GET", "/v1/private-providers", nil, { as = e.second }).body.providers)
        assert.equal(201, e.rfs("POST", "/v1/private-providers", { provider_name = "p" }, { as = e.second }).status)
      end
    end)
  end)

  describe("hooks", function()
    local function hook(name, extra)
      local b = { hook_name = name, hook_version = "1.0.0", policy_body = POLICY }
      for k, v in pairs(extra or {}) do b[k] = v end
      return e.rfs("POST", "/v1/private-hooks", b)
    end

    it("creates a hook with its default version and configuration, lists, shows, deletes", function()
      local r = hook("tag-check-hook", { hook_description = "d", hook_version_description = "v1",
        configuration = { target_stacks = "ALL", failure_mode = "FAIL" } })
      assert.equal(201, r.status)
      assert.equal(36, #r.body.hook_id)
      assert.equal(409, hook("tag-check-hook").status)
      local l = e.rfs("GET", "/v1/private-hooks").body.hooks
      assert.equal(1, #l)
      assert.equal("1.0.0", l[1].default_version)
      assert.same({ target_stacks = "ALL", failure_mode = "FAIL" }, l[1].configuration)
      assert.equal(201, hook("plain").status)
      local m = e.rfs("GET", "/v1/private-hooks/plain/metadata").body
      assert.same({ target_stacks = "NONE", failure_mode = "WARN" }, m.configuration)
      assert.equal(204, e.rfs("DELETE", "/v1/private-hooks/plain").status)
      assert.equal("RF.10013062", e.rfs("GET", "/v1/private-hooks/plain/metadata").code)
      assert.equal("RF.10011010", hook("1bad").code)
      assert.equal("RF.10011027", hook("h", { configuration = { failure_mode = "STOP" } }).code)
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-hooks", { hook_name = "h", policy_body = POLICY }).code)
    end)

    it("needs exactly one policy source, a policy in package policy, and a fetchable policy_uri", function()
      assert.equal("RF.10011003", hook("h", { policy_uri = "https://obs.example.com/p.rego" }).code)
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-hooks", { hook_name = "h", hook_version = "1.0.0" }).code)
      assert.equal("RF.10011171", hook("h", { policy_body = "package other\nx := 1\n" }).code)
      assert.equal("RF.10011074", e.rfs("POST", "/v1/private-hooks",
        { hook_name = "h", hook_version = "1.0.0", policy_uri = "https://obs.example.com/p.rego" }).code)
      local url = upload(POLICY, "policy.rego")
      assert.equal(201, e.rfs("POST", "/v1/private-hooks", { hook_name = "h", hook_version = "1.0.0", policy_uri = url }).status)
      local zurl = upload(zip.build({ { name = "policy.rego", data = POLICY } }), "policy.zip")
      assert.equal(201, e.rfs("POST", "/v1/private-hooks/h/versions", { hook_version = "1.1.0", policy_uri = zurl }).status)
      local nozip = upload(zip.build({ { name = "readme.txt", data = "x" } }), "bad.zip")
      assert.equal("RF.10011157", e.rfs("POST", "/v1/private-hooks/h/versions", { hook_version = "1.2.0", policy_uri = nozip }).code)
    end)

    it("adds versions without changing the default, switches it, and never deletes the default", function()
      local id = hook("h").body.hook_id
      assert.equal(201, e.rfs("POST", "/v1/private-hooks/h/versions",
        { hook_version = "2.0.0", policy_body = POLICY, hook_version_description = "two", hook_id = id }).status)
      assert.equal(409, e.rfs("POST", "/v1/private-hooks/h/versions", { hook_version = "2.0.0", policy_body = POLICY }).status)
      assert.equal("1.0.0", e.rfs("GET", "/v1/private-hooks/h/metadata").body.default_version)
      local vs = e.rfs("GET", "/v1/private-hooks/h/versions").body.versions
      assert.equal(2, #vs)
      assert.equal("2.0.0", vs[1].hook_version)
      assert.equal("two", e.rfs("GET", "/v1/private-hooks/h/versions/2.0.0/metadata").body.hook_version_description)
      local d = e.rfs("DELETE", "/v1/private-hooks/h/versions/1.0.0")
      assert.equal(403, d.status)
      assert.equal("RF.10012565", d.code)
      assert.equal("RF.10013063", e.rfs("PATCH", "/v1/private-hooks/h/metadata", { default_version = "9.9.9" }).code)
      assert.equal(204, e.rfs("PATCH", "/v1/private-hooks/h/metadata", { default_version = "2.0.0" }).status)
      assert.equal(204, e.rfs("PATCH", "/v1/private-hooks/h/metadata", { configuration = { failure_mode = "FAIL" } }).status)
      local m = e.rfs("GET", "/v1/private-hooks/h/metadata").body
      assert.equal("2.0.0", m.default_version)
      assert.same({ target_stacks = "NONE", failure_mode = "FAIL" }, m.configuration)
      assert.equal("RF.10011084", e.rfs("PATCH", "/v1/private-hooks/h/metadata", { hook_id = id }).code)
      assert.equal("RF.10011022", e.rfs("PATCH", "/v1/private-hooks/h/metadata",
        { hook_id = string.rep("a", 36), hook_description = "x" }).code)
      assert.equal(204, e.rfs("DELETE", "/v1/private-hooks/h/versions/1.0.0").status)
      assert.equal(404, e.rfs("GET", "/v1/private-hooks/h/versions/1.0.0/metadata").status)
      -- deleting the hook deletes its versions; a new hook of that name starts afresh
      assert.equal(204, e.rfs("DELETE", "/v1/private-hooks/h?hook_id=" .. id).status)
      hook("h")
      assert.equal(1, #e.rfs("GET", "/v1/private-hooks/h/versions").body.versions)
    end)

    it("serves a version's policy through a 307", function()
      hook("h")
      local r = e.rfs("GET", "/v1/private-hooks/h/versions/1.0.0/policies")
      assert.equal(307, r.status)
      local loc = r.headers["Location"]
      assert.matches("/_rfs/blobs/.+/policy%.rego$", loc)
      assert.equal(POLICY, e.send({ method = "GET", url = loc, headers = {} }).raw_body)
      assert.equal("RF.10013063", e.rfs("GET", "/v1/private-hooks/h/versions/3.0.0/policies").code)
    end)
  end)

  describe("modules", function()
    it("creates a module with a first version from a zip, shows module_source, lists, updates, deletes", function()
      local url = module_zip()
      local r = e.rfs("POST", "/v1/private-modules", { module_name = "net_base", module_description = "network",
        module_version = "1.0.0", module_uri = url, version_description = "first" })
      assert.equal(201, r.status)
      assert.equal(36, #r.body.module_id)
      assert.equal(409, e.rfs("POST", "/v1/private-modules", { module_name = "net_base" }).status)
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-modules", { module_name = "other", module_version = "1.0.0" }).code)
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-modules", { module_name = "other", module_uri = url }).code)
      local l = e.rfs("GET", "/v1/private-modules").body.modules
      assert.equal(1, #l)
      assert.equal("network", l[1].module_description)
      local v = e.rfs("GET", "/v1/private-modules/net_base/versions/1.0.0/metadata").body
      assert.equal("first", v.version_description)
      assert.equal("rf://rfs." .. region .. ".myhuaweicloud.com/private/" .. e.domain_id .. "/net_base?version==1.0.0", v.module_source)
      assert.equal(204, e.rfs("PATCH", "/v1/private-modules/net_base/metadata", { module_description = "net" }).status)
      assert.equal("net", e.rfs("GET", "/v1/private-modules/net_base/metadata").body.module_description)
      assert.equal("RF.10011084", e.rfs("PATCH", "/v1/private-modules/net_base/metadata", {}).code)
      assert.equal(204, e.rfs("DELETE", "/v1/private-modules/net_base").status)
      assert.equal("RF.10013064", e.rfs("GET", "/v1/private-modules/net_base/versions").code)
    end)

    it("checks the package: zip, .tf inside, no .tfvars, safe paths", function()
      e.rfs("POST", "/v1/private-modules", { module_name = "m" })
      local function try(url) return e.rfs("POST", "/v1/private-modules/m/versions", { module_version = "1.0.0", module_uri = url }).code end
      assert.equal("RF.10011102", try(upload("not a zip", "m.zip")))
      assert.equal("RF.10011157", try(module_zip({ ["README.md"] = "x" })))
      assert.equal("RF.10011025", try(module_zip({ ["main.tf"] = MODULE_TF, ["prod.tfvars"] = "a = 1" })))
      assert.equal("RF.10011156", try(module_zip({ ["main.tf"] = MODULE_TF, ["../evil.tf"] = "x" })))
      assert.equal("RF.10011155", try(module_zip({ ["/abs.tf"] = "x" })))
      assert.equal("RF.10011035", try("https://obs.example.com/m.tar"))
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-modules/m/versions", { module_version = "1.0.0" }).code)
      assert.equal("RF.10011001", e.rfs("POST", "/v1/private-modules", { module_name = "n", module_version = "1.0.0" }).code)
      assert.equal(0, #e.rfs("GET", "/v1/private-modules/m/versions").body.versions)
    end)

    it("reads packages with deflated entries (as zip tools make them)", function()
      -- main.tf (three VPCs), deflated by Python's zipfile
      local hex = "504b030414000000080086907d5d855f3b3a7c00000020010000070000006d61696e2e74662b4b2cca4c4cca495550ca4bcc4d5552a8e6525028a92c4855b055282e29cacc4be7aae52a4a2dce2f2d4a06aac9284d2c4fcd4ccec92f4d892f2b485652502a3380e801e906ea5152a92e4b2cd203f16a750d948012c9992945200943033d30d43734532264a6216e330dd1cc3424d64c23dc661aa1996984642600504b0102140314000000080086907d5d855f3b3a7c000000200100000700000000000000000000008001000000006d61696e2e7466504b0506000000000100010035000000a10000000000"
      local url = upload((hex:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)), "deflated.zip")
      assert.equal(201, e.rfs("POST", "/v1/private-modules", { module_name = "d", module_version = "1.0.0", module_uri = url }).status)
      local src = e.rfs("GET", "/v1/private-modules/d/versions/1.0.0/metadata").body.module_source
      e.create("s", 'module "three" {\n  source = "' .. src .. '"\n  name = "n"\n}\n')
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("s").status)
      assert.equal(3, #e.rfs("GET", "/stacks/s/resources").body.stack_resources)
    end)

    it("creates, lists and deletes versions, serves the package through a 307", function()
      local id = e.rfs("POST", "/v1/private-modules", { module_name = "m" }).body.module_id
      local url = module_zip()
      assert.equal(201, e.rfs("POST", "/v1/private-modules/m/versions", { module_version = "1.0.0", module_uri = url, module_id = id }).status)
      assert.equal(201, e.rfs("POST", "/v1/private-modules/m/versions", { module_version = "2.0.0", module_uri = url }).status)
      assert.equal(409, e.rfs("POST", "/v1/private-modules/m/versions", { module_version = "2.0.0", module_uri = url }).status)
      local vs = e.rfs("GET", "/v1/private-modules/m/versions?module_id=" .. id).body.versions
      assert.equal(2, #vs)
      assert.is_nil(vs[1].module_source)
      local r = e.rfs("GET", "/v1/private-modules/m/versions/1.0.0")
      assert.equal(307, r.status)
      local got = e.send({ method = "GET", url = r.headers["Location"], headers = {} }).raw_body
      assert.equal(e.send({ method = "GET", url = url, headers = {} }).raw_body, got)
      assert.equal("RF.10011023", e.rfs("GET", "/v1/private-modules/m/versions/1.0.0?module_id=" .. string.rep("b", 36)).code)
      assert.equal(204, e.rfs("DELETE", "/v1/private-modules/m/versions/1.0.0").status)
      assert.equal(204, e.rfs("DELETE", "/v1/private-modules/m/versions/2.0.0").status)
      assert.equal("RF.10013065", e.rfs("DELETE", "/v1/private-modules/m/versions/2.0.0").code)
      assert.equal(0, #e.rfs("GET", "/v1/private-modules/m/versions").body.versions)
    end)
  end)
end)
