-- The retry policy: which failures are worth another attempt, how long to
-- wait before it, and the loop that runs the attempts. Which failures are
-- retryable is the core's one classification (core.classify: throttling,
-- 500/502/503/504, connection failures); they are retried with exponential
-- backoff and full jitter, honouring Retry-After, at most max_retries times,
-- and only where repeating the request is safe: GET, HEAD, PUT, DELETE and
-- OPTIONS always; POST and PATCH only on answers that mean nothing was done
-- (throttling, or a connection that could not be opened). Clock, sleep and
-- random are injected, so tests run without waiting (the defaults and the
-- date arithmetic are hwcloud.clock's). Inside a task of client:parallel a
-- throttled answer is reported to the batch (hwcloud.scheduler).

local core = require "hwcloud.core"
local scheduler = require "hwcloud.scheduler"
local clock = require "hwcloud.clock"
local headers = require "hwcloud.headers"
local text = require "hwcloud.text"

local M = {}

--- Defaults of the policy (seconds).
M.DEFAULTS = {
  max_retries = 3,     -- retries after the first attempt
  base_delay = 0.5,    -- first backoff ceiling, doubled on every retry
  max_delay = 20,      -- ceiling of one backoff
  max_retry_after = 60, -- a longer Retry-After is not waited for: the error is raised
}

-- methods that may be repeated after any retryable failure
M.IDEMPOTENT = { GET = true, HEAD = true, PUT = true, DELETE = true, OPTIONS = true }

--- The wait a failure asks for through its Retry-After header.
-- @tparam table err the error (its `headers` are read)
-- @tparam[opt] number now current time in seconds since the epoch (for HTTP-dates)
-- @treturn number|nil seconds (never negative)
function M.retry_after(err, now)
  local v = headers.get(err.headers, "Retry-After")
  if type(v) == "number" then
    return v > 0 and v or 0
  end
  if type(v) ~= "string" then
    return nil
  end
  v = text.trim(v)
  local n = tonumber(v)
  if n then
    return n > 0 and n or 0
  end
  local t = clock.parse_http_date(v)
  if t and now then
    local d = t - now
    return d > 0 and d or 0
  end
  return nil
end

--- Whether a failure is throttling (the server refused before doing anything).
-- @tparam table err
-- @treturn boolean
function M.is_throttled(err)
  return select(2, core.classify(err)) == "throttled"
end

--- Decide whether a failed attempt may be retried.
-- @tparam table err the error raised by the attempt
-- @tparam string method HTTP method of the request (upper case)
-- @tparam[opt] boolean idempotent treat the request as safe to repeat
--   (overrides the method rule, e.g. for IAM token requests)
-- @treturn boolean retry or not
-- @treturn string reason: core.classify's ("throttled", "server", "network",
--   "not-sent" or why not: "not an hwcloud error", "tls", "client error"...)
--   or "unsafe method"
function M.classify(err, method, idempotent)
  local retryable, reason, nothing_done = core.classify(err)
  if not retryable then
    return false, reason
  end
  local safe = idempotent
  if safe == nil then
    safe = M.IDEMPOTENT[method] == true
  end
  if safe or nothing_done then
    return true, reason
  end
  return false, "unsafe method"
end

--- Backoff before retry number `n` (1 for the first retry): full jitter,
-- a random wait between 0 and min(max_delay, base_delay * 2^(n-1)).
-- @tparam number n retry number, from 1
-- @tparam[opt] table policy `{base_delay=, max_delay=, random=}`
-- @treturn number seconds
function M.backoff(n, policy)
  policy = policy or {}
  local base = policy.base_delay or M.DEFAULTS.base_delay
  local cap = policy.max_delay or M.DEFAULTS.max_delay
  local ceiling = base * 2 ^ (n - 1)
  if ceiling > cap then
    ceiling = cap
  end
  local random = policy.random or math.random
  return ceiling * random()
end

--- Go on after attempt `n` failed with `err`: wait and run `attempt` again
-- until it succeeds, fails for good or runs out of retries. A caller that
-- made the first attempt itself (the client: no policy table, no closure
-- while nothing fails) hands its failure here.
-- @tparam table policy as for `run`
-- @tparam function attempt `attempt(n)` returns the result or raises
-- @tparam number n the number of the attempt that failed
-- @param err what it raised
-- @return as `run`
function M.resume(policy, attempt, n, err)
  local max_retries = policy.max_retries or M.DEFAULTS.max_retries
  local max_retry_after = policy.max_retry_after or M.DEFAULTS.max_retry_after
  while true do
    local retry, reason = M.classify(err, policy.method, policy.idempotent)
    if reason == "throttled" then
      scheduler.throttled()
    end
    local wait
    if retry and n > max_retries then
      retry = false
    end
    if retry then
      -- Retry-After, when the server sent one, replaces the backoff
      local ra = M.retry_after(err, policy.clock and policy.clock() or nil)
      if ra == nil then
        wait = M.backoff(n, policy)
      elseif ra > max_retry_after then
        retry = false
      else
        wait = ra
      end
    end
    if not retry then
      if type(err) == "table" and type(err.kind) == "string" then
        err.attempts = n
      end
      error(err, 0)
    end
    if policy.on_retry then
      policy.on_retry(err, n, wait, reason)
    end
    if wait > 0 and policy.sleep then
      policy.sleep(wait)
    end
    n = n + 1
    local ok, res = pcall(attempt, n)
    if ok then
      return res, n
    end
    err = res
  end
end

--- Run `attempt` until it succeeds, fails for good or runs out of retries.
-- @tparam table policy `{max_retries=, base_delay=, max_delay=,
--   max_retry_after=, method=, idempotent=, sleep = fn(seconds),
--   clock = fn() -> seconds since the epoch, random = fn() -> [0,1),
--   on_retry = fn(err, n, wait, reason)}`
-- @tparam function attempt `attempt(n)` returns the result or raises
-- @return what the successful attempt returned and the number of attempts;
--   raises the last error with its `attempts` field set (for hwcloud errors)
function M.run(policy, attempt)
  local ok, res = pcall(attempt, 1)
  if ok then
    return res, 1
  end
  return M.resume(policy, attempt, 1, res)
end

return M
