-- Request validation of the RFS emulator's stack set API (RFS API reference,
-- stack sets, https://support.huaweicloud.com/api-aos/):
-- call_identity, deployment targets (regions x domain ids, the
-- SERVICE_MANAGED rules), operation_preferences, agencies,
-- managed_operation, the set's vars and an instance's var_overrides. Every
-- failure raises the documented 400 RF.1001xxxx error; the codes the
-- references do not document are in M.CODES [INFERRED], see emulator/README.md.

local fail = require("emu.errors").raise
local E = require("emu.rfs.evaluate")
local blobs = require("emu.rfs.blobs")
local check = require("emu.rfs.validate")
local sources = require("emu.rfs.sources")

local M = {}

-- [INFERRED] codes (not documented): see emulator/README.md
M.CODES = {
  not_found = "RF.10013050", op_not_found = "RF.10013051", instance_not_found = "RF.10013052",
  exists = "RF.10013505", busy = "RF.10013506", id_mismatch = "RF.10011020",
  state = "RF.10012560", bad_target = "RF.10011038",
}

local set = check.fields

local function bad(code, msg) fail(400, code, msg) end

--- The names of the variables a tfvars text assigns (none when it does not parse).
function M.var_names(text)
  local names = {}
  if text and text ~= "" then
    local ok, vals = pcall(E.parse_tfvars, text, "vars")
    if ok then for k in pairs(vals) do names[k] = true end end
  end
  return names
end

--- call_identity (query or body): absent, SELF or DELEGATED_ADMIN.
function M.call_identity(v)
  if v == nil then return end
  if v ~= "SELF" and v ~= "DELEGATED_ADMIN" then bad("RF.10011027", "call_identity must be SELF or DELEGATED_ADMIN") end
end

local function string_list(v, field, required)
  if v == nil then
    if required then bad("RF.10011001", "the parameter " .. field .. " is required") end
    return nil
  end
  if type(v) ~= "table" or (next(v) ~= nil and v[1] == nil) then bad("RF.10011055", field .. " must be a JSON array") end
  for _, x in ipairs(v) do
    if type(x) ~= "string" or x == "" then bad("RF.10011038", field .. " must contain non-empty strings") end
  end
  return v
end

local function check_integer(v, field, min)
  if v == nil then return end
  if type(v) ~= "number" or v ~= math.floor(v) then bad("RF.10011036", field .. " must be an integer") end
  if v < min then bad("RF.10011006", field .. " must be at least " .. min) end
end

--- operation_preferences against the regions of the operation; returns them.
function M.prefs(p, regions)
  if p == nil then return nil end
  if type(p) ~= "table" then bad("RF.10011038", "operation_preferences must be an object") end
  local allowed = set("region_concurrency_type", "region_order", "failure_tolerance_count", "failure_tolerance_percentage",
    "max_concurrent_count", "max_concurrent_percentage", "failure_tolerance_mode")
  for k in pairs(p) do if not allowed[k] then bad("RF.10011002", "the request has a parameter the API does not know: operation_preferences." .. k) end end
  if p.region_concurrency_type ~= nil and p.region_concurrency_type ~= "SEQUENTIAL" and p.region_concurrency_type ~= "PARALLEL" then
    bad("RF.10011027", "region_concurrency_type must be SEQUENTIAL or PARALLEL")
  end
  if p.failure_tolerance_mode ~= nil and p.failure_tolerance_mode ~= "STRICT_FAILURE_TOLERANCE" and p.failure_tolerance_mode ~= "SOFT_FAILURE_TOLERANCE" then
    bad("RF.10011027", "failure_tolerance_mode must be STRICT_FAILURE_TOLERANCE or SOFT_FAILURE_TOLERANCE")
  end
  check_integer(p.failure_tolerance_count, "failure_tolerance_count", 0)
  check_integer(p.failure_tolerance_percentage, "failure_tolerance_percentage", 0)
  check_integer(p.max_concurrent_count, "max_concurrent_count", 1)
  check_integer(p.max_concurrent_percentage, "max_concurrent_percentage", 1)
  if p.failure_tolerance_count ~= nil and p.failure_tolerance_percentage ~= nil then
    bad("RF.10011093", "failure_tolerance_count and failure_tolerance_percentage cannot both be given")
  end
  if p.max_concurrent_count ~= nil and p.max_concurrent_percentage ~= nil then
    bad("RF.10011093", "max_concurrent_count and max_concurrent_percentage cannot both be given")
  end
  if p.region_order ~= nil then
    string_list(p.region_order, "operation_preferences.region_order")
    if p.region_concurrency_type == "PARALLEL" then bad("RF.10011038", "region_order is only allowed with SEQUENTIAL") end
    local want = {}
    for _, r in ipairs(regions) do want[r] = true end
    local n = 0
    for _, r in ipairs(p.region_order) do
      if not want[r] then bad(M.CODES.bad_target, "region_order names region " .. r .. " which is not a region of this operation") end
      n = n + 1
    end
    if n ~= #regions then bad(M.CODES.bad_target, "region_order must list exactly the regions of this operation") end
  end
  return p
