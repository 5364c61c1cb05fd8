-- A minimal zip writer: stored (uncompressed) entries with CRC-32, the format
-- RFS module and policy packages need (rfs-private.md §5.3 M1; PKWARE
-- APPNOTE 6.3.x §4.3.7, §4.3.12, §4.3.16). Pure Lua in the subset LuaJIT
-- runs: the CRC uses LuaJIT's `bit` library there and Lua 5.4's integer
-- operators otherwise (compiled from a string so LuaJIT never parses them).

local M = {}

local bxor, band, rshift
do
  local ok, bit = pcall(require, "bit")
  if ok and type(bit) == "table" then
    bxor, band, rshift = bit.bxor, bit.band, bit.rshift
  else
    bxor, band, rshift = load("return function(a, b) return a ~ b end, function(a, b) return a & b end, "
      .. "function(a, n) return a >> n end")()
  end
end

local TABLE
local function crc_table()
  local t = {}
  for i = 0, 255 do
    local c = i
    for _ = 1, 8 do
      if band(c, 1) == 1 then c = bxor(0xEDB88320, rshift(c, 1)) else c = rshift(c, 1) end
    end
    t[i] = c
  end
  return t
end

--- CRC-32 (IEEE 802.3, as zip uses it) of a string.
-- @tparam string s
-- @treturn integer 0 .. 2^32-1
function M.crc32(s)
  TABLE = TABLE or crc_table()
  local c = 0xFFFFFFFF
  for i = 1, #s do
    c = bxor(TABLE[band(bxor(c, s:byte(i)), 255)], rshift(c, 8))
  end
  c = bxor(c, 0xFFFFFFFF)
  if c < 0 then c = c + 4294967296 end
  return c
end

local function le(n, bytes)
  local out = {}
  for i = 1, bytes do
    out[i] = string.char(n % 256)
    n = math.floor(n / 256)
  end
  return table.concat(out)
end

-- MS-DOS time and date of 1980-01-01 00:00 (fixed, so the same files give
-- the same archive).
local DOS_TIME, DOS_DATE = le(0, 2), le(33, 2)

--- Build a zip archive of stored entries.
-- @tparam table entries list of `{name = "main.tf", data = "..."}`; names
--   use "/" and are stored as given (UTF-8)
-- @treturn string the archive bytes
-- @raise an argument error for a bad entry or an archive over 4 GiB
function M.build(entries)
  if type(entries) ~= "table" then error("hwcloud.zip.build: bad argument #1 'entries' (table expected)", 2) end
  local parts, central, offset = {}, {}, 0
  for i, e in ipairs(entries) do
    if type(e) ~= "table" or type(e.name) ~= "string" or e.name == "" or type(e.data) ~= "string" then
      error("hwcloud.zip.build: bad argument #1 'entries' (entry " .. i .. " needs a name and data string)", 2)
    end
    local crc, size = le(M.crc32(e.data), 4), le(#e.data, 4)
    -- version 2.0, flag bit 11: the name is UTF-8, method 0: stored
    local common = le(20, 2) .. le(2048, 2) .. le(0, 2) .. DOS_TIME .. DOS_DATE .. crc .. size .. size
      .. le(#e.name, 2) .. le(0, 2)
    local lh = "PK\3\4" .. common .. e.name
    parts[#parts + 1] = lh
    parts[#parts + 1] = e.data
    central[#central + 1] = "PK\1\2" .. le(20, 2) .. common .. le(0, 2) .. le(0, 2) .. le(0, 2) .. le(0, 4)
      .. le(offset, 4) .. e.name
    offset = offset + #lh + #e.data
    if offset >= 4294967295 then error("hwcloud.zip.build: the archive would exceed 4 GiB", 2) end
  end
  local cd = table.concat(central)
  parts[#parts + 1] = cd
  parts[#parts + 1] = "PK\5\6" .. le(0, 2) .. le(0, 2) .. le(#entries, 2) .. le(#entries, 2)
    .. le(#cd, 4) .. le(offset, 4) .. le(0, 2)
  return table.concat(parts)
end

return M
