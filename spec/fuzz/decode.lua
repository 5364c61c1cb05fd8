-- Fuzz target: core.decode over any bytes. It either returns a value or
-- raises kind "decode"; what it returns re-encodes, and decoding that gives
-- the same value and the same text again. Whether the decoder refuses what
-- the encoder cannot write (NaN, infinities: finding 11 of issue 7) is
-- checked once the decoder refuses "NaN" itself.
local core = require "hwcloud.core"
local fuzz = require "fuzz_support"

local strict = not pcall(core.decode, "[NaN]")

return function(data)
  local ok, v = pcall(core.decode, data)
  if not ok then return fuzz.expect(v, "decode", "core.decode") end
  local ok2, json = pcall(core.encode, v)
  if not ok2 then
    fuzz.expect(json, "argument", "core.encode of a decoded value")
    if strict then error("core.decode accepted what core.encode refuses: " .. json.message, 0) end
    return
  end
  local ok3, again = pcall(core.decode, json)
  if not ok3 then error("core.decode refused what core.encode wrote: " .. json .. ": " .. tostring(again), 0) end
  if not fuzz.same(v, again) then error("decode(encode(v)) is not v for " .. json, 0) end
  local json2 = core.encode(again)
  if json2 ~= json then error("encode is not stable: " .. json .. " then " .. json2, 0) end
end
