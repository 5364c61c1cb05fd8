-- Waiters: poll a resource until it reaches a wanted state, with a timeout,
-- a polling interval that grows from 1 s to `interval`, an injectable clock
-- and sleep (so tests run instantly), tolerance of transient failures
-- (throttling, 5xx, dropped connections) until the timeout, and progress
-- lines on stderr when stderr is a terminal. The service modules build their
-- wait_* methods on `for_status`.

local core = require("hwcloud.core")
local operation = require("hwcloud.operation")
local clock = require("hwcloud.clock")
local scheduler = require("hwcloud.scheduler")
local numbers = require("hwcloud.numbers")
local keys = require("hwcloud.keys")

local M = {}

--- Defaults: 1200 s timeout (Terraform's 20 minutes), polls at most every
-- 5 s, first poll again after 1 s, a "still waiting" line every 15 s.
M.TIMEOUT = 1200
M.INTERVAL = 5
M.FIRST_INTERVAL = 1
M.HEARTBEAT = 15

--- The default clock (seconds, with fractions when available): hwcloud.clock's,
-- i.e. ngx.now in OpenResty, else hwcloud.core's clock.
M.default_clock = clock.now

--- The default sleep: hwcloud.clock's (ngx.sleep where OpenResty can
-- yield, else a blocking sleep).
M.default_sleep = clock.sleep

--- The options every waiter takes besides the API fields.
M.OPTIONS = { timeout = true, interval = true, clock = true, sleep = true, on_progress = true }

--- The names a waiter or helper accepts: `names` (a set; false values
-- left out), the poll options `M.OPTIONS` and `project_id`.
-- @tparam table names set of the helper's own names
-- @treturn table a new set, for `check_args`
function M.accepts(names)
  local set = { project_id = true }
  for k in pairs(M.OPTIONS) do set[k] = true end
  for k, v in pairs(names) do
    if v then set[k] = true end
  end
  return set
end

--- Check a waiter's argument table: a table, no key outside `accepted` (a
-- typo raises, naming the closest accepted name, before anything else is
-- looked at), the `required` fields non-empty strings.
-- @tparam string name the waiter, e.g. "rfs.wait_stack"
-- @param args what the caller gave
-- @tparam table required list of field names
-- @tparam table accepted set of every accepted name (`M.accepts`)
-- @raise an error of kind "argument" naming the waiter and the field
function M.check_args(name, args, required, accepted)
  local op = { full_name = name }
  if type(args) ~= "table" then
    operation.argument_error(op, nil, "argument table expected, got " .. type(args))
  end
  local bad = keys.unknown(args, accepted)
  if bad ~= nil then
    operation.argument_error(op, type(bad) == "string" and bad or nil, keys.message("field", bad, accepted))
  end
  for _, field in ipairs(required) do
    if type(args[field]) ~= "string" or args[field] == "" then
      operation.argument_error(op, field, field .. " is required")
    end
  end
  for field, kind in pairs({ timeout = "seconds", interval = "positive seconds" }) do
    local why = args[field] ~= nil and numbers.problem(args[field], kind)
    if why then
      operation.argument_error(op, field, field .. " " .. why)
    end
  end
end

--- The `poll` options found in a waiter's argument table.
-- @tparam string name the waiter, e.g. "rfs.wait_stack"
-- @tparam string what what is waited for, e.g. "stack web"
-- @tparam table args the waiter's argument table
-- @treturn table options for `poll` / `for_status`
function M.options(name, what, args)
  local o = { operation = name, what = what }
  for k in pairs(M.OPTIONS) do o[k] = args[k] end
  return o
end

local progress_on

--- Whether default progress lines are printed: HWCLOUD_PROGRESS=1/0 decides
-- when set; otherwise only when stderr is a terminal (core.isatty(2)), and never
-- inside OpenResty. Decided once, on first use.
-- @treturn boolean
function M.progress_enabled()
  if progress_on == nil then
    local env = os.getenv("HWCLOUD_PROGRESS")
    if env == "1" or env == "true" or env == "yes" then
      progress_on = true
    elseif env == "0" or env == "false" or env == "no" or rawget(_G, "ngx") then
      progress_on = false
    else
      progress_on = require("hwcloud.core").isatty(2)
    end
  end
  return progress_on
end

--- Write one progress line to stderr.
-- @tparam string line
function M.say(line)
  io.stderr:write(line, "\n")
end

