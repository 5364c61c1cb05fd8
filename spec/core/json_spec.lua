-- core.encode / core.decode: exact integers, arrays and null, escaping,
-- errors on what JSON cannot hold, and the host's cjson left untouched.
local core = require "hwcloud.core"
local support = require "spec.core.support"

describe("core JSON", function()
  it("encodes integers exactly, floats shortest, and integral floats as integers", function()
    if math.type then
      assert.are.equal("9007199254740993", core.encode(9007199254740993))
      assert.are.equal("-9223372036854775808", core.encode(math.mininteger))
    end
    assert.are.equal("0.1", core.encode(0.1))
    assert.are.equal("10", core.encode(10.0))
    assert.are.equal("1.5e+300", core.encode(1.5e300))
  end)

  it("encodes arrays, objects, empty marked arrays and null", function()
    assert.are.equal("[]", core.encode(core.array{}))
    assert.are.equal("[]", core.encode(core.array()))
    assert.are.equal("{}", core.encode({}))
    assert.are.equal("[1,2,3]", core.encode({ 1, 2, 3 }))
    assert.are.equal('{"a":null,"b":[true,false]}', core.encode({ a = core.null, b = { true, false } }))
    assert.are.equal('{"a":1,"b":2,"c":3}', core.encode({ c = 3, a = 1, b = 2 }))
    assert.are.equal("null", core.encode(core.null))
  end)

  it("escapes strings", function()
    assert.are.equal('"a\\"b\\\\c\\n\\t\\u0001/é"', core.encode('a"b\\c\n\t\1/é'))
  end)

  local bad = {
    { "a cycle", function() local t = {} t.self = t return t end, "cycle" },
    { "a function", function() return { f = print } end, "function" },
    { "NaN", function() return { 0 / 0 } end, "NaN" },
    { "a sparse array", function() return { [1] = 1, [3] = 3 } end, "sparse" },
    { "mixed keys", function() return { 1, a = 2 } end, "both" },
  }
  for _, case in ipairs(bad) do
    it("refuses " .. case[1], function()
      local ok, err = pcall(core.encode, case[2]())
      assert.is_false(ok)
      assert.are.equal("argument", err.kind)
      assert.matches(case[3], err.message)
    end)
  end

  it("decodes with integers, marked arrays (even empty ones) and null", function()
    local v = core.decode('{"a":[],"b":[ ],"c":{},"d":[1,[]],"e":null,"f":3,"g":"[]","h":2.5}')
    assert.is_true(core.is_array(v.a))
    assert.is_true(core.is_array(v.b))
    assert.is_false(core.is_array(v.c))
    assert.is_true(core.is_array(v.d[2]))
    assert.are.equal(core.null, v.e)
    assert.are.equal("[]", v.g)
    assert.are.equal(2.5, v.h)
    if math.type then
      assert.are.equal("integer", math.type(v.f))
      assert.are.equal("integer", math.type(core.decode("10")))
      assert.are.equal("float", math.type(core.decode("10.5")))
    end
    assert.are.equal('{"a":[],"b":[],"c":{},"d":[1,[]],"e":null,"f":3,"g":"[]","h":2.5}', core.encode(v))
  end)

  it("raises kind=decode on broken JSON", function()
    local ok, err = pcall(core.decode, '{"a":')
    assert.is_false(ok)
    assert.are.equal("decode", err.kind)
  end)

  it("leaves the host's cjson configuration alone", function()
    local cjson = require "cjson"
    cjson.encode_sparse_array(true)
    assert.are.equal("[1,null,3]", cjson.encode({ [1] = 1, [3] = 3 }))
    assert.has_error(function() core.encode({ [1] = 1, [3] = 3 }) end)
    cjson.encode_sparse_array(false)
    assert.are.equal(cjson.null, core.null)
  end)

  it("makes error objects that share the metatable", function()
    local e = core.error{ kind = "waiter", message = "stack failed", code = "X" }
    assert.is_true(core.is_error(e))
    assert.is_false(core.is_error({}))
    assert.are.equal(getmetatable(e), core.Error)
    assert.are.equal("hwcloud waiter error X: stack failed", tostring(e))
    assert.is_false(e.retryable)
  end)
end)

describe("core.http_error and core.sleep", function()
  local core = require "hwcloud.core"

  it("builds the error session:send would raise, for other transports", function()
    local err = core.http_error{ status = 404, raw_body = '{"error":{"code":"RF.404","message":"no stack"}}',
      headers = { ["content-type"] = "application/json" }, request_id = "r1", method = "GET",
      url = "http://u:p@h/x" }
    assert.is_true(core.is_error(err))
    assert.are.same({ "http", "ClientRequestException", 404, "RF.404", "no stack", "r1", "http://h/x", false },
      { err.kind, err.class, err.status, err.code, err.message, err.request_id, err.url, err.retryable })
    local text = core.http_error{ status = 503, raw_body = "busy" }
    assert.are.same({ "503", "busy", "busy", true }, { text.code, text.message, text.body, text.retryable })
    assert.has_error(function() core.http_error{ status = 200 } end)
  end)

  it("sleeps, and tells the time", function()
    local w0 = core.now()
    assert.is_true(math.abs(w0 - os.time()) <= 1)
    local t0 = os.clock()
    core.sleep(0.25)
    local cpu = os.clock() - t0
    assert.is_true(core.now() - w0 >= 0.25)
    core.sleep(0)
    -- a sleep, not a busy wait: a busy wait would burn about 0.25 s of CPU
    assert.is_true(cpu < 0.125, "CPU seconds spent sleeping: " .. cpu)
    assert.has_error(function() core.sleep("x") end)
    assert.is_false(core.isatty(987)) -- not an open descriptor
    local p = io.popen("lua5.4 -e 'package.cpath=\"build/?.so;\"..package.cpath; "
      .. "io.write(tostring(require(\"hwcloud.core\").isatty(1)))'")
    local out = p:read("a")
    p:close()
    assert.are.equal("false", out) -- stdout is a pipe here
  end)

  for _, case in ipairs{ { "", "" }, { " while the program's own hook is set", "debug.sethook(function() end, '', 1e6); " } } do
    it("stops sleeping at once on Ctrl-C, so the interpreter's 'interrupted!' comes now" .. case[1], function()
      -- a child sent SIGINT 0.3 s into a 10 s sleep (lua.c and luajit.c
      -- turn it into a hook that raises)
      local out, took = support.interrupt(("local core = require 'hwcloud.core'; %s"
        .. "io.write('asleep\\n'); io.flush(); core.sleep(10); print('slept on')"):format(case[2]), "asleep")
      assert.matches("interrupted!", out)
      assert.not_matches("slept on", out)
      assert.is_true(took < 2, string.format("took %.2f s to stop", took))
    end)
  end

  it("README's core.sleep entry says that Ctrl-C ends it at once", function()
    local f = assert(io.open("README.md", "rb"))
    local readme = f:read("a")
    f:close()
    local entry = assert(readme:match("`core%.sleep%(seconds%)`(.-)`core%.isatty"), "no core.sleep entry in README.md")
    entry = entry:gsub("%s+", " ")
    assert.matches("Ctrl%-C ends at once", entry)
    assert.matches("a signal whose handler sets the interpreter's hook", entry)
    assert.matches("other signals leave it sleeping", entry)
  end)
end)
