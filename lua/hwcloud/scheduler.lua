-- The loop under client:parallel outside OpenResty: every task is a
-- coroutine; one loop resumes them and drives one hwcloud.core multi handle.
-- A task's request (through the curl transport) starts a transfer and yields;
-- a task's sleep (retries, waiters) yields with a timer; a task that needs
-- what another is already fetching (an IAM token, the project id) waits for
-- that one flight. C never calls into Lua: the loop calls multi:perform, which
-- returns the transfers that ended, and resumes their tasks.
--
-- Requests in flight are bounded by a limit that starts at the batch's
-- concurrency, halves (at most once a second) when a request is throttled
-- (the retry layer reports it through `throttled`) and grows back by one after
-- `limit` successful answers (additive increase, multiplicative decrease).
--
-- Ctrl-C ("interrupted!") stops the loop; each task waiting in it sees the
-- interrupt once more, where it waits, so a waiter can say what it was
-- waiting for, and the batch raises what they said as one error.
--
-- Other backends (hwcloud.parallel's OpenResty one) register their tasks with
-- `attach`, so `current`, `sleep`, `single_flight` and `throttled` work the
-- same in them. Nothing here knows about services or retries.

local core = require "hwcloud.core"

local M = {}

local unpack = table.unpack or unpack
local co_close = coroutine.close -- Lua 5.4; LuaJIT drops abandoned coroutines to the GC
local floor = math.floor

-- coroutine -> task; weak keys, so an abandoned coroutine is collected
local task_of = setmetatable({}, { __mode = "k" })

-- what a task yields while it waits for the loop (anything else is a plain
-- yield: the task is resumed at the next turn)
local WAIT = setmetatable({}, { __tostring = function() return "hwcloud.scheduler.WAIT" end })
-- what the loop resumes a waiting task with when Ctrl-C stops the batch
local INTERRUPT = setmetatable({}, { __tostring = function() return "hwcloud.scheduler.INTERRUPT" end })

--- Longest wait of one loop turn, seconds (a Ctrl-C is seen sooner anyway:
-- the signal ends the wait).
M.MAX_WAIT = 1

--- Whether an error is the interpreter's Ctrl-C: lua5.4 and luajit turn
-- SIGINT into the string error "interrupted!" (with or without a position),
-- raised by a hook at the next instruction (lua.c's lstop).
-- @param err anything raised
-- @treturn boolean
function M.is_interrupt(err)
  return type(err) == "string" and err:sub(-12) == "interrupted!"
end

-- Ctrl-C itself, or an error a task made of it (its `cause`, as a waiter's
-- INTERRUPTED error keeps it)
local function from_interrupt(err)
  return M.is_interrupt(err) or (core.is_error(err) and M.is_interrupt(rawget(err, "cause")))
end

--- The running parallel task (`{sched = ..., ...}`), or nil outside one.
-- @treturn table|nil
function M.current()
  local co = coroutine.running()
  return co and task_of[co] or nil
end

--- Register a coroutine as a task of `sched` (used by other backends).
-- @param co a coroutine
-- @tparam table task `{sched = object with sleep/single_flight/throttled}`
function M.attach(co, task)
  task_of[co] = task
end

--- Forget a coroutine registered with `attach`.
function M.detach(co)
  task_of[co] = nil
end

--- Sleep: inside a task, yield to the loop for `seconds`; else nil (the
-- caller sleeps its own way).
-- @tparam number seconds
-- @treturn boolean true when the task slept
function M.sleep(seconds)
  local task = M.current()
  if not task then return false end
  task.sched:sleep(task, seconds)
  return true
end

--- Run `fn()` once for all the tasks that ask for (owner, key) while it runs:
-- the first caller runs it, the others wait and get its results (or raise
-- its error). Outside a task, just `fn()`.
-- @param owner any value (e.g. an auth state); held weakly
-- @tparam string key
-- @tparam function fn
function M.single_flight(owner, key, fn)
  local task = M.current()
  if not task then return fn() end
  return task.sched:single_flight(task, owner, key, fn)
end

--- Tell the running batch that a request was throttled (429 and the
-- throttling codes): it lowers its limit of requests in flight.
function M.throttled()
  local task = M.current()
  if task and task.sched.throttled then task.sched:throttled() end
end

--- The error of a task stopped before it ended.
-- @tparam string fname e.g. "client:parallel"
-- @tparam string why
function M.cancelled_error(fname, why)
  return core.error({ kind = "cancelled", code = "Cancelled", message = fname .. ": " .. why })
end

------------------------------------------------------------------------------

local Sched = {}
Sched.__index = Sched

--- A new loop.
-- @tparam table opts `max_inflight` (limit of requests in flight),
--   `max_host_connections` (the multi's bound), `clock` (seconds)
-- @treturn table scheduler
function M.new(opts)
  return setmetatable({
    ready = {},                 -- tasks to resume at the next turn
    timers = {},                -- task -> wake-up time
    transfers = {},             -- multi transfer id -> task
    inflight = 0,
    limit = opts.max_inflight,
    max_limit = opts.max_inflight,
    successes = 0,
    last_cut = -math.huge,
    gate = {},                  -- tasks waiting for a slot, oldest first
    flights = setmetatable({}, { __mode = "k" }),
    max_host_connections = opts.max_host_connections,
    clock = opts.clock or core.now,
  }, Sched)
end

function Sched:push(task)
  self.ready[#self.ready + 1] = task
end

-- resume a task at the next turn if it still waits for `why` (a wake-up
-- meant for an earlier wait is dropped)
function Sched:wake(task, why)
  if not task.dead and task.waiting == why then
    task.waiting = "woken"
    self:push(task)
  end
end

function Sched:get_multi()
  local m = self.multi
  if not m then
    m = core.multi({ max_host_connections = self.max_host_connections })
    self.multi = m
  end
  return m
end

-- the task waits until the loop wakes it for `why`; when Ctrl-C stops the
-- batch, the interrupt is raised here, inside the task (see Sched:interrupt)
local function wait(task, why)
  task.waiting = why
  local signal, err = coroutine.yield(WAIT)
  task.waiting = nil
  if signal == INTERRUPT then error(err, 0) end
end

local function pack(...)
  return { n = select("#", ...), ... }
end

function Sched:sleep(task, seconds)
  if not (seconds > 0) then seconds = 0 end
  self.timers[task] = self.clock() + seconds
  wait(task, "sleep")
end

-- let waiting tasks take the free slots
function Sched:open_gate()
  while self.inflight < self.limit and #self.gate > 0 do
    local t = table.remove(self.gate, 1)
    if not t.dead then
      self.inflight = self.inflight + 1 -- the slot is the woken task's
      t.has_slot = true
      self:wake(t, "slot")
    end
  end
end

function Sched:throttled()
  local now = self.clock()
  if now - self.last_cut >= 1 then
    local base = self.limit < self.inflight and self.limit or self.inflight
    self.limit = floor(base / 2)
    if self.limit < 1 then self.limit = 1 end
    self.last_cut, self.successes = now, 0
  end
end

function Sched:succeeded()
  if self.limit < self.max_limit then
    self.successes = self.successes + 1
    if self.successes >= self.limit then
      self.limit, self.successes = self.limit + 1, 0
      self:open_gate()
    end
  end
end

--- Send `request` over `session` on the loop's multi (inside a task); the
-- task waits for a slot, then for the answer.
-- @return the response; raises what session:send raises
function Sched:send(task, session, request)
  if self.inflight < self.limit and #self.gate == 0 then
    self.inflight = self.inflight + 1
  else
    self.gate[#self.gate + 1] = task
    wait(task, "slot") -- woken holding a slot
    task.has_slot = nil
  end
  local m = self:get_multi()
  local ok, id = pcall(m.add, m, session, request)
  if not ok then
    self.inflight = self.inflight - 1
    self:open_gate()
    error(id, 0)
  end
  self.transfers[id], task.transfer = task, id
  wait(task, "transfer")
  task.transfer = nil
  self.inflight = self.inflight - 1
  self:open_gate()
  local okt, resp = pcall(m.take, m, id)
  if not okt then error(resp, 0) end
  self:succeeded()
  return resp
end

function Sched:single_flight(task, owner, key, fn)
  local per = self.flights[owner]
  if not per then
    per = {}
    self.flights[owner] = per
  end
  local f = per[key]
  if f then
    f.waiters[#f.waiters + 1] = task
    wait(task, "flight")
  else
    f = { waiters = {} }
    per[key], task.flight = f, f
    local res = pack(pcall(fn))
    self:land(f, res[1], res[1] and { n = res.n - 1, unpack(res, 2, res.n) } or res[2])
    per[key], task.flight = nil, nil
  end
  if f.ok then return unpack(f.values, 1, f.values.n) end
  error(f.err, 0)
end

-- a flight ended (or its task was cancelled): wake everyone waiting for it
function Sched:land(f, ok, v)
  f.ok = ok
  if ok then f.values = v else f.err = v end
  for _, w in ipairs(f.waiters) do self:wake(w, "flight") end
  f.waiters = {}
end

------------------------------------------------------------------------------
-- Groups: the tasks of one parallel call, at most `concurrency` running.

local function result_of(ok, v)
  if ok then return { ok = true, value = v } end
  return { ok = false, err = v }
end

function Sched:spawn(g, i)
  local fn, item = g.fns[i], g.items and g.items[i]
  local co = coroutine.create(function()
    if g.items then return fn(item, i) end
    return fn()
  end)
  local task = { sched = self, co = co, group = g, index = i }
  task_of[co] = task
  g.tasks[i] = task
  g.running = g.running + 1
  self:push(task)
end

function Sched:fill(g)
  while not g.stopped and not g.interrupted and g.running < g.concurrency and g.next <= g.n do
    local i = g.next
    g.next = i + 1
    self:spawn(g, i)
  end
  if g.running == 0 and (g.stopped or g.next > g.n) and not g.done then
    g.done = true
    for i = 1, g.n do
      if not g.results[i] then
        g.results[i] = result_of(false, M.cancelled_error(g.fname, g.why or "cancelled"))
      end
    end
    if g.parent then self:wake(g.parent, "group") end
  end
end

-- free what a task holds in the loop: its transfer, slot and timer
function Sched:release(t)
  if t.transfer then
    self.transfers[t.transfer] = nil
    if self.multi then self.multi:cancel(t.transfer) end
    t.transfer = nil
    self.inflight = self.inflight - 1
  elseif t.has_slot then -- woken with a slot, not yet resumed
    t.has_slot = nil
    self.inflight = self.inflight - 1
  end
  self.timers[t] = nil
end

-- stop a task that has not ended: its transfer, timer, slot, flight, children
function Sched:cancel_task(t, why)
  t.dead = true
  task_of[t.co] = nil
  self:release(t)
  if t.flight then
    self:land(t.flight, false, M.cancelled_error(t.group.fname, why))
  end
  if t.child then self:stop_group(t.child, why) end
  if co_close and coroutine.status(t.co) == "suspended" then co_close(t.co) end
end

function Sched:stop_group(g, why)
  if g.stopped then return end
  g.stopped, g.why = true, why
  for i, t in pairs(g.tasks) do
    g.tasks[i] = nil
    g.running = g.running - 1
    self:cancel_task(t, why)
    g.results[i] = result_of(false, M.cancelled_error(g.fname, why))
  end
  self:open_gate()
  self:fill(g)
end

function Sched:finish(task, ok, v)
  local g = task.group
  task_of[task.co] = nil
  task.dead = true
  g.tasks[task.index] = nil
  g.running = g.running - 1
  g.results[task.index] = result_of(ok, v)
  if not ok and g.fail_fast and not g.stopped and not g.interrupted then
    self:stop_group(g, "task " .. task.index .. " failed")
  else
    self:fill(g)
  end
end

function Sched:resume(task)
  local ok, v = coroutine.resume(task.co)
  if coroutine.status(task.co) == "dead" then
    self:finish(task, ok, v)
    -- Ctrl-C raised inside the task (LuaJIT's hook is global): stop the batch
    if not ok and from_interrupt(v) then error(v, 0) end
  elseif v ~= WAIT then
    self:push(task) -- a yield of the task's own: go on at the next turn
  end
end

-- Ctrl-C: every started task of group `g` that waits for the loop (those of
-- its nested groups first) is resumed once with the interrupt raised where
-- it waits, so that a waiter can say what it waited for; no task starts
-- any more. The errors tasks make of it (not the bare "interrupted!") are
-- added to `made`; a task that goes on waiting is cancelled afterwards
-- (stop_group).
function Sched:interrupt(g, err, made)
  g.interrupted = true
  for i = 1, g.n do
    local t = g.tasks[i]
    if t and t.child then self:interrupt(t.child, err, made) end
    if t and not t.dead and t.waiting then
      self:release(t)
      local ok, v = coroutine.resume(t.co, INTERRUPT, err)
      if coroutine.status(t.co) == "dead" then
        self:finish(t, ok, v)
        if not ok and core.is_error(v) and from_interrupt(v) then made[#made + 1] = v end
      end
    end
  end
end

-- The error a batch stopped by Ctrl-C raises: the interrupt as it came when
-- no task made an error of it; the one a task made; for several, one error
-- of the first one's kind and code naming each, the clause every message
-- ends with (after its last "; ", a waiter's "nothing was cancelled, ...")
-- said once, at the end.
local function interrupt_error(fname, err, made)
  if #made == 0 then return err end
  if #made == 1 then return made[1] end
  local messages = {}
  for i, e in ipairs(made) do messages[i] = tostring(e.message) end
  local tail = messages[1]:match("; ([^;]*)$")
  for _, m in ipairs(messages) do
    if tail and m:sub(-#tail - 2) ~= "; " .. tail then tail = nil end
  end
  for i, m in ipairs(messages) do
    if tail then messages[i] = m:sub(1, -#tail - 3) end
  end
  return core.error({ kind = made[1].kind, code = made[1].code, operation = fname,
                      message = fname .. ": " .. table.concat(messages, "; ") .. (tail and "; " .. tail or ""),
                      errors = made, cause = err })
end

function Sched:fire_timers()
  local now = self.clock()
  local next_at
  for t, at in pairs(self.timers) do
    if at <= now then
      self.timers[t] = nil
      self:wake(t, "sleep")
    elseif not next_at or at < next_at then
      next_at = at
    end
  end
  return next_at
end

-- one turn: resume what is ready, then wait for transfers or the next
-- timer; false when there was nothing to resume or wait for
function Sched:turn()
  local ready = self.ready
  self.ready = {}
  for _, t in ipairs(ready) do
    if not t.dead then self:resume(t) end
  end
  local next_at = self:fire_timers()
  local pause = 0
  if #self.ready == 0 then
    pause = M.MAX_WAIT
    if next_at then
      local d = next_at - self.clock()
      if d < pause then pause = d > 0 and d or 0 end
    end
    if self.inflight == 0 and not next_at then
      return false -- nothing ready, in flight or timed
    end
  end
  local done = self:get_multi():perform(pause)
  for _, id in ipairs(done) do
    local t = self.transfers[id]
    self.transfers[id] = nil
    if t then self:wake(t, "transfer") end
  end
  self:fire_timers()
  return true
end

--- Run the functions of a group to the end on this loop (from outside any
-- task), or, inside a task of this loop, start them and wait.
-- @tparam table g `{fns=, items=, n=, concurrency=, fail_fast=, fname=}`
-- @treturn table results in order
function Sched:run_group(g, parent)
  g.results, g.tasks, g.running, g.next = {}, {}, 0, 1
  g.parent = parent
  if parent then
    parent.child = g
    self:fill(g)
    while not g.done do wait(parent, "group") end
    parent.child = nil
    return g.results
  end
  self:fill(g)
  local ok, err = pcall(function()
    while not g.done do
      if not self:turn() and not g.done then
        error("hwcloud.scheduler: every task waits and nothing can wake one", 0)
      end
    end
  end)
  if not ok then
    -- an error of the loop itself, or Ctrl-C ("interrupted!", or the error
    -- a task made of it): stop every task and transfer, then let it
    -- through, or, for Ctrl-C, what the waiting tasks made of it
    if from_interrupt(err) then
      local made = {}
      if core.is_error(err) then made[1], err = err, err.cause end
      pcall(self.interrupt, self, g, err, made)
      err = interrupt_error(g.fname, err, made)
    end
    pcall(self.stop_group, self, g, "interrupted")
    self:close()
    error(err, 0)
  end
  self:close()
  return g.results
end

--- Close the multi (cancels what still runs). Idempotent.
function Sched:close()
  local m = self.multi
  self.multi = nil
  if m then m:close() end
end

return M
