-- Message digests for the RFS emulator's md5, sha1, sha256, sha512 and
-- base64sha* functions and uuidv5 (RFC 1321, FIPS 180-4, RFC 4122 §4.3).
-- 32-bit word operations come from LuaJIT's `bit` library, or on Lua 5.4
-- from its integer operators compiled with load() so this file stays in the
-- syntax LuaJIT reads; SHA-512 works on pairs of 32-bit words. Returns raw
-- digests (binary strings). Pure Lua.

local M = {}

local W = 4294967296

local band, bor, bxor, bnot, shl, shr
local ok_bit, bit = pcall(require, "bit")
if ok_bit and type(bit) == "table" and bit.band then
  local function u(x) return x % W end -- LuaJIT's bit results are signed
  band = function(a, b) return u(bit.band(a, b)) end
  bor = function(a, b) return u(bit.bor(a, b)) end
  bxor = function(a, b) return u(bit.bxor(a, b)) end
  bnot = function(a) return u(bit.bnot(a)) end
  shl = function(a, n) return u(bit.lshift(a, n)) end
  shr = function(a, n) return u(bit.rshift(a, n)) end
else
  local ops = assert(load([[
    local M = 0xFFFFFFFF
    return function(a, b) return (a & b) & M end,
      function(a, b) return (a | b) & M end,
      function(a, b) return (a ~ b) & M end,
      function(a) return (~a) & M end,
      function(a, n) return (a << n) & M end,
      function(a, n) return (a & M) >> n end
  ]]))
  local ib, io, ix, inot, il, ir = ops()
  local function i(x) return math.tointeger(x) or math.floor(x) end
  band = function(a, b) return ib(i(a), i(b)) end
  bor = function(a, b) return io(i(a), i(b)) end
  bxor = function(a, b) return ix(i(a), i(b)) end
  bnot = function(a) return inot(i(a)) end
  shl = function(a, n) return il(i(a), n) end
  shr = function(a, n) return ir(i(a), n) end
end

