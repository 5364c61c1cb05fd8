-- The Terraform language as the RFS emulator evaluates it, feature by
-- feature (https://developer.hashicorp.com/terraform/language): each case
-- gives the template text, what Terraform 1.x makes of it and the error
-- case. Pure Lua (the parser, evaluator and engine without nginx); the
-- corpus spec deploys real templates through the API.

local template = require("emu.rfs.template")
local E = require("emu.rfs.evaluate")
local engine = require("emu.rfs.engine")
local V = require("emu.rfs.values")

local function err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return E.error_message(e)
end

-- load, resolve variables and run (apply) a template
local function run(text, inputs)
  local cfg = template.load(text)
  local vars = E.variables(cfg, inputs or {})
  return engine.run(cfg, vars, {}, { mode = "apply", new_id = function() return "11111111-2222-4333-8444-555555555555" end }), vars
end

local function outputs(r)
  local o = {}
  for _, x in ipairs(r.outputs or {}) do o[x.name] = x.value end
  return o
end

describe("input variables", function()
  it("validation conditions may refer to other variables (Terraform >= 1.9)", function()
    local tf = [[
variable "vpc_id" {
  type    = string
  default = ""
}
variable "vpc_name" {
  type    = string
  default = ""
  validation {
    condition     = var.vpc_id != "" || var.vpc_name != ""
    error_message = "Either vpc_id or vpc_name must be set."
  }
}
]]
    local _, vars = run(tf, { vars_body = 'vpc_name = "v"' })
    assert.equal("v", vars.vpc_name)
    run(tf, { vars_body = 'vpc_id = "x"' })
    assert.matches("Either vpc_id or vpc_name must be set%. This was checked by the validation rule at main%.tf:9,5%.", err_of(run, tf, {}))
  end)

  it("nullable = false: an explicit null takes the default; without a default it is refused", function()
    local tf = [[
variable "size" {
  type     = number
  default  = 40
  nullable = false
}
variable "name" {
  type     = string
  nullable = false
}
output "size" { value = var.size }
]]
    local r = run(tf, { vars_body = 'size = null\nname = "n"' })
    assert.equal("40", outputs(r).size)
    assert.matches("required variable may not be set to null", err_of(run, tf, { vars_body = "name = null" }))
  end)
end)

describe("dynamic blocks", function()
  local tf = [[
variable "rules" {
  type = list(object({ port = number, cidrs = list(string) }))
}
resource "example_group" "sg" {
  name = "sg"
  dynamic "rule" {
    for_each = var.rules
    iterator = r
    content {
      port = r.value.port
      pos  = r.key
      dynamic "source" {
        for_each = toset(r.value.cidrs)
        content { cidr = source.value }
      }
    }
  }
  dynamic "tag" {
    for_each = {}
    content { key = tag.key }
  }
}
output "rules" { value = example_group.sg.rule }
]]

  it("generates one block per element, nested, with an iterator and over an empty map", function()
    local r = run(tf, { vars_body = 'rules = [{ port = 22, cidrs = ["10.0.0.0/8", "1.0.0.0/8"] }, { port = 80, cidrs = [] }]' })
    assert.equal('[{"port":22,"pos":0,"source":[{"cidr":"1.0.0.0/8"},{"cidr":"10.0.0.0/8"}]},{"port":80,"pos":1,"source":[]}]',
      outputs(r).rules)
    assert.same({}, r.instances[1].config.tag)
  end)

  it("counts generated blocks against the evaluation's work limit", function()
    local msg = err_of(run, [[
locals { big = [for i in range(1000) : i] }
resource "example_x" "r" {
  count = 1000
  dynamic "b" {
    for_each = local.big
    content { v = b.value }
  }
}
]])
    assert.matches("Too much work", msg)
  end)

  it("refuses a null for_each and a malformed dynamic block", function()
    assert.matches("Invalid dynamic for_each value; Cannot use a null value in for_each",
      err_of(run, tf, { vars_body = "rules = null" }))
    assert.matches("Missing content block", err_of(template.load, [[
resource "example_group" "v" {
  dynamic "x" { for_each = [1] }
}
]]))
    assert.matches('Unsupported argument; an argument named "foreach"', err_of(template.load, [[
resource "example_group" "v" {
  dynamic "x" {
    foreach = [1]
    content {}
  }
}
]]))
  end)
end)

describe("splat expressions", function()
  local tf = [[
locals {
  vms = [
    { id = "a", nics = [{ ip = "10.0.0.1" }, { ip = "10.0.0.2" }] },
    { id = "b", nics = [{ ip = "10.0.1.1" }] },
  ]
}
output "ids" { value = local.vms[*].id }
output "legacy_first" { value = local.vms.*.id[0] }
output "legacy_index" { value = local.vms.*.nics.0.ip }
output "nested" { value = local.vms[*].nics[*].ip }
output "full_index" { value = local.vms[*].nics[0].ip }
output "single" { value = local.vms[0].nics[*].ip }
]]

  it("evaluates full, legacy (attribute-only) and nested splats as Terraform does", function()
    local o = outputs(run(tf))
    assert.equal('["a","b"]', o.ids)
    assert.equal('"a"', o.legacy_first)
    assert.equal('["10.0.0.1","10.0.1.1"]', o.legacy_index)
    assert.equal('[["10.0.0.1","10.0.0.2"],["10.0.1.1"]]', o.nested)
    assert.equal('["10.0.0.1","10.0.1.1"]', o.full_index)
    assert.equal('["10.0.0.1","10.0.0.2"]', o.single)
  end)

  it("fails on an attribute the elements do not have", function()
    assert.matches('does not have an attribute named "nope"', err_of(run, 'locals { l = [{ a = 1 }] }\noutput "x" { value = local.l[*].nope }'))
  end)
end)

describe(".tf.json templates", function()
  it("takes dynamic blocks in their JSON form", function()
    local r = run([[{
  "variable": {"cidrs": {"type": "list(string)", "default": ["10.0.0.0/8", "192.168.0.0/16"]}},
  "resource": {"example_group": {"g": {
    "name": "g",
    "dynamic": {"rule": {"for_each": "${var.cidrs}", "iterator": "c",
      "content": {"cidr": "${c.value}", "pos": "${c.key}"}}}
  }}},
  "output": {"rules": {"value": "${example_group.g.rule}"}}
}]])
    assert.equal('[{"cidr":"10.0.0.0/8","pos":0},{"cidr":"192.168.0.0/16","pos":1}]', outputs(r).rules)
    assert.matches("Missing content block", err_of(template.load, [[{"resource": {"example_group": {"g": {
      "dynamic": {"rule": {"for_each": "${[1]}"}}}}}}]]))
  end)
end)

describe("lifecycle", function()
  local config = require("emu.config")
  local stacks = require("emu.rfs.stacks")
  local deployments = require("emu.rfs.deployments")
  local machine = require("emu.rfs.machine")

  -- deploy text on a fresh (or given) stack record and let the steps run
  local function deploy(text, s, t)
    config.init({ speed = 0 })
    s = s or stacks.new_stack({ project_id = "lc", region = "r", stack_name = "lc", now = 0 })
    deployments.deploy(s, { template_body = text }, t or 0)
    machine.advance(s, (t or 0) + 1)
    return s
  end

  it("prevent_destroy makes the stack deletion fail before anything is destroyed", function()
    local s = deploy([[
resource "huaweicloud_vpc" "keep" {
  name = "keep"
  lifecycle { prevent_destroy = true }
}
resource "huaweicloud_vpc" "free" { name = "free" }
]])
    assert.equal("DEPLOYMENT_COMPLETE", s.status)
    deployments.delete(s, 2)
    machine.advance(s, 3)
    assert.equal("DELETION_FAILED", s.status)
    assert.matches("Instance cannot be destroyed; Resource huaweicloud_vpc.keep has lifecycle.prevent_destroy set", s.status_message)
    assert.equal(2, #s.resources)
    -- without the setting the stack goes
    local s2 = deploy('resource "huaweicloud_vpc" "v" {\n  name = "v"\n  lifecycle { prevent_destroy = false }\n}\n')
    deployments.delete(s2, 2)
    machine.advance(s2, 3)
    assert.equal("DELETION_COMPLETE", s2.status)
  end)

  it("ignore_changes keeps the recorded value, so a redeployment changes nothing", function()
    local tf = [[
variable "desc" { default = "one" }
resource "huaweicloud_vpc" "v" {
  name        = "v"
  description = var.desc
  lifecycle { ignore_changes = [description, tags] }
}
]]
    local cfg = template.load(tf)
    local first = engine.run(cfg, E.variables(cfg, {}), {}, { mode = "apply", new_id = function() return "id-1" end })
    local state = { { address = "huaweicloud_vpc.v", mode = "RESOURCE", type = "huaweicloud_vpc", name = "v",
      config = first.instances[1].config, attributes = first.instances[1].attributes, physical_id = "id-1" } }
    local second = engine.run(cfg, E.variables(cfg, { vars_body = 'desc = "two"' }), state, { mode = "plan" })
    assert.equal("NONE", second.instances[1].action)
    assert.equal("one", second.instances[1].config.description)
    local cfg2 = template.load((tf:gsub("description, tags", "tags")))
    local third = engine.run(cfg2, E.variables(cfg2, { vars_body = 'desc = "two"' }), state, { mode = "plan" })
    assert.equal("UPDATE", third.instances[1].action)
    assert.matches("Invalid ignore_changes", err_of(template.load,
      'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  lifecycle { ignore_changes = "name" }\n}\n'))
  end)

  it("checks preconditions and postconditions with their error messages", function()
    local tf = [[
variable "cidr" { default = "10.0.0.0/16" }
resource "huaweicloud_vpc" "v" {
  name = "v"
  cidr = var.cidr
  lifecycle {
    precondition {
      condition     = endswith(var.cidr, "/16")
      error_message = "The VPC needs a /16."
    }
    postcondition {
      condition     = self.status == "OK"
      error_message = "The VPC is not up."
    }
    create_before_destroy = true
  }
}
]]
    assert.equal(1, #run(tf).instances)
    assert.matches("Resource precondition failed in huaweicloud_vpc.v; The VPC needs a /16%.",
      err_of(run, tf, { vars_body = 'cidr = "10.0.0.0/24"' }))
    assert.matches("Resource postcondition failed in huaweicloud_vpc.v; The VPC is not up%.",
      err_of(run, (tf:gsub('"OK"', '"DOWN"'))))
    assert.matches("Invalid prevent_destroy value", err_of(template.load,
      'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  lifecycle { prevent_destroy = var.x }\n}\n'))
  end)
end)

describe("template directives", function()
  local hcl = require("emu.rfs.hcl")
  local function text(src, vars)
    return E.eval(hcl.parse(src).attrs.x.expr, { vars = V.map(vars or {}) })
  end

  it("%{ if } / %{ else } / %{ endif } and %{ for } with ~ strip markers", function()
    local greet = 'x = "Hello, %{ if var.name != "" }${var.name}%{ else }unnamed%{ endif }!"\n'
    assert.equal("Hello, unnamed!", text(greet, { name = "" }))
    assert.equal("Hello, Ann!", text(greet, { name = "Ann" }))
    assert.equal("server 10.0.0.1\nserver 10.0.0.2\n",
      text('x = <<EOT\n%{ for ip in var.ips ~}\nserver ${ip}\n%{ endfor ~}\nEOT\n', { ips = V.list({ "10.0.0.1", "10.0.0.2" }) }))
    assert.equal("a=1,b=2,\n", text('x = <<EOT\n%{ for k, v in var.m ~}\n${k}=${v},\n%{~ endfor }\nEOT\n', { m = V.map({ a = "1", b = "2" }) }))
    assert.equal("abc", text('x = "a  ${~ "b" ~}   c"\n'))
    assert.equal("%{ literal }", text('x = "%%{ literal }"\n'))
  end)

  it("works in .tf.json strings and reports unbalanced or unknown directives", function()
    local r = run([[{"variable": {"on": {"default": true}},
      "output": {"o": {"value": "%{ if var.on }yes%{ else }no%{ endif }"}}}]])
    assert.equal('"yes"', outputs(r).o)
    assert.matches("Unterminated template directive", err_of(hcl.parse, 'x = "%{ if true }a"\n'))
    assert.matches("Unexpected endif directive", err_of(hcl.parse, 'x = "%{ endif }"\n'))
    assert.matches("Invalid template directive", err_of(hcl.parse, 'x = "%{ while true }a"\n'))
    assert.matches("bool", err_of(text, 'x = "%{ if "x" }a%{ endif }"\n'))
    assert.matches("Nesting too deep", err_of(hcl.parse,
      'x = "' .. string.rep("%{ if true }", 1000) .. "a" .. string.rep("%{ endif }", 1000) .. '"\n'))
  end)
end)

describe("sensitivity and for_each", function()
  local base = [[
variable "password" {
  type      = string
  default   = "Secret#123"
  sensitive = true
}
locals { conn = "mysql://root:${var.password}@db" }
]]

  it("refuses an output exposing a sensitive value unless it is marked sensitive or nonsensitive() lifts the mark", function()
    assert.matches('Output refers to sensitive values; output "conn"',
      err_of(run, base .. 'output "conn" { value = local.conn }'))
    assert.matches('Output refers to sensitive values; output "n"',
      err_of(run, base .. 'output "n" { value = length(sensitive("x")) }'))
    local r = run(base .. 'output "conn" {\n  value     = local.conn\n  sensitive = true\n}\noutput "len" { value = nonsensitive(length(var.password)) }')
    assert.equal("10", outputs(r).len)
  end)

  it("marks elements, not whole objects, and keeps the marks of a resource's arguments", function()
    local db = base .. [[
locals {
  db = {
    host     = "db.internal"
    password = var.password
  }
}
resource "huaweicloud_rds_mysql_account" "app" {
  instance_id = "i"
  name        = local.db.host
  password    = local.db.password
}
]]
    -- the non-sensitive element of an object with a sensitive one is not sensitive
    local r = run(db .. 'output "host" { value = local.db.host }\noutput "name" { value = huaweicloud_rds_mysql_account.app.name }')
    assert.equal('"db.internal"', outputs(r).host)
    assert.equal('"db.internal"', outputs(r).name)
    assert.matches('Output refers to sensitive values; output "pw"', err_of(run, db .. 'output "pw" { value = local.db.password }'))
    assert.matches('Output refers to sensitive values; output "all"', err_of(run, db .. 'output "all" { value = local.db }'))
    -- an argument set from a sensitive value stays sensitive in the resource
    assert.matches('Output refers to sensitive values; output "tags"', err_of(run, base .. [[
resource "huaweicloud_vpc" "v" {
  name = "v"
  tags = { owner = var.password }
}
output "tags" { value = huaweicloud_vpc.v.tags }
]]))
  end)

  it("refuses for_each over a sensitive value or a list; takes sets and maps", function()
    assert.matches("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments",
      err_of(run, base .. 'resource "huaweicloud_vpc" "v" {\n  for_each = toset([var.password])\n  name = each.key\n}'))
    assert.matches('must be a map, or set of strings, and you have provided a value of type list%(string%)',
      err_of(run, 'resource "huaweicloud_vpc" "v" {\n  for_each = ["a", "b"]\n  name = each.key\n}'))
    local r = run([[
variable "names" { type = set(string) }
resource "huaweicloud_vpc" "v" {
  for_each = var.names
  name     = each.value
}
resource "huaweicloud_vpc" "w" {
  for_each = false ? toset(["x"]) : []
  name     = each.value
}
]], { vars_body = 'names = ["b", "a", "b"]' })
    assert.equal(2, #r.instances)
    assert.equal('huaweicloud_vpc.v["a"]', r.instances[1].address)
  end)
end)

-- Marks on values (https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output,
-- .../functions/sensitive, .../functions/nonsensitive, .../functions/issensitive):
-- a mark sits on the value it marks and follows what is derived from it.
describe("sensitive marks on values", function()
  local base = [[
variable "password" {
  type      = string
  default   = "Secret#123"
  sensitive = true
}
variable "secrets" {
  type      = list(string)
  default   = ["a", "bb"]
  sensitive = true
}
locals {
  by_name = { alice = var.password, bob = "plain" }
}
]]
  local REFUSED = 'Output refers to sensitive values; output "o"'

  -- the outputs of base .. text, or the error message
  local function out(text)
    local ok, r = pcall(run, base .. text)
    if not ok then return E.error_message(r) end
    return outputs(r)
  end

  it("keys of a map whose values are sensitive, and the length of a list of sensitive elements, are not sensitive", function()
    assert.equal('["alice","bob"]', out('output "o" { value = keys(local.by_name) }').o)
    assert.equal("2", out('output "o" { value = length([var.password, "x"]) }').o)
    assert.equal('"plain"', out('output "o" { value = local.by_name.bob }').o)
    -- a variable declared sensitive is sensitive as a whole
    assert.matches(REFUSED, out('output "o" { value = length(var.secrets) }'))
    assert.matches(REFUSED, out('output "o" { value = values(local.by_name) }'))
    assert.matches(REFUSED, out('output "o" { value = local.by_name }'))
  end)

  it("a conditional carries the mark of its condition and of the chosen branch only", function()
    assert.equal('"x"', out('output "o" { value = false ? var.password : "x" }').o)
    assert.matches(REFUSED, out('output "o" { value = true ? var.password : "x" }'))
    assert.matches(REFUSED, out('output "o" { value = var.password == "a" ? "yes" : "no" }'))
  end)

  it("operators, interpolation, indexing, functions and for expressions propagate marks", function()
    assert.matches(REFUSED, out('output "o" { value = "user:${var.password}" }'))
    assert.matches(REFUSED, out('output "o" { value = var.secrets[0] }'))
    assert.matches(REFUSED, out('output "o" { value = upper(local.by_name.alice) }'))
    assert.matches(REFUSED, out('output "o" { value = var.password != "" && true }'))
    assert.matches(REFUSED, out('output "o" { value = [for s in [var.password, "b"] : upper(s)] }'))
    assert.matches(REFUSED, out('output "o" { value = { for k, v in local.by_name : v => k } }'))
    -- the marks of the elements stay on them: the indexes are not sensitive
    assert.equal("[0,1]", out('output "o" { value = [for i, s in [var.password, "b"] : i] }').o)
    assert.equal('["bob"]', out('output "o" { value = [for k, v in local.by_name : k if k == "bob"] }').o)
    assert.equal('"PLAIN"', out('output "o" { value = upper(local.by_name["bob"]) }').o)
  end)

  it("element, lookup, merge and reverse pass the elements they pick on with their own marks", function()
    assert.equal('"x"', out('output "o" { value = element([var.password, "x"], 1) }').o)
    assert.equal('"plain"', out('output "o" { value = lookup(local.by_name, "bob", "") }').o)
    assert.equal('"plain"', out('output "o" { value = merge(local.by_name, { c = "d" }).bob }').o)
    assert.equal('"x"', out('output "o" { value = reverse([var.password, "x"])[0] }').o)
    assert.matches(REFUSED, out('output "o" { value = lookup(local.by_name, "alice", "") }'))
    assert.matches(REFUSED, out('output "o" { value = element(var.secrets, 0) }'))
    assert.matches(REFUSED, out('output "o" { value = merge(local.by_name, { c = "d" }) }'))
    -- other functions mark their whole result
    assert.matches(REFUSED, out('output "o" { value = concat([var.password], ["x"]) }'))
  end)

  it("sensitive() adds the mark, nonsensitive() lifts it, issensitive() tells", function()
    assert.matches(REFUSED, out('output "o" { value = sensitive("x") }'))
    assert.equal('"Secret#123"', out('output "o" { value = nonsensitive(var.password) }').o)
    assert.equal('"x"', out('output "o" { value = nonsensitive("x") }').o)
    assert.equal("true", out('output "o" { value = issensitive(var.password) }').o)
    assert.equal("false", out('output "o" { value = issensitive(local.by_name) }').o)
    assert.equal("true", out('output "o" { value = issensitive(local.by_name.alice) }').o)
    assert.equal("<sensitive>", out('output "o" {\n  value     = var.password\n  sensitive = true\n}').o)
  end)

  it("attributes the provider's schema marks sensitive carry the mark; others do not", function()
    local acct = [[
resource "huaweicloud_rds_mysql_account" "a" {
  instance_id = "i"
  name        = "app"
  password    = "literal-password"
}
]]
    assert.equal('"app"', out(acct .. 'output "o" { value = huaweicloud_rds_mysql_account.a.name }').o)
    assert.matches(REFUSED, out(acct .. 'output "o" { value = huaweicloud_rds_mysql_account.a.password }'))
    -- the whole object exposes its sensitive attribute
    assert.matches(REFUSED, out(acct .. 'output "o" { value = huaweicloud_rds_mysql_account.a }'))
    -- an execution plan fails as well
    local cfg = template.load(base .. acct:gsub('"literal%-password"', "var.password") ..
      'output "o" { value = huaweicloud_rds_mysql_account.a.password }')
    assert.matches(REFUSED, err_of(engine.run, cfg, E.variables(cfg, {}), {}, { mode = "plan" }))
  end)

  it("for_each takes a map whose values only are sensitive; each.value keeps the mark", function()
    local vpcs = [[
resource "huaweicloud_vpc" "v" {
  for_each = local.by_name
  name     = each.value
  cidr     = "10.0.0.0/16"
}
]]
    local r = run(base .. vpcs .. 'output "o" { value = keys(huaweicloud_vpc.v) }\noutput "p" { value = huaweicloud_vpc.v["bob"].name }')
    assert.equal(2, #r.instances)
    assert.equal('["alice","bob"]', outputs(r).o)
    assert.equal('"plain"', outputs(r).p)
    assert.matches(REFUSED, out(vpcs .. 'output "o" { value = huaweicloud_vpc.v["alice"].name }'))
  end)

  it("for_each refuses a sensitive collection and a sensitive key", function()
    local SENS = "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments"
    local function fe(expr)
      return out('resource "huaweicloud_vpc" "v" {\n  for_each = ' .. expr .. '\n  name = each.key\n  cidr = "10.0.0.0/16"\n}')
    end
    assert.matches(SENS, fe("toset(var.secrets)"))
    assert.matches(SENS, fe("sensitive({ a = \"x\" })"))
    assert.matches(SENS, fe("{ (var.password) = \"x\" }"))
    assert.matches(SENS, fe("{ for k, v in local.by_name : v => k }"))
    assert.matches(SENS, fe("var.password == \"\" ? {} : { a = \"x\" }"))
  end)

  it("a module output derived from a sensitive input is sensitive in the caller", function()
    local mod = [[
variable "secret" {
  type = string
}
output "conn" { value = "db://${var.secret}" }
output "plain" { value = "db" }
]]
    local function run_mod(root)
      local cfg = template.load(base .. root)
      local vars = E.variables(cfg, {})
      return engine.run(cfg, vars, {}, { mode = "apply", new_id = function() return "11111111-2222-4333-8444-555555555555" end,
        load_module = function() return mod end })
    end
    local call = 'module "m" {\n  source = "./m"\n  secret = var.password\n}\n'
    assert.matches(REFUSED, err_of(run_mod, call .. 'output "o" { value = module.m.conn }'))
    assert.equal('"db"', outputs(run_mod(call .. 'output "o" { value = module.m.plain }')).o)
    assert.equal("<sensitive>", outputs(run_mod(call .. 'output "o" {\n  value     = module.m.conn\n  sensitive = true\n}')).o)
  end)
end)

describe(".tf.json rules", function()
  it("string booleans for sensitive and nullable, and // comment properties in blocks", function()
    local cfg = template.load([[{
  "//": "a template comment",
  "variable": {"pw": {"//": "the password", "type": "string", "sensitive": "true", "nullable": "false", "default": "x"}},
  "resource": {"huaweicloud_vpc": {"v": {"//": "the VPC", "name": "v"}}},
  "output": {"pw": {"value": "${var.pw}", "sensitive": "true"}}
}]])
    assert.is_true(cfg.variables[1].sensitive)
    assert.is_false(cfg.variables[1].nullable)
    assert.is_true(cfg.outputs[1].sensitive)
    local r = engine.run(cfg, E.variables(cfg, {}), {}, { mode = "apply" })
    assert.equal(1, #r.instances)
    assert.equal("<sensitive>", r.outputs[1].value)
    assert.matches("Output refers to sensitive values", err_of(run, [[{
  "variable": {"pw": {"default": "x", "sensitive": "true"}},
  "output": {"pw": {"value": "${var.pw}", "sensitive": "false"}}}]]))
  end)
end)

describe("moved, removed, import and check blocks", function()
  local function state_of(r)
    local st = {}
    for _, inst in ipairs(r.instances) do
      st[#st + 1] = { address = inst.address, mode = "RESOURCE", type = inst.type, name = inst.name,
        index_key = inst.index_key, config = inst.config, attributes = inst.attributes, physical_id = inst.physical_id }
    end
    return st
  end

  it("moved keeps the resource under its new address; removed with destroy = false forgets it", function()
    local first = run('resource "huaweicloud_vpc" "old" { name = "v" }\nresource "huaweicloud_vpc" "gone" { name = "g" }')
    local st = state_of(first)
    local cfg = template.load([[
resource "huaweicloud_vpc" "new" { name = "v" }
moved {
  from = huaweicloud_vpc.old
  to   = huaweicloud_vpc.new
}
removed {
  from = huaweicloud_vpc.gone
  lifecycle { destroy = false }
}
]])
    local r = engine.run(cfg, E.variables(cfg, {}), st, { mode = "plan" })
    assert.equal("NONE", r.instances[1].action)
    assert.equal(st[1].physical_id, r.instances[1].physical_id)
    assert.equal(0, #r.deletes)
    local without = template.load('resource "huaweicloud_vpc" "new" { name = "v" }')
    local r2 = engine.run(without, E.variables(without, {}), st, { mode = "plan" })
    assert.equal("ADD", r2.instances[1].action)
    assert.equal(2, #r2.deletes)
  end)

  it("a deployment with a moved block renames the stack's resource instead of replacing it", function()
    local config = require("emu.config")
    local stacks = require("emu.rfs.stacks")
    local deployments = require("emu.rfs.deployments")
    local machine = require("emu.rfs.machine")
    config.init({ speed = 0 })
    local s = stacks.new_stack({ project_id = "mv", region = "r", stack_name = "mv", now = 0 })
    deployments.deploy(s, { template_body = 'resource "huaweicloud_vpc" "old" {\n  count = 2\n  name = "v"\n}\n' }, 0)
    machine.advance(s, 1)
    local id = s.resources[2].physical_id
    deployments.deploy(s, { template_body = 'resource "huaweicloud_vpc" "new" {\n  count = 2\n  name = "v"\n}\n' ..
      'moved {\n  from = huaweicloud_vpc.old\n  to = huaweicloud_vpc.new\n}\n' }, 2)
    machine.advance(s, 3)
    assert.equal("DEPLOYMENT_COMPLETE", s.status)
    assert.equal(2, #s.resources)
    assert.equal("huaweicloud_vpc.new[1]", s.resources[2].address)
    assert.equal("new", s.resources[2].name)
    assert.equal("1", s.resources[2].index_key)
    assert.equal(id, s.resources[2].physical_id)
  end)

  it("import takes the given id; check assertions only warn", function()
    local r = run([[
import {
  to = huaweicloud_vpc.v
  id = "1b8a4d1e-0000-4000-8000-000000000001"
}
resource "huaweicloud_vpc" "v" { name = "v" }
check "vpc_named" {
  assert {
    condition     = huaweicloud_vpc.v.name == "other"
    error_message = "The VPC is not named other."
  }
}
]])
    assert.equal("1b8a4d1e-0000-4000-8000-000000000001", r.instances[1].physical_id)
    assert.is_true(r.instances[1].imported)
    assert.same({ resource_add = 0, resource_update = 0, resource_delete = 0, resource_import = 1 }, engine.summary(r))
    assert.same({ "Warning: Check block assertion failed (check.vpc_named): The VPC is not named other." }, r.warnings)
    assert.matches('the argument "id" is required in an import block',
      err_of(template.load, 'import {\n  to = huaweicloud_vpc.v\n}\n'))
  end)
end)

describe("heredocs and rendering", function()
  it("takes heredocs as function arguments, list items, object values and conditional branches", function()
    local r = run([[
locals {
  a = upper(<<EOT
hello
EOT
  )
  b = [<<-EOT
    one
    EOT
  , "two"]
  c = { k = <<EOT
v
EOT
  }
  d = "x" == "x" ? <<EOT
yes
EOT
  : "no"
}
output "all" { value = [local.a, local.b, local.c, local.d] }
]])
    assert.equal('["HELLO\\n",["one\\n","two"],{"k":"v\\n"},"yes\\n"]', outputs(r).all)
    assert.matches("Unterminated template string", err_of(template.load, 'locals {\n  a = <<EOT\nnever closed\n}\n'))
  end)

  it("renders template directives back to source (ParseTemplateVariables shows conditions)", function()
    local hcl = require("emu.rfs.hcl")
    local e = hcl.parse('x = "%{ if a }A%{ else }B%{ endif }%{ for k, v in m }${k}%{ endfor }$${lit}"\n').attrs.x.expr
    assert.equal('"%{ if a }A%{ else }B%{ endif }%{ for k, v in m }${k}%{ endfor }$${lit}"', hcl.render(e))
  end)
end)
