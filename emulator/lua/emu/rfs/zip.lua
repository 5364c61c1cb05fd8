-- Zip archives in the RFS emulator: read the packages of private modules and
-- hook policies (RFS API reference, CreatePrivateHook and CreatePrivateModule,
-- https://support.huaweicloud.com/api-aos/) and .zip templates. Reads
-- the central directory (PKWARE APPNOTE 6.3.x §4.3.12-§4.3.16), "stored"
-- entries directly and "deflate" entries through zlib's raw inflate over
-- LuaJIT's FFI (libz.so.1; without FFI only stored entries are readable).
-- No ZIP64, encryption or multi-disk archives: those count as unreadable.

local M = {}

local function u16(s, i)
  local a, b = s:byte(i, i + 1)
  return a + b * 256
end

local function u32(s, i)
  local a, b, c, d = s:byte(i, i + 3)
  return a + b * 256 + c * 65536 + d * 16777216
end

local inflate_raw
do
  local ok_ffi, ffi = pcall(require, "ffi")
  local z
  if ok_ffi then
    pcall(ffi.cdef, [[
      typedef struct emu_z_stream_s {
        const unsigned char *next_in; unsigned int avail_in; unsigned long total_in;
        unsigned char *next_out; unsigned int avail_out; unsigned long total_out;
        const char *msg; void *state; void *zalloc; void *zfree; void *opaque;
        int data_type; unsigned long adler; unsigned long reserved;
      } emu_z_stream;
      int inflateInit2_(emu_z_stream *strm, int windowBits, const char *version, int stream_size);
      int inflate(emu_z_stream *strm, int flush);
      int inflateEnd(emu_z_stream *strm);
    ]])
    local ok_lib, lib = pcall(ffi.load, "z")
    if not ok_lib then ok_lib, lib = pcall(ffi.load, "libz.so.1") end
    if ok_lib then z = lib end
  end
  if z then
    -- Inflate raw deflate data (no zlib header) of a known output size.
    inflate_raw = function(data, size)
      local strm = ffi.new("emu_z_stream[1]")
      if z.inflateInit2_(strm, -15, "1.2.11", ffi.sizeof("emu_z_stream")) ~= 0 then return nil end
      local out = ffi.new("unsigned char[?]", size + 1)
      strm[0].next_in = data
      strm[0].avail_in = #data
      strm[0].next_out = out
      strm[0].avail_out = size + 1
      local rc = z.inflate(strm, 4) -- Z_FINISH
      local produced = tonumber(strm[0].total_out)
      z.inflateEnd(strm)
      if rc ~= 1 or produced ~= size then return nil end -- Z_STREAM_END
      return ffi.string(out, size)
    end
  end
end

--- True when deflate entries can be read here.
M.can_inflate = inflate_raw ~= nil

--- Read a zip archive.
-- @param s the archive bytes
-- @param limits optional {max_files, max_size} (uncompressed total)
-- @return list of {name, data} in archive order; or nil, reason, kind where
--   kind is "unreadable", "files" or "size"
function M.read(s, limits)
  limits = limits or {}
  if type(s) ~= "string" or #s < 22 then return nil, "not a zip archive", "unreadable" end
  local eocd
  for i = #s - 21, math.max(1, #s - 21 - 65535), -1 do
    if s:sub(i, i + 3) == "PK\5\6" then eocd = i; break end
  end
  if not eocd then return nil, "not a zip archive (no end of central directory)", "unreadable" end
  local count, cd_size, cd_off = u16(s, eocd + 10), u32(s, eocd + 12), u32(s, eocd + 16)
  if cd_off + cd_size > eocd - 1 then return nil, "the central directory lies outside the archive", "unreadable" end
  if limits.max_files and count > limits.max_files then
    return nil, "the archive holds " .. count .. " entries, more than " .. limits.max_files, "files"
  end
  local entries, total, p = {}, 0, cd_off + 1
  for _ = 1, count do
    if s:sub(p, p + 3) ~= "PK\1\2" then return nil, "a central directory entry is damaged", "unreadable" end
    local flags, method = u16(s, p + 8), u16(s, p + 10)
    local csize, usize = u32(s, p + 20), u32(s, p + 24)
    local nlen, xlen, clen = u16(s, p + 28), u16(s, p + 30), u16(s, p + 32)
    local loff = u32(s, p + 42)
    local name = s:sub(p + 46, p + 45 + nlen)
    p = p + 46 + nlen + xlen + clen
    if flags % 2 == 1 then return nil, name .. " is encrypted", "unreadable" end
    if s:sub(loff + 1, loff + 4) ~= "PK\3\4" then return nil, "the local header of " .. name .. " is damaged", "unreadable" end
    local data_at = loff + 31 + u16(s, loff + 27) + u16(s, loff + 29)
    local raw = s:sub(data_at, data_at + csize - 1)
    if #raw ~= csize then return nil, name .. " is truncated", "unreadable" end
    total = total + usize
    if limits.max_size and total > limits.max_size then
      return nil, "the archive unpacks to more than " .. limits.max_size .. " bytes", "size"
    end
    local data
    if method == 0 then
      data = raw
    elseif method == 8 and inflate_raw then
      data = inflate_raw(raw, usize)
      if not data then return nil, name .. " cannot be inflated", "unreadable" end
    else
      return nil, name .. " uses compression method " .. method .. " which the emulator cannot read", "unreadable"
    end
    entries[#entries + 1] = { name = name, data = data }
  end
  return entries
end

return M
