-- Hostile templates against the RFS emulator's pure parts (issue 7, findings
-- 4 and 5): inputs that were quadratic (trims, resource lookups) at sizes a
-- quadratic pass could not finish in hours, nesting that ended in a Lua
-- "stack overflow", count/for_each/instance caps refused before any instance
-- is made, and Lua errors that must never reach a caller with internal paths.

local hcl = require("emu.rfs.hcl")
local template = require("emu.rfs.template")
local E = require("emu.rfs.evaluate")
local engine = require("emu.rfs.engine")
local F = require("emu.rfs.functions")
local config = require("emu.config")
local util = require("emu.util")

-- load, resolve variables and run a template; returns ok, result or message
local function run(text)
  local ok, r = pcall(function()
    local cfg = template.load(text)
    return engine.run(cfg, E.variables(cfg, {}), {}, { mode = "apply" })
  end)
  if ok then return true, r end
  return false, E.error_message(r)
end

local function refused(text)
  local ok, msg = run(text)
  assert.is_false(ok, "expected a template error")
  assert.is_nil(msg:find("%.lua"), "internal path in: " .. msg)
  assert.is_nil(msg:find("stack overflow", 1, true), "Lua error in: " .. msg)
  return msg
end

local MB = 1024 * 1024

describe("emulator templates: linear scans (finding 4)", function()
  -- at 40 KB these took 3-6 s; 1 MB would take hours if they were quadratic
  it("finds a heredoc's end after a 1 MB line of inner spaces", function()
    local line = "a" .. string.rep(" ", MB) .. "b"
    local body = hcl.parse("x = <<EOT\n" .. line .. "\n  EOT  \ny = 1\n")
    assert.equal(line .. "\n", E.eval(body.attrs.x.expr, {}))
    assert.same({ "x", "y" }, body.attr_order)
  end)

  it("follows references of 100,000 steps (was quadratic: 80,000 took 3.6 s)", function()
    local ok, msg = run('locals {\n m = {}\n x = local.m' .. string.rep(".b", 50000) .. string.rep("[0]", 50000) .. "\n}\n")
    assert.is_false(ok)
    assert.matches('attribute named "b"', msg)
    local refs = template.refs(hcl.parse_expr("var.v" .. string.rep("[0]", 100000)))
    assert.same({ "var.v" }, refs)
  end)

  it("trims strings with 1 MB of inner spaces", function()
    local inner = "a" .. string.rep(" ", MB) .. "b"
    assert.equal(inner, util.trim(" \t" .. inner .. "\t "))
    assert.equal(inner, util.trim(inner .. "  ", nil, "right"))
    assert.equal(inner .. " ", util.trim("  " .. inner .. " ", nil, "left"))
    assert.equal(inner, F.trimspace({ "\n " .. inner .. " \n" }))
    assert.equal(inner, F.trim({ "xy" .. inner .. "yx", "xy" }))
    assert.equal(inner, F.chomp({ inner .. "\r\n\n" }))
    assert.equal("", util.trim(string.rep(" ", MB)))
    assert.equal("ab", F.trim({ "ab", "" }))
  end)
end)

