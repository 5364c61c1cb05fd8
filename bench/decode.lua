-- Decoder micro-benchmark: core.decode against lua-cjson's decode (a
-- cjson.new() instance) on the two generated bodies of bench/bodies.lua (30 KB
-- and 1.09 MB, shaped like the peer benchmark's list and big answers). Prints CPU microseconds per decode and the
-- ratio cjson / core (above 1: core.decode is faster), medians of 7
-- interleaved rounds.
--   lua5.4 bench/decode.lua        luajit bench/decode.lua        (or: make bench)
--   lua5.4 bench/decode.lua --callgrind   instructions per decode instead
--     (valgrind --tool=callgrind on two loop lengths, the difference divided
--     by the extra decodes: start-up and generating the bodies cancel out;
--     repeatable on a busy machine)
-- Options: --only cjson-list|core-list|cjson-big|core-big --n N (one loop of
-- N decodes, for profiling).
package.path = "bench/?.lua;lua/?.lua;lua/?/init.lua;" .. package.path
local jit = rawget(_G, "jit")
package.cpath = (jit and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"
local cjson = require("cjson").new()
local bench = require "bodies"

local opt = {}
do
  local i = 1
  while i <= #arg do
    if arg[i] == "--callgrind" then
      opt.callgrind = true
    else
      opt[arg[i]:gsub("^%-%-", "")] = arg[i + 1]
      i = i + 1
    end
    i = i + 1
  end
end

local bodies = bench.bodies()
local SHORT = { "list", "big" }
local DECODERS = { cjson = cjson.decode, core = core.decode }

if opt.only then
  local who, which = opt.only:match("^(%a+)%-(%a+)$")
  local fn = assert(DECODERS[who], "unknown --only " .. opt.only)
  local b = assert(bodies[which == "list" and 1 or which == "big" and 2 or 0], "unknown --only " .. opt.only)
  local n = math.floor(tonumber(opt.n) or 1)
  assert(n >= 1 and n <= 10000, "--n must be 1..10000")
  collectgarbage() -- the loop starts from the same heap whatever came before
  for _ = 1, n do assert(b[4](fn(b[2])) == b[5], "decoded the wrong shape") end
  return
end

local interp = jit and jit.version or _VERSION
if opt.callgrind then
  print(interp .. ": instructions per decode (callgrind) and cjson/core")
else
  print(interp .. ": CPU us per decode and cjson/core, medians of 7 rounds")
end
print(string.format("%-30s %10s %14s %14s %8s", "body", "bytes", "cjson.decode", "core.decode", "ratio"))
for i, b in ipairs(bodies) do
  local name, body, n, count, want = b[1], b[2], b[3], b[4], b[5]
  assert(count(core.decode(body)) == want and count(cjson.decode(body)) == want, "decoded the wrong shape")
  if opt.callgrind then
    local extra = i == 1 and 100 or 6 -- many collector cycles each, so where they fall matters little
    local per = {}
    for _, who in ipairs({ "cjson", "core" }) do
      local name_ = who .. "-" .. SHORT[i]
      -- the same length of arguments for every run: the stack, and so Lua 5.4's hash seed, stay where they were
      local function run(n) return bench.instructions("bench/decode.lua", ("--only %s --n %05d"):format(name_, n)) end
      per[who] = (run(1 + extra) - run(1)) / extra
    end
    print(string.format("%-30s %10d %14.0f %14.0f %7.2fx", name, #body, per.cjson, per.core, per.cjson / per.core))
  else
    local c, h, ratio = bench.measure(cjson.decode, core.decode, body, n)
    print(string.format("%-30s %10d %14.1f %14.1f %7.2fx", name, #body, c, h, ratio))
  end
end
