-- Fuzz target: core.sign with hostile fields. Fields (split on "\255"):
-- method, url, ak, sk, security_token, body, algorithm ("v11" for
-- V11-HMAC-SHA256), region_id, service_name, then header name, value pairs.
-- Either an argument error, or every returned header line is free of CR, LF
-- and NUL (finding 3 of issue 7: the Host, ak and security_token carried
-- injected lines), and the signature is 64 hex digits.
local core = require "hwcloud.core"
local fuzz = require "fuzz_support"

local function opt(s) if s ~= nil and s ~= "" then return s end end

return function(data)
  local f = fuzz.fields(data)
  local t = { method = f[1], url = f[2], ak = f[3], sk = f[4], security_token = opt(f[5]), body = opt(f[6]),
    date = "20240102T030405Z" }
  if f[7] == "v11" then
    t.algorithm, t.region_id, t.service_name = "V11-HMAC-SHA256", f[8], f[9]
  end
  local headers = {}
  for i = 10, #f - 1, 2 do headers[#headers + 1] = { f[i], f[i + 1] } end
  t.headers = headers
  local ok, out = pcall(core.sign, t)
  if not ok then return fuzz.expect(out, "argument", "core.sign") end
  for _, h in ipairs(out.headers) do
    local line = h[1] .. ": " .. h[2]
    if line:find("[\r\n%z]") then error("core.sign returned a header line with CR, LF or NUL: " .. ("%q"):format(line), 0) end
  end
  if not out.signature:match("^" .. ("%x"):rep(64) .. "$") then error("bad signature " .. out.signature, 0) end
  if out.headers[#out.headers][2] ~= out.authorization then error("Authorization is not the last header", 0) end
end
