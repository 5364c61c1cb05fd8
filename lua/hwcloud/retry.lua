-- The retry policy: which failures are worth another attempt, how long to
-- wait before it, and the loop that runs the attempts. Which failures are
-- retryable is the core's one classification (core.classify: throttling,
-- 500/502/503/504, connection failures); they are retried with exponential
-- backoff and full jitter, honouring Retry-After, at most max_retries times,
-- and only where repeating the request is safe: GET, HEAD, PUT, DELETE and
-- OPTIONS always; POST and PATCH only on answers that mean nothing was done
-- (throttling, or a connection that could not be opened). Clock, sleep and
-- random are injected, so tests run without waiting. Also holds the small
-- date arithmetic that Retry-After (and token expiry) parsing needs.
-- Inside a task of client:parallel the default sleep yields to the loop, and
-- a throttled answer is reported to the batch (hwcloud.scheduler).

local core = require "hwcloud.core"
local scheduler = require "hwcloud.scheduler"

local text = require "hwcloud.text"

local M = {}

local floor = math.floor

--- Defaults of the policy (seconds).
M.DEFAULTS = {
  max_retries = 3,     -- retries after the first attempt
  base_delay = 0.5,    -- first backoff ceiling, doubled on every retry
  max_delay = 20,      -- ceiling of one backoff
  max_retry_after = 60, -- a longer Retry-After is not waited for: the error is raised
}

-- methods that may be repeated after any retryable failure
M.IDEMPOTENT = { GET = true, HEAD = true, PUT = true, DELETE = true, OPTIONS = true }

--- Seconds since the epoch of a UTC calendar time (like C's timegm).
-- @tparam number y year
-- @tparam number mo month 1-12
-- @tparam number d day 1-31
-- @tparam[opt=0] number h hour
-- @tparam[opt=0] number mi minute
-- @tparam[opt=0] number s second (fractions allowed)
-- @treturn number
function M.timegm(y, mo, d, h, mi, s)
  -- days from civil (Howard Hinnant's algorithm)
  if mo <= 2 then
    y = y - 1
  end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (mo + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + (h or 0) * 3600 + (mi or 0) * 60 + (s or 0)
end

local MONTHS = { jan = 1, feb = 2, mar = 3, apr = 4, may = 5, jun = 6,
                 jul = 7, aug = 8, sep = 9, oct = 10, nov = 11, dec = 12 }

--- Parse an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`).
-- @tparam string s
-- @treturn number|nil seconds since the epoch
function M.parse_http_date(s)
  if type(s) ~= "string" then
    return nil
  end
  local d, mon, y, h, mi, sec = s:match("(%d%d?)[ %-](%a%a%a)[ %-](%d%d%d?%d?) (%d%d):(%d%d):(%d%d)")
  if not d then
    return nil
  end
  local mo = MONTHS[mon:lower()]
  if not mo then
    return nil
  end
  y = tonumber(y)
  if y < 100 then
    y = y + (y < 70 and 2000 or 1900)
  end
  return M.timegm(y, mo, tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

--- Parse an ISO 8601 / RFC 3339 UTC timestamp (`2020-01-04T09:05:22.701000Z`,
-- an offset like `+08:00` is applied).
-- @tparam string s
-- @treturn number|nil seconds since the epoch (fractions kept)
function M.parse_iso8601(s)
  if type(s) ~= "string" then
    return nil
  end
  local y, mo, d, h, mi, sec, rest = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d):(%d%d%.?%d*)(.*)$")
  if not y then
    return nil
  end
  local t = M.timegm(tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
  local sign, oh, om = rest:match("^([+-])(%d%d):?(%d%d)$")
  if sign then
    local off = tonumber(oh) * 3600 + tonumber(om) * 60
    t = (sign == "+") and (t - off) or (t + off)
  elseif rest ~= "" and rest ~= "Z" and rest ~= "z" then
    return nil
  end
  return t
end

-- case-insensitive header lookup on a plain map, a case-insensitive map or
-- a list of {name, value} pairs
local function header(headers, name)
  if type(headers) ~= "table" then
    return nil
  end
  local v = headers[name]
  if v == nil then
    v = headers[name:lower()]
  end
  if v ~= nil then
    return v
  end
  local lname = name:lower()
  for k, val in pairs(headers) do
    if type(k) == "string" and k:lower() == lname then
      return val
    elseif type(val) == "table" and type(val[1]) == "string" and val[1]:lower() == lname then
      return val[2]
    end
  end
  return nil
end
M.header = header

--- The wait a failure asks for through its Retry-After header.
-- @tparam table err the error (its `headers` are read)
-- @tparam[opt] number now current time in seconds since the epoch (for HTTP-dates)
-- @treturn number|nil seconds (never negative)
function M.retry_after(err, now)
  local v = header(err.headers, "Retry-After")
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
  local t = M.parse_http_date(v)
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

-- OpenResty phases in which ngx.sleep may yield
local YIELDABLE = { rewrite = true, server_rewrite = true, access = true, content = true,
                    timer = true, ssl_cert = true, ssl_session_fetch = true,
                    ssl_client_hello = true, preread = true }

--- The default clock: seconds since the epoch, with fractions (ngx.now
-- inside OpenResty, else hwcloud.core's clock).
-- @treturn number
function M.now()
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and ngx.now then
    return ngx.now()
  end
  return require("hwcloud.core").now()
end

--- The default sleep. Inside a task of client:parallel it yields to the
-- batch's loop; inside OpenResty, in a phase that can yield, it is ngx.sleep
-- (the worker keeps serving); elsewhere hwcloud.core's blocking sleep.
-- @tparam number seconds
function M.sleep(seconds)
  if seconds <= 0 or scheduler.sleep(seconds) then
    return
  end
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and ngx.sleep and ngx.get_phase and YIELDABLE[ngx.get_phase()] then
    return ngx.sleep(seconds)
  end
  return require("hwcloud.core").sleep(seconds)
end

--- Run `attempt` until it succeeds, fails for good or runs out of retries.
-- @tparam table policy `{max_retries=, base_delay=, max_delay=,
--   max_retry_after=, method=, idempotent=, sleep = fn(seconds),
--   clock = fn() -> seconds since the epoch, random = fn() -> [0,1),
--   on_retry = fn(err, n, wait, reason)}`
-- @tparam function attempt `attempt(n)` returns the result or raises
-- @return what the successful attempt returned; raises the last error with
--   its `attempts` field set (for hwcloud errors)
function M.run(policy, attempt)
  local max_retries = policy.max_retries or M.DEFAULTS.max_retries
  local max_retry_after = policy.max_retry_after or M.DEFAULTS.max_retry_after
  local n = 0
  while true do
    n = n + 1
    local ok, res = pcall(attempt, n)
    if ok then
      return res, n
    end
    local err = res
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
  end
end

return M
