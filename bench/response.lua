-- Response-path micro-benchmark: what building the whole response costs next
-- to decoding its body alone. core.response (src/hwc_response.c) is what
-- session:send and the cosocket transport run once the answer is in: the
-- headers table and header_list from the header lines, the raw body, the
-- decoded body. Bodies: bench/bodies.lua (30 KB and 1.09 MB); headers: the
-- eight lines nginx sends with such an answer. Prints CPU microseconds per
-- call, medians of 7 interleaved rounds, and core.response / core.decode
-- (below 1: the response costs less than decoding alone, since Lua 5.4's
-- collector is paused while it is built and then charged for it in one step).
--   lua5.4 bench/response.lua        luajit bench/response.lua        (or: make bench)
package.path = "bench/?.lua;lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = (rawget(_G, "jit") and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"
local bench = require "bodies"

local function answer(body)
  return { status = 200, raw_body = body, method = "GET", url = "http://127.0.0.1/v1/p/stacks", reused = true,
    total_time = 0.001, header_list = { { "Server", "nginx" }, { "Date", "Sun, 29 Nov 2026 19:00:00 GMT" },
      { "Content-Type", "application/json" }, { "Content-Length", tostring(#body) },
      { "Connection", "keep-alive" }, { "X-Request-Id", "0123456789abcdef0123456789abcdef" },
      { "Cache-Control", "no-cache" }, { "Strict-Transport-Security", "max-age=31536000" } } }
end

print((rawget(_G, "jit") and jit.version or _VERSION)
  .. ": CPU us per call and core.response/core.decode, medians of 7 rounds")
print(string.format("%-30s %10s %14s %14s %8s", "body", "bytes", "core.response", "core.decode", "ratio"))
for _, b in ipairs(bench.bodies()) do
  local name, body, n, count, want = b[1], b[2], b[3], b[4], b[5]
  local args = answer(body)
  local r = core.response(args)
  assert(count(r.body) == want and r.raw_body == body and r.request_id == args.header_list[6][2],
    "built the wrong response")
  local resp, dec, ratio = bench.measure(core.response, core.decode, args, n, body)
  print(string.format("%-30s %10d %14.1f %14.1f %7.2fx", name, #body, resp, dec, ratio))
end