local function rol(x, n) return bor(shl(x, n), shr(x, 32 - n)) end
local function ror(x, n) return bor(shr(x, n), shl(x, 32 - n)) end
local function add(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + select(i, ...) end
  return s % W
end

local function be32(x)
  return string.char(math.floor(x / 16777216) % 256, math.floor(x / 65536) % 256, math.floor(x / 256) % 256, x % 256)
end
local function le32(x)
  return string.char(x % 256, math.floor(x / 256) % 256, math.floor(x / 65536) % 256, math.floor(x / 16777216) % 256)
end

-- message padding: 0x80, zeros, the bit length (64 or 128 bits, big or little endian)
local function pad(msg, block, lenbytes, little)
  local bits = #msg * 8
  local extra = (block - (#msg + 1 + lenbytes) % block) % block
  local len = {}
  local hi, lo = math.floor(bits / W), bits % W
  if little then len = { le32(lo), le32(hi) }
  else
    for _ = 1, (lenbytes - 8) / 4 do len[#len + 1] = be32(0) end
    len[#len + 1] = be32(hi); len[#len + 1] = be32(lo)
  end
  return msg .. "\128" .. string.rep("\0", extra) .. table.concat(len)
end

local function word_be(s, i)
  local a, b, c, d = s:byte(i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local function word_le(s, i)
  local a, b, c, d = s:byte(i, i + 3)
  return ((d * 256 + c) * 256 + b) * 256 + a
end

-- ------------------------------------------------------------ MD5

local MD5_K, MD5_S = {}, {
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21 }
for i = 1, 64 do MD5_K[i] = math.floor(math.abs(math.sin(i)) * W) end

function M.md5(msg)
  local m = pad(msg, 64, 8, true)
  local a0, b0, c0, d0 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
  for chunk = 1, #m, 64 do
    local X = {}
    for j = 0, 15 do X[j] = word_le(m, chunk + j * 4) end
    local a, b, c, d = a0, b0, c0, d0
    for i = 0, 63 do
      local f, g
      if i < 16 then f = bor(band(b, c), band(bnot(b), d)); g = i
      elseif i < 32 then f = bor(band(d, b), band(bnot(d), c)); g = (5 * i + 1) % 16
      elseif i < 48 then f = bxor(bxor(b, c), d); g = (3 * i + 5) % 16
      else f = bxor(c, bor(b, bnot(d))); g = (7 * i) % 16 end
      local tmp = d
      d = c
      c = b
      b = add(b, rol(add(a, f, MD5_K[i + 1], X[g]), MD5_S[i + 1]))
      a = tmp
    end
    a0, b0, c0, d0 = add(a0, a), add(b0, b), add(c0, c), add(d0, d)
  end
  return le32(a0) .. le32(b0) .. le32(c0) .. le32(d0)
end

-- ------------------------------------------------------------ SHA-1

function M.sha1(msg)
  local m = pad(msg, 64, 8, false)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
  for chunk = 1, #m, 64 do
    local w = {}
    for j = 0, 15 do w[j] = word_be(m, chunk + j * 4) end
    for j = 16, 79 do w[j] = rol(bxor(bxor(w[j - 3], w[j - 8]), bxor(w[j - 14], w[j - 16])), 1) end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for j = 0, 79 do
      local f, k
      if j < 20 then f = bor(band(b, c), band(bnot(b), d)); k = 0x5A827999
      elseif j < 40 then f = bxor(bxor(b, c), d); k = 0x6ED9EBA1
      elseif j < 60 then f = bor(bor(band(b, c), band(b, d)), band(c, d)); k = 0x8F1BBCDC
      else f = bxor(bxor(b, c), d); k = 0xCA62C1D6 end
      local t = add(rol(a, 5), f, e, k, w[j])
      e, d, c, b, a = d, c, rol(b, 30), a, t
    end
    h0, h1, h2, h3, h4 = add(h0, a), add(h1, b), add(h2, c), add(h3, d), add(h4, e)
  end
  return be32(h0) .. be32(h1) .. be32(h2) .. be32(h3) .. be32(h4)
end

-- ------------------------------------------------------------ SHA-256

-- the first 32 bits of the fractional parts of the cube roots (K) and
-- square roots (H) of the first primes, FIPS 180-4 §4.2.2 / §5.3.3
local function primes(n)
  local out, c = {}, 2
  while #out < n do
    local p = true
    for d = 2, math.floor(math.sqrt(c)) do if c % d == 0 then p = false; break end end
    if p then out[#out + 1] = c end
    c = c + 1
  end
  return out
end
local P80 = primes(80)
local function frac32(x) return math.floor((x - math.floor(x)) * W) end
local K256, H256 = {}, {}
for i = 1, 64 do K256[i] = frac32(P80[i] ^ (1 / 3)) end
for i = 1, 8 do H256[i] = frac32(math.sqrt(P80[i])) end

function M.sha256(msg)
  local m = pad(msg, 64, 8, false)
  local H = {}
  for i = 1, 8 do H[i] = H256[i] end
  for chunk = 1, #m, 64 do
    local w = {}
    for j = 0, 15 do w[j] = word_be(m, chunk + j * 4) end
    for j = 16, 63 do
      local s0 = bxor(bxor(ror(w[j - 15], 7), ror(w[j - 15], 18)), shr(w[j - 15], 3))
      local s1 = bxor(bxor(ror(w[j - 2], 17), ror(w[j - 2], 19)), shr(w[j - 2], 10))
      w[j] = add(w[j - 16], s0, w[j - 7], s1)
    end
    local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
    for j = 0, 63 do
      local S1 = bxor(bxor(ror(e, 6), ror(e, 11)), ror(e, 25))
      local ch = bxor(band(e, f), band(bnot(e), g))
      local t1 = add(h, S1, ch, K256[j + 1], w[j])
      local S0 = bxor(bxor(ror(a, 2), ror(a, 13)), ror(a, 22))
      local maj = bxor(bxor(band(a, b), band(a, c)), band(b, c))
      local t2 = add(S0, maj)
      h, g, f, e, d, c, b, a = g, f, e, add(d, t1), c, b, a, add(t1, t2)
    end
    H[1], H[2], H[3], H[4] = add(H[1], a), add(H[2], b), add(H[3], c), add(H[4], d)
    H[5], H[6], H[7], H[8] = add(H[5], e), add(H[6], f), add(H[7], g), add(H[8], h)
  end
  local out = {}
  for i = 1, 8 do out[i] = be32(H[i]) end
  return table.concat(out)
end

-- ------------------------------------------------------------ SHA-512

-- FIPS 180-4 §4.2.3 / §5.3.5: the first 64 bits of the fractional parts of the
-- cube roots (K) and square roots (H) of the first primes, as hex
local K512_HEX = {
  "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc",
  "3956c25bf348b538", "59f111f1b605d019", "923f82a4af194f9b", "ab1c5ed5da6d8118",
  "d807aa98a3030242", "12835b0145706fbe", "243185be4ee4b28c", "550c7dc3d5ffb4e2",
  "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235", "c19bf174cf692694",
  "e49b69c19ef14ad2", "efbe4786384f25e3", "0fc19dc68b8cd5b5", "240ca1cc77ac9c65",
  "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5",
  "983e5152ee66dfab", "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4",
  "c6e00bf33da88fc2", "d5a79147930aa725", "06ca6351e003826f", "142929670a0e6e70",
  "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed", "53380d139d95b3df",
  "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b",
  "a2bfe8a14cf10364", "a81a664bbc423001", "c24b8b70d0f89791", "c76c51a30654be30",
  "d192e819d6ef5218", "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8",
  "19a4c116b8d2d0c8", "1e376c085141ab53", "2748774cdf8eeb99", "34b0bcb5e19b48a8",
  "391c0cb3c5c95a63", "4ed8aa4ae3418acb", "5b9cca4f7763e373", "682e6ff3d6b2b8a3",
  "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
  "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b",
  "ca273eceea26619c", "d186b8c721c0c207", "eada7dd6cde0eb1e", "f57d4f7fee6ed178",
  "06f067aa72176fba", "0a637dc5a2c898a6", "113f9804bef90dae", "1b710b35131c471b",
  "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc", "431d67c49c100d4c",
  "4cc5d4becb3e42b6", "597f299cfc657e2a", "5fcb6fab3ad6faec", "6c44198c4a475817",
}
local H512_HEX = {
  "6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
  "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179",
}
local function split64(hex) return tonumber(hex:sub(1, 8), 16), tonumber(hex:sub(9, 16), 16) end
local K512, H512 = {}, {}
for i, h in ipairs(K512_HEX) do K512[i] = { split64(h) } end
for i, h in ipairs(H512_HEX) do H512[i] = { split64(h) } end

-- 64-bit words as {hi, lo} pairs of 32-bit words
local function add64(a, b)
  local lo = a[2] + b[2]
  local carry = lo >= W and 1 or 0
  return { (a[1] + b[1] + carry) % W, lo % W }
end
local function xor64(a, b) return { bxor(a[1], b[1]), bxor(a[2], b[2]) } end
local function and64(a, b) return { band(a[1], b[1]), band(a[2], b[2]) } end
local function not64(a) return { bnot(a[1]), bnot(a[2]) } end
local function rotr64(a, n)
  local h, l = a[1], a[2]
  if n >= 32 then h, l = l, h; n = n - 32 end
  if n == 0 then return { h, l } end
  return { bor(shr(h, n), shl(l, 32 - n)), bor(shr(l, n), shl(h, 32 - n)) }
end
local function shr64(a, n) return { shr(a[1], n), bor(shr(a[2], n), shl(a[1], 32 - n)) } end

function M.sha512(msg)
  local m = pad(msg, 128, 16, false)
  local H = {}
  for i = 1, 8 do H[i] = { H512[i][1], H512[i][2] } end
  for chunk = 1, #m, 128 do
    local w = {}
    for j = 0, 15 do w[j] = { word_be(m, chunk + j * 8), word_be(m, chunk + j * 8 + 4) } end
    for j = 16, 79 do
      local s0 = xor64(xor64(rotr64(w[j - 15], 1), rotr64(w[j - 15], 8)), shr64(w[j - 15], 7))
      local s1 = xor64(xor64(rotr64(w[j - 2], 19), rotr64(w[j - 2], 61)), shr64(w[j - 2], 6))
      w[j] = add64(add64(w[j - 16], s0), add64(w[j - 7], s1))
    end
    local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
    for j = 0, 79 do
      local S1 = xor64(xor64(rotr64(e, 14), rotr64(e, 18)), rotr64(e, 41))
      local ch = xor64(and64(e, f), and64(not64(e), g))
      local t1 = add64(add64(add64(h, S1), add64(ch, K512[j + 1])), w[j])
      local S0 = xor64(xor64(rotr64(a, 28), rotr64(a, 34)), rotr64(a, 39))
      local maj = xor64(xor64(and64(a, b), and64(a, c)), and64(b, c))
      local t2 = add64(S0, maj)
      h, g, f, e, d, c, b, a = g, f, e, add64(d, t1), c, b, a, add64(t1, t2)
    end
    H[1], H[2], H[3], H[4] = add64(H[1], a), add64(H[2], b), add64(H[3], c), add64(H[4], d)
    H[5], H[6], H[7], H[8] = add64(H[5], e), add64(H[6], f), add64(H[7], g), add64(H[8], h)
  end
  local out = {}
  for i = 1, 8 do out[i] = be32(H[i][1]) .. be32(H[i][2]) end
  return table.concat(out)
end

--- Lower-case hex of a binary string.
function M.hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

return M
