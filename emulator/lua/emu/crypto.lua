-- SHA-256 and HMAC-SHA256 for the emulator's signature checks, through
-- LuaJIT's FFI straight into OpenSSL's libcrypto (Debian's nginx has no
-- lua-resty-string). Only what request verification needs: hex digests.

local ffi = require "ffi"

local crypto = {}

pcall(ffi.cdef, [[
typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;
const EVP_MD *EVP_sha256(void);
int EVP_Digest(const void *data, size_t count, unsigned char *md,
               unsigned int *size, const EVP_MD *type, ENGINE *impl);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const unsigned char *d, size_t n, unsigned char *md,
                    unsigned int *md_len);
]])

local lib
local function load()
  if lib then return lib end
  local names = { "crypto", "libcrypto.so.3", "libcrypto.so" }
  local last
  for _, name in ipairs(names) do
    local ok, l = pcall(ffi.load, name)
    if ok then lib = l return lib end
    last = l
  end
  error("emu.crypto: cannot load libcrypto: " .. tostring(last), 0)
end

local md_buf = ffi.new("unsigned char[64]")
local len_buf = ffi.new("unsigned int[1]")

local function tohex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
crypto.tohex = tohex

--- Raw SHA-256 digest (32 bytes) of a string.
function crypto.sha256(s)
  local l = load()
  if l.EVP_Digest(s, #s, md_buf, len_buf, l.EVP_sha256(), nil) ~= 1 then
    error("emu.crypto: EVP_Digest failed", 0)
  end
  return ffi.string(md_buf, len_buf[0])
end

--- Lower-case hex SHA-256 of a string.
function crypto.sha256_hex(s)
  return tohex(crypto.sha256(s))
end

--- Raw HMAC-SHA256 (32 bytes).
function crypto.hmac_sha256(key, data)
  local l = load()
  if l.HMAC(l.EVP_sha256(), key, #key, data, #data, md_buf, len_buf) == nil then
    error("emu.crypto: HMAC failed", 0)
  end
  return ffi.string(md_buf, len_buf[0])
end

--- Lower-case hex HMAC-SHA256.
function crypto.hmac_sha256_hex(key, data)
  return tohex(crypto.hmac_sha256(key, data))
end

return crypto
