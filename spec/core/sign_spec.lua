-- The signer against Huawei's own signatures (../shared/testdata/signing_vectors.json,
-- read where it lies) and our own edge cases.
local core = require "hwcloud.core"
local cjson = require "cjson"

local VECTORS = os.getenv("HWCLOUD_SIGNING_VECTORS") or "../shared/testdata/signing_vectors.json"

local function load_vectors()
  local f = assert(io.open(VECTORS, "rb"), "signing vectors not found at " .. VECTORS)
  local data = cjson.decode(f:read("a"))
  f:close()
  return data
end

local function sign_input(input, fn)
  local t = {}
  for k, v in pairs(input) do t[k] = v end
  if t.body == "" then t.body = nil end
  return (fn or core.sign)(t)
end

describe("core.sign", function()
  local data = load_vectors()

  it("has the published number of vectors", function()
    assert.are.equal(49, #data.vectors)
    assert.are.equal(4, #data.derived_vectors)
  end)

  for _, set in ipairs({ "vectors", "derived_vectors" }) do
    for _, v in ipairs(data[set]) do
      it("reproduces " .. set .. "/" .. v.name, function()
        local out = sign_input(v.input)
        assert.are.equal(v.expected.canonical_request, out.canonical_request)
        assert.are.equal(v.expected.string_to_sign, out.string_to_sign)
        assert.are.equal(v.expected.signed_headers, out.signed_headers)
        assert.are.equal(v.expected.authorization, out.authorization)
        assert.are.equal(v.expected.x_sdk_date, out.x_sdk_date)
        -- core.sign_headers: the same list to send, ending with the same Authorization
        local list = sign_input(v.input, core.sign_headers)
        assert.are.same(out.headers, list)
        assert.are.same({ "Authorization", v.expected.authorization }, list[#list])
      end)
    end
  end

  it("returns every header to send, the caller's first", function()
    local out = core.sign{ method = "GET", url = "https://Vpcep.cn-north-4.myhuaweicloud.com:8443/v1/p/x",
      headers = { { "X-Project-Id", " p " } }, ak = "AK", sk = "SK", date = "20240102T030405Z",
      security_token = "tok" }
    local names = {}
    for i, h in ipairs(out.headers) do names[i] = h[1] .. "=" .. h[2] end
    assert.are.same({ "X-Project-Id=p", "Host=vpcep.cn-north-4.myhuaweicloud.com:8443",
      "X-Sdk-Date=20240102T030405Z", "X-Security-Token=tok", "Authorization=" .. out.authorization }, names)
    assert.are.equal("host;x-project-id;x-sdk-date;x-security-token", out.signed_headers)
  end)

  it("writes a number header value as the JSON encoder writes it, on 5.4 and LuaJIT alike", function()
    local out = core.sign{ method = "GET", url = "http://h/", ak = "AK", sk = "SK", date = "20240102T030405Z",
      headers = { { "X-A", 5 }, { "X-B", 2.0 }, { "X-C", 0.1 }, { "X-D", 1e20 } } }
    local got = {}
    for i = 1, 4 do got[i] = out.headers[i][2] end
    assert.are.same({ "5", "2", core.encode(0.1), core.encode(1e20) }, got)
    assert.are.same({ "0.1", "1e+20" }, { got[3], got[4] })
  end)

  it("accepts a map of headers and signs with the current time by default", function()
    local out = core.sign{ method = "get", url = "http://127.0.0.1:1/", headers = { Accept = "application/json" },
      ak = "AK", sk = "SK" }
    assert.matches("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$", out.x_sdk_date)
    assert.matches("^GET\n/\n\naccept:application/json\nhost:127.0.0.1:1\n", out.canonical_request)
    assert.are.equal(os.date("!%Y%m%d"), out.x_sdk_date:sub(1, 8))
  end)

  it("keeps malformed escapes and encodes them as bytes", function()
    local out = core.sign{ method = "GET", url = "http://h/a%zz/%FF?k=%2", ak = "a", sk = "s", date = "20240102T030405Z" }
    assert.matches("^GET\n/a%%25zz/%%FF/\nk=%%252\n", out.canonical_request)
  end)

  -- the signer's buffers and arrays are reused from call to call (src/hwc_sign.c), the big ones freed
  it("signs the same after a signature with a large query and many headers as before it", function()
    local small = { method = "POST", url = "http://h/v1/x?b=2&a=1", body = "{}", ak = "a", sk = "s",
      date = "20240102T030405Z", headers = { { "Content-Type", "application/json" } } }
    local query, headers = {}, {}
    for i = 1, 3000 do query[i] = "k" .. i .. "=" .. string.rep("v", 40) end
    for i = 1, 500 do headers[i] = { "X-H" .. i, string.rep("w", 100) } end
    local large = { method = "GET", url = "http://h/?" .. table.concat(query, "&"), ak = "a", sk = "s",
      date = "20240102T030405Z", headers = headers }
    local before = core.sign(small)
    local big1 = core.sign(large)
    local after = core.sign(small)
    local big2 = core.sign(large)
    assert.are.equal(before.authorization, after.authorization)
    assert.are.equal(before.canonical_request, after.canonical_request)
    assert.are.equal(big1.authorization, big2.authorization)
    assert.are.equal(503, #big1.headers)
    assert.matches("^GET\n/\nk1=v+&k10=v+&k100=", big1.canonical_request)
  end)

  it("signs empty keys and values", function()
    local out = core.sign{ method = "GET", url = "http://h/?=&&=v&k", ak = "a", sk = "s", date = "20240102T030405Z" }
    assert.matches("^GET\n/\n=&=v&k=\n", out.canonical_request)
  end)

  local bad = {
    { "no method", { url = "http://h/", ak = "a", sk = "s" }, "'method' is required" },
    { "no ak", { method = "GET", url = "http://h/", sk = "s" }, "'ak' is required" },
    { "relative url", { method = "GET", url = "/x", ak = "a", sk = "s" }, "absolute http" },
    { "bad date", { method = "GET", url = "http://h/", ak = "a", sk = "s", date = "2024-01-02" }, "YYYYMMDDTHHMMSSZ" },
    { "underscore header", { method = "GET", url = "http://h/", ak = "a", sk = "s", headers = { { "x_y", "1" } } }, "letters, digits" },
    { "duplicate header", { method = "GET", url = "http://h/", ak = "a", sk = "s", headers = { { "X-A", "1" }, { "x-a", "2" } } }, "given twice" },
    { "signer's own header", { method = "GET", url = "http://h/", ak = "a", sk = "s", headers = { { "Authorization", "x" } } }, "added by the signer" },
    { "CRLF in value", { method = "GET", url = "http://h/", ak = "a", sk = "s", headers = { { "X-A", "1\r\nX-B: 2" } } }, "CR, LF or NUL" },
    { "bad algorithm", { method = "GET", url = "http://h/", ak = "a", sk = "s", algorithm = "MD5" }, "algorithm" },
    { "v11 without region", { method = "GET", url = "http://h/", ak = "a", sk = "s", algorithm = "V11-HMAC-SHA256" }, "region_id" },
  }
  for _, case in ipairs(bad) do
    it("refuses " .. case[1] .. " with an argument error (core.sign and core.sign_headers alike)", function()
      for _, name in ipairs({ "sign", "sign_headers" }) do
        local ok, err = pcall(core[name], case[2])
        assert.is_false(ok)
        assert.is_true(core.is_error(err))
        assert.are.equal("argument", err.kind)
        assert.matches("hwcloud.core." .. name .. ": ", err.message, 1, true)
        assert.matches(case[3], err.message, 1, true)
      end
    end)
  end
end)