describe("emulator templates: nesting (finding 5)", function()
  local deep = 100000
  local cases = {
    parens = "x = " .. string.rep("(", deep) .. "1" .. string.rep(")", deep) .. "\n",
    lists = "x = " .. string.rep("[", deep) .. string.rep("]", deep) .. "\n",
    objects = "x = " .. string.rep("{a = ", deep) .. "1" .. string.rep("}", deep) .. "\n",
    unary = "x = " .. string.rep("-", deep) .. "1\n",
    conditionals = "x = " .. string.rep("true ? 1 : ", deep) .. "1\n",
    interpolation = "x = " .. string.rep('"${', deep) .. "1" .. string.rep('}"', deep) .. "\n",
    calls = "x = " .. string.rep("max(", deep) .. "1" .. string.rep(")", deep) .. "\n",
    blocks = string.rep("a {\n", deep) .. string.rep("}\n", deep),
  }
  for name, text in pairs(cases) do
    it("refuses " .. deep .. " nested " .. name .. " as a template error", function()
      local ok, e = pcall(hcl.parse, text)
      assert.is_false(ok)
      assert.is_table(e)
      assert.matches("Nesting too deep", e.hcl_error)
    end)
  end

  it("accepts nesting up to the limit", function()
    local n = hcl.MAX_NESTING - 2
    local ok, r = run("locals {\n x = " .. string.rep("(", n) .. "7" .. string.rep(")", n) .. "\n}\n" ..
      'output "o" {\n value = local.x\n}\n')
    assert.is_true(ok, r)
    assert.equal("7", r.outputs[1].value)
  end)

  it("refuses deep .tf.json and jsondecode input without an internal path", function()
    local msg = refused('{"locals": {"x": ' .. string.rep("[", deep) .. string.rep("]", deep) .. "}}")
    assert.matches("^main%.tf%.json:1,%d+: Nesting too deep", msg)
    msg = refused('locals {\n x = jsondecode("' .. string.rep("[", deep) .. string.rep("]", deep) .. '")\n}\n')
    assert.matches("Nesting too deep", msg)
  end)

  it("refuses a long chain of locals as a template error", function()
    local t = { "locals {\n" }
    for i = 1, 3000 do t[#t + 1] = string.format("l%d = local.l%d\n", i, i + 1) end
    t[#t + 1] = "l3001 = 1\n}\n"
    assert.matches("Nesting too deep", refused(table.concat(t)))
  end)

  it("never shows a Lua error's text or file", function()
    local msg = E.error_message("emulator/lua/emu/rfs/tfjson.lua:12: attempt to index a nil value")
    assert.is_nil(msg:find("tfjson", 1, true))
    assert.matches("Invalid template", msg)
    assert.matches("Nesting too deep", E.error_message("x.lua:1: stack overflow"))
  end)
end)

describe("emulator templates: work and string limits (finding 5)", function()
  -- each of these would run for hours or exhaust memory without the limits
  local function doubling(first, step)
    local t = { "locals {\n a0 = " .. first .. "\n" }
    for i = 1, 40 do t[#t + 1] = string.format(" a%d = " .. step .. "\n", i, i - 1, i - 1) end
    t[#t + 1] = "}\n"
    return table.concat(t)
  end

  it("refuses nested for-expressions over a billion elements", function()
    local msg = refused("locals {\n x = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : k]]]\n}\n")
    assert.matches("Too much work", msg)
  end)

  it("refuses lists that double through 40 locals", function()
    assert.matches("Too much work", refused(doubling("range(1000)", "concat(local.a%d, local.a%d)")))
  end)

  it("refuses strings that double through 40 locals", function()
    local msg = refused(doubling('join("", [for i in range(1000) : "x"])', '"${local.a%d}${local.a%d}"'))
    assert.matches("Value too long", msg)
  end)

  it("refuses join and replace results over the string limit before building them", function()
    local big = 'join("", [for i in range(1000) : "xxxxxxxxxx"])'
    assert.matches("join: the result would be longer than",
      refused("locals {\n a = " .. big .. "\n b = join(local.a, [for i in range(1000) : local.a])\n}\n"))
    assert.matches("replace: the result would be longer than",
      refused("locals {\n a = " .. big .. '\n b = replace(local.a, "x", local.a)\n}\n'))
  end)
end)

describe("emulator templates: instance caps (finding 5)", function()
  after_each(function() config.init({}) end)

  it("refuses a huge count before making any instance", function()
    -- an instance would fail on its own argument: the cap must come first
    local msg = refused('resource "huaweicloud_vpc" "v" {\n count = 99999999\n name = 1 / 0\n}\n')
    assert.matches("rfs_max_count", msg)
    assert.matches("99999999", msg)
  end)

  it("refuses a for_each over more elements than the cap", function()
    config.init({ rfs_max_count = 5 })
    local msg = refused('resource "huaweicloud_vpc" "v" {\n name = "v"\n for_each = toset([for i in range(6) : tostring(i)])\n}\n')
    assert.matches("for_each", msg)
    assert.matches("rfs_max_count", msg)
    assert.is_true((run('resource "huaweicloud_vpc" "v" {\n name = "v"\n for_each = toset(["a", "b", "c", "d", "e"])\n}\n')))
  end)

  it("counts instances over the whole template", function()
    config.init({ rfs_max_instances = 10 })
    local blocks = {}
    for i = 1, 3 do blocks[i] = 'resource "huaweicloud_vpc" "v' .. i .. '" {\n name = "v"\n count = 4\n}\n' end
    local msg = refused(table.concat(blocks))
    assert.matches("rfs_max_instances", msg)
    assert.matches("huaweicloud_vpc.v3", msg)
    local ok, r = run(table.concat(blocks, "", 1, 2) .. 'resource "huaweicloud_vpc" "one" {\n name = "v"\n}\n')
    assert.is_true(ok, r)
    assert.equal(9, #r.instances)
  end)

  it("deploys and removes 20,000 instances (was quadratic in the instance count)", function()
    config.init({ speed = 0, rfs_max_count = 20000, rfs_max_instances = 20000 })
    local stacks = require("emu.rfs.stacks")
    local deployments = require("emu.rfs.deployments")
    local machine = require("emu.rfs.machine")
    local s = stacks.new_stack({ project_id = "hostile", region = "r", stack_name = "many", now = 0 })
    local function deploy(n, t)
      deployments.deploy(s, { template_body = 'resource "huaweicloud_vpc" "v" {\n name = "v"\n count = ' .. n .. '\n}\n' }, t)
      machine.advance(s, t + 1)
    end
    deploy(20000, 0)
    assert.equal("DEPLOYMENT_COMPLETE", s.status)
    assert.equal(20000, #s.resources)
    assert.equal("huaweicloud_vpc.v[19999]", s.resources[20000].address)
    deploy(0, 10)
    assert.equal("DEPLOYMENT_COMPLETE", s.status)
    assert.equal(0, #s.resources)
    require("emu.rfs.store").remove_stack(s)
  end)
end)
