-- Base64 for the RFS emulator (RFC 4648): the standard alphabet with "="
-- padding (Terraform's base64encode/base64decode and the functions built on
-- them) and the URL-safe alphabet without padding (the opaque pagination
-- markers of the RFS list APIs, RFS API reference,
-- https://support.huaweicloud.com/api-aos/). One codec, two alphabets. Pure Lua.

local M = {}

local STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

--- Encode bytes.
-- @param s string
-- @param url true for the URL-safe alphabet without padding (RFC 4648 §5)
-- @return text
function M.encode(s, url)
  local chars, pad = url and URL or STD, url and "" or "="
  local function ch(q) return chars:sub(q + 1, q + 1) end
  local out = {}
  for i = 1, #s, 3 do
    local c1, c2, c3 = s:byte(i, i + 2)
    local n = c1 * 65536 + (c2 or 0) * 256 + (c3 or 0)
    out[#out + 1] = ch(math.floor(n / 262144) % 64) .. ch(math.floor(n / 4096) % 64)
      .. (c2 and ch(math.floor(n / 64) % 64) or pad) .. (c3 and ch(n % 64) or pad)
  end
  return table.concat(out)
end

--- Decode text, four characters at a time; a group cut short by the end of
-- the text (or, in the standard form, by "=") yields fewer bytes.
-- @param s text
-- @param url true for the URL-safe alphabet (where "=" is no character)
-- @return bytes, or nil when s holds a character outside the alphabet
function M.decode(s, url)
  local chars = url and URL or STD
  local out = {}
  for i = 1, #s, 4 do
    local n, pad = 0, 0
    for j = i, i + 3 do
      local c = s:sub(j, j)
      local v = chars:find(c, 1, true)
      if c == "" or (c == "=" and not url) then pad = pad + 1; v = 1 end
      if not v then return nil end
      n = n * 64 + (v - 1)
    end
    local bytes = string.char(math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
    out[#out + 1] = bytes:sub(1, 3 - pad)
  end
  return table.concat(out)
end

return M
