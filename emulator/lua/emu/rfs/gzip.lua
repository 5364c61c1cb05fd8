-- gzip for the RFS emulator's base64gzip function, through LuaJIT's FFI into
-- zlib (libz.so.1; the emulator runs under OpenResty's LuaJIT). The member
-- has the header Go's compress/gzip writes for Terraform (RFC 1952: no name,
-- modification time 0, XFL 0, OS 255 "unknown"); the deflate data comes from
-- zlib's compress2 at level 6, Go's default level, so it inflates to the same
-- bytes though the compressed bytes may differ from Go's encoder.
-- (https://developer.hashicorp.com/terraform/language/functions/base64gzip)

local M = {}

local native = require("emu.rfs.native")
local ffi = native.ffi

local DECLS = {
  "unsigned long compressBound(unsigned long sourceLen);",
  "int compress2(unsigned char *dest, unsigned long *destLen, const unsigned char *source, unsigned long sourceLen, int level);",
  "unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);",
}

local function le32(n)
  return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256, math.floor(n / 16777216) % 256)
end

--- The gzip member of a string, or nil, message when zlib is out of reach.
function M.gzip(s)
  local z, why = native.load("zlib", { "z", "libz.so.1" }, DECLS)
  if not z then return nil, why end
  local cap = tonumber(z.compressBound(#s))
  local buf = ffi.new("unsigned char[?]", cap)
  local len = ffi.new("unsigned long[1]", cap)
  if z.compress2(buf, len, s, #s, 6) ~= 0 then return nil, "zlib compress2 failed" end
  -- compress2 writes a zlib stream: a 2-byte header, raw deflate, a 4-byte Adler-32
  local raw = ffi.string(buf + 2, tonumber(len[0]) - 6)
  local crc = tonumber(z.crc32(0, s, #s))
  return "\31\139\8\0\0\0\0\0\0\255" .. raw .. le32(crc) .. le32(#s % 4294967296)
end

return M
