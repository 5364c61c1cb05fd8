-- The Rego subset of the emulator's private hooks (emu.rfs.rego), pure Lua:
-- each construct the README lists, hook_result decoding, and refusals at
-- compile time.

local rego = require("emu.rfs.rego")
local json = require("emu.json")

local INPUT = json.decode([[{"action": "DeployStack", "plan": {"resource_changes": [
  {"address": "huaweicloud_vpc.a", "type": "huaweicloud_vpc", "actions": ["create"], "before": null,
   "after": {"name": "dev-x", "tags": {"owner": "ops"}}},
  {"address": "huaweicloud_vpc.b", "type": "huaweicloud_vpc", "actions": ["delete"], "before": {"name": "prod-y"}, "after": null},
  {"address": "huaweicloud_vpc_subnet.s", "type": "huaweicloud_vpc_subnet", "actions": ["no-op"],
   "before": {"cidr": "10.0.1.0/24"}, "after": {"cidr": "10.0.1.0/24"}}]}}]])

local function compile(text)
  local c, err = rego.compile({ { name = "t.rego", text = text } })
  assert(c, err)
  return c
end

local function rule(text, name)
  return rego.rule(compile("package policy\nimport rego.v1\n" .. text), INPUT, name or "r")
end

describe("emulator Rego subset", function()
  it("evaluates references, iteration with some/_/unbound variables, not, in and comparisons", function()
    assert.equal(3, rule("r := count(input.plan.resource_changes)"))
    assert.is_true(rule('r if { some rc in input.plan.resource_changes; rc.type == "huaweicloud_vpc_subnet" }'))
    assert.is_nil(rule('r if { some rc in input.plan.resource_changes; rc.type == "nothing" }'))
    assert.is_true(rule('r if { input.plan.resource_changes[i].actions[_] == "delete"; i == 1 }'))
    assert.is_true(rule('r if { not input.plan.resource_changes[0].after.missing }'))
    assert.is_true(rule('r if { "create" in input.plan.resource_changes[0].actions }'))
    assert.is_true(rule('r if { some i, rc in input.plan.resource_changes; i == 2; rc.before.cidr == rc.after.cidr }'))
    assert.is_true(rule('r if { 1 + 2 * 3 == 7; 7 % 4 == 3; "a" < "b"; 2 >= 2; -1 < 0 }'))
    assert.is_true(rule('r if { x := input.action; x == "DeployStack"; y = "z"; y == "z" }'))
  end)

  it("defines each binary operator on numbers and strings, and leaves others undefined", function()
    for _, c in ipairs({
      { "7 - 2", 5 }, { "6 / 4", 1.5 }, { "2 * 3", 6 }, { "7 % 4", 3 }, { "1 + 1", 2 },
      { "1 <= 1", true }, { "2 > 1", true }, { '"b" > "a"', true }, { '"a" >= "b"', false },
      { "1 != 2", true }, { '1 == "1"', false }, { '[1, "a"] == [1, "a"]', true },
      { "1 / 0", nil }, { "1 % 0", nil }, { '1 < "2"', nil }, { '"a" + "b"', nil },
    }) do
      assert.equal(c[2], rule("r := " .. c[1]), c[1])
    end
  end)

  it("builds comprehensions, sets, partial set and object rules, defaults and every", function()
    assert.same({ "huaweicloud_vpc.b" },
      rule('r := [rc.address | some rc in input.plan.resource_changes; "delete" in rc.actions]'))
    assert.equal(2, rule('r := count({rc.type | some rc in input.plan.resource_changes})'))
    assert.same({ ["huaweicloud_vpc.a"] = "create" },
      rule('r := {rc.address: rc.actions[0] | some rc in input.plan.resource_changes; rc.actions[0] == "create"}'))
    assert.equal(2, rego.rule(compile('package policy\nr contains rc.address if { some rc in input.plan.resource_changes; rc.type == "huaweicloud_vpc" }'), INPUT, "r").n)
    assert.same({ ["huaweicloud_vpc.a"] = "dev-x" },
      rule('r[rc.address] := rc.after.name if { some rc in input.plan.resource_changes; rc.after.name }'))
    assert.equal("no", rule('default r := "no"\nr := "yes" if { input.action == "DeleteStack" }'))
    assert.is_true(rule('r if { every rc in input.plan.resource_changes { is_array(rc.actions) } }'))
    assert.is_nil(rule('r if { every rc in input.plan.resource_changes { rc.type == "huaweicloud_vpc" } }'))
    assert.is_true(rule('ok := true\nr if { data.policy.ok }'))
  end)

  it("has the string and collection built-ins", function()
    assert.equal('vpc a has "x" 3', rule('r := sprintf("%s %v has %q %d", ["vpc", "a", "x", 3])'))
    assert.is_true(rule('r if { startswith("prod-1", "prod-"); endswith("a.tf", ".tf"); contains("abc", "b") }'))
    assert.equal("A-B", rule('r := upper(concat("-", split("a,b", ",")))'))
    assert.equal("ops", rule('r := object.get(input.plan.resource_changes[0].after.tags, "owner", "none")'))
    assert.equal("none", rule('r := object.get(input.plan.resource_changes[0].after.tags, "cost", "none")'))
    assert.same({ 1, 2, 3 }, rule("r := sort([3, 1, 2])"))
    assert.equal(6, rule("r := sum([1, 2, 3])"))
    assert.equal("a_b", rule('r := replace("a-b", "-", "_")'))
  end)

  it("decodes hook_result: pass, fail with err_msg, missing (pass), not a boolean (fail)", function()
    local pass = rego.evaluate(compile('package policy\nhook_result := {"is_passed": true}'), INPUT)
    assert.is_true(pass.is_passed)
    local failed = rego.evaluate(compile('package policy\nhook_result := {"is_passed": false, "err_msg": "no"}'), INPUT)
    assert.same({ is_passed = false, err_msg = "no", defined = true }, failed)
    assert.is_true(rego.evaluate(compile("package policy\nx := 1"), INPUT).is_passed)
    local odd = rego.evaluate(compile('package policy\nhook_result := {"is_passed": "yes"}'), INPUT)
    assert.is_false(odd.is_passed)
    assert.matches("not a boolean", odd.err_msg)
    local loop = rego.evaluate(compile('package policy\na := b\nb := a\nhook_result := {"is_passed": a}'), INPUT)
    assert.is_false(loop.is_passed)
    assert.matches("depends on itself", loop.err_msg)
  end)

  it("refuses what is outside the subset at compile time, with a reason", function()
    for text, why in pairs({
      ["package policy\nf(x) := x"] = "user%-defined functions",
      ["package policy\nx := http.send({})"] = "http%.send is not supported",
      ["package policy\nx := time.now_ns()"] = "time%.now_ns is not supported",
      ["package other\nx := 1"] = "package policy",
      ["x := 1"] = "must start with 'package policy'",
      ["package policy\nimport data.lib\nx := 1"] = "import data%.lib",
      ["package policy\nx := 1 with input as 2"] = "'with' is not supported",
      ["package policy\nx := 1 if { false } else := 2"] = "'else' is not supported",
      ["package policy\nx := [1, 2"] = "t%.rego: line 2",
      ["package policy\nx := \"open"] = "unterminated string",
      ["package policy\nx := " .. string.rep("[", 5000)] = "nested too deeply",
      ["package policy\nx := " .. string.rep("(", 5000)] = "nested too deeply",
    }) do
      local c, err = rego.compile({ { name = "t.rego", text = text } })
      assert.is_nil(c, text)
      assert.matches(why, err)
    end
  end)
end)
