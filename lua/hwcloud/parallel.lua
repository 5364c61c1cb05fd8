-- Many calls at once: client:parallel and client:map. Each task is a
-- function run in its own coroutine; at most `concurrency` run at once, the
-- results come back in order as {ok = true, value = ...} or {ok = false,
-- err = ...}. Outside OpenResty the tasks run on hwcloud.scheduler's loop
-- (one libcurl multi handle); inside OpenResty (a phase that can yield) each
-- task is an ngx.thread and the cosocket transport yields by itself. Called
-- from inside a task, the new tasks join the running loop and the caller
-- waits for them.

local core = require "hwcloud.core"
local scheduler = require "hwcloud.scheduler"
local keys = require "hwcloud.keys"

local M = {}

--- Defaults: tasks running at once; connections to one host (libcurl loop).
M.CONCURRENCY = 8
M.MAX_CONCURRENCY = 1000

local OPTIONS = { concurrency = true, fail_fast = true }

local function argerror(fname, message)
  error(core.error({ kind = "argument", message = fname .. ": " .. message }), 0)
end

local function check_opts(fname, opts)
  if opts == nil then return {} end
  if type(opts) ~= "table" then argerror(fname, "opts must be a table") end
  local bad = keys.unknown(opts, OPTIONS)
  if bad ~= nil then argerror(fname, keys.message("option", bad, OPTIONS, "opts.")) end
  local c = opts.concurrency
  if c ~= nil and (type(c) ~= "number" or c < 1 or c ~= math.floor(c) or c > M.MAX_CONCURRENCY) then
    argerror(fname, "opts.concurrency must be an integer from 1 to " .. M.MAX_CONCURRENCY)
  end
  if opts.fail_fast ~= nil and type(opts.fail_fast) ~= "boolean" then
    argerror(fname, "opts.fail_fast must be a boolean")
  end
  return opts
end

-- OpenResty phases in which light threads may run and yield
local NGX_PHASES = { rewrite = true, access = true, content = true, timer = true }

local function ngx_backend()
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and ngx.thread and ngx.get_phase and NGX_PHASES[ngx.get_phase()] then
    return require("hwcloud.parallel_ngx")
  end
  return nil
end

local function run(g)
  local ngx_run = ngx_backend()
  if ngx_run then return ngx_run(g) end
  local task = scheduler.current()
  if task and task.sched.run_group then
    return task.sched:run_group(g, task)
  end
  local sched = scheduler.new({ max_inflight = g.concurrency, max_host_connections = g.concurrency })
  return sched:run_group(g)
end

local function group(fname, n, opts)
  opts = check_opts(fname, opts)
  return { n = n, concurrency = opts.concurrency or M.CONCURRENCY, fail_fast = opts.fail_fast == true,
           fname = fname }
end

--- Run functions at once, at most `concurrency` at a time.
-- @tparam table tasks a list of functions (called without arguments)
-- @tparam[opt] table opts `concurrency` (8), `fail_fast` (false: when true,
--   the first task that raises stops the others: their transfers are
--   cancelled and they end with an error of kind "cancelled")
-- @tparam[opt] string fname name for argument errors
-- @treturn table results in order: `{ok = true, value = first return}` or
--   `{ok = false, err = what it raised}`
-- @treturn number how many failed
-- @raise kind "argument" for a wrong argument
function M.run(tasks, opts, fname)
  fname = fname or "hwcloud.parallel.run"
  if type(tasks) ~= "table" then argerror(fname, "tasks must be a list of functions") end
  local n = #tasks
  for k, f in pairs(tasks) do
    if type(k) ~= "number" or k < 1 or k > n or k ~= math.floor(k) then
      argerror(fname, "tasks must be a list (key " .. tostring(k) .. ")")
    end
    if type(f) ~= "function" then argerror(fname, "tasks[" .. k .. "] must be a function") end
  end
  local g = group(fname, n, opts)
  g.fns = tasks
  return M.count(run(g))
end

--- Call `fn(item, i)` for every item of a list, at once (see `run`).
-- @tparam table list
-- @tparam function fn
-- @tparam[opt] table opts as for `run`
-- @tparam[opt] string fname
-- @treturn table results in order
-- @treturn number how many failed
function M.map(list, fn, opts, fname)
  fname = fname or "hwcloud.parallel.map"
  if type(list) ~= "table" then argerror(fname, "list must be a table") end
  if type(fn) ~= "function" then argerror(fname, "fn must be a function") end
  local g = group(fname, #list, opts)
  local fns = {}
  for i = 1, g.n do fns[i] = fn end
  g.fns, g.items = fns, list
  return M.count(run(g))
end

--- The results and how many failed.
function M.count(results)
  local failed = 0
  for _, r in ipairs(results) do
    if not r.ok then failed = failed + 1 end
  end
  return results, failed
end

return M
