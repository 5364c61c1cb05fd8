-- hwcloud.hints (issue 13, item 10): the hint a failed connection gets, on
-- errors the core's one transport-error builder made; the whole path, both
-- transports, is in spec/openresty/transport_errors_spec.lua.
local core = require "hwcloud.core"
local hints = require "hwcloud.hints"
local endpoints = require "hwcloud.endpoints"

local function failure(curl_code, url)
  return core.transport_error{ curl_code = curl_code, method = "GET", url = url, reason = "connection refused" }
end

describe("hwcloud.hints", function()
  it("says a region is unknown and names the closest known one", function()
    for region, near in pairs({ ["cn-nort-4"] = "cn-north-4", ["ap-southeast-9"] = "ap-southeast-1",
                                ["eu-west-10"] = "eu-west-0", ["CN-NORTH-44"] = "cn-north-4" }) do
      local hint = hints.connection(failure(6, "https://vpcep." .. region .. ".myhuaweicloud.com/v1/x"))
      assert.are.equal(region:lower() .. " is not a known region: did you mean " .. near .. "?", hint)
    end
  end)

  it("lists the known regions when none is close", function()
    local hint = hints.connection(failure(6, "https://rfs.mars-base-1.myhuaweicloud.com/v1/x"))
    assert.matches("^mars%-base%-1 is not a known region %(known: ", hint)
    for _, r in ipairs(endpoints.regions()) do
      local prefix, n = r:match("^(.-%-)(%d+)$")
      assert.is_truthy(hint:find(prefix, 1, true) and hint:find(n, 1, true), r)
    end
    assert.matches("cn%-north%-{1,2,4,9,11,12}", hint)
    assert.is_true(#tostring(core.error{ kind = "network", message = hint }) < 512 + 40)
  end)

  it("says a service is not offered in a known region", function()
    assert.are.equal("rfs is not offered in cn-north-1 (it is in af-north-1, af-south-1, ap-southeast-{1,2,3,4,5}, "
      .. "cn-east-{3,4,5}, cn-north-{4,9,11,12}, cn-south-1, cn-southwest-{2,3}, eu-west-101, la-north-2, "
      .. "la-south-2, me-east-1, my-kualalumpur-1, na-mexico-1, sa-brazil-1, tr-west-1)",
      hints.connection(failure(6, "https://rfs.cn-north-1.myhuaweicloud.com/v1/x")))
  end)

  it("has nothing to say of a known region, a host elsewhere or another failure", function()
    assert.is_nil(hints.connection(failure(6, "https://vpcep.cn-north-4.myhuaweicloud.com/v1/x")))
    assert.is_nil(hints.connection(failure(6, "https://iam.myhuaweicloud.com/v3/x")))
    assert.is_nil(hints.connection(failure(6, "https://api.example.com/v1/x")))
    assert.is_nil(hints.connection(failure(28, "https://vpcep.cn-nort-4.myhuaweicloud.com/v1/x")))
    assert.is_nil(hints.connection(failure(7, "https://vpcep.cn-nort-4.myhuaweicloud.com/v1/x"), "HWCLOUD_ENDPOINT"))
  end)

  it("says the emulator may not run when an override names a local address that refuses", function()
    for _, host in ipairs({ "127.0.0.1:8080", "localhost:9", "[::1]:80", "127.1.2.3" }) do
      local hint = hints.connection(failure(7, "http://" .. host .. "/v1/x"), "HWCLOUD_ENDPOINT")
      assert.are.equal("HWCLOUD_ENDPOINT points at " .. host .. ", where nothing listens: the emulator may not "
        .. "be running; start it with eval \"$(bin/hwcloud-emulator start)\" (it sets HWCLOUD_ENDPOINT)", hint)
    end
    assert.is_nil(hints.connection(failure(7, "http://127.0.0.1:8080/v1/x"))) -- Huawei's own endpoint
    assert.is_nil(hints.connection(failure(7, "http://10.0.0.1:8080/v1/x"), "the endpoint option"))
  end)

  it("adds the hint to the message once", function()
    local err = hints.add(failure(7, "http://127.0.0.1:1/x"), "the endpoint option")
    assert.are.equal("could not connect to 127.0.0.1:1: connection refused (hint: the endpoint option points at "
      .. "127.0.0.1:1, where nothing listens: the emulator may not be running; start it with "
      .. "eval \"$(bin/hwcloud-emulator start)\" (it sets HWCLOUD_ENDPOINT))", err.message)
  end)
end)
