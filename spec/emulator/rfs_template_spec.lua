-- Unit specs of the RFS emulator's pure parts, loaded directly from
-- emulator/lua (no nginx): the HCL parser, .tf.json, the evaluator
-- (variables, references, interpolation, functions, outputs) and the engine
-- (dependency order, count/for_each, diff, plan items).

local hcl = require("emu.rfs.hcl")
local tfjson = require("emu.rfs.tfjson")
local template = require("emu.rfs.template")
local E = require("emu.rfs.evaluate")
local engine = require("emu.rfs.engine")
local V = require("emu.rfs.values")

local function err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return E.error_message(e)
end

local function eval(src, vars)
  return E.eval(hcl.parse_expr(src), { vars = V.map(vars or {}) })
end

describe("emu.rfs.hcl", function()
  it("parses blocks, labels, attributes and comments", function()
    local b = hcl.parse([[
# comment
// another
/* block
   comment */
resource "huaweicloud_vpc" "main" {
  name = "x" # trailing
  nested {
    a = 1
  }
}
variable v { type = string }
]])
    assert.equal(2, #b.blocks)
    assert.same({ "huaweicloud_vpc", "main" }, b.blocks[1].labels)
    assert.same({ "name" }, b.blocks[1].body.attr_order)
    assert.equal("nested", b.blocks[1].body.blocks[1].type)
    assert.same({ "v" }, b.blocks[2].labels)
  end)

  it("parses values: strings, escapes, numbers, bools, null, lists, maps, heredocs", function()
    assert.equal("a\"b\n\tc", eval([["a\"b\n\tc"]]))
    assert.equal("é", eval([["\u00e9"]]))
    assert.equal(1500, eval("1.5e3"))
    assert.equal(-2, eval("-2"))
    assert.is_true(eval("true"))
    assert.equal(V.NULL, eval("null"))
    assert.same({ 1, 2, 3 }, eval("[1, 2,\n 3,]"))
    local m = eval('{ a = 1, "b-c" = "x"\n d: true }')
    assert.equal(1, m.a)
    assert.equal("x", m["b-c"])
    assert.is_true(m.d)
    local doc = E.eval(hcl.parse("x = <<-EOT\n    one\n      two ${1 + 1}\n    EOT\n").attrs.x.expr, {})
    assert.equal("one\n  two 2\n", doc)
    assert.equal("${literal}", eval([["$${literal}"]]))
  end)

  it("reports syntax errors with file, line and column", function()
    assert.matches("^main%.tf:2,8: Invalid expression", err_of(hcl.parse, 'a = 1\nb = [1 2]'):gsub("Missing item separator", "Invalid expression"))
    assert.matches("Unclosed configuration block", err_of(hcl.parse, 'resource "a" "b" {\n'))
    assert.matches("Unterminated template string", err_of(hcl.parse, 'a = "abc'))
    assert.matches("Invalid multi%-line string", err_of(hcl.parse, 'a = "abc\n"'))
    assert.matches("Invalid character", err_of(hcl.parse, 'a = @'))
    assert.matches("Attribute redefined", err_of(hcl.parse, 'a = 1\na = 2\n'))
    assert.matches("Invalid escape", err_of(hcl.parse, 'a = "\\q"'))
    assert.matches("Unterminated template directive", err_of(hcl.parse, 'a = "%{ if true }x"'))
  end)
end)

describe("emu.rfs.evaluate", function()
  it("interpolates and keeps the type of a lone interpolation", function()
    assert.equal("v-1", eval('"${var.x}-1"', { x = "v" }))
    assert.same({ 1, 2 }, eval('"${var.l}"', { l = V.list({ 1, 2 }) }))
    assert.equal("n=3", eval('"n=${1 + 2}"'))
  end)

  it("evaluates operators, conditionals, for-expressions and splats", function()
    assert.equal(7, eval("1 + 2 * 3"))
    assert.is_true(eval("2 > 1 && !false"))
    assert.equal("b", eval('var.n == 1 ? "a" : "b"', { n = 2 }))
    assert.same({ "A", "C" }, eval('[for s in ["a", "", "c"] : upper(s) if s != ""]'))
    local m = eval('{for k, v in var.m : v => k}', { m = V.map({ a = "x", b = "y" }) })
    assert.equal("a", m.x)
    local objs = V.list({ V.map({ id = "1" }), V.map({ id = "2" }) })
    assert.same({ "1", "2" }, eval("var.o[*].id", { o = objs }))
  end)

  it("has the common functions", function()
    assert.equal("a,b", eval('join(",", ["a", "b"])'))
    assert.equal("web-01", eval('format("%s-%02d", "web", 1)'))
    assert.equal("10.0.2.0/24", eval('cidrsubnet("10.0.0.0/16", 8, 2)'))
    assert.equal("10.0.0.1", eval('cidrhost("10.0.0.0/24", 1)'))
    assert.equal(3, eval('length("abc")'))
    assert.equal("x", eval('lookup({a = "x"}, "a", "d")'))
    assert.equal("d", eval('lookup({a = "x"}, "b", "d")'))
    assert.equal('{"a":[1,true]}', eval('jsonencode({a = [1, true]})'))
    assert.equal(2, eval('jsondecode("{\\"a\\": 2}").a'))
    assert.equal("aGk=", eval('base64encode("hi")'))
    assert.equal("fallback", eval('try(var.nope, "fallback")'))
    assert.matches("unknown function", err_of(eval, "nosuch(1)"))
  end)

  it("resolves variables from defaults, vars_body and vars_structure with types", function()
    local cfg = template.load([[
variable "s" { default = "d" }
variable "n" { type = number }
variable "l" { type = list(string) }
variable "o" {
  type = object({ a = string, b = optional(number, 5) })
}
]])
    local vars = E.variables(cfg, {
      vars_body = 'l = ["x", "y"]',
      vars_structure = { { var_key = "n", var_value = "42" }, { var_key = "o", var_value = '{ a = "z" }' } },
    })
    assert.equal("d", vars.s)
    assert.equal(42, vars.n)
    assert.same({ "x", "y" }, vars.l)
    assert.equal("z", vars.o.a)
    assert.equal(5, vars.o.b)
    assert.matches("No value for required variable", err_of(E.variables, cfg, {}))
    assert.matches("number required", err_of(E.variables, cfg, {
      vars_body = 'l = []\no = { a = "x" }', vars_structure = { { var_key = "n", var_value = "abc" } } }))
  end)

  it("checks validation blocks and reports duplicates across sources", function()
    local cfg = template.load([[
variable "name" {
  validation {
    condition     = length(var.name) >= 3
    error_message = "The name is too short."
  }
}
]])
    assert.matches("The name is too short", err_of(E.variables, cfg, { vars_body = 'name = "ab"' }))
    assert.equal("name", E.duplicate_input({ vars_body = 'name = "a"', vars_structure = { { var_key = "name", var_value = "b" } } }))
    assert.is_nil(E.duplicate_input({ vars_body = 'name = "a"' }))
  end)
end)

describe("emu.rfs.tfjson and template", function()
  it("reads .tf.json into the same model as HCL", function()
    local cfg = template.load([[{
      "variable": {"n": {"type": "number", "default": 2}},
      "locals": {"p": "pre"},
      "resource": {"huaweicloud_vpc": {"v": {"count": "${var.n}", "name": "${local.p}-${count.index}"}}},
      "output": {"names": {"value": "${huaweicloud_vpc.v[*].name}"}}
    }]])
    assert.equal("json", cfg.format)
    local r = engine.run(cfg, E.variables(cfg, {}), {}, { mode = "apply", new_id = function() return "id" end })
    assert.equal(2, #r.instances)
    assert.equal("huaweicloud_vpc.v[1]", r.instances[2].address)
    assert.equal("pre-1", r.instances[2].config.name)
    assert.equal('["pre-0","pre-1"]', r.outputs[1].value)
  end)

  it("rejects bad JSON and unsupported constructs", function()
    assert.matches("main%.tf%.json:1,", err_of(template.load, '{"resource": }'))
    assert.matches("Unsupported block type", err_of(template.load, '{"backend": {}}'))
    assert.matches("argument \"source\"", err_of(template.load, 'module "m" {\n version = "1.0.0"\n}\n'))
    assert.matches("count and for_each on module calls", err_of(template.load, 'module "m" {\n source = "./m"\n count = 2\n}\n'))
    assert.matches("Duplicate resource", err_of(template.load, 'resource "a_b" "c" {}\nresource "a_b" "c" {}\n'))
    assert.matches("byte order mark", err_of(tfjson.decode, "\239\187\191{}"))
  end)

  it("names the file the user gave, and the member file of joined .tf files, in messages", function()
    assert.matches("^network%.tf:2,7: Invalid expression",
      err_of(template.load, 'locals {\n  a = = 1\n}\n', { name = "network.tf" }))
    assert.matches("^vpc%.tf%.json:1,", err_of(template.load, '{"resource": }', { name = "vpc.tf.json" }))
    -- two root files of a .zip joined: a line of the second names b.tf and its own line
    local joined = 'locals {\n  a = 1\n}\nlocals {\n  b = [\n}\n'
    local parts = { { name = "a.tf", line = 1 }, { name = "b.tf", line = 4 } }
    assert.matches("^b%.tf:3,1: ", err_of(template.load, joined, { name = "a.tf", parts = parts }))
    local cfg = template.load('resource "huaweicloud_vpc" "v" {\n  name = "v"\n}\nresource "huaweicloud_vpc" "w" {\n  nmae = "w"\n}\n',
      { name = "a.tf", parts = { { name = "a.tf", line = 1 }, { name = "b.tf", line = 4 } } })
    assert.equal("b.tf:2,3", cfg.locate(cfg.resources[2].body.attrs.nmae.pos))
    assert.equal("a.tf:1,1", cfg.locate(1))
    assert.same({ name = "net.tf" }, template.origin_of_uri("http://127.0.0.1/_rfs/blobs/x/net.tf?sig=1"))
    assert.is_nil(template.origin_of_uri("http://127.0.0.1/_rfs/blobs/x/readme"))
  end)
end)

describe("emu.rfs.engine", function()
  local n = 0
  local function new_id() n = n + 1; return "id-" .. n end

  local function state_of(result)
    local st = {}
    for _, i in ipairs(result.instances) do
      st[#st + 1] = { address = i.address, mode = i.mode, type = i.type, name = i.name, index_key = i.index_key,
        config = i.config, attributes = i.attributes, physical_id = i.physical_id }
    end
    return st
  end

  it("orders resources by their references and passes ids along", function()
    local cfg = template.load([[
resource "huaweicloud_vpc_subnet" "s" {
  name       = "s"
  cidr       = "10.0.0.0/24"
  gateway_ip = "10.0.0.1"
  vpc_id     = huaweicloud_vpc.v.id
}
resource "huaweicloud_vpc" "v" {
  name = "v"
}
]])
    local r = engine.run(cfg, V.map(), {}, { mode = "apply", new_id = new_id })
    assert.equal("huaweicloud_vpc.v", r.instances[1].address)
    assert.equal(r.instances[1].physical_id, r.instances[2].config.vpc_id)
  end)

  it("detects cycles and undeclared references", function()
    local cyc = template.load('resource "a_b" "x" {\n v = a_b.y.id\n}\nresource "a_b" "y" {\n v = a_b.x.id\n}\n')
    assert.matches("Cycle", err_of(engine.run, cyc, V.map(), {}, {}))
    local undeclared = template.load('resource "a_b" "x" {\n v = a_b.nope.id\n}\n')
    assert.matches("undeclared resource", err_of(engine.run, undeclared, V.map(), {}, {}))
  end)

  it("plans ADD, UPDATE and DELETE with attribute diffs and unknown values", function()
    local v1 = template.load('resource "a_b" "x" {\n name = "one"\n}\nresource "a_b" "y" {\n name = "y"\n}\n')
    local st = state_of(engine.run(v1, V.map(), {}, { mode = "apply", new_id = new_id }))
    local v2 = template.load('resource "a_b" "x" {\n name = "two"\n}\nresource "a_b" "z" {\n ref = a_b.x.id\n}\n')
    local r = engine.run(v2, V.map(), st, { mode = "plan" })
    local items = engine.plan_items(r)
    local by = {}
    for _, it in ipairs(items) do by[it.action .. ":" .. it.resource_name] = it end
    assert.same({ { name = "name", previous_value = "one", target_value = "two" } }, by["UPDATE:x"].attributes)
    local add = {}
    for _, a in ipairs(by["ADD:z"].attributes) do add[a.name] = a.target_value end
    assert.equal(st[1].physical_id, add.ref)
    assert.equal(V.UNKNOWN_TEXT, add.id)
    assert.equal("y", by["DELETE:y"].attributes[1].previous_value)
    assert.same({ resource_add = 1, resource_update = 1, resource_delete = 1, resource_import = 0 }, engine.summary(r))
    local same = engine.run(v1, V.map(), st, { mode = "plan" })
    assert.same({}, engine.plan_items(same))
  end)

  it("expands for_each over maps and sets", function()
    local cfg = template.load([[
resource "a_b" "m" {
  for_each = { a = 1, b = 2 }
  n = each.value
  k = each.key
}
resource "a_b" "s" {
  for_each = toset(["x"])
  k = each.key
}
]])
    local r = engine.run(cfg, V.map(), {}, { mode = "apply", new_id = new_id })
    assert.equal('a_b.m["a"]', r.instances[1].address)
    assert.equal("a", r.instances[1].index_key)
    assert.equal(2, r.instances[2].config.n)
    assert.equal("x", r.instances[3].config.k)
  end)
end)
