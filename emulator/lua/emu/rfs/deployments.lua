-- Deployments of the RFS emulator: turning a template + variables into a job
-- for the state machine (emu.rfs.machine) — parse, evaluate and diff at
-- accept time, then one step per resource change (create, update, delete)
-- emitting CREATION_/UPDATE_/DELETION_* events with the deployment_id, a
-- SUMMARY at the end; failures (syntax errors, missing variables, evaluation
-- errors, injected resource failures) emit ERROR events and end in
-- DEPLOYMENT_FAILED or, with enable_auto_rollback, a rollback to the last
-- stable state. Also continue-deploy, continue-rollback and stack deletion.
--
-- Failure injection (documented in emulator/README.md): a resource argument
-- `emulator_fail` (true, a message string, or a number N = fail the first N
-- attempts) fails its creation/update; `emulator_fail_rollback` makes the
-- rollback of a failed deployment containing it fail; `emulator_fail_delete`
-- makes deleting it fail. The emulator setting `rfs_fail_types` (a list of
-- resource types, POST /_emulator/config) fails every such resource.

local config = require("emu.config")
local util = require("emu.util")
local V = require("emu.rfs.values")
local E = require("emu.rfs.evaluate")
local engine = require("emu.rfs.engine")
local template = require("emu.rfs.template")
local machine = require("emu.rfs.machine")
local events = require("emu.rfs.events")
local store = require("emu.rfs.store")
local hooks = require("emu.rfs.hooks")
local modules = require("emu.rfs.modules")
local providers = require("emu.rfs.providers")

local M = {}

local RESOURCE_DELAY, PREPARE_DELAY, FINISH_DELAY = 1, 1, 0

-- ------------------------------------------------------------ helpers

-- address -> position in a stack's resource list, so a deployment of n
-- instances does O(n) work, not O(n^2) (issue 7, finding 5). A cache keyed
-- by the list (weak): entries appended since are indexed on the next lookup,
-- a list replaced or shortened elsewhere is indexed afresh.
local indexes = setmetatable({}, { __mode = "k" })

local function index_of(list)
  local idx = indexes[list]
  if not idx or idx.n > #list then
    idx = { n = 0, pos = {} }
    indexes[list] = idx
  end
  for i = idx.n + 1, #list do idx.pos[list[i].address] = i end
  idx.n = #list
  return idx
end

local function find_resource(stack, address)
  local list = stack.resources
  local i = index_of(list).pos[address]
  if not i then return nil end
  if list[i].address ~= address then   -- a slot was overwritten elsewhere: index afresh
    indexes[list] = nil
    i = index_of(list).pos[address]
    if not i then return nil end
  end
  return list[i], i
end

local function remove_resource(stack, address)
  local list = stack.resources
  local _, i = find_resource(stack, address)   -- brings the index up to date
  if not i then return end
  table.remove(list, i)
  local idx = indexes[list]
  idx.pos[address] = nil
  for j = i, #list do idx.pos[list[j].address] = j end
  idx.n = #list
end

local function fail_types()
  local v = config.value("rfs_fail_types")
  if type(v) ~= "table" then return nil end
  local set = {}
  for _, t in ipairs(v) do set[t] = true end
  return set
end

--- Whether an injected failure applies: returns a message or nil.
-- @param stack stack record (attempt counters live there)
-- @param config the resource's evaluated arguments
-- @param attr "emulator_fail", "emulator_fail_rollback" or "emulator_fail_delete"
-- @param address resource address
-- @param rtype resource type (checked against rfs_fail_types for emulator_fail)
function M.injected_failure(stack, config, attr, address, rtype)
  local v = config and config[attr]
  if attr == "emulator_fail" and (v == nil or v == false) then
    local types = fail_types()
    if types and types[rtype] then
      return "resource type " .. rtype .. " is listed in the emulator setting rfs_fail_types"
    end
    return nil
  end
  if v == nil or v == false or v == "false" or v == V.NULL or v == 0 then return nil end
  local key = attr .. "/" .. address
  stack.attempts[key] = (stack.attempts[key] or 0) + 1
  if type(v) == "number" or (type(v) == "string" and tonumber(v)) then
    if stack.attempts[key] > tonumber(v) then return nil end
    return string.format("%s = %s (attempt %d)", attr, V.number_text(tonumber(v)), stack.attempts[key])
  end
  if type(v) == "string" and v ~= "true" then return v end
  return attr .. " = true"
