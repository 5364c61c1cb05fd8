-- Retries with an injected clock, sleep and random: what is retried for
-- which method, backoff with full jitter, Retry-After, max_retries, a fresh
-- signature per attempt, and `attempts` on the final error.

local core = require "hwcloud.core"
local S = require "spec.unit.client_support"
local hwcloud = require "hwcloud"
local retry = require "hwcloud.retry"
local clock = require "hwcloud.clock"

describe("retry.classify", function()
  local E, N = S.http_error, S.net_error
  local cases = {
    -- error, method, retry?, reason
    { E(429), "POST", true, "throttled" },
    { E(429), "GET", true, "throttled" },
    { E(400, "EndPoint.0022"), "POST", true, "throttled" },
    { E(403, "APIGW.0308"), "PATCH", true, "throttled" },
    { E(429, "APIG.0308"), "DELETE", true, "throttled" },
    { E(400, "IAM.0012"), "POST", true, "throttled" },
    { E(500), "GET", true, "server" },
    { E(502), "PUT", true, "server" },
    { E(503), "DELETE", true, "server" },
    { E(504), "HEAD", true, "server" },
    { E(503), "POST", false, "unsafe method" },
    { E(503), "PATCH", false, "unsafe method" },
    { E(501), "GET", false, "client error" },
    { E(400), "GET", false, "client error" },
    { E(401, "APIGW.0301"), "GET", false, "client error" },
    { E(404), "GET", false, "client error" },
    { E(409), "PUT", false, "client error" },
    { N("network", 7), "POST", true, "not-sent" },
    { N("network", 6), "POST", true, "not-sent" },
    { N("network", 52), "POST", false, "unsafe method" },
    { N("network", 56), "GET", true, "network" },
    { N("timeout", 28), "GET", true, "network" },
    { N("timeout", 28), "POST", false, "unsafe method" },
    { N("tls", 60), "GET", false, "tls" },
    { core.error({ kind = "decode", message = "x" }), "GET", false, "decode" },
    { core.error({ kind = "auth", message = "x" }), "GET", false, "auth" },
    { "a string", "GET", false, "not an hwcloud error" },
  }
  for _, c in ipairs(cases) do
    local label = (type(c[1]) == "table" and (c[1].kind .. " " .. tostring(c[1].status or c[1].curl_code)
      .. " " .. tostring(c[1].code)) or c[1]) .. " " .. c[2]
    it(label, function()
      local r, why = retry.classify(c[1], c[2])
      assert.are.equal(c[3], r)
      assert.are.equal(c[4], why)
    end)
  end

  it("lets the caller declare a POST idempotent", function()
    assert.is_true((retry.classify(S.http_error(503), "POST", true)))
    assert.is_false((retry.classify(S.http_error(503), "GET", false)))
  end)
end)

