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

local function err(src, vars)
  local ok, e = pcall(eval, src, vars)
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

  it("refuses a pattern and string that would take more than its step budget", function()
    assert.matches("regular expression too costly", err('regexall("a{1,1000}x", var.s)', { s = string.rep("a", 20000) }))
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

describe("template functions: more of Terraform's list", function()
  it("strings: indent, lower/upper beyond ASCII, urlencode, jsonencode escapes like Go", function()
    assert.equal("a\n  b\n  ", eval([[indent(2, "a\nb\n")]]))
    assert.equal("àéî σασ дом", eval([[lower("ÀÉÎ ΣΑΣ ДОМ")]]))
    assert.equal("ÀÉÎ", eval([[upper("àéî")]]))
    assert.equal("Hello+World%21%26x%3D%2F%C3%A4", eval([[urlencode("Hello World!&x=/ä")]]))
    assert.equal('{"a":"\\u003cb\\u003e\\u0026"}', eval([[jsonencode({a = "<b>&"})]]))
    assert.equal("baz.txt", eval([[basename("foo/bar/baz.txt")]]))
    assert.equal("foo/bar", eval([[dirname("foo/bar/baz.txt")]]))
  end)

  it("collections and conversion: chunklist, matchkeys, transpose, tomap unification, log", function()
    assert.equal('[["a","b"],["c"]]', json('chunklist(["a", "b", "c"], 2)'))
    assert.equal('["i1","i3"]', json('matchkeys(["i1", "i2", "i3"], ["us", "eu", "us"], ["us"])'))
    assert.equal('{"1":["a"],"2":["a","b"],"3":["b"]}', json('transpose({a = ["1", "2"], b = ["2", "3"]})'))
    assert.equal('{"a":"1","b":"2","c":"true"}', json('tomap({a = "1", b = 2, c = true})'))
    assert.equal(4, eval("log(16, 2)"))
    assert.matches("length of keys and values should be equal", err('matchkeys(["a"], [], [])'))
  end)

  it("cidrsubnets and csvdecode", function()
    assert.equal('["10.1.0.0/20","10.1.16.0/20","10.1.32.0/24","10.1.48.0/20"]', json('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)'))
    assert.matches("not enough remaining address space", err('cidrsubnets("10.1.0.0/16", 1, 1, 1)'))
    assert.equal('[{"a":"1","b":"x,y"},{"a":"3","b":"4"}]', json('csvdecode("a,b\\n1,\\"x,y\\"\\n3,4\\n")'))
    assert.matches("wrong number of fields", err('csvdecode("a,b\\n1\\n")'))
  end)
end)

describe("template functions: hashes and name-based UUIDs", function()
  it("md5, sha1, sha256, sha512, base64sha256/512 and uuidv5 give Terraform's documented results", function()
    assert.equal("5eb63bbbe01eeed093cb22bb8f5acdc3", eval([[md5("hello world")]]))
    assert.equal("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed", eval([[sha1("hello world")]]))
    assert.equal("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", eval([[sha256("hello world")]]))
    assert.equal("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=", eval([[base64sha256("hello world")]]))
    assert.equal("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
      eval([[sha512("hello world")]]))
    assert.equal("MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==",
      eval([[base64sha512("hello world")]]))
    assert.equal("a5008fae-b28c-5ba5-96cd-82b4c53552d6", eval([[uuidv5("dns", "www.terraform.io")]]))
    assert.equal("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5", eval([[uuidv5("url", "https://www.terraform.io/")]]))
    -- a multi-block message
    assert.equal("41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", eval('sha256(var.s)', { s = string.rep("a", 1000) }))
    assert.matches("doesn't support namespace", err([[uuidv5("nope", "x")]]))
    assert.matches("the emulator hashes at most 262144 bytes", err("sha512(var.s)", { s = string.rep("a", 300000) }))
    assert.matches("string required", err("md5([])"))
  end)
end)

describe("template functions: templatestring", function()
  it("renders a referenced string with the given variables only", function()
    assert.equal("Hello, Ann! 3 items: a,b,c",
      eval('templatestring(var.t, { name = "Ann", items = ["a", "b", "c"] })',
        { t = "Hello, ${name}! ${length(items)} items: %{ for i, x in items }${x}%{ if i < 2 },%{ endif }%{ endfor }" }))
    assert.matches("must be a reference to a string value", err('templatestring("${1}", {})'))
    local ok, e = pcall(eval, 'templatestring(var.t, { a = 1 })', { t = "${b}" })
    assert.is_false(ok)
    assert.matches('Invalid reference', E.error_message(e))
  end)
end)

describe("template functions inside the emulator (LuaJIT under nginx)", function()
  local S = require("spec.emulator.rfs_support")
  local e
  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)

  it("computes the same digests, regular expressions and dates as under Lua 5.4", function()
    local tf = [[
output "md5" { value = md5("hello world") }
output "sha1" { value = sha1("hello world") }
output "sha256" { value = sha256("hello world") }
output "sha512" { value = base64sha512("hello world") }
output "uuid" { value = uuidv5("dns", "www.terraform.io") }
output "re" { value = regexall("[a-z]+", "abc 12 de") }
output "date" { value = formatdate("EEE, DD MMM YYYY", "2024-02-29T10:00:00Z") }
output "lower" { value = lower("ÀÉÎ") }
]]
    assert.equal(201, e.create("fn", tf).status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("fn").status)
    local o = {}
    for _, x in ipairs(e.rfs("GET", "/stacks/fn/outputs").body.outputs) do o[x.name] = x.value end
    assert.equal('"5eb63bbbe01eeed093cb22bb8f5acdc3"', o.md5)
    assert.equal('"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"', o.sha1)
    assert.equal('"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"', o.sha256)
    assert.equal('"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="', o.sha512)
    assert.equal('"a5008fae-b28c-5ba5-96cd-82b4c53552d6"', o.uuid)
    assert.equal('["abc","de"]', o.re)
    assert.equal('"Thu, 29 Feb 2024"', o.date)
    assert.equal('"àéî"', o.lower)
  end)
end)