end

local function record_from(inst, status)
  return {
    address = inst.address, mode = inst.mode, type = inst.type, name = inst.name,
    index_key = inst.index_key, provider_type = inst.provider_type,
    config = inst.config, attributes = inst.attributes, physical_id = inst.physical_id,
    physical_name = inst.physical_name, resource_status = status, prevent_destroy = inst.prevent_destroy,
  }
end

local function snapshot(stack)
  return { resources = util.deepcopy(stack.resources), outputs = util.deepcopy(stack.outputs) }
end

--- Read the template and variables of a deployment source.
-- @param src {template_body, vars_body, vars_structure, vars_uri_content}
-- @return cfg, vars, nil | nil, nil, message
function M.load(src)
  local cfg, perr = template.try_load(src.template_body or "", src.template_origin)
  if not cfg then return nil, nil, "Failed to parse the template: " .. perr end
  local ok, vars = pcall(E.variables, cfg, src)
  if not ok then return nil, nil, "Failed to resolve the variables: " .. E.error_message(vars) end
  return cfg, vars
end

--- Run a deployment source against the stack's resources.
-- @return result (emu.rfs.engine.run) or nil, message
function M.compute(stack, src, mode)
  local cfg, vars, msg = M.load(src)
  if not cfg then return nil, msg end
  local perr = providers.check(cfg, stack.domain_id, stack.region)
  if perr then return nil, perr end
  local ok, result = pcall(engine.run, cfg, vars, stack.resources, { mode = mode, new_id = util.uuid,
    load_module = modules.loader(stack.domain_id, stack.region), from = src.files and { files = src.files } or nil })
  if not ok then return nil, "Failed to evaluate the template: " .. E.error_message(result) end
  result.cfg = cfg
  return result
end

-- The seconds a resource step takes, as its events report them.
local function resource_seconds()
  return math.floor(config.delay("rfs_resource", RESOURCE_DELAY) + 0.5)
end

-- ------------------------------------------------------------ failure paths

local start_rollback

local function deployment_failed(stack, t, dep_id, message)
  if stack.enable_auto_rollback and stack.stable then
    events.add(stack, t, { event_type = "LOG", deployment_id = dep_id,
      event_message = "Deployment failed; automatic rollback to the last stable state starts" })
    stack.failure_message = message
    start_rollback(stack, t, dep_id)
  else
    events.add(stack, t, { event_type = "LOG", deployment_id = dep_id,
      event_message = "Stack status changed to DEPLOYMENT_FAILED" })
    machine.finish(stack, t, "DEPLOYMENT_FAILED", message)
  end
end

-- ------------------------------------------------------------ rollback

