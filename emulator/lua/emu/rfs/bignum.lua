-- Exact integer arithmetic on decimal text for the RFS emulator's numbers
-- beyond 2^53 (emu.rfs.values keeps them as text; Terraform's numbers are
-- arbitrary precision). Integers are canonical decimal strings: an optional
-- "-", no leading zeros, "0" for zero. Limbs of 7 digits keep every partial
-- product below 2^53, so this runs the same on LuaJIT's doubles and Lua 5.4.
-- Pure Lua.

local M = {}

local BASE, WIDTH = 10000000, 7

-- "123456789" -> {3456789, 12} (least significant limb first)
local function limbs(digits)
  local out = {}
  for e = #digits, 1, -WIDTH do
    local s = math.max(1, e - WIDTH + 1)
    out[#out + 1] = tonumber(digits:sub(s, e))
  end
  return out
end

local function text(l)
  local n = #l
  while n > 1 and l[n] == 0 do n = n - 1 end
  local parts = { string.format("%d", l[n]) }
  for i = n - 1, 1, -1 do parts[#parts + 1] = string.format("%07d", l[i]) end
  return table.concat(parts)
end

-- compare two magnitudes (digit strings without sign or leading zeros)
local function cmp_mag(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end

local function add_mag(a, b)
  local x, y, r, carry = limbs(a), limbs(b), {}, 0
  for i = 1, math.max(#x, #y) do
    local s = (x[i] or 0) + (y[i] or 0) + carry
    r[i] = s % BASE
    carry = (s - r[i]) / BASE
  end
  if carry > 0 then r[#r + 1] = carry end
  return text(r)
end

-- a - b with a >= b
local function sub_mag(a, b)
  local x, y, r, borrow = limbs(a), limbs(b), {}, 0
  for i = 1, #x do
    local s = x[i] - (y[i] or 0) - borrow
    if s < 0 then s, borrow = s + BASE, 1 else borrow = 0 end
    r[i] = s
  end
  return text(r)
end

local function mul_mag(a, b)
  local x, y, r = limbs(a), limbs(b), {}
  for i = 1, #x + #y do r[i] = 0 end
  for i = 1, #x do
    local carry = 0
    for j = 1, #y do
      local s = r[i + j - 1] + x[i] * y[j] + carry
      r[i + j - 1] = s % BASE
      carry = (s - r[i + j - 1]) / BASE
    end
    local k = i + #y
    while carry > 0 do
      local s = r[k] + carry
      r[k] = s % BASE
      carry = (s - r[k]) / BASE
      k = k + 1
    end
  end
  return text(r)
end

local function split(s)
  if s:sub(1, 1) == "-" then return true, s:sub(2) end
  return false, s
end

local function signed(neg, mag)
  if mag == "0" then return "0" end
  return neg and ("-" .. mag) or mag
end

--- Canonical form of integer text ("+007" -> "7", "-0" -> "0"), or nil.
function M.canonical(s)
  local sign, digits = s:match("^([%-%+]?)(%d+)$")
  if not digits then return nil end
  digits = digits:gsub("^0+", "")
  if digits == "" then return "0" end
  return signed(sign == "-", digits)
end

--- Compare two integers: -1, 0 or 1.
function M.compare(a, b)
  local na, ma = split(a)
  local nb, mb = split(b)
  if na ~= nb then return na and -1 or 1 end
  local c = cmp_mag(ma, mb)
  return na and -c or c
end

function M.add(a, b)
  local na, ma = split(a)
  local nb, mb = split(b)
  if na == nb then return signed(na, add_mag(ma, mb)) end
  local c = cmp_mag(ma, mb)
  if c == 0 then return "0" end
  if c > 0 then return signed(na, sub_mag(ma, mb)) end
  return signed(nb, sub_mag(mb, ma))
end

function M.neg(a)
  local na, ma = split(a)
  return signed(not na, ma)
end

function M.sub(a, b) return M.add(a, M.neg(b)) end

function M.mul(a, b)
  local na, ma = split(a)
  local nb, mb = split(b)
  return signed(na ~= nb, mul_mag(ma, mb))
end

return M
