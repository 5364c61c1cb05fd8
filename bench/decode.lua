-- Decoder micro-benchmark: core.decode against lua-cjson's decode (a
-- cjson.new() instance) on the two generated bodies of bench/bodies.lua (30 KB
-- and 1.09 MB, shaped like the peer benchmark's list and big answers). Prints CPU microseconds per decode and the
-- ratio cjson / core (above 1: core.decode is faster), medians of 7
-- interleaved rounds.
--   lua5.4 bench/decode.lua        luajit bench/decode.lua        (or: make bench)
package.path = "bench/?.lua;lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = (rawget(_G, "jit") and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"
local cjson = require("cjson").new()
local bench = require "bodies"

local bodies = bench.bodies()
print((rawget(_G, "jit") and jit.version or _VERSION) .. ": CPU us per decode and cjson/core, medians of 7 rounds")
print(string.format("%-30s %10s %14s %14s %8s", "body", "bytes", "cjson.decode", "core.decode", "ratio"))
for _, b in ipairs(bodies) do
  local name, body, n, count, want = b[1], b[2], b[3], b[4], b[5]
  assert(count(core.decode(body)) == want and count(cjson.decode(body)) == want, "decoded the wrong shape")
  local c, h, ratio = bench.measure(cjson.decode, core.decode, body, n)
  print(string.format("%-30s %10d %14.1f %14.1f %7.2fx", name, #body, c, h, ratio))
end
