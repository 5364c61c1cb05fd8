-- Private hooks taking effect on stacks (RFS API reference,
-- private hooks, https://support.huaweicloud.com/api-aos/): before any
-- resource is touched by CreateStack, DeployStack, ContinueDeployStack,
-- CreateExecutionPlan, ApplyExecutionPlan, DeleteStack and
-- DeleteStackEnhanced, every hook of the stack's account + region whose
-- target_stacks is ALL evaluates its default version (emu.rfs.rego) over
-- an input document shaped like Terraform's JSON plan; hooks run oldest
-- first. A failed FAIL-mode hook blocks the run (ERROR event naming the
-- hook and why); a failed WARN-mode hook writes a LOG event only.

local json = require("emu.json")
local registry = require("emu.rfs.registry")
local rego = require("emu.rfs.rego")
local events = require("emu.rfs.events")
local plain = require("emu.rfs.plain").value

local M = {}

--- The message of a failed hook without err_msg (RFS API reference, private hooks).
M.DEFAULT_MESSAGE = "private hook validation failed"

local ACTIONS = { ADD = "create", UPDATE = "update", NONE = "no-op" }

local function change(r, actions, before, after)
  local mode = r.mode == "DATA" and "data" or "managed"
  return {
    address = r.address, type = r.type, name = r.name, index = r.index_key or json.null,
    mode = mode, module_address = r.module_address, actions = json.array(actions),
    before = before ~= nil and plain(before) or json.null, after = after ~= nil and plain(after) or json.null,
  }
end

--- The resource changes of an engine run (managed resources in template
-- order, then the deletions).
function M.changes(result)
  local out = json.array()
  for _, inst in ipairs(result.instances) do
    if inst.mode ~= "DATA" then
      out[#out + 1] = change(inst, { ACTIONS[inst.action] or "no-op" }, inst.prev and inst.prev.config, inst.config)
    end
  end
  for _, r in ipairs(result.deletes) do out[#out + 1] = change(r, { "delete" }, r.config, nil) end
  return out
end

--- The resource changes of deleting a whole stack.
function M.deletions(stack)
  local out = json.array()
  for i = #stack.resources, 1, -1 do
    local r = stack.resources[i]
    out[#out + 1] = change(r, { "delete" }, r.config, nil)
  end
  return out
end

--- The input document of a hook (emulator/README.md "Private hooks in deployments").
function M.input(stack, action, changes)
  return {
    action = action,
    stack = { stack_name = stack.stack_name, stack_id = stack.stack_id, project_id = stack.project_id, region = stack.region },
    plan = { resource_changes = changes },
  }
end

--- Evaluate the account's hooks for a run.
-- @param stack the stack record (its domain_id and region pick the hooks)
-- @param action the API name (CreateStack, DeployStack, ...)
-- @param changes resource changes (M.changes / M.deletions)
-- @return verdict {blocked = message or nil, notes = {{event_type, event_message}}}
function M.check(stack, action, changes)
  local verdict = { notes = {} }
  if not stack.domain_id or not stack.region then return verdict end
  local input
  for _, hook in ipairs(registry.all("hook", stack.domain_id, stack.region)) do
    local cfg = hook.configuration
    local v = hook.by_version[hook.default_version]
    if cfg.target_stacks == "ALL" and v then
      input = input or M.input(stack, action, changes)
      local r = rego.evaluate(v.content.compiled, input)
      if not r.is_passed then
        local why = r.err_msg or M.DEFAULT_MESSAGE
        local who = "private hook " .. hook.name .. " (version " .. v.version .. ", failure_mode " .. cfg.failure_mode .. ")"
        if cfg.failure_mode == "FAIL" then
          local text = "The " .. who .. " rejected " .. action .. ": " .. why
          verdict.notes[#verdict.notes + 1] = { event_type = "ERROR", event_message = text }
          verdict.blocked = verdict.blocked or text
        else
          verdict.notes[#verdict.notes + 1] = { event_type = "LOG",
            event_message = "Warning: the " .. who .. " did not pass " .. action .. ": " .. why }
        end
      end
    end
  end
  return verdict
end

--- Write a verdict's events on a stack.
function M.emit(stack, t, dep_id, verdict)
  for _, n in ipairs(verdict.notes) do
    events.add(stack, t, { event_type = n.event_type, event_message = n.event_message, deployment_id = dep_id })
  end
end

return M
