-- Random identifiers: UUID version 4 (RFC 4122 section 4.4), for the
-- Client-Request-Id header every RFS request carries (ops/rfs.lua) and for
-- made-up resource ids in examples and tests.

local byte, format, concat = string.byte, string.format, table.concat

local M = {}

-- /dev/urandom, opened once and unbuffered (so a forked process never
-- replays bytes buffered before the fork); false when unavailable.
local urandom

--- A fresh random UUID version 4 (from /dev/urandom, else math.random).
-- @treturn string like "6f1c2b7e-2d9a-4c61-9a53-0c1b2e3d4f50"
function M.v4()
  if urandom == nil then
    urandom = io.open("/dev/urandom", "rb") or false
    if urandom then urandom:setvbuf("no") end
  end
  local bytes = urandom and urandom:read(16)
  if bytes and #bytes ~= 16 then bytes = nil end
  local b = {}
  for i = 1, 16 do
    b[i] = bytes and byte(bytes, i) or math.random(0, 255)
  end
  b[7] = 64 + b[7] % 16   -- version 4
  b[9] = 128 + b[9] % 64  -- RFC 4122 variant
  local hex = {}
  for i = 1, 16 do hex[i] = format("%02x", b[i]) end
  return concat(hex, "", 1, 4) .. "-" .. concat(hex, "", 5, 6) .. "-" .. concat(hex, "", 7, 8)
    .. "-" .. concat(hex, "", 9, 10) .. "-" .. concat(hex, "", 11, 16)
end

return M
