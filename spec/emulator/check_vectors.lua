-- Run with LuaJIT: checks the emulator's own signature code (emu.canonical,
-- emu.crypto over FFI) against Huawei's signing vectors. Prints one block per
-- failure and a summary "N vectors F failures"; used by signing_vectors_spec.
-- Usage: luajit spec/emulator/check_vectors.lua ROOT VECTORS_JSON

local root, vectors = arg[1], arg[2]
package.path = root .. "/emulator/lua/?.lua;" .. package.path

local canonical = require "emu.canonical"
local crypto = require "emu.crypto"
local json = require "emu.json"

local f = assert(io.open(vectors))
local all = assert(json.decode(f:read("*a")))
f:close()

-- The request as the emulator would see it on the wire.
local function wire_request(input)
  local host, rest = input.url:match("^https?://([^/?#]+)(.*)$")
  if rest == "" then rest = "/" end
  if rest:sub(1, 1) == "?" then rest = "/" .. rest end
  local headers = { host = host:lower(), ["x-sdk-date"] = input.date }
  for _, h in ipairs(input.headers) do headers[h[1]:lower()] = h[2] end
  local names = {}
  for name in pairs(headers) do names[#names + 1] = name end
  table.sort(names)
  return { method = input.method, request_uri = rest, headers = headers, signed_headers = names, body = input.body }
end

local count, failures = 0, 0

local function check(vector, derived)
  count = count + 1
  local input, expected = vector.input, vector.expected
  local creq = assert(canonical.request(wire_request(input)))
  local sts, signature
  if derived then
    local info = input.date:sub(1, 8) .. "/" .. input.region_id .. "/" .. input.service_name
    sts = canonical.v11_string_to_sign(input.date, info, creq)
    signature = crypto.hmac_sha256_hex(canonical.v11_key(input.ak, input.sk, info), sts)
  else
    sts = canonical.string_to_sign(input.date, creq)
    signature = canonical.signature(input.sk, sts)
  end
  if creq ~= expected.canonical_request or sts ~= expected.string_to_sign or signature ~= expected.signature then
    failures = failures + 1
    print("FAIL " .. vector.name)
    print(creq)
    print("--- expected")
    print(expected.canonical_request)
  end
end

for _, vector in ipairs(all.vectors) do check(vector, false) end
for _, vector in ipairs(all.derived_vectors) do check(vector, true) end
print(count .. " vectors " .. failures .. " failures")
