-- Unit specs of the private provider, hook and module operations of
-- hwcloud.rfs (RFS API reference, private registry APIs,
-- https://support.huaweicloud.com/api-aos/): paths without a project id, path values
-- percent-encoded (a "+" in a version), repeated sort keys, the policy
-- "exactly one of" rule, unknown fields, the 307 downloads, and the each_*
-- iterators over page_info, against a fake client.

local rfs = require("hwcloud.rfs")
local fake = require("spec.helpers.fake_client")
local S = require("spec.helpers.services")
local raised = S.raised

describe("hwcloud.rfs private registries", function()
  local client, svc
  before_each(function()
    client = fake.new()
    svc = rfs.new(client)
  end)

  it("sends account-level paths without a project id", function()
    client:on("POST", "/v1/private%-providers", function() return 201, { provider_id = "p", provider_source = "s" } end)
    local body, response = svc:create_private_provider{ provider_name = "my-provider", provider_version = "1.0.0",
      function_graph_urn = "urn:fss:x" }
    assert.equal(201, response.status)
    assert.equal("s", body.provider_source)
    local req = client.requests[1]
    assert.equal("/v1/private-providers", req.path)
    assert.equal("rfs.create_private_provider", req.operation)
    assert.same({ provider_name = "my-provider", provider_version = "1.0.0", function_graph_urn = "urn:fss:x" }, req.body)
    assert.is_string(req.headers["Client-Request-Id"])
  end)

  it("percent-encodes versions in paths and sends guards as query", function()
    client:on("GET", ".*", function() return 200, { module_name = "m" } end)
    svc:show_private_module_version_metadata{ module_name = "net_base", module_version = "1.0.0+build.1", module_id = "id" }
    local req = client.requests[1]
    assert.equal("/v1/private-modules/net_base/versions/1.0.0%2Bbuild.1/metadata", req.path)
    assert.same({ module_id = "id" }, req.query)
  end)

  it("sends sort_key/sort_dir as repeated keys", function()
    client:on("GET", ".*", function() return 200, { hooks = {} } end)
    svc:list_private_hooks{ sort_key = { "create_time" }, sort_dir = { "asc" }, limit = 10 }
    assert.same({ sort_key = { "create_time" }, sort_dir = { "asc" }, limit = "10" }, client.requests[1].query)
  end)

  it("raises argument errors for a missing field, an unknown field and both policy sources", function()
    local err = raised(svc.create_private_hook, svc, { hook_name = "h", policy_body = "package policy" })
    assert.equal("argument", err.kind)
    assert.equal("hook_version", err.field)
    err = raised(svc.create_private_hook, svc, { hook_name = "h", hook_version = "1.0.0", policy_body = "x", policy_uri = "y" })
    assert.equal("argument", err.kind)
    err = raised(svc.create_private_hook_version, svc, { hook_name = "h", hook_version = "1.0.0" })
    assert.equal("argument", err.kind)
    err = raised(svc.create_private_module_version, svc, { module_name = "m", module_version = "1.0.0" })
    assert.equal("module_uri", err.field)
    err = raised(svc.update_private_module_metadata, svc, { module_name = "m", modul_description = "typo" })
    assert.equal("modul_description", err.field)
    assert.equal(0, #client.requests)
  end)

  it("returns the Location of the policy and package downloads", function()
    client:on("GET", ".*/policies", function() return 307, nil, { Location = "http://x/policy.rego" } end)
    client:on("GET", "/v1/private%-modules/m/versions/1%.0%.0", function() return 307, nil, { Location = "http://x/m.zip" } end)
    assert.equal("http://x/policy.rego", svc:show_private_hook_version_policy{ hook_name = "h", hook_version = "1.0.0" }.location)
    assert.equal("http://x/m.zip", svc:show_private_module_version_content{ module_name = "m", module_version = "1.0.0" }.location)
  end)

  it("iterates versions page by page with each_private_module_version", function()
    client:on("GET", "/v1/private%-modules/m/versions", function(req)
      if req.query.marker == nil then
        return 200, { versions = { { module_version = "2.0.0" } }, page_info = { next_marker = "k1", current_count = 1 } }
      end
      return 200, { versions = { { module_version = "1.0.0" } }, page_info = { current_count = 1 } }
    end)
    local got = {}
    for v in svc:each_private_module_version{ module_name = "m", limit = 10 } do got[#got + 1] = v.module_version end
    assert.same({ "2.0.0", "1.0.0" }, got)
    assert.equal("k1", client.requests[2].query.marker)
  end)
end)
