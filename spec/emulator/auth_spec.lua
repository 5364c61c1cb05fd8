-- The emulator authenticates like the API gateway: AK/SK signatures
-- recomputed from the wire (tampering anything signed fails), X-Sdk-Date
-- skew, temporary keys with X-Security-Token, IAM tokens and their expiry,
-- and the project in the path checked against the caller.
local emu = require "spec.helpers.emulator"

local function set_header(req, name, value)
  for _, h in ipairs(req.headers) do
    if h[1]:lower() == name:lower() then h[2] = value return end
  end
  req.headers[#req.headers + 1] = { name, value }
end

local function get_header(req, name)
  for _, h in ipairs(req.headers) do
    if h[1]:lower() == name:lower() then return h[2] end
  end
end

describe("emulator authentication", function()
  local e, P
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
  end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  local function denied(res, code)
    assert.equal(401, res.status)
    assert.equal(code or "APIGW.0301", res.code)
    assert.truthy(res.request_id and res.request_id:match("^%x+$") and #res.request_id == 32)
    assert.is_table(res.body)
    assert.equal(res.request_id, res.body.request_id)
  end

  describe("AK/SK signatures", function()
    it("accepts a correctly signed request", function()
      local res = e.call("GET", P .. "/vpc-endpoints?limit=5&offset=0")
      assert.equal(200, res.status)
      assert.equal(0, res.body.total_count)
    end)

    it("accepts a signed request with a body and an encoded query", function()
      local res = e.call("POST", P .. "/endpoint_service/resource_instances/action?x=a%20b&y=%2B", { action = "count" })
      assert.equal(200, res.status)
    end)

    it("accepts a path carrying %2F signed decoded first or as sent (Huawei's SDKs: ShowStackInstance)", function()
      local path = "/v1/stack-sets/nope/stack-instances/cn-north-4%2F" .. e.domain_id
      local crid = { { "Client-Request-Id", "00000000-0000-4000-8000-00000000a001" } }
      local decoded = e.call("GET", path, nil, { headers = crid })
      assert.equal(404, decoded.status)
      assert.equal("RF.10013050", decoded.code)
      -- the SDK signs "cn-north-4%252F..." (its encoded path encoded again) and sends "%2F"
      local as_sent = e.call("GET", path:gsub("%%2F", "%%252F"), nil, { headers = crid,
        tamper = function(req) req.url = req.url:gsub("%%252F", "%%2F") end })
      assert.equal(404, as_sent.status)
      assert.equal("RF.10013050", as_sent.code)
      -- still only those two: a signature over another path is refused
      denied(e.call("GET", path:gsub("%%2F", "%%252F") .. "x", nil, { headers = crid,
        tamper = function(req) req.url = req.url:gsub("%%252F", "%%2F"):gsub("x$", "") end }))
    end)

    it("rejects a request without credentials", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, { unsigned = true }))
    end)

    it("rejects a tampered signed header", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req) set_header(req, "X-Project-Id", e.project_id:gsub("^0", "1")) end }))
    end)

    it("rejects a tampered body", function()
      denied(e.call("POST", P .. "/vpc-endpoints", '{"a":1}', {
        tamper = function(req) req.body = '{"a":2}' end }))
    end)

    it("rejects a tampered path", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req) req.url = req.url .. "/" .. "0f3c1b2a-1111-4222-8333-444455556666" end }))
    end)

    it("rejects a tampered query", function()
      denied(e.call("GET", P .. "/vpc-endpoints?limit=5", nil, {
        tamper = function(req) req.url = req.url:gsub("limit=5", "limit=6") end }))
    end)

    it("rejects a tampered method", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req) req.method = "POST"; req.body = "" end }))
    end)

    it("rejects a wrong secret key", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, { sk = "not-the-secret" }))
    end)

    it("rejects an unknown access key", function()
      local res = e.call("GET", P .. "/vpc-endpoints", nil, { ak = "UNKNOWNACCESSKEY0000" })
      denied(res)
      assert.matches("not exist", res.message)
    end)

    it("rejects an X-Sdk-Date more than 15 minutes old or ahead", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, { date = emu.sdk_date(-16 * 60) }))
      denied(e.call("GET", P .. "/vpc-endpoints", nil, { date = emu.sdk_date(16 * 60) }))
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints", nil, { date = emu.sdk_date(-10 * 60) }).status)
    end)

    it("rejects a missing or malformed X-Sdk-Date", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req)
          for i, h in ipairs(req.headers) do if h[1]:lower() == "x-sdk-date" then table.remove(req.headers, i) break end end
        end }))
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req) set_header(req, "X-Sdk-Date", "2024-01-01T00:00:00Z") end }))
    end)

    it("rejects a malformed Authorization header and unknown algorithms", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req) set_header(req, "Authorization", "garbage") end }))
      denied(e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req)
          set_header(req, "Authorization", get_header(req, "Authorization"):gsub("^SDK%-HMAC%-SHA256", "SDK-HMAC-MD5"))
        end }))
    end)

    it("checks only the headers named in SignedHeaders", function()
      local res = e.call("GET", P .. "/vpc-endpoints", nil, {
        tamper = function(req) set_header(req, "X-Unsigned-Extra", "anything") end })
      assert.equal(200, res.status)
    end)

    it("verifies V11-HMAC-SHA256 signatures", function()
      local core = require "hwcloud.core"
      local ok = pcall(core.sign, { method = "GET", url = "http://x/", ak = "a", sk = "b",
        algorithm = "V11-HMAC-SHA256", region_id = "cn-north-4", service_name = "vpcep" })
      if not ok then pending("hwcloud.core.sign has no V11 support") return end
      local opts = { algorithm = "V11-HMAC-SHA256", region_id = "cn-north-4", service_name = "vpcep" }
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints", nil, opts).status)
      opts.sk = "wrong"
      denied(e.call("GET", P .. "/vpc-endpoints", nil, opts))
    end)
  end)

  describe("temporary credentials", function()
    local temp, expired
    setup(function()
      for _, t in ipairs(e.config.temporary_credentials) do
        if t.expires_at:match("^2099") then temp = t else expired = t end
      end
    end)

    it("accepts temporary keys with their security token", function()
      local res = e.call("GET", P .. "/vpc-endpoints", nil,
        { ak = temp.access_key, sk = temp.secret_key, security_token = temp.security_token })
      assert.equal(200, res.status)
    end)

    it("rejects temporary keys without, or with a wrong, security token", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, { ak = temp.access_key, sk = temp.secret_key }))
      denied(e.call("GET", P .. "/vpc-endpoints", nil,
        { ak = temp.access_key, sk = temp.secret_key, security_token = "emu-security-token-wrong" }))
    end)

    it("rejects expired temporary keys", function()
      local res = e.call("GET", P .. "/vpc-endpoints", nil,
        { ak = expired.access_key, sk = expired.secret_key, security_token = expired.security_token })
      denied(res)
      assert.matches("expired", res.message)
    end)

    it("issues temporary keys through IAM securitytokens", function()
      local res = e.call("POST", "/v3.0/OS-CREDENTIAL/securitytokens",
        { auth = { identity = { methods = { "token" }, token = { duration_seconds = 900 } } } },
        { token = e.token() })
      assert.equal(201, res.status)
      local c = res.body.credential
      assert.truthy(c.access and c.secret and c.securitytoken and c.expires_at)
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints", nil,
        { ak = c.access, sk = c.secret, security_token = c.securitytoken }).status)
      local bad = e.call("POST", "/v3.0/OS-CREDENTIAL/securitytokens",
        { auth = { identity = { methods = { "token" }, token = { duration_seconds = 10 } } } }, { token = e.token() })
      assert.equal(400, bad.status)
    end)
  end)

  describe("IAM tokens", function()
    local function password_body(user, password, scope)
      return { auth = {
        identity = { methods = { "password" }, password = { user = {
          name = user, password = password, domain = { name = e.domain_name } } } },
        scope = scope } }
    end

    it("issues a project token (by name or id) that works as X-Auth-Token", function()
      local res = e.call("POST", "/v3/auth/tokens?nocatalog=true",
        password_body(e.user_name, e.password, { project = { name = e.region } }), { unsigned = true })
      assert.equal(201, res.status)
      local token = res.headers["X-Subject-Token"]
      assert.matches("^MII", token)
      assert.equal(e.project_id, res.body.token.project.id)
      assert.same({}, res.body.token.catalog)
      assert.matches("^%d+%-%d+%-%d+T%d+:%d+:%d+%.%d%d%d%d%d%dZ$", res.body.token.expires_at)
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints", nil, { token = token }).status)
      local by_id = e.call("POST", "/v3/auth/tokens",
        password_body(e.user_name, e.password, { project = { id = e.project_id } }), { unsigned = true })
      assert.equal(201, by_id.status)
      assert.is_true(#by_id.body.token.catalog > 0)
    end)

    it("issues tokens for 24 hours by default, token_ttl when configured", function()
      local function lifetime()
        local res = e.call("POST", "/v3/auth/tokens",
          password_body(e.user_name, e.password, { project = { id = e.project_id } }), { unsigned = true })
        assert.equal(201, res.status)
        local function secs(iso)
          local y, mo, d, h, mi, sec = iso:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
          return os.time{ year = tonumber(y), month = tonumber(mo), day = tonumber(d),
                          hour = tonumber(h), min = tonumber(mi), sec = tonumber(sec), isdst = false }
        end
        return secs(res.body.token.expires_at) - secs(res.body.token.issued_at)
      end
      assert.equal(86400, lifetime())
      assert.equal(200, (e.control("POST", "/_emulator/config", { token_ttl = 600 })))
      assert.equal(600, lifetime())
    end)

    it("validates a token with GET /v3/auth/tokens", function()
      local t = e.token()
      local res = e.call("GET", "/v3/auth/tokens", nil, { token = t, headers = { { "X-Subject-Token", t } } })
      assert.equal(200, res.status)
      assert.equal(t, res.headers["X-Subject-Token"])
      local bad = e.call("GET", "/v3/auth/tokens", nil, { token = t, headers = { { "X-Subject-Token", "MIIunknown" } } })
      assert.equal(404, bad.status)
      -- another domain's token: 403 in Keystone's shape
      local theirs = e.call("GET", "/v3/auth/tokens", nil, { token = t, headers = { { "X-Subject-Token", e.token(e.second) } } })
      assert.equal(403, theirs.status)
      assert.same({ code = 403, title = "Forbidden" }, { code = theirs.body.error.code, title = theirs.body.error.title })
    end)

    it("answers a wrong password with 401 in Keystone's shape", function()
      local res = e.call("POST", "/v3/auth/tokens", password_body(e.user_name, "wrong"), { unsigned = true })
      assert.equal(401, res.status)
      assert.equal(401, res.body.error.code)
      assert.equal("Unauthorized", res.body.error.title)
    end)

    it("answers a malformed token request with 400", function()
      local res = e.call("POST", "/v3/auth/tokens", { auth = {} }, { unsigned = true })
      assert.equal(400, res.status)
      assert.equal("Bad Request", res.body.error.title)
      res = e.call("POST", "/v3/auth/tokens", "{not json", { unsigned = true })
      assert.equal(400, res.status)
    end)

    it("rejects an unknown project scope", function()
      local res = e.call("POST", "/v3/auth/tokens",
        password_body(e.user_name, e.password, { project = { name = "xx-nowhere-1" } }), { unsigned = true })
      assert.equal(400, res.status)
    end)

    it("rejects an unknown token", function()
      denied(e.call("GET", P .. "/vpc-endpoints", nil, { token = "MIIEmuNotAToken" }))
    end)

    it("rejects an expired token with APIGW.0307", function()
      assert.equal(200, (e.control("POST", "/_emulator/config", { token_ttl = 1 })))
      local t = e.token()
      assert.equal(200, e.call("GET", P .. "/vpc-endpoints", nil, { token = t }).status)
      e.advance(1.1)
      local res = e.call("GET", P .. "/vpc-endpoints", nil, { token = t })
      denied(res, "APIGW.0307")
    end)

    it("refuses a domain-scoped token on a project service", function()
      local res = e.call("POST", "/v3/auth/tokens",
        password_body(e.user_name, e.password, { domain = { name = e.domain_name } }), { unsigned = true })
      assert.equal(201, res.status)
      assert.equal(e.domain_id, res.body.token.domain.id)
      local t = res.headers["X-Subject-Token"]
      assert.equal("EndPoint.0014", e.call("GET", P .. "/vpc-endpoints", nil, { token = t }).code)
      assert.equal(200, e.call("GET", "/v3/auth/domains", nil, { token = t }).status)
    end)

    it("refuses a token scoped to another project", function()
      local res = e.call("GET", "/v1/" .. e.projects[2].id .. "/vpc-endpoints", nil, { token = e.token() })
      assert.equal(400, res.status)
      assert.equal("EndPoint.0014", res.code)
    end)
  end)

  describe("project resolution", function()
    it("lists projects by region name, signed with AK/SK (the SDK's lookup)", function()
      local res = e.call("GET", "/v3/projects?name=" .. e.region, nil, { project_header = false })
      assert.equal(200, res.status)
      assert.equal(1, #res.body.projects)
      assert.equal(e.project_id, res.body.projects[1].id)
      assert.truthy(res.headers["X-IAM-Trace-Id"])
      res = e.call("GET", "/v3/projects?name=xx-nowhere-1", nil, { project_header = false })
      assert.equal(0, #res.body.projects)
    end)

    it("shows the caller's projects and domain", function()
      local res = e.call("GET", "/v3/auth/projects", nil, { token = e.token() })
      assert.equal(#e.projects, #res.body.projects)
      res = e.call("GET", "/v3/auth/domains", nil, { project_header = false })
      assert.equal(e.domain_id, res.body.domains[1].id)
      res = e.call("GET", "/v3/projects/" .. e.project_id, nil, { project_header = false })
      assert.equal(e.region, res.body.project.name)
      res = e.call("GET", "/v3/projects/" .. e.second.project_id, nil, { project_header = false })
      assert.equal(404, res.status)
    end)

    it("refuses another account's project in the path", function()
      local res = e.call("GET", "/v1/" .. e.second.project_id .. "/vpc-endpoints", nil, { project_header = false })
      assert.equal(400, res.status)
      assert.equal("EndPoint.0014", res.code)
      -- RFS has no project error of its own: the gateway's 403 APIGW.0310
      res = e.call("GET", "/v1/" .. e.second.project_id .. "/stacks", nil,
        { project_header = false, headers = { { "Client-Request-Id", string.rep("a", 36) } } })
      assert.equal(403, res.status)
      assert.equal("APIGW.0310", res.code)
      assert.equal(res.request_id, res.body.request_id)
    end)

    it("answers IAM calls without credentials with 401 in Keystone's shape", function()
      local res = e.call("GET", "/v3/projects?name=" .. e.region, nil, { unsigned = true, project_header = false })
      assert.equal(401, res.status)
      assert.equal(401, res.body.error.code)
      assert.equal("Unauthorized", res.body.error.title)
      assert.matches("X%-Auth%-Token", res.body.error.message)
      res = e.call("GET", "/v3/auth/projects", nil, { token = "MIIEmuNotAToken" })
      assert.equal(401, res.status)
      assert.equal("Unauthorized", res.body.error.title)
    end)

    it("refuses an X-Project-Id that differs from the path", function()
      local res = e.call("GET", "/v1/" .. e.projects[2].id .. "/vpc-endpoints")
      assert.equal("EndPoint.0014", res.code)
      assert.equal(200, e.call("GET", "/v1/" .. e.projects[2].id .. "/vpc-endpoints", nil,
        { headers = {}, project_header = false }).status)
    end)
  end)
end)
