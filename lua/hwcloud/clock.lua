-- Time for the Lua layer: the default clock and sleep a client, its
-- retries and its waiters use, and the date arithmetic that Retry-After
-- (RFC 9110 section 10.2.3: seconds or an HTTP-date) and IAM's token expiry
-- (ISO 8601) need. Inside a task of client:parallel the default sleep
-- yields to the batch's loop (hwcloud.scheduler); inside OpenResty the clock
-- is ngx.now and the sleep ngx.sleep where the phase can yield.

local scheduler = require "hwcloud.scheduler"

local M = {}

local floor = math.floor

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

--- Parse an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, and the obsolete
-- RFC 850 form with a two-digit year).
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

return M
