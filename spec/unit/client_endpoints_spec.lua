-- Endpoint resolution: Huawei's host pattern and its documented exceptions,
-- per-service and global overrides (options, HWCLOUD_ENDPOINT,
-- HUAWEICLOUD_SDK_IAM_ENDPOINT), normalisation of override URLs.

local S = require "spec.unit.client_support"
local hwcloud = require "hwcloud"
local endpoints = require "hwcloud.endpoints"

describe("endpoints.default", function()
  local cases = {
    { "rfs", "cn-north-4", "https://rfs.cn-north-4.myhuaweicloud.com" },
    { "aos", "cn-north-4", "https://rfs.cn-north-4.myhuaweicloud.com" },
    { "AOS", "ap-southeast-3", "https://rfs.ap-southeast-3.myhuaweicloud.com" },
    { "rfs", "eu-west-101", "https://aos.myhuaweicloud.eu" },
    { "vpcep", "cn-north-4", "https://vpcep.cn-north-4.myhuaweicloud.com" },
    { "vpcep", "eu-west-101", "https://vpcep.eu-west-101.myhuaweicloud.eu" },
    { "iam", "cn-north-4", "https://iam.cn-north-4.myhuaweicloud.com" },
    { "iam", "eu-west-101", "https://iam.eu-west-101.myhuaweicloud.eu" },
    { "iam", "xx-unknown-9", "https://iam.myhuaweicloud.com" },
    { "iam", nil, "https://iam.myhuaweicloud.com" },
    { "ecs", "la-south-2", "https://ecs.la-south-2.myhuaweicloud.com" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " in " .. tostring(c[2]), function()
      assert.are.equal(c[3], (endpoints.default(c[1], c[2])))
    end)
  end

  it("needs a region for a regional service", function()
    local url, why = endpoints.default("vpcep", nil)
    assert.is_nil(url)
    assert.matches("no region", why)
    url, why = endpoints.default("vpcep", "bad/region")
    assert.is_nil(url)
    assert.matches("not a region id", why)
  end)

  it("knows which services are global", function()
    assert.is_true(endpoints.is_global("iam"))
    assert.is_false(endpoints.is_global("rfs"))
    assert.is_false(endpoints.is_global("vpcep"))
  end)
end)

describe("endpoints.normalize", function()
  local cases = {
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
    { "HTTPS://Example.COM:443/", "https://example.com" },
    { "http://example.com:80/prefix/", "http://example.com/prefix" },
    { "example.com", "https://example.com" },
    { " https://h:8443 ", "https://h:8443" },
    { "http://[::1]:9000", "http://[::1]:9000" },
  }
  for _, c in ipairs(cases) do
    it(c[1], function()
      assert.are.equal(c[2], (endpoints.normalize(c[1])))
    end)
  end
  for _, bad in ipairs({ "", "ftp://h", "http://u:p@h", "http://h:port", "http://h/?q=1", "http://" }) do
    it("refuses " .. bad, function()
      assert.is_nil((endpoints.normalize(bad)))
    end)
  end
end)

describe("client endpoints", function()
  after_each(S.restore_env)

  local function url_for(opts, env, service)
    S.set_env(env or {})
    local t = S.transport({ S.ok({}) })
    local o = { ak = "AK", sk = "SK", project_id = "pid", transport = t }
    for k, v in pairs(opts) do o[k] = v end
    local c = hwcloud.new(o)
    c:request({ service = service or "rfs", method = "GET", path = "/v1/x" })
    return t.requests[1].url, t.requests[1]
  end

  it("uses the public pattern by default", function()
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/x",
      url_for({ region = "cn-north-4" }))
  end)

  it("prefers a per-service override, then endpoint, then HWCLOUD_ENDPOINT", function()
    local env = { HWCLOUD_ENDPOINT = "http://127.0.0.1:7000" }
    assert.are.equal("http://127.0.0.1:7000/v1/x", url_for({ region = "r-1" }, env))
    assert.are.equal("http://127.0.0.1:7000/v1/x", url_for({}, env, "vpcep"))
    assert.are.equal("http://127.0.0.1:7001/v1/x",
      url_for({ endpoint = "http://127.0.0.1:7001" }, env))
    assert.are.equal("http://127.0.0.1:7002/v1/x",
      url_for({ endpoint = "http://127.0.0.1:7001", endpoints = { rfs = "http://127.0.0.1:7002" } }, env))
    assert.are.equal("http://127.0.0.1:7002/v1/x",
      url_for({ endpoints = { aos = "http://127.0.0.1:7002" } }, env, "rfs"))
    assert.are.equal("http://127.0.0.1:7000/v1/x",
      url_for({ endpoints = { rfs = "http://127.0.0.1:7002" } }, env, "vpcep"))
  end)

  it("fills {region} in an override", function()
    assert.are.equal("https://vpcep.la-north-2.internal.example/v1/x",
      url_for({ region = "la-north-2", endpoints = { vpcep = "vpcep.{region}.internal.example" } },
              nil, "vpcep"))
  end)

  it("uses HUAWEICLOUD_SDK_IAM_ENDPOINT for IAM only", function()
    local env = { HUAWEICLOUD_SDK_IAM_ENDPOINT = "https://iam.example.test" }
    assert.are.equal("https://iam.example.test/v1/x", url_for({ region = "cn-north-4" }, env, "iam"))
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/x",
      url_for({ region = "cn-north-4" }, env, "rfs"))
  end)

  it("drops the default port so the signed Host is the sent Host", function()
    local url, req = url_for({ endpoint = "https://GW.Example.com:443/base/" })
    assert.are.equal("https://gw.example.com/base/v1/x", url)
    assert.are.equal("gw.example.com", S.header(req.headers, "Host"))
  end)

  it("raises an argument error without region or endpoint", function()
    S.set_env({})
    local c = hwcloud.new({ ak = "AK", sk = "SK", project_id = "p", transport = S.transport({}) })
    local ok, err = pcall(c.request, c, { service = "vpcep", method = "GET", path = "/v1/x" })
    assert.is_false(ok)
    assert.are.equal("argument", err.kind)
    assert.matches("client:request: no region is set for service vpcep", err.message, 1, true)
  end)
end)