describe("template functions: YAML", function()
  it("yamlencode writes Terraform's documented block style", function()
    assert.equal('"a": "b"\n"c": "d"\n', eval([[yamlencode({"a":"b", "c":"d"})]]))
    assert.equal('"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n', eval([[yamlencode({"foo":[1, 2, 3], "bar": "baz"})]]))
    assert.equal('"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n', eval([[yamlencode({"foo":[1, {"a":"b","c":"d"}, 3], "bar": "baz"})]]))
    assert.equal('"a":\n  "b": 1\n  "d": []\n"e": null\n', eval([[yamlencode({a = {b = 1, d = []}, e = null})]]))
    assert.equal("true\n...\n", eval("yamlencode(true)"))
  end)

  it("yamldecode reads block and flow collections, scalars, block scalars and comments", function()
    local doc = [[
# config
name: web
replicas: 3
ports:
  - 80
  - 443
env:
  DEBUG: "false"
  LEVEL: info  # trailing
items:
- name: a
  size: 1
- name: b
  tags: [x, y]
script: |
  echo hi
  echo there
folded: >-
  one
  two
empty:
]]
    assert.equal('{"empty":null,"env":{"DEBUG":"false","LEVEL":"info"},"folded":"one two",' ..
      '"items":[{"name":"a","size":1},{"name":"b","tags":["x","y"]}],"name":"web","ports":[80,443],"replicas":3,' ..
      '"script":"echo hi\\necho there\\n"}', V.to_json(eval("yamldecode(var.y)", { y = doc })))
    assert.equal('{"a":[1,2,3],"b":"x"}', json([[yamldecode("{a: [1, 2, 3], b: 'x'}")]]))
    assert.matches('mapping key "a" already defined', err('yamldecode("a: 1\\na: 2\\n")'))
    assert.matches("anchors, aliases and tags are not supported", err('yamldecode("a: &x 1")'))
    assert.matches("unexpected extra content", err('yamldecode("---\\na: 1\\n---\\nb: 2\\n")'))
  end)
end)

