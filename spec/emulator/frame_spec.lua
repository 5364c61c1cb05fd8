-- The emulator's frame: routing by method and path (and Host for the
-- version listings), the gateway's 404, request ids, JSON errors, the
-- start/stop/status command and its exports.
local emu = require "spec.helpers.emulator"

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local out = p:read("*a")
  p:close()
  return out, tonumber(out:match("rc=(%d+)%s*$"))
end

describe("emulator frame", function()
  local e, P
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
  end)
  teardown(function() e.stop() end)

  it("answers an unknown path with 404 APIGW.0101 and a request id", function()
    local res = e.call("GET", P .. "/no-such-thing")
    assert.equal(404, res.status)
    assert.equal("APIGW.0101", res.code)
    assert.matches("^%x+$", res.request_id)
    assert.equal(32, #res.request_id)
    assert.equal(res.request_id, res.body.request_id)
  end)

  it("answers a known path with a wrong method with 404", function()
    local res = e.call("PATCH", P .. "/vpc-endpoints")
    assert.equal(404, res.status)
    assert.equal("APIGW.0101", res.code)
  end)

  it("puts a fresh X-Request-Id on every response", function()
    local a = e.call("GET", P .. "/quotas")
    local b = e.call("GET", P .. "/quotas")
    assert.equal(32, #a.request_id)
    assert.not_equal(a.request_id, b.request_id)
  end)

  it("lists VPCEP versions at / and /v1, IAM's when the Host names iam", function()
    local res = e.send{ method = "GET", url = e.endpoint .. "/" }
    assert.equal(200, res.status)
    assert.equal("v1", res.body.versions[1].id)
    res = e.send{ method = "GET", url = e.endpoint .. "/v1",
                  headers = { { "Host", "vpcep.cn-north-4.myhuaweicloud.com" } } }
    assert.equal("CURRENT", res.body.version.status)
    res = e.send{ method = "GET", url = e.endpoint .. "/", headers = { { "Host", "iam.myhuaweicloud.com" } } }
    assert.equal(300, res.status)
    assert.equal("v3.0", res.body.versions.values[1].id)
    res = e.send{ method = "GET", url = e.endpoint .. "/v3" }
    assert.equal("v3.0", res.body.version.id)
    res = e.send{ method = "GET", url = e.endpoint .. "/v9" }
    assert.equal(404, res.status)
  end)

  it("accepts any service host name, routing by path", function()
    local res = e.call("GET", P .. "/quotas", nil, {
      headers = { { "Host", "vpcep.cn-north-4.myhuaweicloud.com" } } })
    assert.equal(200, res.status)
  end)

  it("answers a body that is not JSON with the service's parameter error", function()
    local res = e.call("POST", P .. "/vpc-endpoints", "{oops")
    assert.equal(400, res.status)
    assert.equal("EndPoint.0002", res.code)
  end)

  it("answers a signed body over 12 MB with 413", function()
    local res = e.call("POST", P .. "/vpc-endpoints", string.rep("x", 12 * 1024 * 1024 + 1))
    assert.equal(413, res.status)
    assert.equal("APIGW.0201", res.code)
  end)

  describe("bin/hwcloud-emulator", function()
    local bin = emu.root .. "/bin/hwcloud-emulator"

    it("prints help", function()
      local out, rc = sh(bin .. " --help")
      assert.equal(0, rc)
      assert.matches("start", out)
      assert.matches("%-%-speed", out)
    end)

    it("starts, reports status, prints env, and stops", function()
      local dir = io.popen("mktemp -d /tmp/hwcloud-emu-cli.XXXXXX"):read("*l")
      local ok, err = pcall(function()
        local out, rc = sh(bin .. " start --state-dir " .. dir .. " --speed 0")
        assert.equal(0, rc)
        for _, name in ipairs({ "HWCLOUD_ENDPOINT", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                                "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION", "HUAWEICLOUD_SDK_DOMAIN_ID" }) do
          assert.matches("export " .. name .. "='", out)
        end
        assert.matches("HUAWEICLOUD_SDK_PROJECT_ID='" .. e.project_id .. "'", out)
        local evaluated = sh("eval \"$(" .. bin .. " env --state-dir " .. dir .. ")\"; echo \"$HWCLOUD_ENDPOINT\"")
        assert.matches("http://127%.0%.0%.1:%d+", evaluated)
        local again = sh(bin .. " start --state-dir " .. dir)
        assert.matches("already running", again)
        local status, src = sh(bin .. " status --state-dir " .. dir)
        assert.equal(0, src)
        assert.matches("running, pid %d+", status)
        local stop, stop_rc = sh(bin .. " stop --state-dir " .. dir)
        assert.equal(0, stop_rc)
        assert.matches("stopped", stop)
        local _, st = sh(bin .. " status --state-dir " .. dir)
        assert.equal(3, st)
      end)
      sh(bin .. " stop --state-dir " .. dir)
      os.execute("rm -rf " .. dir)
      assert(ok, err)
    end)

    it("starts on a given port and refuses a busy one", function()
      local dir = io.popen("mktemp -d /tmp/hwcloud-emu-cli.XXXXXX"):read("*l")
      local ok, err = pcall(function()
        local out, rc = sh(bin .. " start --state-dir " .. dir .. " --port " .. e.port)
        assert.not_equal(0, rc)
        assert.matches("nginx failed to start", out)
      end)
      sh(bin .. " stop --state-dir " .. dir)
      os.execute("rm -rf " .. dir)
      assert(ok, err)
    end)

    it("refuses bad options and a bad config file with a clear message", function()
      local out, rc = sh(bin .. " start --speed fast --state-dir /tmp/hwcloud-emu-never")
      assert.not_equal(0, rc)
      assert.matches("speed", out)
      out, rc = sh(bin .. " start --bogus")
      assert.not_equal(0, rc)
      assert.matches("unknown option", out)
      local cfg = os.tmpname()
      local f = io.open(cfg, "w") f:write('{"accounts": []}') f:close()
      local dir = io.popen("mktemp -d /tmp/hwcloud-emu-cli.XXXXXX"):read("*l")
      out, rc = sh(bin .. " start --state-dir " .. dir .. " --config " .. cfg)
      sh(bin .. " stop --state-dir " .. dir)
      os.execute("rm -rf " .. dir)
      os.remove(cfg)
      assert.not_equal(0, rc)
      assert.matches("accounts", out)
    end)
  end)
end)
