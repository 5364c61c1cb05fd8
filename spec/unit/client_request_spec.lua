-- client:request with an injected transport: the module's exports, what goes
-- on the wire (URL, query encoding, headers, body, project/domain headers,
-- signature), dry_run, argument errors, and that nothing does I/O at new.

local core = require "hwcloud.core"
local S = require "spec.unit.client_support"
local hwcloud = require "hwcloud"

local PID = "0123456789abcdef0123456789abcdef"

local function client(extra, script)
  local t = S.transport(script or { S.ok({ ok = true }) })
  local opts = { ak = "AKEXAMPLE", sk = "SKEXAMPLE", region = "cn-north-4", project_id = PID,
                 transport = t, sleep = function() end }
  for k, v in pairs(extra or {}) do opts[k] = v end
  return hwcloud.new(opts), t
end

local function arg_error(f)
  local ok, err = pcall(f)
  assert.is_false(ok)
  assert.is_true(core.is_error(err), tostring(err))
  assert.are.equal("argument", err.kind)
  return err
end

describe("hwcloud module", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  it("exposes the core helpers and a version", function()
    assert.are.equal(core.null, hwcloud.null)
    assert.are.equal(core.array, hwcloud.array)
    assert.are.equal(core.encode, hwcloud.encode)
    assert.are.equal(core.decode, hwcloud.decode)
    assert.are.equal(core.is_error, hwcloud.is_error)
    assert.are.equal(core.error, hwcloud.error)
    assert.is_string(hwcloud.VERSION)
    assert.are.equal("[]", hwcloud.encode(hwcloud.array({})))
  end)

  it("escapes like the signer's E()", function()
    assert.are.equal("a%20b%2Fc~-._%C3%A9%2B", hwcloud.escape("a b/c~-._é+"))
  end)

  it("encodes query tables sorted, with repeats, E()-escaped", function()
    assert.are.equal("A=4&a=1&b=1&b=10&b=2&e=&t=true&x=a%2Bb%20c",
      hwcloud.encode_query({ b = { "2", "10", 1 }, a = 1, A = 4, e = "", t = true, x = "a+b c" }))
    assert.are.equal("", hwcloud.encode_query({}))
    assert.are.equal("n=3", hwcloud.encode_query({ n = 3.0 }))
  end)

  it("does no I/O at new: no transport call, no profile read", function()
    S.set_env({ HOME = "/nonexistent-home" })
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ transport = t })
    assert.are.equal(0, #t.requests)
    -- the missing credentials only show on first use
    local ok, err = pcall(c.request, c, { service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.are.equal(0, #t.requests)
  end)

  it("rejects bad options naming the function and the option", function()
    local err = arg_error(function() hwcloud.new({ timeout = "10" }) end)
    assert.matches("hwcloud.new: opts.timeout must be a number", err.message, 1, true)
    err = arg_error(function() hwcloud.new({ timout = 10 }) end)
    assert.matches("unknown option opts.timout", err.message, 1, true)
    err = arg_error(function() hwcloud.new({ max_retries = -1 }) end)
    assert.matches("opts.max_retries", err.message, 1, true)
    err = arg_error(function() hwcloud.new({ timeout = 0 }) end)
    assert.matches("opts.timeout must be a positive", err.message, 1, true)
    for _, bad in ipairs({ "a\r\nX-Evil: 1", "a\nb", "a\0b" }) do -- a header line of every request
      err = arg_error(function() hwcloud.new({ user_agent = bad }) end)
      assert.matches("hwcloud.new: opts.user_agent must not contain CR, LF or NUL", err.message, 1, true)
    end
    -- NaN passes every comparison and math.huge equals its floor: every
    -- numeric option refuses both, and counts refuse fractions
    local counts = { max_retries = true, max_body_bytes = true }
    for _, name in ipairs({ "timeout", "connect_timeout", "retry_base_delay", "retry_max_delay",
                            "max_retry_after", "token_refresh_margin", "max_retries", "max_body_bytes" }) do
      for _, bad in ipairs({ 0 / 0, math.huge, -math.huge, -1, counts[name] and 1.5 or nil }) do
        err = arg_error(function() hwcloud.new({ [name] = bad }) end)
        assert.matches("^hwcloud%.new: opts%." .. name .. " must be ", err.message)
      end
    end
    assert.matches("whole number", arg_error(function() hwcloud.new({ max_body_bytes = 0 / 0 }) end).message)
    local c0 = hwcloud.new({ transport = S.transport({ S.ok({}) }), ak = "a", sk = "s", project_id = "p" })
    err = arg_error(function()
      c0:request({ service = "rfs", method = "GET", path = "/x", max_retries = math.huge })
    end)
    assert.matches("req.max_retries must be a whole number", err.message, 1, true)
    err = arg_error(function() hwcloud.new({ endpoints = { rfs = "ftp://x" } }) end)
    assert.matches("opts.endpoints.rfs", err.message, 1, true)
    err = arg_error(function() hwcloud.new({ hooks = { on_reqest = print } }) end)
    assert.matches("opts.hooks.on_reqest", err.message, 1, true)
    err = arg_error(function() hwcloud.new({ transport = {} }) end)
    assert.matches("opts.transport", err.message, 1, true)
    err = arg_error(function() hwcloud.new("x") end)
    assert.matches("hwcloud.new: opts must be a table", err.message, 1, true)
  end)

  it("hides secrets from tostring of a client", function()
    local c = client()
    assert.not_matches("SKEXAMPLE", tostring(c), 1, true)
    for k, v in pairs(c) do
      assert.not_matches("SKEXAMPLE", tostring(k) .. tostring(v), 1, true)
    end
  end)
end)

describe("client:request", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  it("sends a signed GET with the project header and returns the response", function()
    local c, t = client()
    local resp = c:request({ service = "rfs", method = "get", path = "/v1/{project_id}/stacks",
                             query = { limit = 10, marker = "a b" } })
    assert.are.equal(200, resp.status)
    assert.are.same({ ok = true }, resp.body)
    assert.are.equal(1, resp.attempts)
    local req = t.requests[1]
    assert.are.equal("GET", req.method)
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/" .. PID
      .. "/stacks?limit=10&marker=a%20b", req.url)
    assert.is_nil(req.body)
    assert.are.equal(PID, S.header(req.headers, "X-Project-Id"))
    assert.are.equal("rfs.cn-north-4.myhuaweicloud.com", S.header(req.headers, "Host"))
    assert.matches("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$", S.header(req.headers, "X-Sdk-Date"))
    local auth = S.header(req.headers, "Authorization")
    assert.matches("^SDK%-HMAC%-SHA256 Access=AKEXAMPLE, SignedHeaders=host;"
      .. "x%-project%-id;x%-sdk%-date, Signature=%x+$", auth)
    assert.is_nil(S.header(req.headers, "Content-Type"))
    assert.are.equal("lua-hwcloud/" .. hwcloud.VERSION, S.header(req.headers, "User-Agent"))
  end)

  it("sends its User-Agent unsigned after the signature, and signs the caller's own", function()
    local c, t = client({ user_agent = "tool/1" })
    local function ua_of(req)
      local n, v = 0, nil
      for _, h in ipairs(req.headers) do
        if h[1]:lower() == "user-agent" then n, v = n + 1, h[2] end
      end
      return n, v, S.header(req.headers, "Authorization"):match("SignedHeaders=([^,]+)")
    end
    for _ = 1, 2 do -- the second time from the client's kept header list
      c:request({ service = "rfs", method = "POST", path = "/v1/{project_id}/stacks", body = {} })
      local n, v, signed = ua_of(t.requests[#t.requests])
      assert.are.same({ 1, "tool/1", "content-type;host;x-project-id;x-sdk-date" }, { n, v, signed })
      assert.are.equal("User-Agent", t.requests[#t.requests].headers[#t.requests[#t.requests].headers][1])
      for _, uh in ipairs({ { { "user-agent", "mine/2" } }, { ["User-Agent"] = "mine/2" } }) do
        c:request({ service = "rfs", method = "POST", path = "/v1/{project_id}/stacks", body = {}, headers = uh })
        n, v, signed = ua_of(t.requests[#t.requests])
        assert.are.same({ 1, "mine/2", "content-type;host;user-agent;x-project-id;x-sdk-date" }, { n, v, signed })
      end
    end
    -- dry_run shows it, outside the signed headers
    local dry = c:request({ service = "rfs", method = "GET", path = "/v1/{project_id}/stacks", dry_run = true })
    assert.are.equal("tool/1", S.header(dry.headers, "User-Agent"))
    assert.not_matches("user%-agent", dry.signed_headers)
  end)

  it("encodes a table body as JSON with Content-Type application/json", function()
    local c, t = client()
    c:request({ service = "vpcep", method = "POST", path = "/v1/{project_id}/vpc-endpoints",
                body = { tags = hwcloud.array({}), n = 5, x = hwcloud.null } })
    local req = t.requests[1]
    assert.are.equal("application/json", S.header(req.headers, "Content-Type"))
    local body = S.json(req.body)
    assert.are.equal(5, body.n)
    assert.are.equal(hwcloud.null, body.x)
    assert.matches('"tags":%[%]', req.body)
    assert.matches("content%-type;host", S.header(req.headers, "Authorization"))
  end)

  it("sends a string body as is and lets the caller's headers win", function()
    local c, t = client()
    c:request({ service = "rfs", method = "PUT", path = "/v1/x", body = "raw text",
                headers = { ["Content-Type"] = "text/plain", ["X-Language"] = " en-us ",
                            ["Client-Request-Id"] = "id-1" } })
    local req = t.requests[1]
    assert.are.equal("raw text", req.body)
    assert.are.equal("text/plain", S.header(req.headers, "Content-Type"))
    assert.are.equal("en-us", S.header(req.headers, "X-Language"))
    assert.are.equal("id-1", S.header(req.headers, "Client-Request-Id"))
    local n = 0
    for _, h in ipairs(req.headers) do
      if h[1]:lower() == "content-type" then n = n + 1 end
    end
    assert.are.equal(1, n)
  end)

  it("accepts headers as a list of pairs and a query string", function()
    local c, t = client()
    c:request({ service = "rfs", method = "GET", path = "/v1/x", query = "?b=2&a=1",
                headers = { { "X-A", "1" }, { "x-a", "2" } } })
    local req = t.requests[1]
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/x?b=2&a=1", req.url)
    assert.are.equal("2", S.header(req.headers, "X-A"))
  end)

  it("trims the caller's header values and checks every name, the second time too", function()
    local c, t = client()
    for _ = 1, 2 do
      c:request({ service = "rfs", method = "GET", path = "/v1/x",
                  headers = { { "X-A", " 1\t" }, { "X-B", "2 " }, { "X-C", "\n3" }, { "X-D", "4" }, { "X-E", "" } } })
      local req = t.requests[#t.requests]
      assert.are.same({ "1", "2", "3", "4", "" }, { S.header(req.headers, "X-A"), S.header(req.headers, "X-B"),
        S.header(req.headers, "X-C"), S.header(req.headers, "X-D"), S.header(req.headers, "X-E") })
      arg_error(function()
        c:request({ service = "rfs", method = "GET", path = "/v1/x", headers = { { "X A", "1" } } })
      end)
    end
  end)

  it("sends the caller's header list as given each time, though it keeps the list built from it", function()
    local c, t = client()
    local sent = {}
    local uh = { { "Content-Type", "application/json" }, { "X-N", "1" } }
    local values = { "1", "2", 1, 1.0, 1.5, "1" } -- 1 == 1.0, but Lua 5.4 sends "1.0"
    for i, v in ipairs(values) do
      uh[2][2] = v -- the same table, changed in place between requests
      c:request({ service = "rfs", method = "POST", path = "/v1/x", body = "{}", headers = uh })
      sent[i] = S.header(t.requests[i].headers, "X-N")
    end
    c:request({ service = "rfs", method = "POST", path = "/v1/x", body = "{}", headers = { uh[1] } })
    assert.are.same({ "1", "2", "1", tostring(1.0), "1.5", "1" }, sent)
    assert.is_nil(S.header(t.requests[#values + 1].headers, "X-N"))
    assert.are.equal("application/json", S.header(t.requests[#values + 1].headers, "Content-Type"))
  end)

  it("escapes what could end the request line in a raw query string", function()
    local c, t = client()
    c:request({ service = "rfs", method = "GET", path = "/v1/x",
                query = "a=1 HTTP/1.1\r\nX-Evil: 1\r\n\r\nDELETE /v1/y?\0#f" })
    local req = t.requests[1]
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/x?a=1%20HTTP/1.1%0D%0AX-Evil:%201"
      .. "%0D%0A%0D%0ADELETE%20/v1/y?%00%23f", req.url)
    assert.is_nil(core.check_request(req))
  end)

  it("escapes raw spaces and UTF-8 in the path but keeps escapes and slashes", function()
    local c, t = client()
    c:request({ service = "rfs", method = "GET", path = "/v1/stacks/my stack/栈/a%2Fb" })
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/stacks/my%20stack/"
      .. "%E6%A0%88/a%2Fb", t.requests[1].url)
  end)

  it("fills each path afresh where it matters, though it keeps filled paths per client", function()
    local c, t = client()
    for i = 1, 600 do -- more paths than a client keeps
      local n = i % 300
      c:request({ service = "rfs", method = "GET", path = "/v1/{project_id}/stacks/s " .. n })
      assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/" .. PID .. "/stacks/s%20" .. n,
        t.requests[i].url)
    end
    -- a domain id learnt later is used: paths with {domain_id} are not kept
    local d, dt = client({ domain_id = "dom1" })
    d:request({ service = "iam", method = "GET", path = "/v3/domains/{domain_id}" })
    d:request({ service = "iam", method = "GET", path = "/v3/domains/{domain_id}" })
    assert.matches("/v3/domains/dom1$", dt.requests[2].url)
    arg_error(function() c:request({ service = "rfs", method = "GET", path = "/v1/{stack_name}" }) end)
    arg_error(function() c:request({ service = "rfs", method = "GET", path = "/v1/{stack_name}" }) end)
  end)

  it("sends X-Domain-Id, not X-Project-Id, to a global service", function()
    local c, t = client({ domain_id = "dom1" })
    c:request({ service = "iam", method = "GET", path = "/v3/auth/domains" })
    local req = t.requests[1]
    assert.are.equal("dom1", S.header(req.headers, "X-Domain-Id"))
    assert.is_nil(S.header(req.headers, "X-Project-Id"))
    assert.are.equal("https://iam.cn-north-4.myhuaweicloud.com/v3/auth/domains", req.url)
  end)

  it("fills {domain_id} and refuses other unfilled placeholders", function()
    local c, t = client({ domain_id = "dom1" })
    c:request({ service = "iam", method = "GET", path = "/v3/domains/{domain_id}" })
    assert.matches("/v3/domains/dom1$", t.requests[1].url)
    local err = arg_error(function()
      c:request({ service = "rfs", method = "GET", path = "/v1/{stack_name}" })
    end)
    assert.matches("{stack_name}", err.message, 1, true)
  end)

  it("sends without credentials or id headers when told", function()
    local c, t = client()
    c:request({ service = "vpcep", method = "GET", path = "/", auth = "none" })
    c:request({ service = "vpcep", method = "GET", path = "/", scope = "none", headers = { ["X-N"] = 5 } })
    local a, b = t.requests[1], t.requests[2]
    assert.is_nil(S.header(a.headers, "Authorization"))
    assert.is_nil(S.header(a.headers, "X-Project-Id"))
    assert.is_string(S.header(b.headers, "Authorization"))
    assert.is_nil(S.header(b.headers, "X-Project-Id"))
    assert.are.equal("5", S.header(b.headers, "X-N"))
  end)

  it("adds X-Security-Token (signed) for temporary credentials", function()
    local c, t = client({ security_token = "STS-TOKEN" })
    c:request({ service = "rfs", method = "GET", path = "/v1/x" })
    local req = t.requests[1]
    assert.are.equal("STS-TOKEN", S.header(req.headers, "X-Security-Token"))
    assert.matches("x%-security%-token", S.header(req.headers, "Authorization"))
  end)

  it("signs with the Host it sends when the endpoint is an override", function()
    local c, t = client({ endpoint = "HTTP://LocalHost:8080/" })
    local dr = c:request({ service = "rfs", method = "GET", path = "/v1/x", dry_run = true })
    assert.are.equal("http://localhost:8080/v1/x", dr.url)
    assert.are.equal("localhost:8080", S.header(dr.headers, "Host"))
    assert.matches("\nhost:localhost:8080\n", dr.canonical_request, 1, true)
    assert.are.equal(0, #t.requests)
  end)

  it("returns the signed request without sending it in dry_run", function()
    local c, t = client()
    local spy_sign = spy.on(core, "sign")
    local dr = c:request({ service = "rfs", method = "POST", path = "/v1/{project_id}/stacks",
                           body = { stack_name = "s" }, dry_run = true })
    core.sign:revert()
    assert.spy(spy_sign).was.called(1)
    assert.are.equal(0, #t.requests)
    assert.are.equal("POST", dr.method)
    assert.are.equal('{"stack_name":"s"}', dr.body)
    assert.matches("^SDK%-HMAC%-SHA256 Access=AKEXAMPLE", dr.authorization)
    assert.are.equal(dr.authorization, S.header(dr.headers, "Authorization"))
    assert.matches("^POST\n/v1/" .. PID .. "/stacks/\n", dr.canonical_request)
    assert.is_string(dr.string_to_sign)
    assert.is_string(dr.x_sdk_date)
  end)

  it("honours a client-wide dry_run", function()
    local c, t = client({ dry_run = true })
    local dr = c:request({ service = "vpcep", method = "GET", path = "/v1/{project_id}/quotas" })
    assert.are.equal(0, #t.requests)
    assert.matches("vpcep.cn-north-4.myhuaweicloud.com", dr.url, 1, true)
  end)

  it("raises the transport's error with method, url and attempts", function()
    local c = client({}, { S.http_error(404, "RF.10011001") })
    local ok, err = pcall(c.request, c, { service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_false(ok)
    assert.is_true(hwcloud.is_error(err))
    assert.are.equal(404, err.status)
    assert.are.equal("RF.10011001", err.code)
    assert.are.equal(1, err.attempts)
    assert.are.equal("GET", err.method)
  end)

  it("passes errors that are not hwcloud errors through unchanged", function()
    local c = client({}, { function() error("boom", 0) end })
    local ok, err = pcall(c.request, c, { service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_false(ok)
    assert.are.equal("boom", err)
  end)

  it("rejects bad requests naming client:request and the field", function()
    local c = client()
    local cases = {
      { nil, "req must be a table" },
      { { method = "GET", path = "/x" }, "req.service" },
      { { service = "rfs", path = "/x" }, "req.method" },
      { { service = "rfs", method = "GET", path = "x" }, "req.path" },
      { { service = "rfs", method = "GET", path = "/x", body = 5 }, "req.body" },
      { { service = "rfs", method = "GET", path = "/x", query = 5 }, "req.query" },
      { { service = "rfs", method = "GET", path = "/x", query = { a = { {} } } }, "req.query.a" },
      { { service = "rfs", method = "GET", path = "/x", headers = { ["X_Bad"] = "1" } }, "X_Bad" },
      { { service = "rfs", method = "GET", path = "/x", headers = { ["X-A"] = {} } }, "header X-A" },
      { { service = "rfs", method = "GET", path = "/x", auth = "basic" }, "req.auth" },
      { { service = "rfs", method = "GET", path = "/x", scope = "all" }, "req.scope" },
    }
    for _, case in ipairs(cases) do
      local err = arg_error(function() c:request(case[1]) end)
      assert.matches("client:request: ", err.message, 1, true)
      assert.matches(case[2], err.message, 1, true)
    end
    local err = arg_error(function() c.request({}, { service = "rfs" }) end)
    assert.matches("client:request", err.message, 1, true)
  end)

  it("refuses a misspelt request field, naming the closest one, before sending", function()
    local c, t = client()
    local base = { service = "rfs", method = "GET", path = "/x" }
    for typo, near in pairs({ querry = "query", hedaers = "headers", max_retires = "max_retries",
                              dryrun = "dry_run", idempotant = "idempotent" }) do
      local req = { [typo] = 1 }
      for k, v in pairs(base) do req[k] = v end
      local err = arg_error(function() c:request(req) end)
      assert.are.equal("client:request: unknown field req." .. typo .. " (did you mean req." .. near .. "?)",
        err.message)
    end
    assert.are.equal("client:request: unknown field req.url",
      arg_error(function() c:request{ service = "rfs", method = "GET", path = "/x", url = "http://h/" } end).message)
    assert.are.equal(0, #t.requests)
    -- every documented field is known
    c:request{ service = "rfs", method = "GET", path = "/x", query = {}, headers = {}, max_retries = 0,
               idempotent = false, dry_run = false, auth = "default", scope = "project", operation = "x" }
    assert.are.equal(1, #t.requests)
  end)

  it("hands the transport options, documented defaults included, to the libcurl session", function()
    local seen = {}
    local real = core.session
    core.session = function(cfg)
      seen[#seen + 1] = cfg
      return { send = function() return S.ok({}) end, close = function() end }
    end
    local ok, err = pcall(function()
      local base = { ak = "AK", sk = "SK", project_id = PID, region = "cn-north-4" }
      local c = hwcloud.new(base)
      c:request({ service = "vpcep", method = "GET", path = "/v1/x" })
      c:close()
      local o = { timeout = 5, connect_timeout = 2.5, verify_tls = false, ca_file = "/etc/ca.pem",
                  ca_path = "/etc/cas", proxy = "http://proxy:3128", no_proxy = "localhost",
                  user_agent = "ua/1", max_body_bytes = 1024 }
      for k, v in pairs(base) do o[k] = v end
      c = hwcloud.new(o)
      c:request({ service = "vpcep", method = "GET", path = "/v1/x" })
      c:close()
    end)
    core.session = real
    assert(ok, err)
    assert.are.equal(2, #seen)
    assert.are.same({ timeout = 60, connect_timeout = 10, verify_tls = true,
                      user_agent = "lua-hwcloud/" .. hwcloud.VERSION }, seen[1])
    assert.are.same({ timeout = 5, connect_timeout = 2.5, verify_tls = false, ca_file = "/etc/ca.pem",
                      ca_path = "/etc/cas", proxy = "http://proxy:3128", no_proxy = "localhost",
                      user_agent = "ua/1", max_body_bytes = 1024 }, seen[2])
  end)

  it("closes its transport", function()
    local c, t = client()
    c:close()
    c:close()
    assert.are.equal(2, t.closed)
  end)

  it("makes service objects lazily and caches them", function()
    local made = 0
    package.loaded["hwcloud.fake_svc_for_spec"] = nil
    local saved = package.loaded["hwcloud.rfs"]
    package.loaded["hwcloud.rfs"] = { new = function(cl) made = made + 1; return { client = cl } end }
    local ok, err = pcall(function()
      local c = client()
      assert.are.equal(0, made)
      local a = c:rfs()
      local b = c:rfs()
      assert.are.equal(a, b)
      assert.are.equal(c, a.client)
      assert.are.equal(1, made)
    end)
    package.loaded["hwcloud.rfs"] = saved
    assert(ok, err)
  end)

  it("offers the project id, region, domain id and endpoint", function()
    local c = client({ domain_id = "d1" })
    assert.are.equal(PID, c:get_project_id("rfs"))
    assert.are.equal("cn-north-4", c:get_region())
    assert.are.equal("d1", c:get_domain_id())
    assert.are.equal("https://vpcep.cn-north-4.myhuaweicloud.com", c:get_endpoint("vpcep"))
  end)
end)

describe("client lifetime", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  it("lets clients, their service objects and safe proxies be collected", function()
    local saved = package.loaded["hwcloud.rfs"]
    package.loaded["hwcloud.rfs"] = { new = function(cl) return { client = cl, get = function() end } end }
    local weak = setmetatable({}, { __mode = "k" })
    local safe = require "hwcloud.safe"
    for _ = 1, 20 do
      local c = client()
      c:request({ service = "rfs", method = "GET", path = "/v1/x" })
      c:rfs()
      weak[c] = true
      local sc = safe.new({ ak = "A", sk = "S", region = "cn-north-4", project_id = "p",
                            transport = S.transport({ S.ok({}) }) })
      sc:request({ service = "rfs", method = "GET", path = "/v1/x" })
      weak[sc] = true
      weak[safe.unwrap(sc)] = true
    end
    package.loaded["hwcloud.rfs"] = saved
    collectgarbage()
    collectgarbage()
    assert.are.equal(nil, next(weak))
  end)
end)