describe("template functions: YAML under hostile input", function()
  it("refuses documents nested deeper than the limit", function()
    assert.matches("nests more than 100 levels", err('yamldecode(var.y)', { y = string.rep("[", 1000) .. string.rep("]", 1000) }))
    local lines = { "k:" }
    for i = 1, 500 do lines[#lines + 1] = string.rep(" ", i) .. "k:" end
    assert.matches("nests more than 100 levels", err('yamldecode(var.y)', { y = table.concat(lines, "\n") }))
  end)
end)

describe("template functions: characters, indexes, sums", function()
  it("substr and strrev count characters; element refuses negative indexes; sum refuses an empty list", function()
    assert.equal("ÿé", eval([[substr("aÿéz", 1, 2)]]))
    assert.equal("éz", eval([[substr("aÿéz", -2, -1)]]))
    assert.equal("zéÿa", eval([[strrev("aÿéz")]]))
    assert.equal("c", eval('element(["a", "b", "c"], 5)'))
    assert.matches("negative index", err('element(["a"], -1)'))
    assert.equal(6, eval("sum([1, 2, 3])"))
    assert.matches("cannot sum an empty list", err("sum([])"))
    assert.equal("", eval('substr("abc", 5, 1)'))
  end)
end)

describe("template functions: coverage of Terraform's list", function()
  -- Terraform 1.x built-in functions (https://developer.hashicorp.com/terraform/language/functions)
  local TERRAFORM = [[abs ceil floor log max min parseint pow signum chomp endswith format formatlist indent join
    lower regex regexall replace split startswith strcontains strrev substr templatestring title trim trimprefix
    trimspace trimsuffix upper alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct
    element flatten index keys length lookup matchkeys merge one range reverse setintersection setproduct
    setsubtract setunion slice sort sum transpose values zipmap base64decode base64encode base64gzip csvdecode
    jsondecode jsonencode textdecodebase64 textencodebase64 urlencode yamldecode yamlencode abspath dirname
    pathexpand basename file fileexists fileset filebase64 templatefile formatdate plantimestamp timeadd timecmp
    timestamp base64sha256 base64sha512 bcrypt filebase64sha256 filebase64sha512 filemd5 filesha1 filesha256
    filesha512 md5 rsadecrypt sha1 sha256 sha512 uuid uuidv5 cidrhost cidrnetmask cidrsubnet cidrsubnets can
    ephemeralasnull issensitive nonsensitive sensitive tobool tolist tomap tonumber toset tostring try type]]
  -- refused: they read files, compress, encrypt with random salts or exist only in the console
  local REFUSED = { base64gzip = true, abspath = true, pathexpand = true, file = true, fileexists = true,
    fileset = true, filebase64 = true, templatefile = true, bcrypt = true, filebase64sha256 = true,
    filebase64sha512 = true, filemd5 = true, filesha1 = true, filesha256 = true, filesha512 = true,
    rsadecrypt = true, type = true }

  it("implements every deterministic function that needs no file system", function()
    local total, have = 0, 0
    for name in TERRAFORM:gmatch("%S+") do
      total = total + 1
      local ok, e = pcall(eval, name .. "()")
      local msg = ok and "" or E.error_message(e)
      if REFUSED[name] then
        assert.is_false(ok, name)
      else
        -- a known function fails on missing arguments, never as unknown
        assert.is_nil(msg:find("Call to unknown function", 1, true), name .. ": " .. msg)
        have = have + 1
      end
    end
    io.stderr:write(string.format("\nTemplate functions: %d of Terraform's %d\n", have, total))
    assert.equal(119, total)
    assert.equal(102, have)
  end)
end)
