-- The stack set operations of the RFS emulator in time (RFS API reference,
-- stack sets, https://support.huaweicloud.com/api-aos/): an
-- operation goes QUEUE_IN_PROGRESS -> OPERATION_IN_PROGRESS ->
-- OPERATION_COMPLETE | OPERATION_FAILED, its instances WAIT_IN_PROGRESS ->
-- OPERATION_IN_PROGRESS -> OPERATION_COMPLETE | OPERATION_FAILED |
-- CANCEL_COMPLETE, in batches that follow operation_preferences (region
-- order and concurrency, max concurrency, failure tolerance). Each instance
-- is a real stack of emu.rfs.stacks deployed through emu.rfs.deployments;
-- progress is evaluated lazily from timestamps whenever the set is read,
-- like the stacks' own (emu.rfs.machine).

local config = require("emu.config")
local deployments = require("emu.rfs.deployments")
local engine = require("emu.rfs.engine")
local machine = require("emu.rfs.machine")
local stacks = require("emu.rfs.stacks")
local store = require("emu.rfs.store")
local util = require("emu.util")

local M = {}

local QUEUE_DELAY = 1
local MAX_PARALLEL_OPS = 10

local TERMINAL_OP = { OPERATION_COMPLETE = true, OPERATION_FAILED = true, STOP_COMPLETE = true, STOP_FAILED = true }

-- the stack backing an instance, while it is still the one the instance made
local function find_stack(inst)
  if not inst.stack_name then return nil end
  local s = store.stack(inst.project_id, inst.stack_name)
  if s and s.stack_id == inst.stack_id then return s end
  return nil
end

--- The vars of a set (or of an instance's overrides): vars_uri content,
-- then vars_body, as one tfvars text.
function M.vars_text(ss)
  local parts = {}
  if ss.vars_uri_content and ss.vars_uri_content ~= "" then parts[#parts + 1] = ss.vars_uri_content end
  if ss.vars_body and ss.vars_body ~= "" then parts[#parts + 1] = ss.vars_body end
  return table.concat(parts, "\n")
end

-- the deployment source of an instance: the set's template and vars, its
-- overrides as vars_body (which wins over vars_uri_content)
local function instance_src(ss, inst)
  local src = { template_body = ss.template_body, vars_uri_content = M.vars_text(ss) }
  if inst.overrides then src.vars_body = M.vars_text(inst.overrides) end
  return src
end

-- Start the operation's work on one instance at `t`: create its stack and
-- deploy, redeploy, or delete the stack; inst.start_error when it cannot.
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

-- An instance's part of the operation at `now`: finished?, ok?, finish time, message.
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

-- The operation's batches: its instances per region (in region_order), in
-- chunks of the maximum concurrency, regions one after another or (PARALLEL)
-- chunk k of every region together; the failure tolerance per region.
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

-- The end of an operation at `t`: failed when a region exceeded its tolerance.
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

-- Start the instances of a batch that still wait for this operation.
local function start_batch(ss, op, batch)
  batch.started = true
  for _, inst in ipairs(batch.instances) do
    if inst.status == "WAIT_IN_PROGRESS" and inst.pending_op == op.stack_set_operation_id then
      inst.in_batch = true
      start_instance(ss, op, inst, op.cursor)
    end
  end
end

-- The results of a batch's instances at `now`, and the time the last one
-- finished; nil while one still runs.
local function batch_results(op, batch, now)
  local results, latest = {}, op.cursor
  for _, inst in ipairs(batch.instances) do
    if inst.in_batch then
      local fin, ok, t, msg = instance_result(op, inst, now)
      if not fin then return nil end
      results[#results + 1] = { inst = inst, ok = ok, t = t or op.cursor, msg = msg }
      if t and t > latest then latest = t end
    end
  end
  return results, latest
end

-- Record the finished instances; a failure counts against its region's
-- tolerance (op.exceeded names the regions past it).
local function record_results(ss, op, results)
  for _, r in ipairs(results) do
    local inst = r.inst
    inst.in_batch, inst.pending_op, inst.start_error, inst.deleted_ok = nil, nil, nil, nil
    inst.update_t = r.t
    if r.ok then
      inst.status, inst.status_message = "OPERATION_COMPLETE", nil
      if op.action == "DELETE_STACK_INSTANCES" then
        ss.inst_by_addr[inst.addr] = nil
        util.remove(ss.instances, inst)
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
end

-- Cancel what still waits when a region exceeded its tolerance (with
-- PARALLEL regions, only in the regions that exceeded it).
local function cancel_waiting(op, t)
  local parallel = op.prefs and op.prefs.region_concurrency_type == "PARALLEL"
  for _, b in ipairs(op.batches) do
    for _, inst in ipairs(b.instances) do
      if inst.status == "WAIT_IN_PROGRESS" and inst.pending_op == op.stack_set_operation_id
        and (not parallel or op.exceeded[inst.region]) then
        inst.status = "CANCEL_COMPLETE"
        inst.pending_op = nil
        inst.update_t = t
      end
    end
  end
end

-- Advance one operation to `now`: out of the queue once `ready_t` (the end
-- of the earlier operations it conflicts with; false while they run) and
-- its queue delay are past, then batch after batch as each finishes.
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
    if not batch.started then start_batch(ss, op, batch) end
    local results, latest = batch_results(op, batch, now)
    if not results then break end
    record_results(ss, op, results)
    if op.exceeded then cancel_waiting(op, latest) end
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

--- IDLE, or OPERATION_IN_PROGRESS while an operation is not finished.
function M.status(ss)
  for _, op in ipairs(ss.operations) do
    if not TERMINAL_OP[op.status] then return "OPERATION_IN_PROGRESS" end
  end
  return "IDLE"
end

--- Why no new operation may start now (a message), or nil: one at a time
-- unless managed_operation.enable_parallel_operation, then at most
-- MAX_PARALLEL_OPS [INFERRED].
function M.busy(ss)
  if not ss.managed_operation.enable_parallel_operation then
    if M.status(ss) ~= "IDLE" then return "the stack set " .. ss.stack_set_name .. " already has a running operation" end
    return nil
  end
  local running = 0
  for _, op in ipairs(ss.operations) do if not TERMINAL_OP[op.status] then running = running + 1 end end
  if running >= MAX_PARALLEL_OPS then return "the stack set already has " .. MAX_PARALLEL_OPS .. " running operations" end
  return nil
end

--- Queue an operation over the target instances (their addresses) and
-- advance the set to `now`; the caller has checked M.busy.
-- @return the operation
function M.start(ss, action, targets, prefs, dtargets, now)
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
  return op
end

return M
