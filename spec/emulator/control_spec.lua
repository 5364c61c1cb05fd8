-- The control API under /_emulator/: health, fault injection (respond,
-- stall, drop; counts and patterns), reset, run-time config, the clock and
-- the request log with its secrets redacted.
local emu = require "spec.helpers.emulator"
local S = require "spec.emulator.rfs_support"

describe("emulator control API", function()
  local e, P
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
  end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  it("answers health with the loaded services", function()
    local status, body = e.control("GET", "/_emulator/health")
    assert.equal(200, status)
    assert.equal("ok", body.status)
    local names = table.concat(body.services, ",")
    assert.matches("iam", names)
    assert.matches("vpcep", names)
  end)

  it("answers an unknown control operation with 404", function()
    local status, body = e.control("GET", "/_emulator/nothing")
    assert.equal(404, status)
    assert.equal("EMULATOR.0404", body.error_code)
  end)

  describe("faults", function()
    it("responds with the injected status for the next N matching requests", function()
      local status, body = e.control("POST", "/_emulator/faults",
        { method = "GET", path = P .. "/vpc-endpoints", count = 2, status = 429 })
      assert.equal(201, status)
      assert.equal(2, body.fault.count)
      for _ = 1, 2 do
        local res = e.call("GET", P .. "/vpc-endpoints")
        assert.equal(429, res.status)
        assert.equal("APIGW.0308", res.code)
        assert.equal(32, #res.request_id)
      end
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints").status)
    end)

    it("uses the given body and headers, and only matching methods and paths", function()
      e.control("POST", "/_emulator/faults", { method = "POST", path = "vpc%-endpoints$", status = 503,
        body = { error_code = "EndPoint.0001", error_msg = "System error. Please retry." },
        headers = { ["Retry-After"] = "1" } })
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints").status)
      local res = e.call("POST", P .. "/vpc-endpoints", { })
      assert.equal(503, res.status)
      assert.equal("EndPoint.0001", res.code)
      assert.equal("1", res.headers["Retry-After"])
      local _, list = e.control("GET", "/_emulator/faults")
      assert.equal(0, #list.faults)
    end)

    it("matches a path prefix with magic characters literally", function()
      e.control("POST", "/_emulator/faults", { path = P .. "/vpc-endpoint-services", status = 500 })
      local res = e.call("GET", P .. "/vpc-endpoint-services?limit=1")
      assert.equal(500, res.status)
      assert.equal("APIGW.0201", res.code)
    end)

    it("stalls a request, then serves it", function()
      e.control("POST", "/_emulator/faults", { path = P .. "/quotas", action = "stall", delay = 0.6 })
      local t0 = os.time()
      local core = require "hwcloud.core"
      local s = core.session{ timeout = 0.2 }
      local ok, err = pcall(s.send, s, { method = "GET", url = e.endpoint .. P .. "/quotas" })
      assert.is_false(ok)
      assert.equal("timeout", err.kind)
      s:close()
      e.control("POST", "/_emulator/faults", { path = P .. "/quotas", action = "stall", delay = 0.3 })
      local res = e.call("GET", P .. "/quotas")
      assert.equal(200, res.status)
      assert.is_true(os.time() - t0 < 5)
    end)

    it("stalls then responds with a status when one is given", function()
      e.control("POST", "/_emulator/faults", { path = P .. "/quotas", action = "stall", delay = 0.2, status = 504 })
      local res = e.call("GET", P .. "/quotas")
      assert.equal(504, res.status)
      local _, log = e.control("GET", "/_emulator/requests?limit=1")
      assert.matches("^stall", log.requests[1].fault)
      assert.is_true(log.requests[1].duration_ms >= 190)
    end)

    it("drops a kept-alive connection visibly (no silent replay by libcurl)", function()
      assert.equal(200, e.call("GET", P .. "/quotas").status)   -- the helper's connection is now reused
      e.control("POST", "/_emulator/faults", { path = P .. "/quotas", action = "drop" })
      local ok, err = pcall(e.call, "GET", P .. "/quotas")
      assert.is_false(ok)
      assert.equal("network", err.kind)
      assert.equal(200, e.call("GET", P .. "/quotas").status)
    end)

    it("drops a fresh connection without an answer", function()
      e.control("POST", "/_emulator/faults", { path = P .. "/quotas", action = "drop" })
      local core = require "hwcloud.core"
      local s = core.session{ timeout = 5 }
      local ok, err = pcall(s.send, s, { method = "GET", url = e.endpoint .. P .. "/quotas" })
      s:close()
      assert.is_false(ok)
      assert.equal("network", err.kind)
      assert.equal(200, e.call("GET", P .. "/quotas").status)
      local _, log = e.control("GET", "/_emulator/requests")
      assert.equal(444, log.requests[1].status)
    end)

    it("clears faults with DELETE", function()
      e.control("POST", "/_emulator/faults", { path = "/", status = 500, count = 100 })
      assert.equal(204, (e.control("DELETE", "/_emulator/faults")))
      assert.equal(200, e.call("GET", P .. "/quotas").status)
    end)

    it("refuses a malformed fault", function()
      assert.equal(400, (e.control("POST", "/_emulator/faults", { path = "/", action = "explode" })))
      assert.equal(400, (e.control("POST", "/_emulator/faults", { action = "drop" })))
      assert.equal(400, (e.control("POST", "/_emulator/faults", { path = "/", count = 0 })))
      assert.equal(400, (e.control("POST", "/_emulator/faults", { path = "/", status = 99 })))
    end)
  end)

  describe("reset", function()
    it("forgets resources, tokens, faults and the request log", function()
      local t = e.token()
      local created = e.call("POST", P .. "/vpc-endpoint-services", {
        port_id = "0f3c1b2a-1111-4222-8333-444455556666", vpc_id = "0f3c1b2a-1111-4222-8333-444455557777",
        server_type = "VM", ports = { { client_port = 80, server_port = 80 } } })
      assert.equal(200, created.status)
      e.control("POST", "/_emulator/faults", { path = "/nowhere", status = 500 })
      e.reset()
      assert.equal(0, e.call("GET", P .. "/vpc-endpoint-services").body.total_count)
      assert.equal(401, e.call("GET", P .. "/quotas", nil, { token = t }).status)
      local _, f = e.control("GET", "/_emulator/faults")
      assert.equal(0, #f.faults)
      local _, log = e.control("GET", "/_emulator/requests")
      assert.equal(2, #log.requests)   -- the two calls since the reset
    end)

    it("works from the command line", function()
      assert.equal(201, (e.control("POST", "/_emulator/faults", { path = "/nowhere", count = 5 })))
      local p = io.popen(emu.root .. "/bin/hwcloud-emulator reset --state-dir " .. e.state_dir .. " 2>&1; echo rc=$?")
      local out = p:read("*a")
      p:close()
      assert.matches("rc=0", out)
      local _, pending = e.control("GET", "/_emulator/faults")
      assert.same({}, pending.faults)
    end)
  end)

  describe("config", function()
    it("changes the speed and restores it on reset", function()
      local status, body = e.control("POST", "/_emulator/config", { speed = 0.5, delays = { vpcep_service_create = 2 } })
      assert.equal(200, status)
      assert.equal(0.5, body.config.speed)
      local _, got = e.control("GET", "/_emulator/config")
      assert.equal(2, got.config.delays.vpcep_service_create)
      e.reset()
      _, got = e.control("GET", "/_emulator/config")
      assert.equal(0, got.config.speed)
    end)

    it("answers list settings as JSON arrays, empty ones too", function()
      local raw = e.send{ method = "GET", url = e.endpoint .. "/_emulator/config", headers = {} }.raw_body
      assert.matches('"rfs_fail_types":[]', raw, 1, true)
      e.control("POST", "/_emulator/config", { rfs_fail_types = emu.json.array({}) })
      raw = e.send{ method = "GET", url = e.endpoint .. "/_emulator/config", headers = {} }.raw_body
      assert.matches('"rfs_fail_types":[]', raw, 1, true)
      local _, got = e.control("POST", "/_emulator/config", { rfs_fail_types = { "huaweicloud_vpc" } })
      assert.same({ "huaweicloud_vpc" }, got.config.rfs_fail_types)
    end)

    it("refuses bad values", function()
      assert.equal(400, (e.control("POST", "/_emulator/config", { speed = -1 })))
      assert.equal(400, (e.control("POST", "/_emulator/config", { token_ttl = "long" })))
      assert.equal(400, (e.control("POST", "/_emulator/config", { quotas = { endpoint = "many" } })))
    end)

    -- issue 7, finding 8: a bad value used to be stored and break every later answer
    it("validates every setting and keeps serving after a refusal", function()
      local bad = {
        { request_log_size = "x" }, { request_log_size = -1 }, { request_log_size = 1.5 },
        { max_tags = "many" }, { rfs_fail_types = "huaweicloud_vpc" }, { rfs_fail_types = { 1 } },
        { rfs_max_count = 0 }, { rfs_max_instances = "lots" }, { delays = { rfs_resource = "slow" } },
        { no_such_setting = 1 },
      }
      for _, t in ipairs(bad) do
        local status, body = e.control("POST", "/_emulator/config", t)
        local name = next(t)
        assert.equal(400, status, name)
        assert.equal("EMULATOR.0400", body.error_code)
        assert.matches(name, body.error_msg, 1, true)
      end
      local _, got = e.control("GET", "/_emulator/config")
      assert.equal(500, got.config.request_log_size)
      local res = e.call("GET", P .. "/vpc-endpoints")
      assert.equal(200, res.status)
      local _, log = e.control("GET", "/_emulator/requests?limit=1")
      assert.equal(1, #log.requests)
      assert.equal(200, (e.control("POST", "/_emulator/config", { request_log_size = 10, rfs_max_count = 50 })))
    end)

    it("checks a --config file with the same validator", function()
      local cfg = emu.json.decode(assert(io.open(emu.root .. "/emulator/accounts.json")):read("*a"))
      cfg.settings.request_log_size = "x"
      local path = os.tmpname()
      local f = assert(io.open(path, "w"))
      f:write(emu.json.encode(cfg))
      f:close()
      local ok, err = pcall(emu.start, { config = path })
      os.remove(path)
      if ok then err.stop() end
      assert.is_false(ok)
      assert.matches("request_log_size must be a number", tostring(err), 1, true)
    end)
  end)

  describe("clock", function()
    it("starts at the wall clock, advances, sets forward and resets", function()
      local status, c = e.control("GET", "/_emulator/clock")
      assert.equal(200, status)
      assert.equal(0, c.offset)
      assert.is_true(math.abs(c.now - os.time()) < 5)
      assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", c.time)
      local now = e.advance(3600)
      assert.is_true(now >= c.now + 3600)
      local _, c2 = e.control("GET", "/_emulator/clock")
      assert.equal(3600, c2.offset)
      local target = math.floor(now) + 86400
      status, c2 = e.control("POST", "/_emulator/clock", { set = target })
      assert.equal(200, status)
      assert.is_true(c2.now >= target and c2.now < target + 5)
      e.reset()
      _, c2 = e.control("GET", "/_emulator/clock")
      assert.equal(0, c2.offset)
    end)

    it("refuses going back and malformed bodies", function()
      for _, body in ipairs({ { advance = -1 }, { advance = "1" }, { set = 1 }, {}, { advance = 1, set = 2 },
                              { advance = 1, extra = true } }) do
        local status, b = e.control("POST", "/_emulator/clock", body)
        assert.equal(400, status)
        assert.equal("EMULATOR.0400", b.error_code)
      end
      local _, c = e.control("GET", "/_emulator/clock")
      assert.equal(0, c.offset)
    end)

    it("stamps resources with the emulated time, Terraform's timestamp() too", function()
      local function rfs(method, path, body)
        return e.call(method, P .. path, body, { headers = { { "Client-Request-Id", S.crid() } } })
      end
      local now = e.advance(2 * 86400)
      local day = os.date("!%Y-%m-%d", math.floor(now))
      assert.are_not.equal(os.date("!%Y-%m-%d"), day)
      -- signed with the wall clock's X-Sdk-Date, two days behind: still accepted
      assert.equal(201, rfs("POST", "/stacks", { stack_name = "clocked" }).status)
      assert.equal(day, rfs("GET", "/stacks/clocked/metadata").body.create_time:sub(1, 10))
      assert.equal(201, rfs("POST", "/stacks",
        { stack_name = "stamped", template_body = 'output "now" {\n  value = timestamp()\n}\n' }).status)
      local out = rfs("GET", "/stacks/stamped/outputs").body.outputs
      assert.equal(day, out[1].value:match("%d%d%d%d%-%d%d%-%d%d"))
    end)
  end)

  describe("request log", function()
    it("records requests with every secret redacted", function()
      local t = e.token()
      e.call("GET", P .. "/vpc-endpoints?limit=3", nil, { token = t })
      e.call("GET", P .. "/vpc-endpoints")
      local temp = e.config.temporary_credentials[1]
      e.call("GET", P .. "/quotas", nil, { ak = temp.access_key, sk = temp.secret_key, security_token = temp.security_token })
      local status, body = e.control("GET", "/_emulator/requests")
      assert.equal(200, status)
      local log = body.requests
      assert.equal(4, #log)
      local text = require("emu.json").encode(log)
      assert.not_matches(e.password, text, 1, true)
      assert.not_matches(e.sk, text, 1, true)
      assert.is_nil(text:find(t, 1, true))
      assert.is_nil(text:find(temp.security_token, 1, true))
      assert.equal("***", log[1].body.auth.identity.password.user.password)
      assert.equal(201, log[1].status)
      assert.equal("***", log[2].headers["x-auth-token"])
      assert.equal(P .. "/vpc-endpoints?limit=3", log[2].uri)
      assert.matches("Signature=%*%*%*", log[3].headers.authorization)
      assert.matches("Access=" .. e.ak, log[3].headers.authorization)
      assert.equal("***", log[4].headers["x-security-token"])
      assert.equal(32, #log[3].request_id)
      local _, last = e.control("GET", "/_emulator/requests?limit=1")
      assert.equal(1, #last.requests)
      assert.equal(204, (e.control("DELETE", "/_emulator/requests")))
    end)

    it("records injected faults and error codes", function()
      e.control("POST", "/_emulator/faults", { path = P .. "/quotas", status = 429 })
      e.call("GET", P .. "/quotas")
      local _, body = e.control("GET", "/_emulator/requests")
      assert.equal(429, body.requests[1].status)
      assert.equal("APIGW.0308", body.requests[1].error_code)
      assert.matches("^respond", body.requests[1].fault)
    end)
  end)
end)
