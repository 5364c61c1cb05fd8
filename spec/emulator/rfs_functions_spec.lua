-- Built-in functions of the RFS emulator's template evaluator, checked
-- against the results Terraform 1.x documents for them
-- (https://developer.hashicorp.com/terraform/language/functions), through
-- expressions as a template writes them, plus their error cases.

local hcl = require("emu.rfs.hcl")
local E = require("emu.rfs.evaluate")
local V = require("emu.rfs.values")

local function eval(src, vars)
  return E.eval(hcl.parse_expr(src), { vars = V.map(vars or {}) })
end

local function json(src) return V.to_json(eval(src)) end

local function err(src)
  local ok, e = pcall(eval, src)
  assert.is_false(ok, "expected an error from " .. src)
  return E.error_message(e)
end

describe("template functions: regular expressions (RE2 syntax)", function()
  it("regex returns the match, a list of groups or a map of named groups", function()
    assert.equal('"1.2"', json([[regex("[0-9]+\\.[0-9]+", "v1.2.3")]]))
    assert.equal('["2019","02","13"]', json([[regex("^(\\d{4})-(\\d{2})-(\\d{2})$", "2019-02-13")]]))
    assert.equal('{"user":"ann","zone":null}', json([[regex("(?P<user>[a-z]+)(?:@(?P<zone>\\w+))?", "ann!")]]))
    assert.equal('"ab"', json([[regex("(?i)AB", "xaby")]]))
  end)

  it("regexall lists every non-overlapping match (leftmost-first, like Go)", function()
    assert.equal('["2","3","7","1"]', json([[regexall("[0-9]", "2 a 37 1")]]))
    assert.equal('["","aaa",""]', json([[regexall("a*", "baaac")]]))
    assert.equal('[["a","bcd"]]', json([[regexall("(a|ab)(c|bcd)", "abcd")]]))
    assert.equal(0, eval([[length(regexall("^[1-9]$", "15"))]]))
    assert.equal(1, eval([[length(regexall("^[\\w\\.-]{1,57}$", "vpc.a-1"))]]))
    assert.equal('["foo","foo"]', json([[regexall("\\bfoo\\b", "foo foobar foo")]]))
  end)

  it("replace with a /pattern/ expands $1, ${name} and $$", function()
    assert.equal("b.a $ d.c $", eval([[replace("a@b c@d", "/(\\w+)@(?P<host>\\w+)/", "$${host}.$1 $$")]]))
    assert.equal("x-y", eval([[replace("x_y", "_", "-")]]))
  end)

  it("fails as Terraform does on no match and on bad patterns", function()
    assert.matches('call to function "regex" failed: pattern did not match any part of the given string', err([[regex("z", "abc")]]))
    assert.matches("invalid regular expression pattern: missing closing %)", err([[regexall("a(b", "ab")]]))
    assert.matches("invalid character class range", err([[regexall("[z-a]", "ab")]]))
    assert.matches("cannot mix both named and unnamed", err([[regex("(?P<a>x)(y)", "xy")]]))
    assert.matches("invalid repeat count", err([[regexall("a{1001}", "a")]]))
  end)

  it("stays linear on patterns that make backtracking engines explode", function()
    local s = string.rep("a", 5000)
    assert.equal(0, eval('length(regexall("^(a+)+$", var.s))', { s = s .. "b" }))
  end)
end)

describe("template functions: collections", function()
  it("toset orders strings and numbers as Terraform's sets do", function()
    assert.equal('["a","b","c"]', json('toset(["c", "a", "b", "a"])'))
    assert.equal("[2,10]", json("toset([10, 2, 10])"))
    assert.matches("tolist: cannot convert a map", err('toset({a = 1})'))
  end)
end)

describe("template functions: time", function()
  it("formatdate follows Terraform's format verbs and literals", function()
    assert.equal("20180101235959", eval([[formatdate("YYYYMMDDhhmmss", "2018-01-01T23:59:59Z")]]))
    assert.equal("Monday, 01-Jan-18 11:59PM UTC", eval([[formatdate("EEEE, DD-MMM-YY HH:mmAA ZZZ", "2018-01-01T23:59:59Z")]]))
    assert.equal("Jan 2, 2024 at 07:05 +0530", eval([[formatdate("MMM D, YYYY 'at' hh:mm ZZZZ", "2024-01-02T07:05:00+05:30")]]))
    assert.equal("2000-02-29 o'clock", eval([[formatdate("YYYY-MM-DD 'o''clock'", "2000-02-29T00:00:00Z")]]))
    assert.matches("^%d%d%d%d%d%d%d%d%d%d%d%d%d%d$", eval([[formatdate("YYYYMMDDhhmmss", timestamp())]]))
    assert.matches("not a valid RFC3339 timestamp", err([[formatdate("YYYY", "2018-01-01")]]))
  end)

  it("timeadd and timecmp", function()
    assert.equal("2017-11-22T00:10:00Z", eval([[timeadd("2017-11-22T00:00:00Z", "10m")]]))
    assert.equal("2017-11-21T22:30:00Z", eval([[timeadd("2017-11-22T00:00:00Z", "-1h30m")]]))
    assert.equal("2024-03-01T00:00:00Z", eval([[timeadd("2024-02-28T00:00:00Z", "48h")]]))
    assert.equal(-1, eval([[timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+00:30")]]))
    assert.equal(0, eval([[timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00")]]))
    assert.matches("invalid duration", err([[timeadd("2017-11-22T00:00:00Z", "10 minutes")]]))
  end)
end)

describe("template functions: sets", function()
  it("setunion, setintersection, setsubtract, setproduct", function()
    assert.equal('["a","b","c","d"]', json('setunion(["d", "a"], ["b", "a"], ["c"])'))
    assert.equal('["b"]', json('setintersection(["a", "b"], ["b", "c"], ["b"])'))
    assert.equal('["a","c"]', json('setsubtract(["c", "b", "a"], ["b"])'))
    assert.equal('[["app1","dev"],["app1","prod"],["app2","dev"],["app2","prod"]]',
      json('setproduct(["app1", "app2"], ["dev", "prod"])'))
    assert.equal("[]", json('setproduct(["a"], [])'))
    assert.matches("at least two arguments", err('setproduct(["a"])'))
    assert.matches("list required", err('setsubtract("a", ["b"])'))
  end)
end)
