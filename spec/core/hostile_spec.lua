-- Hostile input to the C core (issue 7): each case is the input that broke
-- the core before its fix. The asan suite runs this file against the
-- sanitizer build, so a memory error fails the run, not only an assertion.
local core = require "hwcloud.core"
local server_helper = require "spec.helpers.server"

local raises = require("spec.core.support").raises

describe("tostring(err) of a hostile error body (finding 1)", function()
  local server
  setup(function() server = server_helper.start() end)
  teardown(function() if server then server.stop() end end)

  -- 1,000 characters returned heap bytes, 3,000 crashed (the buffer was not on top)
  for _, n in ipairs({ 1000, 3000, 100000 }) do
    it("is one short line for a " .. n .. "-character error_code from a server", function()
      local s = core.session{ timeout = 5 }
      local err = raises(s.send, s, { method = "GET", url = ("%s/error/long?code=%d&msg=5000"):format(server.url, n) })
      s:close()
      assert.are.equal(n, #err.code) -- the field itself is whole
      local line = tostring(err)
      assert.are.equal(line, tostring(err))
      assert.matches("^hwcloud http error 400 C+%.%.%.%(%+%d+ bytes%): m+%.%.%.%(%+%d+ bytes%) %[GET http://", line)
      assert.matches("%(request id req%-0123456789abcdef%)$", line)
      assert.are.equal(string.rep("C", 128) .. "...(+" .. (n - 128) .. " bytes)", line:match("400 (.-): m"))
      assert.is_true(#line < 1400, "line of " .. #line .. " bytes")
      assert.is_nil(line:find("[%z\1-\31\127]"))
    end)
  end

  it("is capped for errors built by core.http_error and core.error too", function()
    local err = core.http_error{ status = 400, raw_body = core.encode({ error_code = string.rep("x", 3000),
      error_msg = "a\r\nforged: line" }), method = "GET", url = "http://h/" .. string.rep("p", 2000) }
    local line = tostring(err)
    assert.matches(": a  forged: line %[GET http://h/p+%.%.%.%(%+1497 bytes%)%]$", line)
    local e = core.error{ kind = string.rep("k", 40), message = "a" .. string.rep("é", 400), status = 503, attempts = 4,
      request_id = string.rep("r", 300) }
    line = tostring(e)
    -- a cut never splits a UTF-8 sequence
    assert.matches("^hwcloud k+%.%.%.%(%+8 bytes%) error 503: (a[\195\169]+)%.%.%.%(%+290 bytes%) after 4 attempts "
      .. "%(request id r+%.%.%.%(%+172 bytes%)%)$", line)
    assert.are.equal(511, #line:match(": (a[\195\169]+)"))
  end)

  it("survives a raise through the interpreter's own error report (uncaught error)", function()
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write(([[
      package.cpath = %q
      local core = require "hwcloud.core"
      error(core.http_error{ status = 500, raw_body = '{"error_code":"' .. string.rep("Z", 3000) .. '","error_msg":"m"}' }, 0)
    ]]):format(package.cpath))
    f:close()
    local p = io.popen((jit and "luajit " or "lua5.4 ") .. script .. " 2>&1; echo exit=$?")
    local out = p:read("a")
    p:close()
    os.remove(script)
    assert.matches("hwcloud http error 500 Z+%.%.%.%(%+2872 bytes%): m", out)
    assert.matches("exit=1\n$", out)
  end)
end)

describe("core.sign with CR, LF or NUL outside the caller's headers (finding 3)", function()
  local base = { method = "GET", url = "http://h/x", ak = "AK", sk = "SK", date = "20240102T030405Z" }
  local cases = {
    { "the host of the URL", { url = "http://h\r\nX-Evil: 1/x" }, "'url'" },
    { "a bare LF in the host", { url = "http://h\nX-Evil:1" }, "'url'" },
    { "a NUL in the host", { url = "http://h\0.evil.example/x" }, "'url'" },
    { "ak", { ak = "AK\r\nX-Evil: 1" }, "'ak'" },
    { "a NUL in ak", { ak = "AK\0other" }, "'ak'" },
    { "a NUL in sk", { sk = "SK\0other" }, "'sk'" },
    { "security_token", { security_token = "tok\r\nX-Evil: 1" }, "'security_token'" },
    { "a NUL in security_token", { security_token = "tok\0" }, "'security_token'" },
    { "region_id (V11)", { algorithm = "V11-HMAC-SHA256", region_id = "r\nX: 1", service_name = "s" }, "'region_id'" },
    { "service_name (V11)", { algorithm = "V11-HMAC-SHA256", region_id = "r", service_name = "s\r" }, "'service_name'" },
    { "a NUL in a header value", { headers = { { "X-A", "1\0X-B: 2" } } }, "header 'X-A' value" },
    { "a NUL in the date", { date = "20240102T030405Z\0x" }, "'date'" },
  }
  for _, case in ipairs(cases) do
    it("refuses " .. case[1] .. " with an argument error", function()
      local t = {}
      for k, v in pairs(base) do t[k] = v end
      for k, v in pairs(case[2]) do t[k] = v end
      local err = raises(core.sign, t)
      assert.are.equal("argument", err.kind)
      assert.are.equal("hwcloud.core.sign: " .. case[3] .. " must not contain CR, LF or NUL", err.message)
    end)
  end

  it("still signs the same request without them, every header line clean", function()
    local out = core.sign{ method = "GET", url = "http://h/x", ak = "AK", sk = "SK", date = "20240102T030405Z",
      security_token = "tok" }
    for _, h in ipairs(out.headers) do
      assert.is_nil((h[1] .. ": " .. h[2]):find("[\r\n%z]"), h[1])
    end
    assert.are.equal(4, #out.headers)
  end)
end)

describe("numbers at the edges (finding 9)", function()
  local nan, huge = 0 / 0, math.huge

  local function argument_error(pattern, fn, ...)
    local err = raises(fn, ...)
    assert.are.equal("argument", err.kind)
    assert.matches(pattern, err.message)
    return err
  end

  it("core.encode refuses a key no array index can be, without casting it", function()
    for _, k in ipairs({ 1e300, -1e300, huge, -huge, 2 ^ 63, 1.5 }) do
      argument_error("^hwcloud%.core%.encode: cannot encode a sparse array", core.encode, { [k] = 1 })
    end
    assert.are.equal("[1,2]", core.encode({ [1] = 1, [2.0] = 2 }))
  end)

  it("core.encode refuses integer keys that are not 1..n instead of dropping them (found by spec/fuzz/encode.lua)", function()
    for _, t in ipairs({ { [-64] = "", [2] = {} }, { [0] = 1, [2] = 2 }, { [0.5] = 1, [2] = 2 } }) do
      argument_error("^hwcloud%.core%.encode: cannot encode a sparse array", core.encode, t)
    end
  end)

  it("core.session refuses NaN, infinite and out-of-range numeric options, naming the option", function()
    for _, name in ipairs({ "timeout", "connect_timeout" }) do
      for _, v in ipairs({ nan, huge, -huge, 0, -1, 1e30, 0.0004, "5" }) do
        argument_error("^hwcloud%.core%.session: option '" .. name .. "' %(seconds%) must be a number from 0%.001 to 31536000",
          core.session, { [name] = v })
      end
    end
    for _, v in ipairs({ nan, 1e30, huge, -1, 1.5, 2 ^ 53 + 2 }) do
      argument_error("^hwcloud%.core%.session: option 'max_body_bytes' must be an integer from 0 to 9007199254740992",
        core.session, { max_body_bytes = v })
    end
    argument_error("%(got nan%)$", core.session, { max_body_bytes = nan })
  end)

  it("core.session takes the smallest and largest accepted values", function()
    core.session{ timeout = 0.001, connect_timeout = 86400 * 365, max_body_bytes = 2 ^ 53 }:close()
    core.session{ max_body_bytes = 0 }:close()
  end)

  it("core.sleep refuses NaN and returns at once below zero", function()
    argument_error("^hwcloud%.core%.sleep: 'seconds' must be a number, not NaN", core.sleep, nan)
    local t0 = core.now()
    core.sleep(-huge)
    assert.is_true(core.now() - t0 < 0.05)
  end)

  it("core.http_error refuses a status that is no integer from 400 to 999", function()
    for _, v in ipairs({ 400.5, 1e300, nan, huge, 399, 1000, "404" }) do
      argument_error("^hwcloud%.core%.http_error: 'status' must be an integer from 400 to 999", core.http_error,
        { status = v })
    end
    assert.are.equal(404, core.http_error{ status = 404.0 }.status)
  end)

  it("core.isatty refuses a descriptor no int can hold", function()
    for _, v in ipairs({ 1e300, -1, 2 ^ 31, nan }) do
      argument_error("^hwcloud%.core%.isatty: 'fd' must be an integer", core.isatty, v)
    end
  end)
end)

describe("a timeout of a few milliseconds (finding 9)", function()
  local server
  setup(function() server = server_helper.start() end)
  teardown(function() if server then server.stop() end end)

  it("counts in whole milliseconds rounded up, so a short one still times out", function()
    local s = core.session{ timeout = 0.0015 }
    local t0 = core.now()
    local err = raises(s.send, s, { method = "GET", url = server.url .. "/slow?seconds=1" })
    s:close()
    assert.are.equal("timeout", err.kind)
    assert.is_true(core.now() - t0 < 0.9)
  end)
end)

describe("core.encode with a NUL byte in a key (finding 10)", function()
  it("encodes both keys of {['a\\0b'] = 1, a = 2}, the NUL as \\u0000", function()
    assert.are.equal('{"a":2,"a\\u0000b":1}', core.encode({ ["a\0b"] = 1, a = 2 }))
    assert.are.equal('{"\\u0000":true}', core.encode({ ["\0"] = true }))
    assert.are.same({ a = 2, ["a\0b"] = 1 }, core.decode(core.encode({ ["a\0b"] = 1, a = 2 })))
  end)

  it("reads values raw: no __index runs mid-encode, even one that empties the table", function()
    local long = string.rep("k", 60)
    local t = { [long .. "\0" .. "1"] = 1, [long .. "\0" .. "2"] = 2 }
    local ran = 0
    setmetatable(t, { __index = function(self)
      ran = ran + 1
      for k in pairs(self) do rawset(self, k, nil) end
      collectgarbage()
      return "from __index"
    end })
    local json = core.encode(t)
    assert.are.equal(0, ran)
    assert.are.equal(('{"%s\\u00001":1,"%s\\u00002":2}'):format(long, long), json)
  end)

  it("keeps the byte order of keys (a prefix first)", function()
    assert.are.equal('{"a":1,"a\\u0000":2,"a\\u0001":3,"ab":4,"b":5}',
      core.encode({ b = 5, ab = 4, ["a\1"] = 3, ["a\0"] = 2, a = 1 }))
  end)
end)

describe("one depth limit for the encoder and the decoder (finding 11)", function()
  local function nested(levels) -- levels nested arrays, the innermost holding 1
    return require("spec.fuzz.fuzz_support").nested_arrays(levels, 1)
  end

  it("encodes the deepest document the decoder takes, and decodes it back", function()
    local json = core.encode(nested(1000))
    assert.are.equal(string.rep("[", 1000) .. "1" .. string.rep("]", 1000), json)
    local back = core.decode(json)
    for _ = 1, 999 do back = back[1] end
    assert.are.same({ 1 }, back)
    assert.are.equal(json, core.encode(core.decode(json)))
    local objects = string.rep('{"a":', 1000) .. "1" .. string.rep("}", 1000)
    assert.are.equal(objects, core.encode(core.decode(objects)))
  end)

  it("refuses one level more in both directions", function()
    local err = raises(core.encode, nested(1001))
    assert.are.equal("argument", err.kind)
    assert.are.equal("hwcloud.core.encode: nesting deeper than 1000 levels", err.message)
    assert.are.equal("decode", raises(core.decode, string.rep("[", 1001) .. "1" .. string.rep("]", 1001)).kind)
    assert.are.equal("decode", raises(core.decode, string.rep('{"a":', 1001) .. "1" .. string.rep("}", 1001)).kind)
    assert.are.equal("decode", raises(core.decode, string.rep("[", 1001) .. string.rep("]", 1001)).kind)
  end)
end)

describe("a URL libcurl refuses (finding 12)", function()
  local retry = require "hwcloud.retry"
  local server, s
  setup(function()
    server = server_helper.start()
    s = core.session{ timeout = 5 }
  end)
  teardown(function()
    if s then s:close() end
    if server then server.stop() end
  end)

  -- (a space or a control byte in the URL never reaches libcurl: the request
  -- check refuses it first, see check_request_spec.lua)
  local malformed = {
    function() return "http://[::1/x" end,
    function() return "http://127.0.0.1:99999/json" end,
  }
  for i, url in ipairs(malformed) do
    it("is an argument error, never retryable: case " .. i, function()
      local err = raises(s.send, s, { method = "GET", url = url() })
      assert.are.same({ "argument", 3, false, "GET" }, { err.kind, err.curl_code, err.retryable, err.method })
      assert.matches("^session:send: 'url' is malformed %(libcurl: ", err.message)
      assert.are.equal(false, (retry.classify(err, "GET")))
    end)
  end

  it("keeps no user information in err.url, even a password holding '@' (finding 14)", function()
    local url = server.refused_url:gsub("^http://", "http://user:p@ss@") .. "/x?a=1"
    local err = raises(s.send, s, { method = "GET", url = url }) -- libcurl calls it malformed
    assert.are.equal("argument", err.kind)
    assert.are.equal(server.refused_url .. "/x?a=1", err.url)
    err = raises(s.send, s, { method = "GET", url = server.refused_url:gsub("^http://", "http://u:pw@") .. "/x" })
    assert.are.same({ "network", server.refused_url .. "/x" }, { err.kind, err.url })
    assert.is_nil(tostring(err):find("ss@", 1, true))
  end)

  it("is tried once by the retry loop, where a refused port is tried again", function()
    local slept = {}
    local policy = { max_retries = 3, method = "GET", sleep = function(w) slept[#slept + 1] = w end,
      random = function() return 0 end }
    local tries = 0
    local err = raises(retry.run, policy, function()
      tries = tries + 1
      return s:send{ method = "GET", url = malformed[1]() }
    end)
    assert.are.same({ 1, 1, 0 }, { tries, err.attempts, #slept })
    tries = 0
    err = raises(retry.run, policy, function()
      tries = tries + 1
      return s:send{ method = "GET", url = server.refused_url .. "/x" }
    end)
    assert.are.same({ 4, "network" }, { tries, err.kind }) -- the control: a network fault is retried
  end)
end)
