-- The real-world template corpus (../shared/testdata/rfs-templates/, see its
-- SOURCES.md) deployed through the emulator's RFS API: every template with
-- its *.vars.json (sent as vars_body, a tfvars text) must end as
-- expected.json says (resource instances after count/for_each, output
-- names, the variables ParseTemplateVariables lists, or a failed deployment
-- whose ERROR event carries error_contains), and its deletion must end as
-- expected.json says (the stack disappears, or DELETION_FAILED).
--
-- KNOWN_GAPS lists the templates the emulator does not deploy as Terraform
-- would yet; each runs as a check that it still differs, so a gap that
-- starts to pass fails the spec and the list stays honest. The spec prints
-- "RFS corpus: N of 39 ..." when it ends.

local S = require("spec.emulator.rfs_support")
local H = require("spec.helpers.emulator")

local DIR = H.root .. "/../shared/testdata/rfs-templates/"

local KNOWN_GAPS = {
}

local read = H.read_file

-- tfvars text of a decoded JSON value (strings escape "${" and "%{")
local function hcl_value(v)
  local t = type(v)
  if v == S.json.null then return "null" end
  if t == "string" then
    local q = v:gsub('[\\"]', "\\%0"):gsub("\n", "\\n"):gsub("\r", "\\r"):gsub("\t", "\\t")
    q = q:gsub("%${", "$${"):gsub("%%{", "%%%%{")
    return '"' .. q .. '"'
  end
  if t == "number" then
    if v == math.floor(v) then return string.format("%d", v) end
    return string.format("%.17g", v)
  end
  if t == "boolean" then return tostring(v) end
  if S.json.is_array(v) then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = hcl_value(x) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = hcl_value(k) .. " = " .. hcl_value(v[k]) end
  return "{\n" .. table.concat(parts, "\n") .. "\n}"
end

local function tfvars(text)
  local vars = assert(S.json.decode(text))
  local names = {}
  for k in pairs(vars) do names[#names + 1] = k end
  table.sort(names)
  local lines = {}
  for i, k in ipairs(names) do lines[i] = k .. " = " .. hcl_value(vars[k]) end
  return table.concat(lines, "\n") .. "\n"
end

local function set_of(list)
  local s = {}
  for _, x in ipairs(list or {}) do s[#s + 1] = x end
  table.sort(s)
  return table.concat(s, ",")
end

-- Deploy one template; returns nil when it behaves as expected, else why not.
local function check(e, name, want)
  local file = name .. ".tf"
  local body = read(DIR .. file)
  if not body then file = name .. ".tf.json"; body = assert(read(DIR .. file), "no template " .. name) end
  local vars_text = read(DIR .. name .. ".vars.json")
  local stack = "c-" .. name:gsub("[^%w]", "-")

  local pv = e.rfs("POST", "/template-analyses/variables", { template_body = body })
  if want.expect ~= "fail" or pv.status == 200 then
    if pv.status ~= 200 then return "ParseTemplateVariables answered " .. tostring(pv.status) .. ": " .. tostring(pv.message) end
    local n = pv.body.variables and #pv.body.variables or 0
    if n ~= want.variables then return "ParseTemplateVariables lists " .. n .. " variables, want " .. want.variables end
  end

  local r = e.create(stack, body, { vars_body = vars_text and tfvars(vars_text) or nil })
  if r.status ~= 201 then return "CreateStack answered " .. tostring(r.status) .. ": " .. tostring(r.message) end
  local m = e.stack(stack)
  local errors = {}
  for _, ev in ipairs(e.events(stack) or {}) do
    if ev.event_type == "ERROR" then errors[#errors + 1] = ev.event_message end
  end
  local err_text = table.concat(errors, " | ")
  if want.expect == "fail" then
    if m.status ~= "DEPLOYMENT_FAILED" then return "status " .. tostring(m.status) .. ", want DEPLOYMENT_FAILED" end
    if not err_text:find(want.error_contains, 1, true) then
      return "ERROR events do not mention \"" .. want.error_contains .. "\": " .. err_text
    end
  else
    if m.status ~= "DEPLOYMENT_COMPLETE" then return "status " .. tostring(m.status) .. ": " .. err_text end
    local res = e.rfs("GET", "/stacks/" .. stack .. "/resources").body.stack_resources
    if #res ~= want.resources then return #res .. " resources, want " .. want.resources end
    local names = {}
    for _, o in ipairs(e.rfs("GET", "/stacks/" .. stack .. "/outputs").body.outputs or {}) do names[#names + 1] = o.name end
    if set_of(names) ~= set_of(want.outputs) then
      return "outputs " .. set_of(names) .. ", want " .. set_of(want.outputs)
    end
  end

  local d = e.rfs("DELETE", "/stacks/" .. stack)
  if d.status ~= 202 then return "DeleteStack answered " .. tostring(d.status) end
  local after = e.rfs("GET", "/stacks/" .. stack .. "/metadata")
  if want.delete == "DELETION_FAILED" then
    if after.status ~= 200 or after.body.status ~= "DELETION_FAILED" then
      return "after DeleteStack: " .. tostring(after.status) .. " " .. tostring(after.body and after.body.status) .. ", want DELETION_FAILED"
    end
  elseif after.status ~= 404 then
    return "after DeleteStack the stack is still there: " .. tostring(after.body and after.body.status)
  end
  return nil
end

describe("RFS template corpus (../shared/testdata/rfs-templates)", function()
  local e
  local expected = S.json.decode(assert(read(DIR .. "expected.json"), "corpus not found at " .. DIR))
  local names = {}
  for k in pairs(expected) do names[#names + 1] = k end
  table.sort(names)
  local results = {}

  setup(function() e = S.start() end)
  teardown(function()
    if e then e.stop() end
    local ok = 0
    for _, n in ipairs(names) do if results[n] == false then ok = ok + 1 end end
    io.stderr:write(string.format("\nRFS corpus: %d of %d templates behave as Terraform would\n", ok, #names))
  end)

  it("holds the 39 templates of SOURCES.md", function()
    assert.equal(39, #names)
  end)

  for _, name in ipairs(names) do
    if KNOWN_GAPS[name] then
      it(name .. " (known gap: " .. KNOWN_GAPS[name] .. ") still differs", function()
        local why = check(e, name, expected[name])
        results[name] = why or false
        assert.is_not_nil(why, name .. " now behaves as Terraform would: remove it from KNOWN_GAPS")
      end)
    else
      it(name, function()
        local why = check(e, name, expected[name])
        results[name] = why or false
        assert.is_nil(why, name .. ": " .. tostring(why))
      end)
    end
  end
end)
