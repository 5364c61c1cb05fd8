-- Stack instance operations of the RFS emulator (RFS API reference,
-- stack instances, https://support.huaweicloud.com/api-aos/):
-- CreateStackInstance, UpdateStackInstances, DeleteStackInstance (and its
-- deprecated DELETE form), ListStackInstances and ShowStackInstance. An
-- instance is one (region, member account) of a stack set, backed by a real
-- emulator stack in that account's project for the region (a synthetic
-- project when the account is not configured); the create, update and
-- delete calls start an operation of emu.rfs.stack_set_machine.

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")
local accounts = require("emu.accounts")
local check = require("emu.rfs.validate")
local engine = require("emu.rfs.engine")
local filter = require("emu.rfs.filter")
local machine = require("emu.rfs.stack_set_machine")
local sets = require("emu.rfs.stack_sets")
local store = require("emu.rfs.store")
local util = require("emu.util")
local V = require("emu.rfs.stack_set_validate")

local M = {}

local CODES = V.CODES

local function bad(code, msg) fail(400, code, msg) end

-- the project the stack of an instance lives in
local function backing_project(domain_id, region)
  local a = accounts.by_domain_id(domain_id)
  local p = a and accounts.project_of(a, nil, region)
  if p then return p.id end
  return "emu" .. engine.hash_hex(domain_id .. "/" .. region, 29)
end

-- The common part of creating, updating and deleting stack instances: the body (fields plus the targets, the set's
-- id, preferences and call identity), the set, the resolved targets and the
-- checked preferences.
local function instance_request(req, operation, ...)
  check.client_request_id(req)
  local b = check.body(req, check.fields("deployment_targets", "stack_set_id", "operation_preferences", "call_identity", ...), true)
  V.call_identity(b.call_identity)
  local ss = sets.get(req, b.stack_set_id)
  local targets, regions = V.targets(ss, b.deployment_targets, operation)
  return b, ss, targets, V.prefs(b.operation_preferences, regions)
end

-- the checked var_overrides of a request
local function overrides(ss, b)
  return V.overrides(b.var_overrides, V.var_names(machine.vars_text(ss)))
end

--- CreateStackInstance
local function create_instances(req)
  local b, ss, targets, prefs = instance_request(req, "CREATE_STACK_INSTANCES", "var_overrides")
  local ov = overrides(ss, b)
  for _, t in ipairs(targets) do
    if t.domain_id == ss.domain_id and ss.permission_model == "SERVICE_MANAGED" then
      bad(CODES.bad_target, "the management account itself cannot be a target")
    end
    if ss.inst_by_addr[t.addr] then bad(CODES.bad_target, "the stack set already has an instance for " .. t.addr) end
  end
  sets.ensure_idle(ss)
  for _, t in ipairs(targets) do
    local inst = {
      addr = t.addr, region = t.region, stack_domain_id = t.domain_id, status = "WAIT_IN_PROGRESS",
      project_id = backing_project(t.domain_id, t.region), create_t = req.now, update_t = req.now, seq = store.next_seq(),
    }
    V.apply_overrides(inst, ov)
    ss.instances[#ss.instances + 1] = inst
    ss.inst_by_addr[t.addr] = inst
  end
  return sets.start(ss, "CREATE_STACK_INSTANCES", targets, prefs, b.deployment_targets, req.now)
end

--- UpdateStackInstances
local function update_instances(req)
  local b, ss, targets, prefs = instance_request(req, "UPDATE_STACK_INSTANCES", "var_overrides")
  local ov = overrides(ss, b)
  V.require_instances(ss, targets)
  if not ss.template_body then bad("RF.10011056", "the stack set has no template to deploy") end
  sets.ensure_idle(ss)
  for _, t in ipairs(targets) do V.apply_overrides(ss.inst_by_addr[t.addr], ov) end
  return sets.start(ss, "UPDATE_STACK_INSTANCES", targets, prefs, b.deployment_targets, req.now)
end

--- DeleteStackInstance / DeleteStackInstanceDeprecated
local function delete_instances(req)
  local b, ss, targets, prefs = instance_request(req, "DELETE_STACK_INSTANCES")
  V.require_instances(ss, targets)
  return sets.start(ss, "DELETE_STACK_INSTANCES", targets, prefs, b.deployment_targets, req.now)
end

local function instance_view(ss, inst)
  return {
    stack_set_id = ss.stack_set_id, stack_set_name = ss.stack_set_name, status = inst.status,
    status_message = inst.status_message, stack_id = inst.stack_id, stack_name = inst.stack_name,
    stack_domain_id = inst.stack_domain_id, latest_stack_set_operation_id = inst.latest_stack_set_operation_id,
    region = inst.region, create_time = util.iso_ms(inst.create_t), update_time = util.iso_ms(inst.update_t),
  }
end

--- ListStackInstances
local function list_instances(req)
  local ss = sets.get(req)
  local items = U.sorted(req, filter.select(req, ss.instances, { region = true, stack_domain_id = true }))
  local out, info = U.page(req, items, function(x) return x.addr end,
    function(inst) return instance_view(ss, inst) end)
  return 200, { stack_instances = out, page_info = info }
end

--- ShowStackInstance
local function show_instance(req)
  local ss = sets.get(req)
  local addr = req.params.stack_instance_addr
  if type(addr) ~= "string" or not addr:match("^[^/]+/[^/]+$") then
    bad("RF.10011038", "stack_instance_addr must be {region}/{stack_domain_id} with the '/' percent-encoded as %2F")
  end
  local inst = ss.inst_by_addr[addr]
  if not inst then fail(404, CODES.instance_not_found, "the stack set has no instance " .. addr) end
  local v = instance_view(ss, inst)
  v.var_overrides = inst.var_overrides
  return 200, v
end

local P = "/v1/stack-sets/{stack_set_name}/stack-instances"
M.routes = {
  { method = "POST", path = P, handler = create_instances },
  { method = "PATCH", path = P, handler = update_instances },
  { method = "POST", path = P .. "/deletion", handler = delete_instances },
  { method = "DELETE", path = P, handler = delete_instances },
  { method = "GET", path = P, handler = list_instances },
  { method = "GET", path = P .. "/{stack_instance_addr}", handler = show_instance },
}

return M
