-- Stack sets of the RFS emulator (rfs.md §5.5): account-level, per-region
-- stack sets (no project id in the path) holding a template and vars, stack
-- instances per (region, member account) each backed by a real emulator
-- stack in that account's project for the region (a synthetic project when
-- the account is not configured), and stack set operations that fan out in
-- time: QUEUE_IN_PROGRESS -> OPERATION_IN_PROGRESS -> OPERATION_COMPLETE |
-- OPERATION_FAILED, instances WAIT_IN_PROGRESS -> OPERATION_IN_PROGRESS ->
-- OPERATION_COMPLETE | OPERATION_FAILED | CANCEL_COMPLETE, honouring
-- operation_preferences (region order and concurrency, max concurrency,
-- failure tolerance). Progress is evaluated lazily from timestamps, like
-- stacks. Error codes the references do not document are [INFERRED].

local U = require("emu.rfs.util")
local accounts = require("emu.accounts")
local config = require("emu.config")
local util = require("emu.util")
local check = require("emu.rfs.validate")
local store = require("emu.rfs.store")
local machine = require("emu.rfs.machine")
local deployments = require("emu.rfs.deployments")
local stacks = require("emu.rfs.stacks")
local sources = require("emu.rfs.sources")
local engine = require("emu.rfs.engine")
local E = require("emu.rfs.evaluate")
local filter = require("emu.rfs.filter")
local blobs = require("emu.rfs.blobs")

local M = {}

local QUEUE_DELAY = 1
local MAX_PARALLEL_OPS = 10

-- [INFERRED] codes (not documented): see README
M.CODES = {
  not_found = "RF.10013050", op_not_found = "RF.10013051", instance_not_found = "RF.10013052",
  exists = "RF.10013505", busy = "RF.10013506", id_mismatch = "RF.10011020",
  state = "RF.10012560", bad_target = "RF.10011038",
}

local function set(...)
  local s = {}
  for _, k in ipairs({ ... }) do s[k] = true end
  return s
end

local function bad(code, msg) U.fail(400, code, msg) end

local TERMINAL_OP = { OPERATION_COMPLETE = true, OPERATION_FAILED = true, STOP_COMPLETE = true, STOP_FAILED = true }

-- ------------------------------------------------------------ scope

local function scope(req)
  local domain, region = U.scope(req)
  return store.stack_sets(domain, region), domain, region
end

-- where the stack of an instance lives
local function backing_project(domain_id, region)
  local a = accounts.by_domain_id(domain_id)
  local p = a and accounts.project_of(a, nil, region)
  if p then return p.id end
  return "emu" .. engine.hash_hex(domain_id .. "/" .. region, 29)
end

local function find_stack(inst)
  if not inst.stack_name then return nil end
  local s = store.stack(inst.project_id, inst.stack_name)
  if s and s.stack_id == inst.stack_id then return s end
  return nil
end

-- ------------------------------------------------------------ vars

local function var_names(text)
  local names = {}
  if text and text ~= "" then
    local ok, vals = pcall(E.parse_tfvars, text, "vars")
    if ok then for k in pairs(vals) do names[k] = true end end
  end
  return names
end

