-- core.decode against lua-cjson 2.1.0 (a cjson.new() instance) as the oracle:
-- every JSON file under spec/ and ../shared/, generated documents (random
-- nesting, every escape, surrogate pairs, invalid UTF-8, numbers at the
-- edges), prefixes of them, and broken texts. Results must agree after the
-- documented fix-ups (README, "core.decode"): arrays carry core.array_mt,
-- integral numbers are integers on Lua 5.4 (integer literals exactly, up to
-- 64 bits), and strict JSON refuses what cjson lets through.
local core = require "hwcloud.core"
local cjson = require("cjson").new()

local HAS_INT = math.type ~= nil
local TWO53 = 9007199254740992

local function fmt(v)
  if type(v) == "number" then return string.format("%.17g", v) .. (HAS_INT and " " .. math.type(v) or "") end
  return tostring(v)
end

-- ours (core.decode) against theirs (cjson.decode), path for the message
local function same(ours, theirs, path)
  local to = type(ours)
  if to == "table" then
    assert(type(theirs) == "table", path .. ": table against " .. type(theirs))
    local n, m = 0, 0
    for _ in pairs(ours) do n = n + 1 end
    for _ in pairs(theirs) do m = m + 1 end
    assert(n == m, path .. ": " .. n .. " entries against " .. m)
    if core.is_array(ours) then
      assert(#ours == n, path .. ": an array with holes")
      for i = 1, n do same(ours[i], theirs[i], path .. "[" .. i .. "]") end
    else
      assert(getmetatable(ours) == nil, path .. ": an object with a metatable")
      for k, v in pairs(ours) do
        assert(type(k) == "string", path .. ": a non-string key")
        same(v, theirs[k], path .. "." .. k)
      end
    end
  elseif to == "number" then
    assert(type(theirs) == "number", path .. ": number against " .. type(theirs))
    local msg = path .. ": " .. fmt(ours) .. " against " .. fmt(theirs)
    if not HAS_INT then
      assert(ours == theirs and 1 / ours == 1 / theirs, msg) -- same value, same zero sign
    elseif math.type(ours) == "integer" then
      -- exact where cjson (strtod into a double) rounds integer literals beyond 2^53
      if ours >= -TWO53 and ours <= TWO53 then assert(ours == theirs, msg)
      else assert(ours + 0.0 == theirs, msg) end
    else
      assert(ours == theirs, msg)
      assert(not (ours == math.floor(ours) and math.abs(ours) <= TWO53), path .. ": integral float " .. fmt(ours))
    end
  else
    assert(rawequal(ours, theirs), path .. ": " .. fmt(ours) .. " against " .. fmt(theirs))
  end
end

local function agree(text, what)
  local ok1, ours = pcall(core.decode, text)
  local ok2, theirs = pcall(cjson.decode, text)
  assert(ok1 and ok2, (what or text:sub(1, 80)) .. ": core " .. (ok1 and "accepts" or ("refuses: " .. tostring(ours.message)))
    .. ", cjson " .. (ok2 and "accepts" or ("refuses: " .. tostring(theirs))))
  same(ours, theirs, what or "$")
  return ours
end

local function refused(text)
  local ok, err = pcall(core.decode, text)
  assert(not ok, "core.decode accepted " .. string.format("%q", text:sub(1, 60)))
  assert.are.equal("decode", err.kind)
  assert.matches("at offset %d+$", err.message)
  return err.message
end

-- A deterministic generator (Park-Miller; exact in doubles on every Lua).
local seed = 1
local function rand(n)
  seed = (seed * 16807) % 2147483647
  return seed % n + 1
end
local function pick(t) return t[rand(#t)] end

local FRAGMENTS = { "plain", "a b c", "", "0", "hwc", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
  "\\u0000", "\\u001f", "\\u0041", "\\u00e9", "\\u00E9", "\\u07ff", "\\u0800", "\\u20AC", "\\uffff", "\\uFEFF",
  "\\ud83d\\ude00", "\\uD834\\uDD1E", "\\udbff\\udfff", "\\ud800\\udc00", "é", "€", "😀", "\127",
  "\255", "\192\128", "\128", "\226\130", "\237\160\128", "\244\144\128\128", -- invalid UTF-8, passed through
  "\\u0000hwc:[]", "[]", "{}", "null", string.rep("abcdefgh", 40), string.rep("\\u00e9x", 60) }
local KEYS = { "id", "name", "status", "created_at", "tags", "key", "value", "a", "", "\\u00e9t\\u00e9",
  "x\\ny", "\\ud83d\\ude00", "stack_name", "description", "0", "1" }
local NUMBERS = { "0", "-0", "0.0", "-0.0", "1", "-1", "10", "1.0", "1e2", "1E+2", "2.5e1", "2.5", "-2.5e-3",
  "0.1", "0.30000000000000004", "3.141592653589793", "1e308", "-1e308", "1.7976931348623157e308",
  "2.2250738585072014e-308", "4.9e-324", "5e-324", "1e-400", "-1e-400", "9007199254740991", "9007199254740992",
  "9007199254740993", "-9007199254740993", "9007199254740993.0", "9223372036854775807", "-9223372036854775808",
  "9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
  "123456789012345678901234567890", "1e22", "1e23", "123e20", "4503599627370497e5", "0.000001", "1e-7",
  "0." .. string.rep("1", 200), string.rep("9", 40) .. "e-40", "1" .. string.rep("0", 30) .. "e-30",
  "100000000000000000000000e-3" }

local function ws()
  local r = rand(12)
  return r == 1 and " " or r == 2 and "\n\t" or r == 3 and "\r\n  " or ""
end

local function gen_string(from)
  local parts = {}
  for i = 1, rand(4) - 1 do parts[i] = pick(from) end
  return '"' .. table.concat(parts) .. '"'
end

local function gen_value(depth)
  local r = rand(depth > 6 and 6 or 10)
  if r == 1 then return gen_string(FRAGMENTS)
  elseif r == 2 then return pick(NUMBERS)
  elseif r == 3 then return tostring(rand(2000000) - 1000000)
  elseif r == 4 then return string.format("%.17g", (rand(2000000) - 1000000) / rand(997))
  elseif r == 5 then return pick({ "true", "false", "null" })
  elseif r == 6 then return gen_string(KEYS)
  elseif r <= 8 then
    local items = {}
    for i = 1, rand(6) - 1 do items[i] = ws() .. gen_value(depth + 1) .. ws() end
    return "[" .. ws() .. table.concat(items, ",") .. "]"
  else
    local items = {}
    for i = 1, rand(6) - 1 do items[i] = ws() .. gen_string(KEYS) .. ws() .. ":" .. ws() .. gen_value(depth + 1) end
    return "{" .. ws() .. table.concat(items, ",") .. ws() .. "}"
  end
end

describe("core.decode against cjson", function()
  it("agrees on every JSON file under spec/ and ../shared/", function()
    -- the trailing slashes make find enter ../shared when it is a symbolic link
    local p = assert(io.popen("find spec/ ../shared/ -name '*.json' -type f 2>/dev/null | sort"))
    local count = 0
    for path in p:lines() do
      local f = assert(io.open(path, "rb"))
      local text = f:read("a")
      f:close()
      agree(text, path)
      count = count + 1
    end
    p:close()
    assert.is_true(count >= 20, "only " .. count .. " JSON files found (is ../shared there?)")
  end)

  it("agrees on 400 generated documents and on every prefix cjson also refuses", function()
    seed = 4242
    for i = 1, 400 do
      local text = ws() .. gen_value(0) .. ws()
      agree(text, "document " .. i .. " " .. text:sub(1, 60))
      if i <= 40 then
        for cut = 1, #text - 1 do
          local prefix = text:sub(1, cut)
          local ok1 = pcall(core.decode, prefix)
          local ok2 = pcall(cjson.decode, prefix)
          if ok1 and ok2 then agree(prefix)
          elseif ok1 then error("core accepts a prefix cjson refuses: " .. prefix)
          elseif ok2 then assert.matches("^%s*%-?%d+%.$", prefix) -- "1." (cjson's strtod takes it)
          end
        end
      end
    end
  end)

  it("agrees on a large repetitive body (the string cache) and on long strings", function()
    local items = {}
    for i = 1, 300 do
      items[i] = ('{"id":"%d","status":"%s","tags":[{"key":"k%d","value":"%s"}],"n":%d,"f":%s}')
        :format(i, pick({ "available", "failed", "x\\ny" }), i % 7, pick(FRAGMENTS), i, pick(NUMBERS))
    end
    local big = agree("[" .. table.concat(items, ",") .. "]")
    assert.are.equal(300, #big)
    local long = string.rep("\\u00e9\\n" .. string.rep("z", 100), 50)
    assert.are.equal(string.rep("é\n" .. string.rep("z", 100), 50), agree('"' .. long .. '"'))
  end)

  -- from 256 KB, Lua 5.4's collector is paused during the decode (src/hwc_decode.c)
  it("agrees on a body over 256 KB and leaves the collector as it was, even when it refuses one", function()
    local items = {}
    for i = 1, 3000 do
      items[i] = ('{"id":"%d-%s","status":"%s","n":%d,"f":%s}'):format(i, string.rep("x", 60), pick({ "a", "b" }), i,
        pick(NUMBERS))
    end
    local text = "[" .. table.concat(items, ",") .. "]"
    assert.is_true(#text >= 256 * 1024)
    assert.are.equal(3000, #agree(text))
    for _, stopped in ipairs({ false, true }) do
      if stopped then collectgarbage("stop") end
      local ok = pcall(core.decode, text)
      local ok2, err = pcall(core.decode, text .. ",")
      local running = collectgarbage("isrunning")
      collectgarbage("restart")
      assert.is_true(ok)
      assert.is_false(ok2)
      assert.are.equal("decode", err.kind)
      assert.matches("at offset " .. #text .. "$", err.message)
      assert.are.equal(not stopped, running)
    end
  end)

  it("agrees at the nesting limit and refuses one level more", function()
    agree(string.rep("[", 1000) .. string.rep("]", 1000))
    agree(string.rep('{"a":', 999) .. "[]" .. string.rep("}", 999))
    assert.is_false(pcall(cjson.decode, string.rep("[", 1001) .. string.rep("]", 1001)))
    assert.matches("nested deeper than 1000 at offset 1000$", refused(string.rep("[", 1001) .. string.rep("]", 1001)))
    -- wide and deep: past the stack budget, levels stop batching
    local wide = string.rep("[" .. string.rep("1,", 30), 300) .. string.rep("]", 300)
    refused(wide)
    agree((wide:gsub(",%]", "]")))
  end)

  local both_refuse = { '{"a":', "", " ", "nul", "tru", "nulll", "[1,]", "[,1]", '{"a" 1}', "{1:2}", "[1 2]", ".5",
    "1e", "1e+", "-", "[-]", '"\\x"', '"\\u12"', '"\\uZZZZ"', '"\\ud800"', '"\\ude00"', '"\\udc00\\ud800"',
    '"\\ud800\\u0041"', '"\\ud83d"', '"a\0b"', "[1]x", "\239\187\191{}", '"abc', '"\\', "[", "true false",
    "\0", '{"a":1,}', "{,}", '{"a":1 "b":2}', '{"a"}', "]", "}", "[}", "{]" }
  it("refuses what cjson refuses, with the byte offset", function()
    for _, text in ipairs(both_refuse) do
      assert.is_false(pcall(cjson.decode, text), text)
      refused(text)
    end
    assert.are.equal("expected value but found end of text at offset 5", refused('{"a":'))
    assert.are.equal("expected ',' or ']' but found '2' at offset 3", refused("[1 2]"))
    assert.are.equal("expected object key string but found '1' at offset 1", refused("{1:2}"))
    assert.are.equal("invalid unicode surrogate escape at offset 3", refused('[ "\\ud800"]'))
    assert.are.equal("expected the end but found 'x' at offset 3", refused("[1]x"))
  end)

  -- cjson 2.1.0 takes these; RFC 8259 does not, and core.encode could not
  -- write most of them back.
  local strict = { "01", "-01", "[00]", "0x10", "[0x10]", "NaN", "nan", "-inf", "inf", "Infinity", "-Infinity",
    "1e400", "-1e400", "[1e400]", "1.", "1.e5", "+1", '"a\tb"', '"a\nb"', '"\1"', '{"a\31":1}',
    '{"a":1}\0garbage' }
  it("refuses what strict JSON refuses and cjson lets through", function()
    for _, text in ipairs(strict) do
      assert.is_true(pcall(cjson.decode, text), text)
      refused(text)
    end
    assert.are.equal("invalid number (leading zero) at offset 0", refused("01"))
    assert.are.equal("number out of range at offset 1", refused("[1e400]"))
    assert.are.equal("unescaped control character (byte 0x09) in string at offset 2", refused('"a\tb"'))
    assert.are.equal("expected value but found 'N' at offset 0", refused("NaN"))
  end)

  it("keeps integers exact, floats correctly rounded, and no in-band markers", function()
    for _, lit in ipairs(NUMBERS) do
      local v = agree("[" .. lit .. "]")[1]
      if HAS_INT and math.type(tonumber(lit)) == "integer" then -- Lua's own reading: fits 64 bits
        assert.are.equal("integer", math.type(v), lit)
        assert.are.equal((lit:gsub("^%-0$", "0")), tostring(v))
      elseif not lit:match("^%-?%d+$") then
        assert.are.equal(tonumber(lit), v, lit) -- Lua's own strtod
      end
    end
    if HAS_INT then
      assert.are.equal(9007199254740993, core.decode("9007199254740993"))
      assert.are.equal(math.mininteger, core.decode("-9223372036854775808"))
      assert.are.equal("float", math.type(core.decode("9223372036854775808")))
      assert.are.equal("integer", math.type(core.decode("1.5e3")))
      assert.are.equal("float", math.type(core.decode("1e300")))
    else
      assert.are.equal(-1 / 0, 1 / core.decode("-0"))
    end
    assert.are.equal("\0hwc:[]", core.decode('"\\u0000hwc:[]"'))
    local one = core.decode('["\\u0000hwc:[]"]')
    assert.are.same({ "\0hwc:[]" }, one)
    assert.is_true(core.is_array(one))
    assert.are.equal(core.null, core.decode("null"))
    assert.are.equal(cjson.null, core.null)
  end)

  it("runs clean under valgrind #valgrind", function()
    local log = os.tmpname()
    local cmd = ("valgrind --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite "
      .. "--error-exitcode=99 --log-file=%s lua5.4 spec/core/decode_loop.lua > %s.out 2>&1"):format(log, log)
    local ok = os.execute(cmd)
    local report = io.open(log):read("a")
    local out = io.open(log .. ".out"):read("a")
    os.remove(log)
    os.remove(log .. ".out")
    assert.matches("decode loop done", out)
    assert.is_true(ok == true or ok == 0, report)
    assert.matches("ERROR SUMMARY: 0 errors", report)
  end)
end)
