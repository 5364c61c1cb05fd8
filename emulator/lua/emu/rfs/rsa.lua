-- RSA decryption for the RFS emulator's rsadecrypt function, through
-- LuaJIT's FFI into OpenSSL's libcrypto (as emu.crypto does): PKCS #1 v1.5
-- padding and a PEM private key, as Terraform's rsadecrypt takes them
-- (https://developer.hashicorp.com/terraform/language/functions/rsadecrypt).
-- An encrypted key is refused (the empty passphrase is given, so OpenSSL
-- never prompts).

local M = {}

local native = require("emu.rfs.native")
local ffi = native.ffi

local DECLS = {
  "typedef struct bio_st BIO;",
  "typedef struct evp_pkey_st EVP_PKEY;",
  "typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;",
  "BIO *BIO_new_mem_buf(const void *buf, int len);",
  "int BIO_free(BIO *a);",
  "EVP_PKEY *PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, void *cb, void *u);",
  "void EVP_PKEY_free(EVP_PKEY *pkey);",
  "int EVP_PKEY_get_base_id(const EVP_PKEY *pkey);",
  "EVP_PKEY_CTX *EVP_PKEY_CTX_new(EVP_PKEY *pkey, void *e);",
  "void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx);",
  "int EVP_PKEY_decrypt_init(EVP_PKEY_CTX *ctx);",
  "int EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad);",
  "int EVP_PKEY_decrypt(EVP_PKEY_CTX *ctx, unsigned char *out, size_t *outlen, const unsigned char *in, size_t inlen);",
  "void ERR_clear_error(void);",
}
local EVP_PKEY_RSA, RSA_PKCS1_PADDING = 6, 1

--- Decrypt raw ciphertext bytes with a PEM RSA private key.
-- @return plaintext | nil, kind ("key" or "decrypt" or "lib"), message
function M.decrypt(cipher, pem)
  local c, why = native.load("libcrypto", { "crypto", "libcrypto.so.3", "libcrypto.so" }, DECLS)
  if not c then return nil, "lib", why end
  c.ERR_clear_error()
  local bio = c.BIO_new_mem_buf(pem, #pem)
  if bio == nil then return nil, "lib", "out of memory" end
  local pkey = c.PEM_read_bio_PrivateKey(bio, nil, nil, ffi.cast("void *", ""))
  c.BIO_free(bio)
  if pkey == nil then
    c.ERR_clear_error()
    return nil, "key", "no RSA private key in PEM form found"
  end
  pkey = ffi.gc(pkey, c.EVP_PKEY_free)
  if c.EVP_PKEY_get_base_id(pkey) ~= EVP_PKEY_RSA then return nil, "key", "the key is not an RSA key" end
  local ctx = c.EVP_PKEY_CTX_new(pkey, nil)
  if ctx == nil then return nil, "lib", "out of memory" end
  ctx = ffi.gc(ctx, c.EVP_PKEY_CTX_free)
  local outlen = ffi.new("size_t[1]")
  if c.EVP_PKEY_decrypt_init(ctx) ~= 1 or c.EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) ~= 1
    or c.EVP_PKEY_decrypt(ctx, nil, outlen, cipher, #cipher) ~= 1 then
    c.ERR_clear_error()
    return nil, "decrypt", "crypto/rsa: decryption error"
  end
  local out = ffi.new("unsigned char[?]", tonumber(outlen[0]))
  if c.EVP_PKEY_decrypt(ctx, out, outlen, cipher, #cipher) ~= 1 then
    c.ERR_clear_error()
    return nil, "decrypt", "crypto/rsa: decryption error"
  end
  return ffi.string(out, outlen[0])
end

return M
