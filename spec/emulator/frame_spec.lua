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

-- the lines a command printed (without sh's rc line)
local function printed_lines(out)
  local lines = {}
  for line in out:gsub("rc=%d+%s*$", ""):gmatch("[^\n]+") do lines[#lines + 1] = line end
  return lines
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
    -- errors of every layer, IAM, RFS, the control API and injected faults too
    local token = e.call("POST", "/v3/auth/tokens", { auth = {} }, { unsigned = true })
    local rfs = e.call("GET", P .. "/stacks")                       -- no Client-Request-Id: 400
    local unsigned = e.call("GET", P .. "/quotas", nil, { unsigned = true })
    local control = e.send{ method = "GET", url = e.endpoint .. "/_emulator/health" }
    assert.equal(201, (e.control("POST", "/_emulator/faults", { path = "/v3", status = 503 })))
    local fault = e.send{ method = "GET", url = e.endpoint .. "/v3" }
    local seen = {}
    for _, r in ipairs({ token, rfs, unsigned, control, fault }) do
      assert.matches("^%x+$", r.request_id)
      assert.equal(32, #r.request_id)
      assert.is_nil(seen[r.request_id])
      seen[r.request_id] = true
    end
    assert.same({ 400, 400, 401, 200, 503 }, { token.status, rfs.status, unsigned.status, control.status, fault.status })
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
    res = e.call("GET", P .. "/stacks", nil, { headers = {
      { "Host", "rfs.cn-north-4.myhuaweicloud.com" }, { "Client-Request-Id", string.rep("a", 36) } } })
    assert.equal(200, res.status)
    assert.same({}, res.body.stacks)
    res = e.call("GET", "/v3/projects?name=" .. e.region, nil, {
      project_header = false, headers = { { "Host", "iam.myhuaweicloud.com" } } })
    assert.equal(e.project_id, res.body.projects[1].id)
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
      for _, how in ipairs({ " --help", " help", "" }) do
        local out, rc = sh(bin .. how)
        assert.equal(0, rc)
        assert.matches("start", out)
        assert.matches("%-%-speed", out)
      end
    end)

    it("says a command is unknown, in one line, with the closest one", function()
      local out, rc = sh(bin .. " strat --port 1")
      assert.equal(2, rc)
      assert.same({ "hwcloud-emulator: unknown command 'strat' (did you mean 'start'?); "
        .. "commands: start, stop, status, reset, env, help" }, printed_lines(out))
      out, rc = sh(bin .. " stpo")
      assert.equal(2, rc)
      assert.matches("did you mean 'stop'", out, 1, true)
      out, rc = sh(bin .. " frobnicate")
      assert.equal(2, rc)
      assert.matches("unknown command 'frobnicate'; commands: start,", out, 1, true)
      out, rc = sh(bin .. " --port 1 start")
      assert.equal(2, rc)
      assert.matches("the command comes first", out, 1, true)
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
        -- the second account, its project in the same region
        local second = e.second.projects[1]
        for _, p in ipairs(e.second.projects) do if p.name == e.region then second = p end end
        assert.matches("export HWCLOUD_SECOND_AK='" .. e.second.ak .. "'", out, 1, true)
        assert.matches("export HWCLOUD_SECOND_SK='" .. e.second.sk .. "'", out, 1, true)
        assert.matches("export HWCLOUD_SECOND_PROJECT_ID='" .. second.id .. "'", out, 1, true)
        assert.matches("export HWCLOUD_SECOND_DOMAIN_ID='" .. e.second.domain_id .. "'", out, 1, true)
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
        -- one line naming the port, before nginx retries it five times
        local out, rc = sh(bin .. " start --state-dir " .. dir .. " --port " .. e.port)
        assert.equal(1, rc)
        assert.same({ "hwcloud-emulator: port " .. e.port .. " on 127.0.0.1 is in use by another program: "
          .. "give another --port, or none for a free one" }, printed_lines(out))
        assert.is_nil(io.open(dir .. "/logs/error.log"))
      end)
      sh(bin .. " stop --state-dir " .. dir)
      os.execute("rm -rf " .. dir)
      assert(ok, err)
    end)

    it("serves the accounts of a --config file, exporting its first one (and no second)", function()
      local cfg = os.tmpname()
      local f = io.open(cfg, "w")
      f:write(emu.json.encode({ accounts = { {
        name = "solo", domain_name = "solo-domain", domain_id = string.rep("5", 32),
        user_name = "solo", user_id = string.rep("6", 32), password = "Solo-Passw0rd",
        access_key = "EMUSOLOACCESSKEY0001", secret_key = "EmulatorSoloSecretKey000000000000000001",
        projects = { { name = "ap-southeast-1", id = string.rep("7", 32) } } } } }))
      f:close()
      local ok, err = pcall(function()
        local solo = emu.start{ config = cfg }
        local inner_ok, inner_err = pcall(function()
          assert.matches("HUAWEICLOUD_SDK_AK='EMUSOLOACCESSKEY0001'", solo.exports, 1, true)
          assert.matches("HUAWEICLOUD_SDK_REGION='ap-southeast-1'", solo.exports, 1, true)
          assert.is_nil(solo.exports:find("HWCLOUD_SECOND", 1, true))
          local res = solo.call("GET", "/v1/" .. string.rep("7", 32) .. "/vpc-endpoints")
          assert.equal(200, res.status)
          assert.equal(401, solo.call("GET", "/v1/" .. string.rep("7", 32) .. "/vpc-endpoints", nil,
            { ak = e.ak, sk = e.sk }).status)                  -- the default file's demo key is unknown here
        end)
        solo.stop()
        assert(inner_ok, inner_err)
      end)
      os.remove(cfg)
      assert(ok, err)
    end)

    it("refuses bad options and a bad config file with a clear message", function()
      local out, rc = sh(bin .. " start --speed fast --state-dir /tmp/hwcloud-emu-never")
      assert.not_equal(0, rc)
      assert.matches("speed", out)
      out, rc = sh(bin .. " start --bogus")
      assert.not_equal(0, rc)
      assert.matches("unknown option", out)
      -- a file the emulator refuses: its reason in one line, no Lua traceback
      local cfg = os.tmpname()
      local dir = io.popen("mktemp -d /tmp/hwcloud-emu-cli.XXXXXX"):read("*l")
      local said = {}
      for i, text in ipairs({ '{"accounts": []}', '{"accounts": [' }) do
        local f = io.open(cfg, "w") f:write(text) f:close()
        out, rc = sh(bin .. " start --state-dir " .. dir .. " --config " .. cfg)
        said[i] = { rc = rc, lines = printed_lines(out) }
      end
      sh(bin .. " stop --state-dir " .. dir)
      os.execute("rm -rf " .. dir)
      os.remove(cfg)
      assert.same({ rc = 1, lines = { "hwcloud-emulator: config file " .. cfg .. ": 'accounts' must be a non-empty list" } },
        said[1])
      assert.equal(1, said[2].rc)
      assert.equal(1, #said[2].lines, said[2].lines[2])
      assert.matches("^hwcloud%-emulator: config file " .. cfg:gsub("%p", "%%%0") .. ": emu%.json: ", said[2].lines[1])
    end)
  end)
end)