local function set_vars_text(ss)
  local parts = {}
  if ss.vars_uri_content and ss.vars_uri_content ~= "" then parts[#parts + 1] = ss.vars_uri_content end
  if ss.vars_body and ss.vars_body ~= "" then parts[#parts + 1] = ss.vars_body end
  return table.concat(parts, "\n")
end

local function instance_src(ss, inst)
  local src = { template_body = ss.template_body, vars_uri_content = set_vars_text(ss) }
  local o = inst.overrides
  if o then
    local parts = {}
    if o.vars_uri_content then parts[#parts + 1] = o.vars_uri_content end
    if o.vars_body then parts[#parts + 1] = o.vars_body end
    src.vars_body = table.concat(parts, "\n")
  end
  return src
end

-- ------------------------------------------------------------ operations

local function start_instance(ss, op, inst, t)
  inst.status = "OPERATION_IN_PROGRESS"
  inst.status_message = nil
  inst.update_t = t
  inst.latest_stack_set_operation_id = op.stack_set_operation_id
  local action = op.action
  if action == "CREATE_STACK_INSTANCES" then
    local name = ss.stack_set_name .. "-" .. engine.hash_hex(ss.stack_set_id .. inst.addr, 8)
    local existing = store.stack(inst.project_id, name)
    if existing then
      inst.start_error = "a stack named " .. name .. " already exists in the member account"
      return
    end
    local s = stacks.new_stack({
      project_id = inst.project_id, region = inst.region, domain_id = inst.stack_domain_id,
      stack_name = name, description = ss.initial_stack_description, now = t,
    })
    inst.stack_id, inst.stack_name, inst.stack_obj = s.stack_id, s.stack_name, s
    if ss.template_body then deployments.deploy(s, instance_src(ss, inst), t) end
  elseif action == "DEPLOY_STACK_SET" or action == "UPDATE_STACK_INSTANCES" then
    local s = find_stack(inst)
    if s then machine.advance(s, t) end
    if not s then inst.start_error = "the stack of this instance no longer exists"; return end
    if machine.busy(s) then inst.start_error = "the stack of this instance is in status " .. s.status; return end
    inst.stack_obj = s
    deployments.deploy(s, instance_src(ss, inst), t)
  elseif action == "DELETE_STACK_INSTANCES" then
    local s = find_stack(inst)
    if s then machine.advance(s, t) end
    if not s then inst.deleted_ok = true; return end
    if machine.busy(s) then inst.start_error = "the stack of this instance is in status " .. s.status; return end
    if s.enable_deletion_protection then inst.start_error = "the stack of this instance has deletion protection enabled"; return end
    inst.stack_obj = s
    deployments.delete(s, t, false)
  end
end

-- finished?, ok?, finish time, message
local function instance_result(op, inst, now)
  if inst.start_error then return true, false, nil, inst.start_error end
  if inst.deleted_ok then return true, true, nil end
  local s = inst.stack_obj
  if not s then return true, false, nil, "the stack of this instance no longer exists" end
  machine.advance(s, now)
  if op.action == "DELETE_STACK_INSTANCES" then
    if s.deleted then return true, true, s.finished_at end
    if machine.busy(s) then return false end
    return true, false, s.finished_at, s.status_message or ("stack status " .. s.status)
  end
  if s.deleted then return true, false, nil, "the stack of this instance was deleted" end
  if machine.busy(s) then return false end
  local ok = s.status == "DEPLOYMENT_COMPLETE" or s.status == "CREATION_COMPLETE"
  return true, ok, s.finished_at, ok and nil or (s.status_message or ("stack status " .. s.status))
end

local function build_batches(ss, op)
  local prefs = op.prefs or {}
  local by_region, regions = {}, {}
  for _, addr in ipairs(op.targets) do
    local inst = ss.inst_by_addr[addr]
    if inst then
      if not by_region[inst.region] then by_region[inst.region] = {}; regions[#regions + 1] = inst.region end
      table.insert(by_region[inst.region], inst)
    end
  end
  if prefs.region_order then
    local order = {}
    for _, r in ipairs(prefs.region_order) do if by_region[r] then order[#order + 1] = r end end
    regions = order
  end
  op.tolerance, op.failures = {}, {}
  local chunks = {}
  for _, r in ipairs(regions) do
    local list = by_region[r]
    local n = #list
    local conc = 1
    if prefs.max_concurrent_count then conc = prefs.max_concurrent_count
    elseif prefs.max_concurrent_percentage then conc = math.max(1, math.floor(prefs.max_concurrent_percentage * n / 100)) end
    local tol = 0
    if prefs.failure_tolerance_count then tol = prefs.failure_tolerance_count
    elseif prefs.failure_tolerance_percentage then tol = math.floor(prefs.failure_tolerance_percentage * n / 100) end
    op.tolerance[r], op.failures[r] = tol, 0
    local cs = {}
    for i = 1, n, conc do
      local c = {}
      for j = i, math.min(n, i + conc - 1) do c[#c + 1] = list[j] end
      cs[#cs + 1] = c
    end
    chunks[#chunks + 1] = cs
  end
  local batches = {}
  if prefs.region_concurrency_type == "PARALLEL" then
    local k = 1
    while true do
      local b, any = {}, false
      for _, cs in ipairs(chunks) do
        if cs[k] then any = true; for _, inst in ipairs(cs[k]) do b[#b + 1] = inst end end
      end
      if not any then break end
      batches[#batches + 1] = { instances = b }
      k = k + 1
    end
  else
    for _, cs in ipairs(chunks) do
      for _, c in ipairs(cs) do batches[#batches + 1] = { instances = c } end
    end
  end
  op.batches, op.batch_i = batches, 1
end

local function finish_op(ss, op, t)
  local failed = false
  for _, n in pairs(op.exceeded or {}) do if n then failed = true end end
  op.status = failed and "OPERATION_FAILED" or "OPERATION_COMPLETE"
  if failed then
    local regions = {}
    for r in pairs(op.exceeded) do regions[#regions + 1] = r end
    table.sort(regions)
    op.status_message = "the failure tolerance was exceeded in region(s) " .. table.concat(regions, ", ") ..
      "; see the status_message of the stack instances"
  end
  op.update_t = t
  op.finish_t = t
  ss.update_t = math.max(ss.update_t, t)
end

local function advance_op(ss, op, now, ready_t)
  if op.status == "QUEUE_IN_PROGRESS" then
    if ready_t == false then return end
    local start_t = math.max(op.create_t + config.delay("rfs_stack_set_queue", QUEUE_DELAY), ready_t or 0)
    if now < start_t then return end
    op.status = "OPERATION_IN_PROGRESS"
    op.update_t = start_t
    op.cursor = start_t
    build_batches(ss, op)
  end
  while op.status == "OPERATION_IN_PROGRESS" do
    local batch = op.batches[op.batch_i]
    if not batch then finish_op(ss, op, op.cursor); break end
    if not batch.started then
      batch.started = true
      for _, inst in ipairs(batch.instances) do
        if inst.status == "WAIT_IN_PROGRESS" and inst.pending_op == op.stack_set_operation_id then
          inst.in_batch = true
          start_instance(ss, op, inst, op.cursor)
        end
      end
    end
    local done, latest = true, op.cursor
    local results = {}
    for _, inst in ipairs(batch.instances) do
      if inst.in_batch then
        local fin, ok, t, msg = instance_result(op, inst, now)
        if not fin then done = false; break end
        results[#results + 1] = { inst = inst, ok = ok, t = t or op.cursor, msg = msg }
        if t and t > latest then latest = t end
      end
    end
    if not done then break end
    for _, r in ipairs(results) do
      local inst = r.inst
      inst.in_batch, inst.pending_op, inst.start_error, inst.deleted_ok = nil, nil, nil, nil
      inst.update_t = r.t
      if r.ok then
        inst.status, inst.status_message = "OPERATION_COMPLETE", nil
        if op.action == "DELETE_STACK_INSTANCES" then
          ss.inst_by_addr[inst.addr] = nil
          for i, x in ipairs(ss.instances) do if x == inst then table.remove(ss.instances, i); break end end
        end
      else
        inst.status, inst.status_message = "OPERATION_FAILED", r.msg
        op.failures[inst.region] = (op.failures[inst.region] or 0) + 1
        if op.failures[inst.region] > (op.tolerance[inst.region] or 0) then
          op.exceeded = op.exceeded or {}
          op.exceeded[inst.region] = true
        end
      end
    end
    -- cancel what is still waiting when a region exceeded its tolerance
    if op.exceeded then
      local parallel = op.prefs and op.prefs.region_concurrency_type == "PARALLEL"
      for _, b in ipairs(op.batches) do
        for _, inst in ipairs(b.instances) do
          if inst.status == "WAIT_IN_PROGRESS" and inst.pending_op == op.stack_set_operation_id
            and (not parallel or op.exceeded[inst.region]) then
            inst.status = "CANCEL_COMPLETE"
            inst.pending_op = nil
            inst.update_t = latest
          end
        end
      end
    end
    op.cursor = latest
    op.update_t = latest
    op.batch_i = op.batch_i + 1
  end
end

--- Advance every operation of a stack set to `now`.
function M.advance(ss, now)
  local parallel = ss.managed_operation and ss.managed_operation.enable_parallel_operation
  for i, op in ipairs(ss.operations) do
    if not TERMINAL_OP[op.status] then
      -- an operation waits for the earlier ones it conflicts with
      local ready = 0
      for j = 1, i - 1 do
        local prev = ss.operations[j]
        local conflict = not parallel
        if parallel then
          for _, a in ipairs(op.targets) do
            for _, b in ipairs(prev.targets) do if a == b then conflict = true end end
          end
        end
        if conflict then
          if not TERMINAL_OP[prev.status] then ready = false; break end
          if prev.finish_t and prev.finish_t > ready then ready = prev.finish_t end
        end
      end
      advance_op(ss, op, now, ready)
    end
  end
end

local function status_of(ss)
  for _, op in ipairs(ss.operations) do
    if not TERMINAL_OP[op.status] then return "OPERATION_IN_PROGRESS" end
  end
  return "IDLE"
end

-- ------------------------------------------------------------ validation

local function call_identity(v)
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

local function check_prefs(p, regions)
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

local function unique(list)
  local out, seen = {}, {}
  for _, x in ipairs(list) do if not seen[x] then seen[x] = true; out[#out + 1] = x end end
  return out
end

-- targets -> list of {region, domain_id}
local function resolve_targets(ss, t, action)
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

-- ------------------------------------------------------------ lookups

local function get_set(req, guard)
  check.client_request_id(req)
  local name = req.params.stack_set_name
  check.name(name, "stack_set_name")
  local bucket = scope(req)
  local ss = bucket.by_name[name]
  if not ss then U.fail(404, M.CODES.not_found, "the stack set " .. name .. " does not exist") end
  if guard == nil then guard = U.query(req, "stack_set_id") end
  if guard ~= nil then
    check.id(guard, "stack_set_id")
    if guard ~= ss.stack_set_id then bad(M.CODES.id_mismatch, "stack_set_id " .. guard .. " does not match the stack set named " .. name) end
  end
  call_identity(U.query(req, "call_identity"))
  M.advance(ss, req.now)
  return ss
end

local function new_operation(ss, action, targets, prefs, dtargets, now)
  if not (ss.managed_operation and ss.managed_operation.enable_parallel_operation) then
    if status_of(ss) ~= "IDLE" then
      U.fail(409, M.CODES.busy, "the stack set " .. ss.stack_set_name .. " already has a running operation")
    end
  else
    local running = 0
    for _, op in ipairs(ss.operations) do if not TERMINAL_OP[op.status] then running = running + 1 end end
    if running >= MAX_PARALLEL_OPS then U.fail(409, M.CODES.busy, "the stack set already has " .. MAX_PARALLEL_OPS .. " running operations") end
  end
  local op = {
    stack_set_operation_id = util.uuid(), action = action, status = "QUEUE_IN_PROGRESS",
    create_t = now, update_t = now, seq = store.next_seq(), prefs = prefs, deployment_targets = dtargets,
    targets = {}, administration_agency_name = ss.administration_agency_name,
    administration_agency_urn = ss.administration_agency_urn, managed_agency_name = ss.managed_agency_name,
  }
  for _, t in ipairs(targets) do
    op.targets[#op.targets + 1] = t.addr
    local inst = ss.inst_by_addr[t.addr]
    if inst then
      inst.status = "WAIT_IN_PROGRESS"
      inst.status_message = nil
      inst.pending_op = op.stack_set_operation_id
      inst.latest_stack_set_operation_id = op.stack_set_operation_id
      inst.update_t = now
    end
  end
  ss.operations[#ss.operations + 1] = op
  ss.op_by_id[op.stack_set_operation_id] = op
  ss.update_t = now
  M.advance(ss, now)
  return 202, { stack_set_operation_id = op.stack_set_operation_id }
end

-- ------------------------------------------------------------ handlers

local function set_view(ss)
  return {
    stack_set_id = ss.stack_set_id, stack_set_name = ss.stack_set_name, stack_set_description = ss.stack_set_description,
    permission_model = ss.permission_model, status = status_of(ss),
    create_time = util.iso_ms(ss.create_t), update_time = util.iso_ms(ss.update_t),
  }
end

--- K1 ListStackSets
local function list_sets(req)
  check.client_request_id(req)
  call_identity(U.query(req, "call_identity"))
  local f = filter.parse(U.query(req, "filter"), { permission_model = true })
  local items = {}
  for _, ss in ipairs((scope(req)).list) do
    M.advance(ss, req.now)
    if filter.match(f, ss) then items[#items + 1] = ss end
  end
  U.sorted(req, items)
  local page, info = U.paginate(req, items, function(x) return x.stack_set_id end)
  local out = U.array()
  for _, ss in ipairs(page) do out[#out + 1] = set_view(ss) end
  return 200, { stack_sets = out, page_info = info }
end

local function check_agencies(b, model)
  check.string(b.administration_agency_name, "administration_agency_name", 1, 64)
  check.string(b.administration_agency_urn, "administration_agency_urn", 1, 2048)
  check.string(b.managed_agency_name, "managed_agency_name", 1, 64)
  if model == "SERVICE_MANAGED" then
    if b.administration_agency_name or b.administration_agency_urn or b.managed_agency_name then
      bad("RF.10011002", "agency fields are not allowed for SERVICE_MANAGED stack sets")
    end
  end
end

local function check_managed_operation(v)
  if v == nil then return nil end
  if type(v) ~= "table" then bad("RF.10011038", "managed_operation must be an object") end
  for k in pairs(v) do if k ~= "enable_parallel_operation" then bad("RF.10011002", "the request has a parameter the API does not know: managed_operation." .. k) end end
  check.boolean(v.enable_parallel_operation, "managed_operation.enable_parallel_operation")
  return { enable_parallel_operation = v.enable_parallel_operation == true }
end

local function set_vars_from(b)
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

--- K2 CreateStackSet
local function create_set(req)
  check.client_request_id(req)
  local b = check.body(req, set("stack_set_name", "stack_set_description", "permission_model", "administration_agency_name",
    "administration_agency_urn", "managed_agency_name", "template_body", "template_uri", "vars_body", "vars_uri",
    "initial_stack_description", "managed_operation", "call_identity"), true)
  check.name(b.stack_set_name, "stack_set_name")
  check.description(b.stack_set_description, "stack_set_description")
  check.description(b.initial_stack_description, "initial_stack_description")
  local model = b.permission_model or "SELF_MANAGED"
  if model ~= "SELF_MANAGED" and model ~= "SERVICE_MANAGED" then bad("RF.10011027", "permission_model must be SELF_MANAGED or SERVICE_MANAGED") end
  call_identity(b.call_identity)
  check_agencies(b, model)
  if model == "SELF_MANAGED" then
    if b.administration_agency_name == nil and b.administration_agency_urn == nil then
      bad("RF.10011001", "one of administration_agency_name and administration_agency_urn is required for SELF_MANAGED stack sets")
    end
    if b.administration_agency_name ~= nil and b.administration_agency_urn ~= nil then
      bad("RF.10011093", "administration_agency_name and administration_agency_urn cannot both be given")
    end
    if b.managed_agency_name == nil then bad("RF.10011001", "managed_agency_name is required for SELF_MANAGED stack sets") end
  end
  local mo = check_managed_operation(b.managed_operation)
  check.template_source(b, false)
  local text = b.template_body
  if b.template_uri ~= nil then text = sources.fetch_template(b.template_uri) end
  if text == "" then text = nil end
  local vars = set_vars_from(b)
  local bucket, domain, region = scope(req)
  if bucket.by_name[b.stack_set_name] then U.fail(409, M.CODES.exists, "the stack set name " .. b.stack_set_name .. " is already used") end
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
  bucket.list[#bucket.list + 1] = ss
  bucket.by_name[ss.stack_set_name] = ss
  return 201, { stack_set_id = ss.stack_set_id }
end

--- K3 ShowStackSetMetadata
local function show_set(req)
  local ss = get_set(req)
  local v = set_view(ss)
  v.initial_stack_description = ss.initial_stack_description
  v.administration_agency_name = ss.administration_agency_name
  v.administration_agency_urn = ss.administration_agency_urn
  v.managed_agency_name = ss.managed_agency_name
  v.vars_uri_content = ss.vars_uri_content
  v.vars_body = ss.vars_body
  v.managed_operation = ss.managed_operation
  v.organizational_unit_ids = U.array(util.copy(ss.organizational_unit_ids))
  return 200, v
end

--- K4 ShowStackSetTemplate (307)
local function show_set_template(req)
  local ss = get_set(req)
  if not ss.template_body then U.fail(404, "RF.10013023", "the stack set " .. ss.stack_set_name .. " has no template") end
  return blobs.redirect(req, ss.template_body)
end

--- K5 UpdateStackSet
local function update_set(req)
  check.client_request_id(req)
  local b = check.body(req, set("stack_set_id", "stack_set_description", "initial_stack_description", "administration_agency_name",
    "managed_agency_name", "administration_agency_urn", "managed_operation", "call_identity"), false)
  call_identity(b.call_identity)
  check.description(b.stack_set_description, "stack_set_description")
  check.description(b.initial_stack_description, "initial_stack_description")
  local ss = get_set(req, b.stack_set_id)
  check_agencies(b, ss.permission_model)
  local mo = check_managed_operation(b.managed_operation)
  if status_of(ss) ~= "IDLE" then
    U.fail(403, M.CODES.state, "the stack set cannot be updated while an operation runs (status OPERATION_IN_PROGRESS)")
  end
  local changed = false
  for _, f in ipairs({ "stack_set_description", "initial_stack_description", "administration_agency_name",
    "managed_agency_name", "administration_agency_urn" }) do
    if b[f] ~= nil then ss[f] = b[f]; changed = true end
  end
  if mo then ss.managed_operation = mo; changed = true end
  if not changed then bad("RF.10011084", "there is nothing to modify in the request") end
  ss.update_t = req.now
  return 204
end

--- Refuses targets the set has no instance for (K6, K11, K12/K13).
local function require_instances(ss, targets)
  for _, t in ipairs(targets) do
    if not ss.inst_by_addr[t.addr] then
      bad(M.CODES.bad_target, "the stack set has no instance for region " .. t.region .. " and account " .. t.domain_id)
    end
  end
end

--- K6 DeployStackSet
local function deploy_set(req)
  check.client_request_id(req)
  local b = check.body(req, set("deployment_targets", "stack_set_id", "template_body", "template_uri", "vars_body",
    "vars_uri", "operation_preferences", "call_identity"), true)
  call_identity(b.call_identity)
  local ss = get_set(req, b.stack_set_id)
  check.template_source(b, false)
  local targets, regions = resolve_targets(ss, b.deployment_targets, "DEPLOY_STACK_SET")
  local prefs = check_prefs(b.operation_preferences, regions)
  require_instances(ss, targets)
  local text = b.template_body
  if b.template_uri ~= nil then text = sources.fetch_template(b.template_uri) end
  if text == "" then text = nil end
  if not text and not ss.template_body then bad("RF.10011056", "the stack set has no template: give template_body or template_uri") end
  local vars = set_vars_from(b)
  local new_names = var_names(set_vars_text({ vars_body = vars.vars_body, vars_uri_content = vars.vars_uri_content }))
  local replace_vars = text ~= nil or b.vars_body ~= nil or b.vars_uri ~= nil
  if replace_vars then
    for _, inst in ipairs(ss.instances) do
      for n in pairs(inst.override_names or {}) do
        if not new_names[n] then bad("RF.10011038", "the instance " .. inst.addr .. " overrides variable " .. n .. " which the new vars do not have") end
      end
    end
  end
  if status_of(ss) ~= "IDLE" and not ss.managed_operation.enable_parallel_operation then
    U.fail(409, M.CODES.busy, "the stack set " .. ss.stack_set_name .. " already has a running operation")
  end
  if text then ss.template_body = text end
  if replace_vars then ss.vars_body, ss.vars_uri_content = vars.vars_body, vars.vars_uri_content end
  return new_operation(ss, "DEPLOY_STACK_SET", targets, prefs, b.deployment_targets, req.now)
end

--- K7 DeleteStackSet
local function delete_set(req)
  local ss = get_set(req)
  if #ss.instances > 0 then U.fail(403, M.CODES.state, "the stack set still has " .. #ss.instances .. " stack instance(s); delete them first") end
  if status_of(ss) ~= "IDLE" then U.fail(403, M.CODES.state, "the stack set has a running operation") end
  local bucket = scope(req)
  bucket.by_name[ss.stack_set_name] = nil
  for i, x in ipairs(bucket.list) do if x == ss then table.remove(bucket.list, i); break end end
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

--- K8 ListStackSetOperations
local function list_ops(req)
  local ss = get_set(req)
  local f = filter.parse(U.query(req, "filter"), { status = true, action = true })
  local items = {}
  for _, op in ipairs(ss.operations) do if filter.match(f, op) then items[#items + 1] = op end end
  U.sorted(req, items)
  local page, info = U.paginate(req, items, function(x) return x.stack_set_operation_id end)
  local out = U.array()
  for _, op in ipairs(page) do out[#out + 1] = op_view(ss, op, "operation_id") end
  return 200, { stack_set_operations = out, page_info = info }
end

--- K9 ShowStackSetOperationMetadata
local function show_op(req)
  local ss = get_set(req)
  local id = req.params.stack_set_operation_id
  check.id(id, "stack_set_operation_id")
  local op = ss.op_by_id[id]
  if not op then U.fail(404, M.CODES.op_not_found, "the stack set operation " .. id .. " does not exist") end
  local v = op_view(ss, op, "stack_set_operation_id")
  v.administration_agency_name = op.administration_agency_name
  v.administration_agency_urn = op.administration_agency_urn
  v.managed_agency_name = op.managed_agency_name
  v.deployment_targets = op.deployment_targets
  v.operation_preferences = op.prefs
  return 200, v
end

local function check_overrides(ss, o)
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
  local known = var_names(set_vars_text(ss))
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

local function apply_overrides(inst, ov)
  if not ov then return end
  inst.overrides = { vars_body = ov.vars_body, vars_uri_content = ov.vars_uri_content }
  inst.override_names = ov.names
  inst.var_overrides = ov.raw
end

--- The common part of K10/K11/K12/K13: the body (fields plus the targets,
-- the set's id, preferences and call identity), the set, the resolved
-- targets and the checked preferences.
local function instance_request(req, operation, ...)
  check.client_request_id(req)
  local b = check.body(req, set("deployment_targets", "stack_set_id", "operation_preferences", "call_identity", ...), true)
  call_identity(b.call_identity)
  local ss = get_set(req, b.stack_set_id)
  local targets, regions = resolve_targets(ss, b.deployment_targets, operation)
  return b, ss, targets, check_prefs(b.operation_preferences, regions)
end

--- K10 CreateStackInstance
local function create_instances(req)
  local b, ss, targets, prefs = instance_request(req, "CREATE_STACK_INSTANCES", "var_overrides")
  local ov = check_overrides(ss, b.var_overrides)
  for _, t in ipairs(targets) do
    if t.domain_id == ss.domain_id and ss.permission_model == "SERVICE_MANAGED" then
      bad(M.CODES.bad_target, "the management account itself cannot be a target")
    end
    if ss.inst_by_addr[t.addr] then bad(M.CODES.bad_target, "the stack set already has an instance for " .. t.addr) end
  end
  if status_of(ss) ~= "IDLE" and not ss.managed_operation.enable_parallel_operation then
    U.fail(409, M.CODES.busy, "the stack set " .. ss.stack_set_name .. " already has a running operation")
  end
  for _, t in ipairs(targets) do
    local inst = {
      addr = t.addr, region = t.region, stack_domain_id = t.domain_id, status = "WAIT_IN_PROGRESS",
      project_id = backing_project(t.domain_id, t.region), create_t = req.now, update_t = req.now, seq = store.next_seq(),
    }
    apply_overrides(inst, ov)
    ss.instances[#ss.instances + 1] = inst
    ss.inst_by_addr[t.addr] = inst
  end
  return new_operation(ss, "CREATE_STACK_INSTANCES", targets, prefs, b.deployment_targets, req.now)
end

--- K11 UpdateStackInstances
local function update_instances(req)
  local b, ss, targets, prefs = instance_request(req, "UPDATE_STACK_INSTANCES", "var_overrides")
  local ov = check_overrides(ss, b.var_overrides)
  require_instances(ss, targets)
  if not ss.template_body then bad("RF.10011056", "the stack set has no template to deploy") end
  if status_of(ss) ~= "IDLE" and not ss.managed_operation.enable_parallel_operation then
    U.fail(409, M.CODES.busy, "the stack set " .. ss.stack_set_name .. " already has a running operation")
  end
  for _, t in ipairs(targets) do apply_overrides(ss.inst_by_addr[t.addr], ov) end
  return new_operation(ss, "UPDATE_STACK_INSTANCES", targets, prefs, b.deployment_targets, req.now)
end

--- K12 DeleteStackInstance / K13 DeleteStackInstanceDeprecated
local function delete_instances(req)
  local b, ss, targets, prefs = instance_request(req, "DELETE_STACK_INSTANCES")
  require_instances(ss, targets)
  return new_operation(ss, "DELETE_STACK_INSTANCES", targets, prefs, b.deployment_targets, req.now)
end

local function instance_view(ss, inst)
  return {
    stack_set_id = ss.stack_set_id, stack_set_name = ss.stack_set_name, status = inst.status,
    status_message = inst.status_message, stack_id = inst.stack_id, stack_name = inst.stack_name,
    stack_domain_id = inst.stack_domain_id, latest_stack_set_operation_id = inst.latest_stack_set_operation_id,
    region = inst.region, create_time = util.iso_ms(inst.create_t), update_time = util.iso_ms(inst.update_t),
  }
end

--- K14 ListStackInstances
local function list_instances(req)
  local ss = get_set(req)
  local f = filter.parse(U.query(req, "filter"), { region = true, stack_domain_id = true })
  local items = {}
  for _, inst in ipairs(ss.instances) do if filter.match(f, inst) then items[#items + 1] = inst end end
  U.sorted(req, items)
  local page, info = U.paginate(req, items, function(x) return x.addr end)
  local out = U.array()
  for _, inst in ipairs(page) do out[#out + 1] = instance_view(ss, inst) end
  return 200, { stack_instances = out, page_info = info }
end

--- K15 ShowStackInstance
local function show_instance(req)
  local ss = get_set(req)
  local addr = req.params.stack_instance_addr
  if type(addr) ~= "string" or not addr:match("^[^/]+/[^/]+$") then
    bad("RF.10011038", "stack_instance_addr must be {region}/{stack_domain_id} with the '/' percent-encoded as %2F")
  end
  local inst = ss.inst_by_addr[addr]
  if not inst then U.fail(404, M.CODES.instance_not_found, "the stack set has no instance " .. addr) end
  local v = instance_view(ss, inst)
  v.var_overrides = inst.var_overrides
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
  { method = "POST", path = P .. "/{stack_set_name}/stack-instances", handler = create_instances },
  { method = "PATCH", path = P .. "/{stack_set_name}/stack-instances", handler = update_instances },
  { method = "POST", path = P .. "/{stack_set_name}/stack-instances/deletion", handler = delete_instances },
  { method = "DELETE", path = P .. "/{stack_set_name}/stack-instances", handler = delete_instances },
  { method = "GET", path = P .. "/{stack_set_name}/stack-instances", handler = list_instances },
  { method = "GET", path = P .. "/{stack_set_name}/stack-instances/{stack_instance_addr}", handler = show_instance },
}

return M