end

-- the list without repeated values, in first-seen order
local function unique(list)
  local out, seen = {}, {}
  for _, x in ipairs(list) do if not seen[x] then seen[x] = true; out[#out + 1] = x end end
  return out
end

-- The SERVICE_MANAGED rules of deployment_targets: OUs and a filter type
-- the emulator can resolve without organizations; creating instances
-- records the set's new OUs.
local function service_managed(ss, t, ft, domains, action)
  if t.organizational_unit_ids == nil and (action == "CREATE_STACK_INSTANCES" or action == "DELETE_STACK_INSTANCES") then
    bad("RF.10011001", "deployment_targets.organizational_unit_ids is required for SERVICE_MANAGED stack sets")
  end
  if ft == "UNION" and action == "CREATE_STACK_INSTANCES" then bad("RF.10011027", "domain_id_filter_type UNION is not allowed here") end
  if ft ~= "INTERSECTION" and ft ~= "UNION" then
    -- the emulator has no organizations: OU membership cannot be resolved
    bad(M.CODES.bad_target, "the emulator has no organizations; give domain_ids with domain_id_filter_type INTERSECTION or UNION")
  end
  if not domains or #domains == 0 then bad("RF.10011001", "domain_ids or domain_ids_uri is required with this domain_id_filter_type") end
  for _, ou in ipairs(t.organizational_unit_ids or {}) do
    local known = false
    for _, x in ipairs(ss.organizational_unit_ids) do if x == ou then known = true end end
    if not known then
      if action == "CREATE_STACK_INSTANCES" then ss.organizational_unit_ids[#ss.organizational_unit_ids + 1] = ou
      else bad(M.CODES.bad_target, "the organizational unit " .. ou .. " is not managed by this stack set") end
    end
  end
end

--- deployment_targets -> list of {region, domain_id, addr}, and the regions.
-- Creating instances of a SERVICE_MANAGED set records its new OUs.
function M.targets(ss, t, action)
  if type(t) ~= "table" then bad("RF.10011001", "the parameter deployment_targets is required") end
  local allowed = set("regions", "domain_ids", "domain_ids_uri", "organizational_unit_ids", "domain_id_filter_type")
  for k in pairs(t) do if not allowed[k] then bad("RF.10011002", "the request has a parameter the API does not know: deployment_targets." .. k) end end
  local regions = string_list(t.regions, "deployment_targets.regions", true)
  if #regions == 0 then bad("RF.10011037", "deployment_targets.regions must not be empty") end
  string_list(t.domain_ids, "deployment_targets.domain_ids")
  string_list(t.organizational_unit_ids, "deployment_targets.organizational_unit_ids")
  check.string(t.domain_ids_uri, "deployment_targets.domain_ids_uri", 1, 2048)
  local ft = t.domain_id_filter_type
  if ft ~= nil and ft ~= "NONE" and ft ~= "INTERSECTION" and ft ~= "DIFFERENCE" and ft ~= "UNION" then
    bad("RF.10011027", "domain_id_filter_type must be NONE, INTERSECTION, DIFFERENCE or UNION")
  end
  local domains = t.domain_ids
  if t.domain_ids_uri ~= nil then
    if domains then bad("RF.10011093", "domain_ids and domain_ids_uri cannot both be given") end
    local text = blobs.resolve(t.domain_ids_uri)
    if not text then bad("RF.10011049", "domain_ids_uri cannot be fetched: the emulator only fetches URLs it served (uploads to /_rfs/blobs)") end
    domains = {}
    for d in text:gmatch("[^,%s]+") do domains[#domains + 1] = d end
  end
  if ss.permission_model == "SERVICE_MANAGED" then
    service_managed(ss, t, ft, domains, action)
  else
    if t.organizational_unit_ids ~= nil or ft ~= nil then
      bad("RF.10011002", "organizational_unit_ids and domain_id_filter_type are only for SERVICE_MANAGED stack sets")
    end
    if not domains then bad("RF.10011001", "one of deployment_targets.domain_ids and domain_ids_uri is required") end
    if #domains == 0 then bad("RF.10011037", "deployment_targets.domain_ids must not be empty") end
  end
  local out = {}
  regions, domains = unique(regions), unique(domains)
  for _, r in ipairs(regions) do
    for _, d in ipairs(domains) do out[#out + 1] = { region = r, domain_id = d, addr = r .. "/" .. d } end
  end
  return out, regions
end

--- Refuse targets the set has no instance for (DeployStackSet, UpdateStackInstances, DeleteStackInstance).
function M.require_instances(ss, targets)
  for _, t in ipairs(targets) do
    if not ss.inst_by_addr[t.addr] then
      bad(M.CODES.bad_target, "the stack set has no instance for region " .. t.region .. " and account " .. t.domain_id)
    end
  end
end

--- The agency fields of a create or update body for the permission model.
function M.agencies(b, model)
  check.string(b.administration_agency_name, "administration_agency_name", 1, 64)
  check.string(b.administration_agency_urn, "administration_agency_urn", 1, 2048)
  check.string(b.managed_agency_name, "managed_agency_name", 1, 64)
  if model == "SERVICE_MANAGED" then
    if b.administration_agency_name or b.administration_agency_urn or b.managed_agency_name then
      bad("RF.10011002", "agency fields are not allowed for SERVICE_MANAGED stack sets")
    end
  end
end

--- managed_operation -> {enable_parallel_operation} or nil.
function M.managed_operation(v)
  if v == nil then return nil end
  if type(v) ~= "table" then bad("RF.10011038", "managed_operation must be an object") end
  for k in pairs(v) do if k ~= "enable_parallel_operation" then bad("RF.10011002", "the request has a parameter the API does not know: managed_operation." .. k) end end
  check.boolean(v.enable_parallel_operation, "managed_operation.enable_parallel_operation")
  return { enable_parallel_operation = v.enable_parallel_operation == true }
end

--- The vars of a create or deploy body -> {vars_body, vars_uri_content}.
function M.vars(b)
  local src = { vars_body = b.vars_body }
  check.vars(b, false)
  if b.vars_uri ~= nil then src.vars_uri_content = sources.fetch_vars(b.vars_uri) end
  for _, field in ipairs({ "vars_body", "vars_uri_content" }) do
    if src[field] and src[field] ~= "" then
      local ok, e = pcall(E.parse_tfvars, src[field], field)
      if not ok then bad(field == "vars_body" and "RF.10011051" or "RF.10011050", "invalid " .. field .. ": " .. E.error_message(e)) end
    end
  end
  local dup = E.duplicate_input(src)
  if dup then bad("RF.10011093", "the variable '" .. dup .. "' is given in both vars_body and vars_uri") end
  return src
end

--- var_overrides of an instance request, against the names of the set's
-- variables (`known`) -> {vars_body, vars_uri_content, names, raw} or nil.
function M.overrides(o, known)
  if o == nil then return nil end
  if type(o) ~= "table" then bad("RF.10011038", "var_overrides must be an object") end
  for k in pairs(o) do
    if k ~= "vars_uri" and k ~= "vars_body" and k ~= "use_stack_set_vars" then
      bad("RF.10011002", "the request has a parameter the API does not know: var_overrides." .. k)
    end
  end
  check.string(o.vars_body, "var_overrides.vars_body", 0, 51200)
  check.string(o.vars_uri, "var_overrides.vars_uri", 0, 2048)
  string_list(o.use_stack_set_vars, "var_overrides.use_stack_set_vars")
  local ov = { vars_body = o.vars_body }
  if o.vars_uri ~= nil then ov.vars_uri_content = sources.fetch_vars(o.vars_uri) end
  local names = {}
  for _, field in ipairs({ "vars_body", "vars_uri_content" }) do
    if ov[field] and ov[field] ~= "" then
      local ok, vals = pcall(E.parse_tfvars, ov[field], field)
      if not ok then bad("RF.10011051", "invalid var_overrides." .. field .. ": " .. E.error_message(vals)) end
      for n in pairs(vals) do
        if names[n] then bad("RF.10011093", "the variable " .. n .. " is overridden more than once") end
        names[n] = true
      end
    end
  end
  for _, n in ipairs(o.use_stack_set_vars or {}) do
    if names[n] then bad("RF.10011093", "the variable " .. n .. " is both overridden and in use_stack_set_vars") end
    if not known[n] then bad("RF.10011038", "use_stack_set_vars names " .. n .. ", which is not a variable of the stack set") end
  end
  for n in pairs(names) do
    if not known[n] then bad("RF.10011038", "var_overrides names " .. n .. ", which is not a variable recorded in the stack set's vars") end
  end
  ov.names = names
  ov.raw = o
  return ov
end

--- Record checked overrides on an instance.
function M.apply_overrides(inst, ov)
  if not ov then return end
  inst.overrides = { vars_body = ov.vars_body, vars_uri_content = ov.vars_uri_content }
  inst.override_names = ov.names
  inst.var_overrides = ov.raw
end

return M