describe("retry helpers", function()
  it("computes full-jitter backoff with a cap", function()
    local one = function() return 1 end
    local p = { base_delay = 0.5, max_delay = 3, random = one }
    assert.are.equal(0.5, retry.backoff(1, p))
    assert.are.equal(1, retry.backoff(2, p))
    assert.are.equal(2, retry.backoff(3, p))
    assert.are.equal(3, retry.backoff(4, p))
    assert.are.equal(3, retry.backoff(10, p))
    assert.are.equal(0, retry.backoff(3, { random = function() return 0 end }))
    local half = retry.backoff(2, { base_delay = 1, max_delay = 60, random = function() return 0.5 end })
    assert.are.equal(1, half)
  end)

  it("reads Retry-After as seconds or an HTTP-date", function()
    local now = clock.timegm(2015, 10, 21, 7, 27, 50)
    assert.are.equal(3, retry.retry_after({ headers = { ["Retry-After"] = "3" } }, now))
    assert.are.equal(1.5, retry.retry_after({ headers = { ["retry-after"] = " 1.5 " } }, now))
    assert.are.equal(0, retry.retry_after({ headers = { ["Retry-After"] = "-4" } }, now))
    assert.are.equal(10, retry.retry_after({ headers = { ["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT" } }, now))
    assert.are.equal(0, retry.retry_after({ headers = { ["Retry-After"] = "Wed, 21 Oct 2015 07:00:00 GMT" } }, now))
    assert.is_nil(retry.retry_after({ headers = { ["Retry-After"] = "soon" } }, now))
    assert.is_nil(retry.retry_after({ headers = {} }, now))
    assert.is_nil(retry.retry_after({}, now))
  end)

  it("parses dates (hwcloud.clock)", function()
    assert.are.equal(0, clock.timegm(1970, 1, 1))
    assert.are.equal(951782400, clock.timegm(2000, 2, 29))
    assert.are.equal(1578128722.701, clock.parse_iso8601("2020-01-04T09:05:22.701000Z"))
    assert.are.equal(1578128722, clock.parse_iso8601("2020-01-04T17:05:22+08:00"))
    assert.is_nil(clock.parse_iso8601("yesterday"))
    assert.are.equal(784111777, clock.parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"))
    assert.are.equal(784111777, clock.parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"))
  end)

  it("has a default clock and sleep (hwcloud.clock)", function()
    assert.is_number(clock.now())
    assert.is_true(clock.now() > 1.6e9)
    clock.sleep(0)
    clock.sleep(0.01)
  end)
end)

describe("client retries", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  local function client(script, extra)
    local clock = S.clock()
    local t = S.transport(script)
    local opts = { ak = "AK", sk = "SK", region = "cn-north-4", project_id = "pid",
                   transport = t, clock = clock.clock, sleep = clock.sleep,
                   random = function() return 1 end }
    for k, v in pairs(extra or {}) do opts[k] = v end
    return hwcloud.new(opts), t, clock
  end

  local function call(c, method, extra)
    local req = { service = "vpcep", method = method or "GET", path = "/v1/{project_id}/x" }
    for k, v in pairs(extra or {}) do req[k] = v end
    return pcall(c.request, c, req)
  end

  it("retries throttling and 5xx on GET with exponential backoff", function()
    local c, t, clock = client({ S.http_error(429, "APIGW.0308"), S.http_error(503),
                                 S.http_error(500), S.ok({ done = true }) })
    local ok, resp = call(c, "GET")
    assert.is_true(ok, tostring(resp))
    assert.are.equal(4, resp.attempts)
    assert.are.equal(4, #t.requests)
    assert.are.same({ 0.5, 1, 2 }, clock.sleeps)
  end)

  it("stops after max_retries and records attempts on the error", function()
    local c, t, clock = client({ S.http_error(503) })
    local ok, err = call(c, "GET")
    assert.is_false(ok)
    assert.are.equal(503, err.status)
    assert.are.equal(4, err.attempts)
    assert.are.equal(4, #t.requests)
    assert.are.equal(3, #clock.sleeps)
  end)

  it("honours max_retries from the options and per request", function()
    local c, t = client({ S.http_error(503) }, { max_retries = 1 })
    local ok, err = call(c, "GET")
    assert.is_false(ok)
    assert.are.equal(2, err.attempts)
    ok, err = call(c, "GET", { max_retries = 0 })
    assert.is_false(ok)
    assert.are.equal(1, err.attempts)
    assert.are.equal(3, #t.requests)
  end)

  it("retries a POST on throttling only", function()
    local c, t = client({ S.http_error(429), S.http_error(400, "EndPoint.0022"), S.ok({}, 201) })
    local ok, resp = call(c, "POST", { body = { a = 1 } })
    assert.is_true(ok, tostring(resp))
    assert.are.equal(3, resp.attempts)
    c, t = client({ S.http_error(503), S.ok({}) })
    local ok2, err = call(c, "POST", { body = {} })
    assert.is_false(ok2)
    assert.are.equal(1, err.attempts)
    assert.are.equal(1, #t.requests)
  end)

  it("retries a POST whose connection was refused, not one that was dropped", function()
    local c, t = client({ S.net_error("network", 7), S.ok({}) })
    local ok, resp = call(c, "POST", { body = {} })
    assert.is_true(ok, tostring(resp))
    assert.are.equal(2, #t.requests)
    c, t = client({ S.net_error("network", 52), S.ok({}) })
    local ok2, err = call(c, "POST", { body = {} })
    assert.is_false(ok2)
    assert.are.equal(1, err.attempts)
    c, t = client({ S.net_error("timeout", 28), S.ok({}) })
    ok2, err = call(c, "POST", { body = {} })
    assert.is_false(ok2)
    assert.are.equal("timeout", err.kind)
  end)

  it("retries dropped connections and timeouts on GET, PUT, DELETE", function()
    for _, m in ipairs({ "GET", "PUT", "DELETE", "HEAD" }) do
      local c, t = client({ S.net_error("network", 56), S.net_error("timeout", 28), S.ok({}) })
      local ok, resp = call(c, m)
      assert.is_true(ok, tostring(resp))
      assert.are.equal(3, #t.requests)
    end
  end)

  it("retries a POST marked idempotent like a PUT", function()
    local c, t = client({ S.http_error(502), S.ok({}) })
    local ok = call(c, "POST", { idempotent = true })
    assert.is_true(ok)
    assert.are.equal(2, #t.requests)
  end)

  it("never retries TLS failures or other 4xx", function()
    for _, e in ipairs({ S.net_error("tls", 60), S.http_error(400), S.http_error(403),
                         S.http_error(404), S.http_error(409) }) do
      local c, t = client({ e, S.ok({}) })
      local ok, err = call(c, "GET")
      assert.is_false(ok)
      assert.are.equal(1, err.attempts)
      assert.are.equal(1, #t.requests)
    end
  end)

  it("waits what Retry-After asks", function()
    local c, _, clock = client({ S.http_error(429, nil, { ["Retry-After"] = "7" }), S.ok({}) })
    assert.is_true((call(c, "POST")))
    assert.are.same({ 7 }, clock.sleeps)
    local date = os.date("!%a, %d %b %Y %H:%M:%S GMT", 1700000000 + 12)
    c, _, clock = client({ S.http_error(503, nil, { ["Retry-After"] = date }), S.ok({}) })
    assert.is_true((call(c, "GET")))
    assert.are.same({ 12 }, clock.sleeps)
  end)

  it("gives up at once when Retry-After is longer than max_retry_after", function()
    local c, t, clock = client({ S.http_error(429, nil, { ["Retry-After"] = "3600" }), S.ok({}) })
    local ok, err = call(c, "GET")
    assert.is_false(ok)
    assert.are.equal(1, err.attempts)
    assert.are.equal(1, #t.requests)
    assert.are.same({}, clock.sleeps)
    c, t = client({ S.http_error(429, nil, { ["Retry-After"] = "3600" }), S.ok({}) },
                  { max_retry_after = 7200 })
    assert.is_true((call(c, "GET")))
  end)

  it("signs every attempt afresh", function()
    local c, t = client({ S.http_error(503), S.http_error(503), S.ok({}) })
    local sign = spy.on(core, "sign_headers")
    local ok = call(c, "GET")
    core.sign_headers:revert()
    assert.is_true(ok)
    assert.spy(sign).was.called(3)
    for _, req in ipairs(t.requests) do
      assert.is_string(S.header(req.headers, "Authorization"))
      -- exactly one of each auth header: attempts do not pile up headers
      local n = 0
      for _, h in ipairs(req.headers) do
        if h[1]:lower() == "authorization" or h[1]:lower() == "x-sdk-date" then n = n + 1 end
      end
      assert.are.equal(2, n)
    end
  end)

  it("retries with jitter between 0 and the ceiling", function()
    local draws = { 0.25, 0.5, 0.5 }
    local i = 0
    local c, _, clock = client({ S.http_error(503) },
      { random = function() i = i + 1; return draws[i] end, retry_base_delay = 2, retry_max_delay = 3 })
    call(c, "GET")
    assert.are.same({ 0.5, 1.5, 1.5 }, clock.sleeps)
  end)
end)