--- A fresh progress printer: prints the state when it changes, a
-- "still ..." line every `M.HEARTBEAT` seconds, and transient errors.
-- @tparam[opt] function say where lines go (e.g. `print`); without it, lines
--   go to stderr and only when `progress_enabled()`
-- @treturn function(info) (see `poll` for `info`)
function M.progress_printer(say)
  local last_state, last_time
  return function(info)
    local out = say
    if not out then
      if not M.progress_enabled() then return end
      out = M.say
    end
    local secs = string.format("%4d s", math.floor(info.elapsed + 0.5))
    if info.error then
      out(string.format("[%s] %s: %s: retrying after: %s", secs, info.operation, info.what,
        tostring(info.error)))
    elseif info.state ~= last_state then
      out(string.format("[%s] %s: %s", secs, info.what, tostring(info.state)))
      last_state, last_time = info.state, info.elapsed
    elseif info.elapsed - last_time >= M.HEARTBEAT then
      out(string.format("[%s] %s: still %s", secs, info.what, tostring(info.state)))
      last_time = info.elapsed
    end
  end
end

--- Make a waiter error (kind "waiter") without raising it.
-- @tparam string operation e.g. "rfs.wait_stack"
-- @tparam string code the final state (e.g. "DEPLOYMENT_FAILED"), "GONE" or "TIMEOUT"
-- @tparam string message one readable line
-- @tparam[opt] table fields more fields (state, resource, errors, cause, ...)
-- @treturn table an hwcloud.Error
function M.error(operation, code, message, fields)
  local t = { kind = "waiter", code = code, operation = operation, message = operation .. ": " .. message }
  for k, v in pairs(fields or {}) do t[k] = v end
  return core.error(t)
end

