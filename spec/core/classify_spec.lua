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
