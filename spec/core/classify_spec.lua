-- The one retry classification (core.classify), table-driven: every kind,
-- status, code and curl_code combination the transports raise, read the same
-- way by the `retryable` field of the core's errors, the retry layer
-- (hwcloud.retry.classify) and the waiters (hwcloud.wait.is_transient).
local core = require "hwcloud.core"
local retry = require "hwcloud.retry"
local wait = require "hwcloud.wait"

-- fields, retryable, reason, nothing_done
local cases = {
  -- throttling: any status, any method
  { { kind = "http", status = 429 }, true, "throttled", true },
  { { kind = "http", status = 429, code = "APIG.0308" }, true, "throttled", true },
  { { kind = "http", status = 400, code = "EndPoint.0022" }, true, "throttled", true },
  { { kind = "http", status = 403, code = "APIGW.0308" }, true, "throttled", true },
  { { kind = "http", status = 400, code = "IAM.0012" }, true, "throttled", true },
  { { kind = "http", status = 500, code = "APIGW.0308" }, true, "throttled", true },
  -- server failures: idempotent requests only
  { { kind = "http", status = 500 }, true, "server", false },
  { { kind = "http", status = 502, code = "RF.0500" }, true, "server", false },
  { { kind = "http", status = 503 }, true, "server", false },
  { { kind = "http", status = 504 }, true, "server", false },
  -- every other answer
  { { kind = "http", status = 501 }, false, "client error", false },
  { { kind = "http", status = 400 }, false, "client error", false },
  { { kind = "http", status = 401, code = "APIGW.0301" }, false, "client error", false },
  { { kind = "http", status = 404, code = "EndPoint.0002" }, false, "client error", false },
  -- transport failures: nothing sent (proxy or host not resolved, refused)
  { { kind = "network", curl_code = 5 }, true, "not-sent", true },
  { { kind = "network", curl_code = 6 }, true, "not-sent", true },
  { { kind = "network", curl_code = 7 }, true, "not-sent", true },
  -- the server may have acted
  { { kind = "network", curl_code = 52 }, true, "network", false },
  { { kind = "network", curl_code = 56, code = "HeadersTooLarge" }, true, "network", false },
  { { kind = "network" }, true, "network", false },
  { { kind = "timeout", curl_code = 28 }, true, "network", false },
  -- a body over max_body_bytes is as large the next time, whichever transport
  { { kind = "network", curl_code = 23, code = "BodyTooLarge" }, false, "body too large", false },
  { { kind = "network", code = "BodyTooLarge" }, false, "body too large", false },
  -- never
  { { kind = "tls", curl_code = 60 }, false, "tls", false },
  { { kind = "tls", curl_code = 35 }, false, "tls", false },
  { { kind = "argument", curl_code = 3 }, false, "argument", false }, -- malformed URL
  { { kind = "argument", curl_code = 6 }, false, "argument", false },
  { { kind = "decode", status = 200 }, false, "decode", false },
  { { kind = "auth", status = 400, code = "IAM.0012" }, false, "auth", false },
  { { kind = "waiter", code = "TIMEOUT" }, false, "waiter", false },
  { { status = 503 }, false, "not an hwcloud error", false },
  { "a string", false, "not an hwcloud error", false },
  { nil, false, "not an hwcloud error", false },
  { { kind = "http", status = 1e300 }, false, "client error", false },
  { { kind = "http", status = 0 / 0 }, false, "client error", false },
}

local function label(c)
  local f = c[1]
  if type(f) ~= "table" then return tostring(f) end
  return ("%s %s %s %s"):format(tostring(f.kind), tostring(f.status), tostring(f.code), tostring(f.curl_code))
end

describe("core.classify", function()
  for _, c in ipairs(cases) do
    it(label(c), function()
      local retryable, reason, nothing_done = core.classify(c[1])
      assert.are.same({ c[2], c[3], c[4] }, { retryable, reason, nothing_done })
      if type(c[1]) == "table" and type(c[1].kind) == "string" then
        local fields = { retryable = not c[2] } -- a given retryable never overrides the rule
        for k, v in pairs(c[1]) do fields[k] = v end
        local err = core.error(fields)
        assert.are.equal(c[2], err.retryable)
        assert.are.equal(c[2], wait.is_transient(err))
        -- a POST is repeated only when nothing was done
        assert.are.same({ c[2] }, { (retry.classify(err, "GET")) })
        assert.are.same({ c[2] and c[4] }, { (retry.classify(err, "POST")) })
      end
    end)
  end

  it("is what core.http_error sets for every answer", function()
    for _, case in ipairs({ { 429, "" }, { 400, '{"error_code":"EndPoint.0022","error_msg":"x"}' },
                            { 503, "busy" }, { 501, "no" }, { 404, "{}" } }) do
      local err = core.http_error{ status = case[1], raw_body = case[2],
                                   headers = { ["content-type"] = "application/json" } }
      assert.are.equal((core.classify(err)), err.retryable)
    end
    local throttled = core.http_error{ status = 400, raw_body = '{"error_code":"EndPoint.0022","error_msg":"x"}' }
    assert.is_true(throttled.retryable)
  end)
end)

-- the one transport failure builder both transports use (issue 13, item 8)
describe("core.transport_error", function()
  local rows = {
    { { curl_code = 7, reason = "connection refused" }, "network", "ConnectionException", "ConnectionError",
      "could not connect to h.test:8080: connection refused", true },
    { { curl_code = 6, reason = "ignored" }, "network", "ConnectionException", "ConnectionError",
      "could not resolve host h.test:8080", true },
    { { curl_code = 28 }, "timeout", "RequestTimeoutException", "Timeout", "the request to h.test:8080 timed out", true },
    { { curl_code = 60 }, "tls", "ConnectionException", "TLSError",
      "the TLS certificate of h.test:8080 could not be verified", false },
    { { curl_code = 58, tls = true }, "tls", "ConnectionException", "TLSError",
      "the request to h.test:8080 failed: Problem with the local SSL certificate", false },
    { { curl_code = 23, code = "BodyTooLarge", max_body_bytes = 10 }, "network", "ConnectionException",
      "BodyTooLarge", "the response body is larger than max_body_bytes (10 bytes)", false },
    { { curl_code = 56, code = "HeadersTooLarge" }, "network", "ConnectionException", "HeadersTooLarge",
      "the response headers from h.test:8080 are too large (a line over 102400 bytes or 307200 bytes in all)", true },
  }
  for _, r in ipairs(rows) do
    it("builds " .. r[4] .. " for curl code " .. r[1].curl_code, function()
      local f = { method = "PUT", url = "http://user:pw@h.test:8080/p?q=1" }
      for k, v in pairs(r[1]) do f[k] = v end
      local err = core.transport_error(f)
      assert.is_true(core.is_error(err))
      assert.are.same({ r[2], r[3], r[4], r[5], r[6], r[1].curl_code, "PUT", "http://h.test:8080/p?q=1" },
        { err.kind, err.class, err.code, err.message, err.retryable, err.curl_code, err.method, err.url })
    end)
  end

  it("names itself and the argument on misuse", function()
    for _, bad in ipairs({ {}, { curl_code = 0 }, { curl_code = 7, code = "Other" }, { curl_code = 23,
                           code = "BodyTooLarge", max_body_bytes = -1 } }) do
      local ok, err = pcall(core.transport_error, bad)
      assert.is_false(ok)
      assert.are.equal("argument", err.kind)
      assert.matches("^hwcloud%.core%.transport_error: '", err.message)
    end
  end)
end)
