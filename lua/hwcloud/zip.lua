-- A minimal zip writer: stored (uncompressed) entries with CRC-32, the format
-- RFS module and policy packages need (RFS API reference, CreatePrivateModule; PKWARE
-- APPNOTE 6.3.x §4.3.7, §4.3.12, §4.3.16). Pure Lua in the subset LuaJIT
-- runs: the CRC uses LuaJIT's `bit` library there and Lua 5.4's integer
-- operators otherwise (compiled from a string so LuaJIT never parses them).

local M = {}

-- CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) with a 256-entry
-- table; the loop is compiled with the interpreter's own bit operations
local crc32
do
  local ok, bit = pcall(require, "bit")
  if ok and type(bit) == "table" then
    local bxor, band, rshift = bit.bxor, bit.band, bit.rshift
    local T = {}
    for i = 0, 255 do
      local c = i
      for _ = 1, 8 do
        if band(c, 1) == 1 then c = bxor(0xEDB88320, rshift(c, 1)) else c = rshift(c, 1) end
      end
      T[i] = c
    end
    crc32 = function(s)
      local c = -1
      local byte = string.byte
      for i = 1, #s do c = bxor(T[band(bxor(c, byte(s, i)), 255)], rshift(c, 8)) end
      c = bxor(c, -1)
      if c < 0 then c = c + 4294967296 end
      return c
    end
  else
    crc32 = load([[
      local T = {}
      for i = 0, 255 do
        local c = i
        for _ = 1, 8 do
          if c & 1 == 1 then c = 0xEDB88320 ~ (c >> 1) else c = c >> 1 end
        end
        T[i] = c
      end
      local byte = string.byte
      return function(s)
        local c = 0xFFFFFFFF
        for i = 1, #s do c = T[(c ~ byte(s, i)) & 255] ~ (c >> 8) end
        return c ~ 0xFFFFFFFF
      end
    ]])()
  end
end

--- CRC-32 (IEEE 802.3, as zip uses it) of a string.
-- @tparam string s
-- @treturn integer 0 .. 2^32-1
function M.crc32(s)
  return crc32(s)
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
