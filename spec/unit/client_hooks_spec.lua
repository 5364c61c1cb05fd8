-- Hooks receive redacted copies (no SK, token, password or Authorization,
-- ever), once per attempt; the wire request itself is not altered. Plus the
-- redaction helpers on their own.

local core = require "hwcloud.core"
local S = require "spec.unit.client_support"
local hwcloud = require "hwcloud"
local redact = require "hwcloud.redact"

local SECRETS = { "SKSECRET", "STS-SECRET", "PASSWORD-SECRET", "TOKEN-SECRET", "Signature=" }

-- every string reachable from v, concatenated
local function dump(v, seen, out)
  seen, out = seen or {}, out or {}
  if type(v) == "table" then
    if seen[v] then return out end
    seen[v] = true
    for k, x in pairs(v) do
      dump(k, seen, out)
      dump(x, seen, out)
    end
  elseif v ~= nil then
    out[#out + 1] = tostring(v)
  end
  return out
end

local function assert_clean(v)
  local text = table.concat(dump(v), "\n")
  for _, s in ipairs(SECRETS) do
    assert.not_matches(s, text, 1, true)
  end
  return text
end

describe("hooks", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  it("see redacted requests and responses for every attempt", function()
    local seen_req, seen_resp = {}, {}
    local t = S.transport({ S.http_error(503, nil, { ["X-Subject-Token"] = "TOKEN-SECRET" }),
      S.ok({ credential = { access = "A", secret = "SKSECRET", securitytoken = "STS-SECRET" } }, 201,
           { ["X-Subject-Token"] = "TOKEN-SECRET", ["Content-Type"] = "application/json" }) })
    local c = hwcloud.new({
      ak = "AKPUBLIC", sk = "SKSECRET", security_token = "STS-SECRET", region = "cn-north-4",
      project_id = "pid", transport = t, sleep = function() end,
      hooks = {
        on_request = function(r) seen_req[#seen_req + 1] = r end,
        on_response = function(r) seen_resp[#seen_resp + 1] = r end,
      },
    })
    local resp = c:request({ service = "vpcep", method = "PUT", path = "/v1/{project_id}/x",
                             query = { token = "TOKEN-SECRET", a = "1" },
                             body = { password = "PASSWORD-SECRET", name = "n" },
                             operation = "vpcep.update_x" })
    assert.are.equal(2, #seen_req)
    assert.are.equal(2, #seen_resp)
    for i, r in ipairs(seen_req) do
      assert_clean(r)
      assert.are.equal(i, r.attempt)
      assert.are.equal("vpcep", r.service)
      assert.are.equal("vpcep.update_x", r.operation)
      assert.are.equal("PUT", r.method)
      assert.are.equal("REDACTED", S.header(r.headers, "Authorization"))
      assert.are.equal("REDACTED", S.header(r.headers, "X-Security-Token"))
      assert.are.equal("pid", S.header(r.headers, "X-Project-Id"))
      assert.matches("token=REDACTED", r.url, 1, true)
      assert.matches('"password":"REDACTED"', r.body, 1, true)
      assert.matches('"name":"n"', r.body, 1, true)
    end
    local first, second = seen_resp[1], seen_resp[2]
    assert_clean(first)
    assert_clean(second)
    assert.are.equal(503, first.status)
    assert.is_true(core.is_error(first.error))
    assert.are.equal("REDACTED", first.headers["X-Subject-Token"])
    assert.are.equal(1, first.attempt)
    assert.are.equal(201, second.status)
    assert.are.equal(2, second.attempt)
    assert.are.equal("REDACTED", second.headers["x-subject-token"])
    assert.are.equal("application/json", second.headers["Content-Type"])
    assert.are.equal("REDACTED", second.body.credential.secret)
    assert.are.equal("A", second.body.credential.access)
    assert.is_number(second.elapsed)
    -- the wire and the caller's response were not touched
    assert.are.equal("STS-SECRET", S.header(t.requests[1].headers, "X-Security-Token"))
    assert.matches("Signature=", S.header(t.requests[2].headers, "Authorization"), 1, true)
    assert.matches("PASSWORD-SECRET", t.requests[2].body, 1, true)
    assert.are.equal("SKSECRET", resp.body.credential.secret)
  end)

  it("never show the password of an IAM token request or the token", function()
    local seen = {}
    local t = S.transport({ function(req)
      if req.url:find("/v3/auth/tokens", 1, true) then
        return S.ok({ token = { expires_at = "2099-01-01T00:00:00Z", project = { id = "p" } } }, 201,
                    { ["X-Subject-Token"] = "TOKEN-SECRET" })
      end
      return S.ok({})
    end })
    local c = hwcloud.new({
      user = "alice", password = "PASSWORD-SECRET", domain = "acct", region = "cn-north-4",
      transport = t,
      hooks = { on_request = function(r) seen[#seen + 1] = r end,
                on_response = function(r) seen[#seen + 1] = r end },
    })
    c:request({ service = "rfs", method = "GET", path = "/v1/{project_id}/stacks" })
    assert.are.equal(4, #seen)
    assert.are.equal("iam", seen[1].service)
    assert.matches('"password":"REDACTED"', seen[1].body, 1, true)
    assert.matches('"name":"alice"', seen[1].body, 1, true)
    assert.are.equal("REDACTED", seen[2].headers["X-Subject-Token"])
    assert.are.equal("REDACTED", S.header(seen[3].headers, "X-Auth-Token"))
    for _, r in ipairs(seen) do assert_clean(r) end
  end)

  it("see dry runs as requests only", function()
    local n_req, n_resp = 0, 0
    local c = hwcloud.new({ ak = "A", sk = "SKSECRET", region = "cn-north-4", project_id = "p",
      transport = S.transport({}),
      hooks = { on_request = function(r) n_req = n_req + 1; assert.is_true(r.dry_run) end,
                on_response = function() n_resp = n_resp + 1 end } })
    c:request({ service = "rfs", method = "GET", path = "/v1/x", dry_run = true })
    assert.are.equal(1, n_req)
    assert.are.equal(0, n_resp)
  end)

  it("raise their own errors to the caller", function()
    local c = hwcloud.new({ ak = "A", sk = "S", region = "cn-north-4", project_id = "p",
      transport = S.transport({ S.ok({}) }),
      hooks = { on_request = function() error("hook failed", 0) end } })
    local ok, err = pcall(c.request, c, { service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_false(ok)
    assert.are.equal("hook failed", err)
  end)
end)

describe("redact", function()
  it("replaces secret headers in lists and maps", function()
    local list = redact.headers({ { "Authorization", "a" }, { "x-auth-token", "t" },
                                  { "Proxy-Authorization", "p" }, { "X-Project-Id", "pid" } })
    assert.are.same({ { "Authorization", "REDACTED" }, { "x-auth-token", "REDACTED" },
                      { "Proxy-Authorization", "REDACTED" }, { "X-Project-Id", "pid" } }, list)
    local map = redact.headers({ ["X-Security-Token"] = "s", ["Content-Type"] = "c" })
    assert.are.equal("REDACTED", map["x-security-token"])
    assert.are.equal("REDACTED", map["X-Security-Token"])
    assert.are.equal("c", map["content-type"])
  end)

  it("scrubs JSON bodies, tables and text without touching the original", function()
    local orig = { auth = { identity = { password = { user = { password = "pw", name = "n" } } } },
                   list = core.array({ { sk = "k" } }) }
    local copy = redact.body(orig)
    assert.are.equal("pw", orig.auth.identity.password.user.password)
    assert.are.equal("REDACTED", copy.auth.identity.password.user.password)
    assert.are.equal("n", copy.auth.identity.password.user.name)
    assert.are.equal("REDACTED", copy.list[1].sk)
    assert.is_true(core.is_array(copy.list))
    assert.are.equal('{"a":1,"secret":"REDACTED"}',
      redact.body('{"a":1,"secret":"x"}', core.decode, core.encode))
    assert.are.equal('not json "password": "REDACTED", "b": "\\"q"',
      redact.body('not json "password": "p\\"w", "b": "\\"q"'))
    assert.are.equal("user=u&password=REDACTED", redact.body("user=u&password=p"))
    -- libcurl names a bad proxy URL in its message, credentials included
    assert.are.equal("Unsupported proxy syntax in 'http://REDACTED@proxy:3128' and https://REDACTED@h/x",
      redact.body("Unsupported proxy syntax in 'http://user:p@ss@proxy:3128' and https://u:v@h/x"))
    assert.are.equal("a://b no@at http://h/x@y", redact.body("a://b no@at http://h/x@y"))
  end)

  it("removes user information and secret parameters from URLs", function()
    assert.are.equal("http://REDACTED@proxy:3128/a?x=1&password=REDACTED",
      redact.url("http://user:pw@proxy:3128/a?x=1&password=pw"))
    assert.are.equal("https://h/p", redact.url("https://h/p"))
    -- the user information ends at the last '@' before the path
    assert.are.equal("http://REDACTED@host/x?Token=REDACTED#f&a=1",
      redact.url("http://user:p@ss@host/x?Token=t#f&a=1"))
    assert.are.equal("http://h/?a=1&&b&token=REDACTED&x", redact.url("http://h/?a=1&&b&token=z&x"))
  end)

  it("redacts the error the client raises: url, tostring, headers, the same URL as the hooks", function()
    S.set_env({})
    local hooked
    -- the transport's own error keeps the URL it was given, as the core's does
    local t = S.transport({ function(req)
      return S.http_error(404, "RF.1", { ["X-Subject-Token"] = "TOKEN-SECRET" },
        { url = req.url, body = '{"password":"PASSWORD-SECRET"}', message = "token=TOKEN-SECRET" })
    end })
    local c = hwcloud.new({ ak = "AKPUBLIC", sk = "SKSECRET", region = "cn-north-4", project_id = "pid",
      transport = t, hooks = { on_response = function(r) hooked = r end } })
    local ok, err = pcall(c.request, c, { service = "rfs", method = "GET", path = "/v1/x",
                                          query = { token = "TOKEN-SECRET", a = "1" } })
    assert.is_false(ok)
    assert.matches("token=TOKEN%-SECRET", t.requests[1].url) -- the wire keeps it
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/x?a=1&token=REDACTED", err.url)
    assert.are.equal(err.url, hooked.url)
    assert.are.equal(err.url, hooked.error.url)
    assert_clean(err)
    assert_clean(tostring(err))
    assert_clean(hooked)
    assert.are.equal("REDACTED", err.headers["x-subject-token"])
    assert.are.equal("RF.1", err.code)
    assert.are.equal(404, err.status)
  end)

  it("copies error fields with headers and bodies redacted", function()
    local err = S.http_error(401, "APIGW.0301", { ["X-Subject-Token"] = "t" },
                             { body = '{"token":"abc"}' })
    local f = redact.error_fields(err)
    assert.are.equal(401, f.status)
    assert.are.equal("APIGW.0301", f.code)
    assert.are.equal("REDACTED", f.headers["x-subject-token"])
    assert.are.equal('{"token":"REDACTED"}', f.body)
  end)

  it("redacts a transport's own words (detail) like the message", function()
    local err = core.transport_error{ curl_code = 5, method = "GET", url = "https://rfs.example/v1",
      detail = "Could not resolve proxy: http://bob:s3cret@proxy.example:3128?token=abc" }
    local f = redact.error_fields(err)
    assert.matches("could not resolve the proxy for rfs.example", f.message, 1, true)
    assert.not_matches("s3cret", f.detail, 1, true)
    assert.matches("proxy.example", f.detail, 1, true)
    assert.not_matches("s3cret", redact.raised(err).detail, 1, true)
  end)
end)
