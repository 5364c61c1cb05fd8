-- Small helpers shared by the emulator's modules: random ids (UUIDs, 32-hex
-- request ids), timestamps in the formats Huawei's APIs use, a request
-- header's value, string trimming, UTF-8 encoding and copies. Nothing here keeps state
-- besides the random seed.

local clock = require "emu.clock"

local util = {}

local seeded = false
local function seed()
  if seeded then return end
  seeded = true
  math.randomseed(math.floor(clock.real() * 1000) + (ngx and ngx.worker.pid() or 0))
end

--- n random lower-case hex characters.
function util.hex(n)
  seed()
  local out = {}
  for i = 1, n do out[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(out)
end

--- A random version-4 UUID.
function util.uuid()
  local h = util.hex(32)
  local variant = string.format("%x", 8 + math.random(0, 3))
  return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-4" .. h:sub(14, 16) .. "-"
    .. variant .. h:sub(18, 20) .. "-" .. h:sub(21, 32)
end

--- A request id: 32 lower-case hex characters.
function util.request_id()
  return util.hex(32)
end

--- UTC `YYYY-MM-DDTHH:MM:SSZ` (VPCEP, RFS).
function util.iso(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t))
end

-- UTC with `digits` decimals of the second
local function iso_fraction(t, digits)
  local whole = math.floor(t)
  return os.date("!%Y-%m-%dT%H:%M:%S", whole) ..
    string.format(".%0" .. digits .. "dZ", math.floor((t - whole) * 10 ^ digits))
end

--- UTC with milliseconds `YYYY-MM-DDTHH:MM:SS.fffZ` (RFS stack sets and private registries).
function util.iso_ms(t)
  return iso_fraction(t, 3)
end

--- UTC with microseconds `YYYY-MM-DDTHH:MM:SS.ffffffZ` (IAM).
function util.iso_micro(t)
  return iso_fraction(t, 6)
end

--- Parse `YYYY-MM-DDTHH:MM:SS[.fff]Z` into epoch seconds (nil when malformed).
function util.parse_iso(s)
  if type(s) ~= "string" then return nil end
  local y, mo, d, h, mi, sec = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d):(%d%d)")
  if not y then return nil end
  return util.timegm(tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

--- Seconds since the epoch for a UTC calendar time (no time zone games).
function util.timegm(y, mo, d, h, mi, s)
  local a = math.floor((14 - mo) / 12)
  local yy = y + 4800 - a
  local m = mo + 12 * a - 3
  local jdn = d + math.floor((153 * m + 2) / 5) + 365 * yy + math.floor(yy / 4)
    - math.floor(yy / 100) + math.floor(yy / 400) - 32045
  return (jdn - 2440588) * 86400 + h * 3600 + mi * 60 + s
end

--- The value of a header (`name` lower-case) in a table from
-- ngx.req.get_headers: the first one when it is repeated; nil when absent.
function util.header(headers, name)
  local v = headers and headers[name]
  if type(v) == "table" then return v[1] end
  return v
end

--- Trim characters of one class at both ends (default spaces and tabs), in
-- linear time: an unanchored "%s+$" or "^%s*(.-)%s*$" rescans every inner run
-- of spaces and is quadratic in it (issue 7, finding 4).
-- @param s the string
-- @param class one Lua pattern item for a character, e.g. "%s" or "[ \t]"
-- @param side "left", "right" or nil (both)
function util.trim(s, class, side)
  class = class or "[ \t]"
  local first, last = 1, #s
  if side ~= "right" then first = s:match("^" .. class .. "*()") end
  if side ~= "left" then
    local one = "^" .. class
    while last >= first and s:find(one, last) do last = last - 1 end
  end
  return s:sub(first, last)
end

--- The UTF-8 bytes of a Unicode code point (the \u escapes of JSON and HCL).
function util.utf8_char(cp)
  if cp < 0x80 then return string.char(cp) end
  if cp < 0x800 then return string.char(0xC0 + math.floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then
    return string.char(0xE0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  return string.char(0xF0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64,
    0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
end

--- Reverse a list in place and return it (collecting at the end and
-- reversing once is linear; table.insert(t, 1, x) per item is quadratic).
function util.reverse(t)
  local i, j = 1, #t
  while i < j do
    t[i], t[j] = t[j], t[i]
    i, j = i + 1, j - 1
  end
  return t
end

--- Sort records in place by a numeric time field, ties by a sequence field
-- (creation order), newest first unless `asc`; returns the list.
function util.sort_by_time(list, tfield, seqfield, asc)
  table.sort(list, function(a, b)
    if a[tfield] ~= b[tfield] then
      if asc then return a[tfield] < b[tfield] end
      return a[tfield] > b[tfield]
    end
    local x, y = a[seqfield] or 0, b[seqfield] or 0
    if asc then return x < y end
    return x > y
  end)
  return list
end

--- Remove `item` (by identity) from a list; true when it was there.
function util.remove(list, item)
  for i, x in ipairs(list) do
    if x == item then
      table.remove(list, i)
      return true
    end
  end
  return false
end

--- Shallow copy of a table.
function util.copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

--- Deep copy (tables only; metatables kept).
function util.deepcopy(v)
  if type(v) ~= "table" then return v end
  local c = {}
  for k, x in pairs(v) do c[k] = util.deepcopy(x) end
  return setmetatable(c, getmetatable(v))
end

return util
