-- client:parallel inside OpenResty: each task runs in an ngx.thread (the
-- cosocket transport and ngx.sleep yield by themselves), the caller waits
-- with ngx.thread.wait for whichever ends first and starts the next. The
-- threads are registered with hwcloud.scheduler, so retries and waiters
-- sleep with ngx.sleep, credentials are fetched once per worker (a flight
-- that other tasks wait for on an ngx.semaphore), and a throttled answer
-- lowers the number of tasks that run at once (halved at most once a
-- second, one more after as many tasks ended as the limit). With fail_fast
-- the first failure kills the other threads (nginx closes their sockets).
-- Used by hwcloud.parallel; needs a phase where light threads may yield.

local scheduler = require "hwcloud.scheduler"

local unpack = table.unpack or unpack
local floor = math.floor

--- How long a task waits for another task's flight (seconds).
local FLIGHT_TIMEOUT = 120

-- owner -> key -> flight, for the whole worker (weak owners)
local flights = setmetatable({}, { __mode = "k" })

local Batch = {}
Batch.__index = Batch

function Batch:sleep(_, seconds)
  ngx.sleep(seconds > 0 and seconds or 0)
end

function Batch:throttled()
  local now = ngx.now()
  if now - self.last_cut >= 1 then
    self.limit = floor(self.limit / 2)
    if self.limit < 1 then self.limit = 1 end
    self.last_cut, self.successes = now, 0
  end
end

local function pack(...)
  return { n = select("#", ...), ... }
end

-- wait for a flight to land; false when its thread died without landing
local function await(f, deadline)
  while f.ok == nil do
    if coroutine.status(f.co) == "dead" then return false end
    if ngx.now() >= deadline then return true end
    f.waiting = f.waiting + 1
    local woke = f.sema:wait(1)
    if not woke then f.waiting = f.waiting - 1 end
  end
  return true
end

function Batch:single_flight(_, owner, key, fn)
  local per = flights[owner]
  if not per then
    per = {}
    flights[owner] = per
  end
  local deadline = ngx.now() + FLIGHT_TIMEOUT
  local f = per[key]
  if f and not await(f, deadline) then
    -- its task was killed (fail_fast): this one flies instead
    if per[key] == f then per[key] = nil end
    f = nil
  end
  if f and f.ok == nil then
    error(scheduler.cancelled_error(self.fname, "waited " .. FLIGHT_TIMEOUT .. " s for another task's " .. key), 0)
  end
  if not f then
    f = { sema = require("ngx.semaphore").new(), waiting = 0, co = coroutine.running() }
    per[key] = f
    local res = pack(pcall(fn))
    if per[key] == f then per[key] = nil end
    if res[1] then f.values = { n = res.n - 1, unpack(res, 2, res.n) } else f.err = res[2] end
    f.ok = res[1]
    if f.waiting > 0 then f.sema:post(f.waiting) end
  end
  if f.ok then return unpack(f.values, 1, f.values.n) end
  error(f.err, 0)
end

-- the body of one task's thread: returns its index and how it ended
local function task_body(batch, g, i)
  local co = coroutine.running()
  scheduler.attach(co, { sched = batch, index = i })
  local ok, v
  if g.items then
    ok, v = pcall(g.fns[i], g.items[i], i)
  else
    ok, v = pcall(g.fns[i])
  end
  scheduler.detach(co)
  return i, ok, v
end

--- Run a group (see hwcloud.parallel) on light threads.
-- @tparam table g `{fns=, items=, n=, concurrency=, fail_fast=, fname=}`
-- @treturn table results in order
return function(g)
  local batch = setmetatable({ limit = g.concurrency, last_cut = -math.huge, successes = 0,
                               fname = g.fname }, Batch)
  local results, threads, running, nxt = {}, {}, {}, 1
  local stopped
  local function start_more()
    while not stopped and #running < batch.limit and nxt <= g.n do
      local t = ngx.thread.spawn(task_body, batch, g, nxt)
      threads[t] = nxt
      running[#running + 1] = t
      nxt = nxt + 1
    end
  end
  start_more()
  while #running > 0 do
    local okw, i, ok, v = ngx.thread.wait(unpack(running))
    if not okw then
      -- the thread itself died (it should not: the task runs under pcall)
      error(i, 0)
    end
    for k, t in ipairs(running) do
      if threads[t] == i then
        table.remove(running, k)
        threads[t] = nil
        break
      end
    end
    results[i] = ok and { ok = true, value = v } or { ok = false, err = v }
    if ok and batch.limit < g.concurrency then
      batch.successes = batch.successes + 1
      if batch.successes >= batch.limit then batch.limit, batch.successes = batch.limit + 1, 0 end
    end
    if not ok and g.fail_fast and not stopped then
      stopped = "task " .. i .. " failed"
      for _, t in ipairs(running) do
        ngx.thread.kill(t)
        results[threads[t]] = { ok = false, err = scheduler.cancelled_error(g.fname, stopped) }
      end
      running = {}
    end
    start_more()
  end
  for i = 1, g.n do
    if not results[i] then
      results[i] = { ok = false, err = scheduler.cancelled_error(g.fname, stopped or "cancelled") }
    end
  end
  return results
end
