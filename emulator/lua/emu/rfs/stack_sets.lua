-- Stack set operations of the RFS emulator (RFS API reference, stack sets,
-- https://support.huaweicloud.com/api-aos/):
-- ListStackSets, CreateStackSet, ShowStackSetMetadata, ShowStackSetTemplate
-- (307), UpdateStackSet, DeployStackSet, DeleteStackSet,
-- ListStackSetOperations and ShowStackSetOperationMetadata, plus what the
-- stack instance handlers (emu.rfs.stack_set_instances) share with them: the
-- lookup of the set named in the path and the start of an operation. Stack
-- sets are account-level and per region (no project id in the path);
-- operations run in emu.rfs.stack_set_machine, requests are checked in
-- emu.rfs.stack_set_validate.

local fail = require("emu.errors").raise
local json = require("emu.json")
local U = require("emu.rfs.util")
local blobs = require("emu.rfs.blobs")
local check = require("emu.rfs.validate")
local filter = require("emu.rfs.filter")
local machine = require("emu.rfs.stack_set_machine")
local sources = require("emu.rfs.sources")
local store = require("emu.rfs.store")
local util = require("emu.util")
local V = require("emu.rfs.stack_set_validate")

local M = {}

local CODES = V.CODES
local fields = check.fields

local function bad(code, msg) fail(400, code, msg) end

-- the stack sets of the caller's account and region
local function scope(req)
  local domain, region = U.scope(req)
  return store.stack_sets(domain, region), domain, region
end

--- The stack set named in the path (advanced to now), checking the optional
-- stack_id guard (body or query) and call_identity. Raises 400/404.
function M.get(req, guard)
  check.client_request_id(req)
  local name = req.params.stack_set_name
  check.name(name, "stack_set_name")
  local ss = scope(req).by_name[name]
  if not ss then fail(404, CODES.not_found, "the stack set " .. name .. " does not exist") end
  check.guard(req, guard, "stack_set_id", ss.stack_set_id, CODES.id_mismatch, "the stack set named " .. name)
  V.call_identity(U.query(req, "call_identity"))
  machine.advance(ss, req.now)
  return ss
end

--- Refuse (409) when no operation may start on the set now.
function M.ensure_idle(ss)
  local why = machine.busy(ss)
  if why then fail(409, CODES.busy, why) end
end

--- Start an operation (after M.ensure_idle): the 202 answer.
function M.start(ss, action, targets, prefs, dtargets, now)
  M.ensure_idle(ss)
  local op = machine.start(ss, action, targets, prefs, dtargets, now)
  return 202, { stack_set_operation_id = op.stack_set_operation_id }
end

local function set_view(ss)
  return {
    stack_set_id = ss.stack_set_id, stack_set_name = ss.stack_set_name, stack_set_description = ss.stack_set_description,
    permission_model = ss.permission_model, status = machine.status(ss),
    create_time = util.iso_ms(ss.create_t), update_time = util.iso_ms(ss.update_t),
  }
end

--- ListStackSets
local function list_sets(req)
  check.client_request_id(req)
  V.call_identity(U.query(req, "call_identity"))
  local all = scope(req).list
  for _, ss in ipairs(all) do machine.advance(ss, req.now) end
  local items = U.sorted(req, filter.select(req, all, { permission_model = true }))
  local out, info = U.page(req, items, function(x) return x.stack_set_id end, set_view)
  return 200, { stack_sets = out, page_info = info }
end

-- the template of a create or deploy body (nil when none)
local function template_text(b)
  local text = b.template_body
  if b.template_uri ~= nil then text = sources.fetch_template(b.template_uri) end
  if text == "" then return nil end
  return text
end

--- CreateStackSet
local function create_set(req)
  check.client_request_id(req)
  local b = check.body(req, fields("stack_set_name", "stack_set_description", "permission_model", "administration_agency_name",
    "administration_agency_urn", "managed_agency_name", "template_body", "template_uri", "vars_body", "vars_uri",
    "initial_stack_description", "managed_operation", "call_identity"), true)
  check.name(b.stack_set_name, "stack_set_name")
  check.description(b.stack_set_description, "stack_set_description")
  check.description(b.initial_stack_description, "initial_stack_description")
  local model = b.permission_model or "SELF_MANAGED"
  if model ~= "SELF_MANAGED" and model ~= "SERVICE_MANAGED" then bad("RF.10011027", "permission_model must be SELF_MANAGED or SERVICE_MANAGED") end
  V.call_identity(b.call_identity)
  V.agencies(b, model)
  if model == "SELF_MANAGED" then
    if b.administration_agency_name == nil and b.administration_agency_urn == nil then
      bad("RF.10011001", "one of administration_agency_name and administration_agency_urn is required for SELF_MANAGED stack sets")
    end
    if b.administration_agency_name ~= nil and b.administration_agency_urn ~= nil then
      bad("RF.10011093", "administration_agency_name and administration_agency_urn cannot both be given")
    end
    if b.managed_agency_name == nil then bad("RF.10011001", "managed_agency_name is required for SELF_MANAGED stack sets") end
  end
  local mo = V.managed_operation(b.managed_operation)
  check.template_source(b, false)
  local text = template_text(b)
  local vars = V.vars(b)
  local bucket, domain, region = scope(req)
  if bucket.by_name[b.stack_set_name] then fail(409, CODES.exists, "the stack set name " .. b.stack_set_name .. " is already used") end
  local ss = {
    stack_set_id = util.uuid(), stack_set_name = b.stack_set_name, stack_set_description = b.stack_set_description,
    initial_stack_description = b.initial_stack_description, permission_model = model,
    administration_agency_name = b.administration_agency_name, administration_agency_urn = b.administration_agency_urn,
    managed_agency_name = b.managed_agency_name, template_body = text, vars_body = vars.vars_body,
    vars_uri_content = vars.vars_uri_content, create_t = req.now, update_t = req.now,
    managed_operation = mo or { enable_parallel_operation = false }, organizational_unit_ids = {},
    instances = {}, inst_by_addr = {}, operations = {}, op_by_id = {}, seq = store.next_seq(),
    domain_id = domain, region = region,
  }
  store.insert(bucket, ss.stack_set_name, ss)
  return 201, { stack_set_id = ss.stack_set_id }
end

--- ShowStackSetMetadata
local function show_set(req)
  local ss = M.get(req)
  local v = set_view(ss)
  v.initial_stack_description = ss.initial_stack_description
  v.administration_agency_name = ss.administration_agency_name
  v.administration_agency_urn = ss.administration_agency_urn
  v.managed_agency_name = ss.managed_agency_name
  v.vars_uri_content = ss.vars_uri_content
  v.vars_body = ss.vars_body
  v.managed_operation = ss.managed_operation
  v.organizational_unit_ids = json.array(util.copy(ss.organizational_unit_ids))
  return 200, v
end

--- ShowStackSetTemplate (307)
local function show_set_template(req)
  local ss = M.get(req)
  if not ss.template_body then fail(404, "RF.10013023", "the stack set " .. ss.stack_set_name .. " has no template") end
  return blobs.redirect(req, ss.template_body)
end

local UPDATABLE = { "stack_set_description", "initial_stack_description", "administration_agency_name",
  "managed_agency_name", "administration_agency_urn" }

--- UpdateStackSet
local function update_set(req)
  check.client_request_id(req)
  local b = check.body(req, fields("stack_set_id", "managed_operation", "call_identity", (table.unpack or unpack)(UPDATABLE)), false)
  V.call_identity(b.call_identity)
  check.description(b.stack_set_description, "stack_set_description")
  check.description(b.initial_stack_description, "initial_stack_description")
  local ss = M.get(req, b.stack_set_id)
  V.agencies(b, ss.permission_model)
  local mo = V.managed_operation(b.managed_operation)
  if machine.status(ss) ~= "IDLE" then
    fail(403, CODES.state, "the stack set cannot be updated while an operation runs (status OPERATION_IN_PROGRESS)")
  end
  local changed = false
  for _, f in ipairs(UPDATABLE) do
    if b[f] ~= nil then ss[f] = b[f]; changed = true end
  end
  if mo then ss.managed_operation = mo; changed = true end
  if not changed then bad("RF.10011084", "there is nothing to modify in the request") end
  ss.update_t = req.now
  return 204
end

-- the variables an instance overrides that new vars of the set would not have
local function check_overrides_kept(ss, new_names)
  for _, inst in ipairs(ss.instances) do
    for n in pairs(inst.override_names or {}) do
      if not new_names[n] then bad("RF.10011038", "the instance " .. inst.addr .. " overrides variable " .. n .. " which the new vars do not have") end
    end
  end
end

--- DeployStackSet
local function deploy_set(req)
  check.client_request_id(req)
  local b = check.body(req, fields("deployment_targets", "stack_set_id", "template_body", "template_uri", "vars_body",
    "vars_uri", "operation_preferences", "call_identity"), true)
  V.call_identity(b.call_identity)
  local ss = M.get(req, b.stack_set_id)
  check.template_source(b, false)
  local targets, regions = V.targets(ss, b.deployment_targets, "DEPLOY_STACK_SET")
  local prefs = V.prefs(b.operation_preferences, regions)
  V.require_instances(ss, targets)
  local text = template_text(b)
  if not text and not ss.template_body then bad("RF.10011056", "the stack set has no template: give template_body or template_uri") end
  local vars = V.vars(b)
  local replace_vars = text ~= nil or b.vars_body ~= nil or b.vars_uri ~= nil
  if replace_vars then check_overrides_kept(ss, V.var_names(machine.vars_text(vars))) end
  M.ensure_idle(ss)
  if text then ss.template_body = text end
  if replace_vars then ss.vars_body, ss.vars_uri_content = vars.vars_body, vars.vars_uri_content end
  return M.start(ss, "DEPLOY_STACK_SET", targets, prefs, b.deployment_targets, req.now)
end

--- DeleteStackSet
local function delete_set(req)
  local ss = M.get(req)
  if #ss.instances > 0 then fail(403, CODES.state, "the stack set still has " .. #ss.instances .. " stack instance(s); delete them first") end
  if machine.status(ss) ~= "IDLE" then fail(403, CODES.state, "the stack set has a running operation") end
  store.remove(scope(req), ss.stack_set_name, ss)
  return 204
end

local function op_view(ss, op, id_field)
  local v = {
    stack_set_id = ss.stack_set_id, stack_set_name = ss.stack_set_name, action = op.action, status = op.status,
    status_message = op.status_message, create_time = util.iso_ms(op.create_t), update_time = util.iso_ms(op.update_t),
  }
  v[id_field] = op.stack_set_operation_id
  return v
end

--- ListStackSetOperations
local function list_ops(req)
  local ss = M.get(req)
  local items = U.sorted(req, filter.select(req, ss.operations, { status = true, action = true }))
  local out, info = U.page(req, items, function(x) return x.stack_set_operation_id end,
    function(op) return op_view(ss, op, "operation_id") end)
  return 200, { stack_set_operations = out, page_info = info }
end

--- ShowStackSetOperationMetadata
local function show_op(req)
  local ss = M.get(req)
  local id = req.params.stack_set_operation_id
  check.id(id, "stack_set_operation_id")
  local op = ss.op_by_id[id]
  if not op then fail(404, CODES.op_not_found, "the stack set operation " .. id .. " does not exist") end
  local v = op_view(ss, op, "stack_set_operation_id")
  v.administration_agency_name = op.administration_agency_name
  v.administration_agency_urn = op.administration_agency_urn
  v.managed_agency_name = op.managed_agency_name
  v.deployment_targets = op.deployment_targets
  v.operation_preferences = op.prefs
  return 200, v
end

local P = "/v1/stack-sets"
M.routes = {
  { method = "GET", path = P, handler = list_sets },
  { method = "POST", path = P, handler = create_set },
  { method = "GET", path = P .. "/{stack_set_name}/metadata", handler = show_set },
  { method = "GET", path = P .. "/{stack_set_name}/templates", handler = show_set_template },
  { method = "PATCH", path = P .. "/{stack_set_name}", handler = update_set },
  { method = "POST", path = P .. "/{stack_set_name}/deployments", handler = deploy_set },
  { method = "DELETE", path = P .. "/{stack_set_name}", handler = delete_set },
  { method = "GET", path = P .. "/{stack_set_name}/operations", handler = list_ops },
  { method = "GET", path = P .. "/{stack_set_name}/operations/{stack_set_operation_id}/metadata", handler = show_op },
}

return M
