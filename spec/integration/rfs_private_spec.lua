-- Integration specs of the private provider, hook and module operations of
-- hwcloud.rfs against the emulator (real HTTP, real signatures): all 29
-- operations, the six each_* iterators over several pages, the 307
-- downloads, and API errors reaching the caller with their RF codes.

local emu = require("spec.helpers.emulator")
local S = require("spec.helpers.services")
local zip = require("hwcloud.zip")

local POLICY = 'package policy\nimport rego.v1\nhook_result := {"is_passed": true}\n'
local MODULE_TF = 'variable "name" {\n  type = string\n}\nresource "huaweicloud_vpc" "this" {\n  name = var.name\n}\n'

local collect, raised = S.collect, S.raised

describe("RFS private registries against the emulator", function()
  local e, client, rfs
  local h = S.emulator(function() return e end)

  setup(function()
    e = emu.start{ speed = 0 }
    client = h.client(e)
    rfs = client:rfs()
  end)
  teardown(function()
    if client then client:close() end
    if e then e.stop() end
  end)
  before_each(h.reset)

  local function upload(bytes, name)
    local r = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=" .. name, headers = {}, body = bytes })
    return r.body.url
  end

  local function names(iter, field)
    local out = {}
    for _, x in ipairs(collect(iter)) do out[#out + 1] = x[field] end
    return out
  end

  it("providers: every operation and both iterators", function()
    local urn = "urn:fss:" .. e.region .. ":0123456789abcdef0123456789abcdef:function:default:prov"
    local created, r = rfs:create_private_provider{ provider_name = "prov", provider_version = "1.0.0", function_graph_urn = urn }
    assert.equal(201, r.status)
    assert.equal("huawei.com/private-provider/prov", created.provider_source)
    local id = created.provider_id
    for i = 1, 11 do rfs:create_private_provider{ provider_name = "p" .. i } end
    assert.equal(12, #names(rfs:each_private_provider{ limit = 10 }, "provider_name"))
    assert.equal(10, #rfs:list_private_providers{ limit = 10 }.providers)
    assert.equal(id, rfs:show_private_provider_metadata{ provider_name = "prov", provider_id = id }.provider_id)
    local _, u = rfs:update_private_provider_metadata{ provider_name = "prov", provider_description = "d" }
    assert.equal(204, u.status)
    assert.equal("d", rfs:show_private_provider_metadata{ provider_name = "prov" }.provider_description)
    local _, v = rfs:create_private_provider_version{ provider_name = "prov", provider_version = "1.1.0", function_graph_urn = urn }
    assert.equal(201, v.status)
    assert.same({ "1.0.0", "1.1.0" }, names(rfs:each_private_provider_version{ provider_name = "prov",
      sort_key = { "create_time" }, sort_dir = { "asc" } }, "provider_version"))
    assert.equal(urn, rfs:show_private_provider_version_metadata{ provider_name = "prov", provider_version = "1.1.0" }.function_graph_urn)
    assert.equal(2, #rfs:list_private_provider_versions{ provider_name = "prov" }.versions)
    rfs:delete_private_provider_version{ provider_name = "prov", provider_version = "1.0.0" }
    local err = raised(rfs.show_private_provider_version_metadata, rfs, { provider_name = "prov", provider_version = "1.0.0" })
    assert.equal(404, err.status)
    assert.equal("RF.10013061", err.code)
    rfs:delete_private_provider{ provider_name = "prov", provider_id = id }
    assert.equal("RF.10013060", raised(rfs.show_private_provider_metadata, rfs, { provider_name = "prov" }).code)
  end)

  it("hooks: every operation, default version rules and the policy download", function()
    local created = rfs:create_private_hook{ hook_name = "tag-hook", hook_version = "1.0.0", policy_body = POLICY,
      configuration = { target_stacks = "ALL", failure_mode = "WARN" } }
    assert.equal(36, #created.hook_id)
    rfs:create_private_hook_version{ hook_name = "tag-hook", hook_version = "1.1.0", policy_body = POLICY, hook_id = created.hook_id }
    assert.same({ "1.1.0", "1.0.0" }, names(rfs:each_private_hook_version{ hook_name = "tag-hook" }, "hook_version"))
    assert.same({ "tag-hook" }, names(rfs:each_private_hook(), "hook_name"))
    assert.equal(1, #rfs:list_private_hooks().hooks)
    assert.equal(2, #rfs:list_private_hook_versions{ hook_name = "tag-hook" }.versions)
    assert.equal("1.0.0", rfs:show_private_hook_metadata{ hook_name = "tag-hook" }.default_version)
    assert.equal(403, raised(rfs.delete_private_hook_version, rfs, { hook_name = "tag-hook", hook_version = "1.0.0" }).status)
    rfs:update_private_hook_metadata{ hook_name = "tag-hook", default_version = "1.1.0" }
    assert.equal("tag-hook", rfs:show_private_hook_version_metadata{ hook_name = "tag-hook", hook_version = "1.1.0" }.hook_name)
    local loc = rfs:show_private_hook_version_policy{ hook_name = "tag-hook", hook_version = "1.1.0" }.location
    assert.equal(POLICY, e.send({ method = "GET", url = loc, headers = {} }).raw_body)
    rfs:delete_private_hook_version{ hook_name = "tag-hook", hook_version = "1.0.0" }
    rfs:delete_private_hook{ hook_name = "tag-hook" }
    assert.equal(0, #rfs:list_private_hooks().hooks)
  end)

  -- a fresh temporary directory (removed by the caller)
  local function tmpdir()
    local p = assert(io.popen("mktemp -d /tmp/hwcloud-spec.XXXXXX"))
    local d = p:read("*l")
    p:close()
    return d
  end
  local function write(path, text)
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
  end

  it("publish_module_version zips a folder, uploads it and returns the source a stack can use", function()
    local d = tmpdir()
    finally(function() os.execute("rm -rf '" .. d .. "'") end)
    write(d .. "/main.tf", MODULE_TF)
    write(d .. "/outputs.tf", 'output "vpc_name" {\n  value = huaweicloud_vpc.this.name\n}\n')
    write(d .. "/.hidden.tf", "this is not Terraform")
    local upload = require("hwcloud.rfs").emulator_upload(client)
    local source, meta = rfs:publish_module_version{ module_name = "net", module_version = "1.0.0", dir = d,
      upload = upload, module_description = "network" }
    assert.equal(meta.module_source, source)
    assert.matches("^rf://rfs%..+/private/" .. e.domain_id .. "/net%?version==1%.0%.0$", source)
    assert.equal("network", rfs:show_private_module_metadata{ module_name = "net" }.module_description)
    -- a second version of the existing module, from files
    local source2 = rfs:publish_module_version{ module_name = "net", module_version = "1.1.0",
      files = { ["main.tf"] = MODULE_TF }, upload = upload }
    assert.matches("1%.1%.0$", source2)
    assert.equal(409, raised(rfs.publish_module_version, rfs,
      { module_name = "net", module_version = "1.1.0", files = { ["main.tf"] = MODULE_TF }, upload = upload }).status)
    -- the package read back through the 307 holds the two visible files
    local pkg = rfs:read_module_package{ module_name = "net", module_version = "1.0.0" }
    local names = {}
    for _, f in ipairs(assert(require("emu.rfs.zip").read(pkg))) do names[#names + 1] = f.name end
    assert.same({ "main.tf", "outputs.tf" }, names)
    -- a stack uses it
    local tf = 'module "net" {\n  source = "' .. source .. '"\n  name = "prod-a"\n}\n' ..
      'output "n" {\n  value = module.net.vpc_name\n}\n'
    local created = rfs:create_stack{ stack_name = "uses-net", template_body = tf }
    local m = rfs:wait_stack(h.w{ stack_name = "uses-net", deployment_id = created.deployment_id, on_event = false })
    assert.equal("DEPLOYMENT_COMPLETE", m.status)
    assert.equal("prod-a", rfs:outputs("uses-net").n)
    assert.equal("argument", raised(rfs.publish_module_version, rfs, { module_name = "x", module_version = "1.0.0", upload = upload }).kind)
  end)

  it("publish_hook_version makes a .rego file the default version; read_hook_policy reads it back", function()
    local d = tmpdir()
    finally(function() os.execute("rm -rf '" .. d .. "'") end)
    write(d .. "/v1.rego", POLICY)
    local strict = POLICY:gsub("true", "false")
    write(d .. "/v2.rego", strict)
    local m = rfs:publish_hook_version{ hook_name = "guard", hook_version = "1.0.0", policy_file = d .. "/v1.rego",
      configuration = { target_stacks = "ALL", failure_mode = "FAIL" } }
    assert.equal("1.0.0", m.default_version)
    assert.equal("FAIL", m.configuration.failure_mode)
    m = rfs:publish_hook_version{ hook_name = "guard", hook_version = "2.0.0", policy_file = d .. "/v2.rego" }
    assert.equal("2.0.0", m.default_version)
    assert.equal(2, #rfs:list_private_hook_versions{ hook_name = "guard" }.versions)
    assert.equal(strict, rfs:read_hook_policy{ hook_name = "guard", hook_version = "2.0.0" })
    assert.equal(POLICY, rfs:read_hook_policy{ hook_name = "guard", hook_version = "1.0.0" })
    write(d .. "/bad.rego", "package policy\nf(x) := x\n")
    local err = raised(rfs.publish_hook_version, rfs, { hook_name = "guard", hook_version = "3.0.0", policy_file = d .. "/bad.rego" })
    assert.equal(400, err.status)
    assert.equal("2.0.0", rfs:show_private_hook_metadata{ hook_name = "guard" }.default_version)
    assert.equal("policy_file", raised(rfs.publish_hook_version, rfs,
      { hook_name = "guard", hook_version = "3.0.0", policy_file = d .. "/missing.rego" }).field)
  end)

  it("modules: every operation with a zip built by hwcloud.zip", function()
    local bytes = zip.build({ { name = "main.tf", data = MODULE_TF } })
    local url = upload(bytes, "net.zip")
    local created = rfs:create_private_module{ module_name = "net", module_version = "1.0.0", module_uri = url }
    rfs:create_private_module_version{ module_name = "net", module_version = "2.0.0", module_uri = url, module_id = created.module_id }
    assert.same({ "net" }, names(rfs:each_private_module(), "module_name"))
    assert.same({ "2.0.0", "1.0.0" }, names(rfs:each_private_module_version{ module_name = "net" }, "module_version"))
    assert.equal(1, #rfs:list_private_modules().modules)
    assert.equal(2, #rfs:list_private_module_versions{ module_name = "net" }.versions)
    rfs:update_private_module_metadata{ module_name = "net", module_description = "network" }
    assert.equal("network", rfs:show_private_module_metadata{ module_name = "net" }.module_description)
    local v = rfs:show_private_module_version_metadata{ module_name = "net", module_version = "2.0.0" }
    assert.matches("^rf://rfs%." .. e.region:gsub("%-", "%%-") .. "%.myhuaweicloud%.com/private/" .. e.domain_id .. "/net%?version==2%.0%.0$", v.module_source)
    local loc = rfs:show_private_module_version_content{ module_name = "net", module_version = "1.0.0" }.location
    assert.equal(bytes, e.send({ method = "GET", url = loc, headers = {} }).raw_body)
    rfs:delete_private_module_version{ module_name = "net", module_version = "1.0.0" }
    assert.equal(409, raised(rfs.create_private_module_version, rfs,
      { module_name = "net", module_version = "2.0.0", module_uri = url }).status)
    rfs:delete_private_module{ module_name = "net" }
    assert.equal(404, raised(rfs.list_private_module_versions, rfs, { module_name = "net" }).status)
  end)
end)
