-- The stack state machine of the RFS emulator (RFS API reference, stack
-- status, https://support.huaweicloud.com/api-aos/): which call is
-- allowed in which status (the documented 403s), and the job runner that
-- moves a stack through DEPLOYMENT_/ROLLBACK_/DELETION_IN_PROGRESS to a
-- terminal status. A job is a list of steps; each step waits
-- emu.config.delay(kind, default) after the previous one finished and is
-- evaluated lazily from timestamps whenever the stack is read (no timers:
-- speed 0 finishes everything on the next read, a later speed change
-- applies to the steps not yet due).

local fail = require("emu.errors").raise
local config = require("emu.config")

local M = {}

--- Every stack status (§7.1).
M.STATUSES = {
  "CREATION_COMPLETE", "DEPLOYMENT_IN_PROGRESS", "DEPLOYMENT_COMPLETE", "DEPLOYMENT_FAILED",
  "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETION_IN_PROGRESS", "DELETION_FAILED",
}

--- True while a deployment, rollback or deletion runs.
function M.busy(stack)
  return stack.status:match("_IN_PROGRESS$") ~= nil
end

--- True in DEPLOYMENT_FAILED, ROLLBACK_FAILED or DELETION_FAILED.
function M.failed(stack)
  return stack.status:match("_FAILED$") ~= nil
end

local refusals = {
  update = { 403, "RF.10012519", "the stack is in status %s and cannot be modified until the current operation finishes" },
  deploy = { 403, "RF.10012519", "the stack is in status %s: a deployment cannot start until the current operation finishes" },
  create_plan = { 403, "RF.10012519", "the stack is in status %s: execution plans cannot be created until the current operation finishes" },
  apply_plan = { 403, "RF.10012542", "the execution plan cannot be applied while the stack is in status %s" },
  delete = { 403, "RF.10012544", "the stack cannot be deleted in status %s" },
}

--- Refuse an action the stack's status does not allow (raises the 403).
-- @param stack the stack record
-- @param action "update", "deploy", "create_plan", "apply_plan", "delete",
--   "continue_deploy", "continue_rollback", "enable_auto_rollback"
function M.check(stack, action)
  local s = stack.status
  if action == "continue_deploy" then
    if s ~= "DEPLOYMENT_FAILED" then
      fail(403, "RF.10012547", "continue-deploy is only allowed in status DEPLOYMENT_FAILED, the stack is in " .. s)
    end
    return
  end
  if action == "continue_rollback" then
    -- [INFERRED] code: the 403 is documented, the code is not
    if s ~= "ROLLBACK_FAILED" then
      fail(403, "RF.10012550", "continue-rollback is only allowed in status ROLLBACK_FAILED, the stack is in " .. s)
    end
    return
  end
  if action == "enable_auto_rollback" then
    if M.failed(stack) then
      fail(403, "RF.10012546", "enable_auto_rollback cannot be turned on in status " .. s)
    end
    return
  end
  local r = refusals[action]
  if r and M.busy(stack) then fail(r[1], r[2], string.format(r[3], s)) end
  if action == "delete" and stack.enable_deletion_protection then
    -- [INFERRED] code: the 403 is documented, the code is not
    fail(403, "RF.10012548", "the stack has deletion protection enabled; turn enable_deletion_protection off first")
  end
end

--- Start a job on a stack at time t.
-- @param job {kind = "deploy"|"rollback"|"delete", deployment_id, steps =
--   {{delay = kind, default = seconds, begin = fn(stack, t)?, run = fn(stack, t)}}}
function M.start(stack, job, t)
  job.i = 1
  job.last_t = t
  stack.job = job
end

--- Finish the current job at time t with a terminal status.
function M.finish(stack, t, status, message)
  stack.status = status
  stack.status_message = message
  stack.update_t = t
  stack.finished_at = t
  stack.job = nil
end

--- Run every step that is due at `now` (lazy progress).
function M.advance(stack, now)
  local guard = 0
  while stack.job and not stack.deleted do
    guard = guard + 1
    if guard > 100000 then break end
    local job = stack.job
    local step = job.steps[job.i]
    if not step then
      stack.job = nil
    else
      local started = true
      if not step.begun then
        step.begun = true
        if step.begin then step.begin(stack, job.last_t) end
        started = stack.job == job
      end
      if started then
        local due = job.last_t + config.delay(step.delay, step.default)
        if due > now then break end
        job.i = job.i + 1
        job.last_t = due
        step.run(stack, due)
        if stack.job == job and job.i > #job.steps then stack.job = nil end
      end
    end
  end
end

return M