--- Join the parts of a failure message with ": ", each fact once: a part
-- that another part already holds (a stack's status_message and the ERROR
-- event saying the same) is left out.
-- @tparam table parts list of strings
-- @treturn string
function M.join_once(parts)
  local out = {}
  for i, p in ipairs(parts) do
    local held = false
    for j, q in ipairs(parts) do
      -- in a longer part, or an equal one earlier
      if j ~= i and q:find(p, 1, true) and (#q > #p or j < i) then
        held = true
        break
      end
    end
    if not held then out[#out + 1] = p end
  end
  return table.concat(out, ": ")
end

--- Whether an error is a 404 from the service.
-- @param err anything raised
-- @treturn boolean
function M.is_not_found(err)
  return core.is_error(err) and err.kind == "http" and err.status == 404
end

--- Whether a polling error is worth another try (throttling, 5xx, network,
-- timeouts: the core's one classification, core.classify).
-- @param err anything raised
-- @treturn boolean
function M.is_transient(err)
  return core.is_error(err) and (core.classify(err)) or false
end

--- What an INTERRUPTED error says last: a waiter stops waiting, it cancels nothing.
M.NOT_CANCELLED = "nothing was cancelled, the server carries on"

--- Whether an error is the interpreter's Ctrl-C ("interrupted!"), see
-- hwcloud.scheduler.is_interrupt.
M.is_interrupt = scheduler.is_interrupt

--- Poll until done.
-- @tparam table o options:
--   `operation` (name for messages), `what` (e.g. "stack web"),
--   `check` (function returning `done, result, state`; may raise),
--   `timeout` (seconds, default 1200), `interval` (longest pause between
--   polls, default 5 s; pauses start at 1 s and double), `clock`, `sleep`
--   (injectable), `on_progress` (function(info) called after every poll with
--   `{operation, what, state, elapsed, error?}`; false for none; default
--   prints to stderr when it is a terminal), `target` (what is awaited, for
--   messages, e.g. "reach DEPLOYMENT_COMPLETE"), `id` (function(result)
--   returning the resource's id, for messages), `gone` (what a 404 raised
--   by `check` means: "success" (done, returns true) or "error" (code
--   "GONE"); without it the 404 is raised as it is).
-- @return the `result` of the check that said done
-- @raise kind "waiter" with code "TIMEOUT" (fields `state`, `timeout`,
--   `elapsed`, `cause` = the last transient error), "GONE" (fields `state`,
--   `elapsed`, `cause` = the 404) or "INTERRUPTED" (Ctrl-C while waiting:
--   fields `state`, `elapsed`, `resource` = the last result; the operation
--   continues on the server); whatever `check` raises that is not transient.
--   The code says what happened, the message the rest, each fact once:
--   "after 12 s waiting for stack web (id ...) to reach DEPLOYMENT_COMPLETE
--   (last state DEPLOYMENT_IN_PROGRESS)".
function M.poll(o)
  local clock = o.clock or M.default_clock
  local sleep = o.sleep or M.default_sleep
  local timeout = o.timeout or M.TIMEOUT
  local interval = o.interval or M.INTERVAL
  local delay = math.min(o.first_interval or M.FIRST_INTERVAL, interval)
  local on_progress = o.on_progress
  if on_progress == nil then on_progress = M.progress_printer() end
  local start = clock()
  local state, last_error, last_result

  -- "after N s waiting for <what> (id X) to <target> (last state S)"
  local function waited(elapsed)
    local id = o.id and last_result ~= nil and o.id(last_result) or nil
    return string.format("after %d s waiting for %s%s%s%s", math.floor(elapsed + 0.5), o.what,
      id and (" (id " .. tostring(id) .. ")") or "", o.target and (" to " .. o.target) or "",
      state ~= nil and (" (last state " .. tostring(state) .. ")") or "")
  end

  local function loop()
    while true do
      local ok, done, result, new_state = pcall(o.check)
      local info
      if ok then
        if done then return result end
        state, last_error, last_result = new_state, nil, result
        info = { state = state }
      elseif M.is_transient(done) then
        last_error = done
        info = { state = state, error = done }
      elseif o.gone == "success" and M.is_not_found(done) then
        return true
      elseif o.gone and M.is_not_found(done) then
        local elapsed = clock() - start
        error(M.error(o.operation, "GONE", waited(elapsed), { state = "GONE", elapsed = elapsed, cause = done }), 0)
      else
        error(done, 0)
      end
      local elapsed = clock() - start
      if on_progress then
        info.operation, info.what, info.elapsed = o.operation, o.what, elapsed
        on_progress(info)
      end
      if elapsed >= timeout then
        error(M.error(o.operation, "TIMEOUT", waited(elapsed),
          { state = state, timeout = timeout, elapsed = elapsed, cause = last_error }), 0)
      end
      sleep(math.min(delay, timeout - elapsed))
      delay = math.min(delay * 2, interval)
    end
  end

  local ok, result = pcall(loop)
  if ok then return result end
  if not M.is_interrupt(result) then error(result, 0) end
  -- Ctrl-C: say what was awaited and that nothing was cancelled, as a
  -- waiter error (its tostring is one line, which lua5.4 prints without a
  -- traceback), and let it stop the script as "interrupted!" would.
  local elapsed = clock() - start
  error(M.error(o.operation, "INTERRUPTED", waited(elapsed) .. "; " .. M.NOT_CANCELLED,
    { state = state, elapsed = elapsed, resource = last_result, cause = result }), 0)
end

local function set(list)
  local s = {}
  if type(list) == "string" then list = { list } end
  for _, v in ipairs(list or {}) do s[v] = true end
  return s
end
M.set = set

--- Wait until a resource read by `get` reaches a success state.
-- @tparam table o everything `poll` takes (except `check`), plus:
--   `get` (function returning the resource; may raise 404),
--   `status` (function(resource) -> state; default `resource.status`),
--   `success` and `failure` (lists of states), `gone` ("success" when a 404
--   means done, as for deletions; else a 404 raises code "GONE"),
--   `after` (function(resource, state) called after each successful read,
--   e.g. to stream events), `details` (function(resource, state) returning
--   why it failed (nil when the resource does not say) and a table of extra
--   error fields, for a failure state); `target` defaults to "reach <success
--   states>" ("be deleted" when gone means done).
-- @return the resource in its success state (true when gone = "success")
-- @raise kind "waiter": code = the failure state (message "<what>: <why>"),
--   "GONE" or "TIMEOUT"
function M.for_status(o)
  local success, failure = set(o.success), set(o.failure)
  local status = o.status or function(r) return type(r) == "table" and r.status or nil end
  local spec = {}
  for k, v in pairs(o) do spec[k] = v end
  spec.gone = o.gone or "error"
  if not spec.target then
    local wanted = {}
    for _, v in ipairs(type(o.success) == "table" and o.success or { o.success }) do wanted[#wanted + 1] = tostring(v) end
    spec.target = o.gone == "success" and "be deleted" or (#wanted > 0 and ("reach " .. table.concat(wanted, " or ")) or nil)
  end
  spec.check = function()
    local r = o.get()
    local state = status(r)
    if o.after then o.after(r, state) end
    if success[state] then return true, r, state end
    if failure[state] then
      -- the code names the state; the message says what failed and why
      local why, fields = nil, {}
      if o.details then why, fields = o.details(r, state) end
      fields = fields or {}
      fields.state, fields.resource = state, r
      error(M.error(o.operation, state, o.what .. ((why and why ~= "") and (": " .. why) or ""), fields), 0)
    end
    return false, r, state
  end
  return M.poll(spec)
end

return M