-- What a rollback to `target` (the last stable state) does, in order:
-- delete what the stable state lacks (newest first), then create or update
-- what differs from it.
local function rollback_ops(stack, target)
  local want = {}
  for _, r in ipairs(target.resources) do want[r.address] = r end
  local ops = {}
  for i = #stack.resources, 1, -1 do
    local r = stack.resources[i]
    if not want[r.address] then ops[#ops + 1] = { kind = "delete", r = r } end
  end
  for _, r in ipairs(target.resources) do
    local cur = find_resource(stack, r.address)
    if not cur then ops[#ops + 1] = { kind = "create", r = r }
    elseif cur.failed or not V.equal(cur.config, r.config) or cur.resource_status:match("FAILED$") then
      ops[#ops + 1] = { kind = "update", r = r }
    end
  end
  return ops
end

-- The rollback failure an emulator_fail_rollback argument injects, once per
-- rollback: check() -> the flagged resource and its message, or nil;
-- fail(t, f, msg) ends the rollback ROLLBACK_FAILED.
local function rollback_failure(stack, dep_id)
  local flags = stack.rollback_flags or {}
  local checked = false
  local function check()
    if checked then return nil end
    checked = true
    for _, f in ipairs(flags) do
      local msg = M.injected_failure(stack, f.config, "emulator_fail_rollback", f.address, f.type)
      if msg then return f, msg end
    end
    return nil
  end
  local function fail(t, f, msg)
    local text = "Rollback failed at " .. f.address .. ": " .. msg
    events.add(stack, t, { event_type = "ERROR", deployment_id = dep_id, event_message = text,
      resource_type = f.type, resource_name = f.name, resource_key = f.index_key })
    events.add(stack, t, { event_type = "LOG", deployment_id = dep_id, event_message = "Stack status changed to ROLLBACK_FAILED" })
    machine.finish(stack, t, "ROLLBACK_FAILED", text)
  end
  return check, fail
end

start_rollback = function(stack, t, dep_id)
  stack.status = "ROLLBACK_IN_PROGRESS"
  stack.status_message = nil
  stack.update_t = t
  local target = stack.stable or { resources = {}, outputs = nil }
  local ops = rollback_ops(stack, target)
  local failure, fail_rollback = rollback_failure(stack, dep_id)
  local steps = {}
  events.add(stack, t, { event_type = "LOG", deployment_id = dep_id, event_message = "Rollback started" })
  for _, op in ipairs(ops) do
    local r = op.r
    local verb = op.kind == "delete" and "DELETION" or (op.kind == "create" and "CREATION" or "UPDATE")
    steps[#steps + 1] = {
      delay = "rfs_resource", default = RESOURCE_DELAY,
      begin = function(s, t2)
        events.resource(s, t2, dep_id, r, verb .. "_IN_PROGRESS", "Rollback: " .. r.address .. " " .. op.kind .. " started")
      end,
      run = function(s, t2)
        local f, msg = failure()
        if f then return fail_rollback(t2, f, msg) end
        if op.kind == "delete" then
          remove_resource(s, r.address)
        else
          local copy = util.deepcopy(r)
          local cur, i = find_resource(s, r.address)
          if cur then s.resources[i] = copy else s.resources[#s.resources + 1] = copy end
        end
        events.resource(s, t2, dep_id, r, verb .. "_COMPLETE", "Rollback: " .. r.address .. " " .. op.kind .. " complete",
          resource_seconds())
      end,
    }
  end
  steps[#steps + 1] = {
    delay = "rfs_finish", default = FINISH_DELAY,
    run = function(s, t2)
      local f, msg = failure()
      if f then return fail_rollback(t2, f, msg) end
      s.resources = util.deepcopy(target.resources)
      s.outputs = util.deepcopy(target.outputs)
      events.add(s, t2, { event_type = "SUMMARY", deployment_id = dep_id,
        event_message = string.format("Rollback complete! Resources restored to the last stable state (%d operations).", #ops) })
      events.add(s, t2, { event_type = "LOG", deployment_id = dep_id, event_message = "Stack status changed to ROLLBACK_COMPLETE" })
      machine.finish(s, t2, "ROLLBACK_COMPLETE", nil)
    end,
  }
  machine.start(stack, { kind = "rollback", deployment_id = dep_id, steps = steps }, t)
end

-- ------------------------------------------------------------ deployment

-- A resource step that failed with an injected `text`: `rec` (the recorded
-- resource, when there is one) takes `status`; a resource event about
-- `subject` and an ERROR event are emitted.
local function resource_failed(s, t, dep_id, subject, rec, status, text, elapsed)
  if rec then rec.resource_status, rec.status_message = status, text end
  events.resource(s, t, dep_id, subject, status, text, elapsed)
  events.add(s, t, { event_type = "ERROR", deployment_id = dep_id, event_message = text,
    resource_type = subject.type, resource_name = subject.name, resource_key = subject.index_key })
end

-- A job of one prepare step, `run(s, t)`: a deployment or deletion refused
-- before any resource changes.
local function prepare_only(stack, kind, dep_id, now, run)
  machine.start(stack, { kind = kind, deployment_id = dep_id, steps = { {
    delay = "rfs_prepare", default = PREPARE_DELAY, run = run,
  } } }, now)
end

-- Record the accepted deployment on the stack: a new deployment id, the
-- template and vars, DEPLOYMENT_IN_PROGRESS, the stable state to roll back to.
local function accept(stack, src, now, opts)
  local dep_id = util.uuid()
  stack.deployments[dep_id] = true
  stack.latest_deployment_id = dep_id
  stack.prev_template = stack.template_body
  stack.template_body = src.template_body
  stack.status = "DEPLOYMENT_IN_PROGRESS"
  stack.status_message = nil
  stack.update_t = now
  stack.deploy_seq = stack.deploy_seq + 1
  stack.last_deploy = src
  stack.vars_body, stack.vars_structure, stack.vars_uri_content = src.vars_body, src.vars_structure, src.vars_uri_content
  if not opts.continue or not stack.stable then stack.stable = snapshot(stack) end
  events.add(stack, now, { event_type = "LOG", deployment_id = dep_id,
    event_message = (opts.continue and "Continued deployment " or "Deployment ") .. dep_id .. " started; stack status changed to DEPLOYMENT_IN_PROGRESS" })
  return dep_id
end

-- The resources whose rollback an emulator_fail_rollback argument fails.
local function rollback_flags(result)
  local flags = {}
  for _, inst in ipairs(result.instances) do
    if inst.config.emulator_fail_rollback ~= nil then
      flags[#flags + 1] = { address = inst.address, config = inst.config,
        type = inst.type, name = inst.name, index_key = inst.index_key }
    end
  end
  return flags
end

-- The prepare step: hook notes, moved addresses, warnings and the plan line.
local function prepare_step(dep_id, result, verdict)
  local summary = engine.summary(result)
  return {
    delay = "rfs_prepare", default = PREPARE_DELAY,
    run = function(s, t)
      hooks.emit(s, t, dep_id, verdict)
      -- moved blocks: the recorded resources take their new addresses
      for _, r in ipairs(s.resources) do
        local to = result.moves and result.moves[r]
        if to then
          r.address = to
          r.name = to:match("^[^.]+%.([^.%[]+)") or r.name
          r.index_key = to:match('%["?([^"%]]*)"?%]$')
        end
      end
      for _, w in ipairs(result.warnings or {}) do
        events.add(s, t, { event_type = "LOG", deployment_id = dep_id, event_message = w })
      end
      events.add(s, t, { event_type = "LOG", deployment_id = dep_id,
        event_message = string.format("Plan: %d to add, %d to change, %d to destroy.",
          summary.resource_add, summary.resource_update, summary.resource_delete) })
    end,
  }
end

-- The step creating (ADD) or updating (UPDATE) one instance; `tally` counts
-- what the summary reports.
local function change_step(dep_id, inst, tally)
  local verb = inst.action == "ADD" and "CREATION" or "UPDATE"
  local label = inst.action == "ADD" and "Creation" or "Modification"
  return {
    delay = "rfs_resource", default = RESOURCE_DELAY,
    begin = function(s, t)
      local cur, i = find_resource(s, inst.address)
      local rec
      if inst.action == "ADD" then
        rec = record_from(inst, "CREATION_IN_PROGRESS")
        rec.physical_id = nil
        rec.attributes = nil
        if cur then s.resources[i] = rec else s.resources[#s.resources + 1] = rec end
      else
        rec = cur
        rec.resource_status = "UPDATE_IN_PROGRESS"
        rec.status_message = nil
      end
      events.resource(s, t, dep_id, rec, verb .. "_IN_PROGRESS", inst.address .. ": " .. label .. " started")
    end,
    run = function(s, t)
      local rec = find_resource(s, inst.address)
      local msg = M.injected_failure(s, inst.config, "emulator_fail", inst.address, inst.type)
      if msg then
        local text = inst.address .. ": " .. label .. " failed: injected failure (" .. msg .. ")"
        if inst.action == "ADD" then rec.failed = true end
        resource_failed(s, t, dep_id, rec, rec, verb .. "_FAILED", text, resource_seconds())
        return deployment_failed(s, t, dep_id, text)
      end
      local new = record_from(inst, verb .. "_COMPLETE")
      local _, i = find_resource(s, inst.address)
      s.resources[i] = new
      if inst.action == "ADD" then tally.added = tally.added + 1 else tally.changed = tally.changed + 1 end
      events.resource(s, t, dep_id, new, verb .. "_COMPLETE",
        inst.address .. ": " .. label .. " complete after " .. resource_seconds() .. "s [id=" .. tostring(new.physical_id) .. "]",
        resource_seconds())
    end,
  }
end

-- The step destroying one recorded resource r: the template no longer has
-- it (a deployment: tally given, events carry the elapsed seconds, a failure
-- fails the deployment), or its stack is deleted (a failure ends the deletion
-- DELETION_FAILED).
local function destroy_step(dep_id, r, tally)
  local function record(s) if tally then return find_resource(s, r.address) end return r end
  return {
    delay = "rfs_resource", default = RESOURCE_DELAY,
    begin = function(s, t)
      local rec = record(s)
      if rec then rec.resource_status = "DELETION_IN_PROGRESS" end
      events.resource(s, t, dep_id, r, "DELETION_IN_PROGRESS", r.address .. ": Destroying... [id=" .. tostring(r.physical_id) .. "]")
    end,
    run = function(s, t)
      local elapsed = tally and resource_seconds() or nil
      local msg = M.injected_failure(s, r.config, "emulator_fail_delete", r.address, r.type)
      if msg then
        local text = r.address .. ": Destruction failed: injected failure (" .. msg .. ")"
        resource_failed(s, t, dep_id, r, record(s), "DELETION_FAILED", text, elapsed)
        if tally then return deployment_failed(s, t, dep_id, text) end
        return machine.finish(s, t, "DELETION_FAILED", text)
      end
      remove_resource(s, r.address)
      if tally then tally.destroyed = tally.destroyed + 1 end
      events.resource(s, t, dep_id, r, "DELETION_COMPLETE",
        r.address .. ": Destruction complete" .. (elapsed and " after " .. elapsed .. "s" or ""), elapsed)
    end,
  }
end

-- The last step: resources in template order, outputs, the summary, DEPLOYMENT_COMPLETE.
local function finish_step(dep_id, result, tally)
  return {
    delay = "rfs_finish", default = FINISH_DELAY,
    run = function(s, t)
      local ordered = {}
      for _, inst in ipairs(result.instances) do
        local rec = find_resource(s, inst.address)
        if rec then ordered[#ordered + 1] = rec end
      end
      s.resources = ordered
      s.outputs = result.outputs
      s.stable = nil
      s.failure_message = nil
      events.add(s, t, { event_type = "SUMMARY", deployment_id = dep_id,
        event_message = string.format("Apply complete! Resources: %d added, %d changed, %d destroyed.",
          tally.added, tally.changed, tally.destroyed) })
      events.add(s, t, { event_type = "LOG", deployment_id = dep_id, event_message = "Stack status changed to DEPLOYMENT_COMPLETE" })
      machine.finish(s, t, "DEPLOYMENT_COMPLETE", nil)
    end,
  }
end

--- Start a deployment of src on a stack at time now: the template is
-- evaluated and the private hooks decide now; the job then runs a prepare
-- step, one step per created, updated or destroyed resource and a finish
-- step (or one step reporting why the deployment failed).
-- @param stack stack record (not busy; checked by the caller)
-- @param src {template_body, vars_body, vars_structure, vars_uri_content}
-- @param now accept time
-- @param opts {continue = true for ContinueDeployStack, on_finish = fn(stack, t),
--   action = the API name private hooks see (default DeployStack)}
-- @return deployment_id
function M.deploy(stack, src, now, opts)
  opts = opts or {}
  local dep_id = accept(stack, src, now, opts)
  local result, err = M.compute(stack, src, "apply")
  if not result then
    prepare_only(stack, "deploy", dep_id, now, function(s, t)
      events.add(s, t, { event_type = "ERROR", deployment_id = dep_id, event_message = err })
      deployment_failed(s, t, dep_id, err)
    end)
    return dep_id
  end

  -- private hooks (RFS API reference, https://support.huaweicloud.com/api-aos/):
  -- decided now, before any resource changes
  local action = opts.action or (opts.continue and "ContinueDeployStack" or "DeployStack")
  local verdict = hooks.check(stack, action, hooks.changes(result))
  if verdict.blocked then
    prepare_only(stack, "deploy", dep_id, now, function(s, t)
      hooks.emit(s, t, dep_id, verdict)
      events.add(s, t, { event_type = "LOG", deployment_id = dep_id, event_message = "Stack status changed to DEPLOYMENT_FAILED" })
      machine.finish(s, t, "DEPLOYMENT_FAILED", verdict.blocked)
    end)
    return dep_id
  end

  stack.rollback_flags = rollback_flags(result)
  local tally = { added = 0, changed = 0, destroyed = 0 }
  local steps = { prepare_step(dep_id, result, verdict) }
  for _, inst in ipairs(result.instances) do
    if inst.action == "ADD" or inst.action == "UPDATE" then steps[#steps + 1] = change_step(dep_id, inst, tally) end
  end
  for _, r in ipairs(result.deletes) do steps[#steps + 1] = destroy_step(dep_id, r, tally) end
  steps[#steps + 1] = finish_step(dep_id, result, tally)
  machine.start(stack, { kind = "deploy", deployment_id = dep_id, steps = steps }, now)
  return dep_id
end

--- ContinueDeployStack: re-run the failed deployment's template and variables.
function M.continue_deploy(stack, now)
  return M.deploy(stack, stack.last_deploy or { template_body = stack.template_body }, now, { continue = true })
end

--- ContinueRollbackStack: retry the rollback to the last stable state.
function M.continue_rollback(stack, now)
  local dep_id = util.uuid()
  stack.deployments[dep_id] = true
  stack.latest_deployment_id = dep_id
  events.add(stack, now, { event_type = "LOG", deployment_id = dep_id, event_message = "Continued rollback " .. dep_id .. " started" })
  start_rollback(stack, now, dep_id)
  return dep_id
end

-- A deletion refused before any resource changes (prevent_destroy, a FAIL
-- hook): one prepare step that reports (report(s, t)) and ends DELETION_FAILED.
local function refuse_deletion(stack, now, dep_id, text, report)
  prepare_only(stack, "delete", dep_id, now, function(s, t)
    report(s, t)
    machine.finish(s, t, "DELETION_FAILED", text)
  end)
end

-- lifecycle.prevent_destroy: Terraform refuses the whole destroy before
-- touching anything; the first recorded resource that has it, if any
local function guarded_resource(stack, retain)
  for _, r in ipairs(retain and {} or stack.resources) do
    if r.prevent_destroy and not r.failed then return r end
  end
end

-- the refusal of a deletion a prevent_destroy resource blocks
local function refuse_guarded(stack, now, dep_id, guarded)
  local text = "Instance cannot be destroyed; Resource " .. guarded.address .. " has lifecycle.prevent_destroy set," ..
    " but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan," ..
    " either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."
  return refuse_deletion(stack, now, dep_id, text, function(s, t)
    events.add(s, t, { event_type = "ERROR", deployment_id = dep_id, event_message = text,
      resource_type = guarded.type, resource_name = guarded.name, resource_key = guarded.index_key })
  end)
end

-- The last step of a stack deletion: DELETION_COMPLETE, then the stack is gone.
local function remove_stack_step()
  return {
    delay = "rfs_delete", default = 1,
    run = function(s, t)
      machine.finish(s, t, "DELETION_COMPLETE", nil)
      store.remove_stack(s)
    end,
  }
end

--- Delete a stack (S5/S6): DELETION_IN_PROGRESS, one step per resource
-- (unless retain_all_resources), then the stack disappears, or DELETION_FAILED.
function M.delete(stack, now, retain, action)
  local dep_id = util.uuid()
  stack.deployments[dep_id] = true
  stack.status = "DELETION_IN_PROGRESS"
  stack.status_message = nil
  stack.update_t = now
  events.add(stack, now, { event_type = "LOG", deployment_id = dep_id,
    event_message = "Stack deletion started" .. (retain and " (retain_all_resources: cloud resources are kept)" or "") })
  local guarded = guarded_resource(stack, retain)
  if guarded then return refuse_guarded(stack, now, dep_id, guarded) end
  local verdict = hooks.check(stack, action or "DeleteStack", hooks.deletions(stack))
  if verdict.blocked then
    return refuse_deletion(stack, now, dep_id, verdict.blocked, function(s, t)
      hooks.emit(s, t, dep_id, verdict)
    end)
  end
  local steps = {}
  if #verdict.notes > 0 then
    steps[1] = { delay = "rfs_prepare", default = 0, run = function(s, t) hooks.emit(s, t, dep_id, verdict) end }
  end
  if not retain then
    for i = #stack.resources, 1, -1 do
      local r = stack.resources[i]
      if not r.failed then steps[#steps + 1] = destroy_step(dep_id, r) end
    end
  end
  steps[#steps + 1] = remove_stack_step()
  machine.start(stack, { kind = "delete", deployment_id = dep_id, steps = steps }, now)
end

return M
