-- What the benchmarks of bench/ share: two generated bodies shaped like the
-- responses the peer benchmark serves (the peer benchmark's server/gen_data.py):
-- RFS ListStacks with 100 stacks (about 30 KB) and VPCEP ListEndpointService
-- with 1000 services (about 1.09 MB), and the interleaved CPU-time
-- measurement, and the instruction count of a run under callgrind. Loaded by
-- bench/decode.lua, bench/response.lua and bench/client.lua.
local core = require "hwcloud.core"

local M = {}

-- A deterministic generator (Park-Miller; exact in doubles on every Lua).
local seed = 20240601
local function rand(n)
  seed = (seed * 16807) % 2147483647
  return seed % n + 1
end
local WORDS = { "network", "compute", "storage", "webapp", "backend", "frontend", "cache", "queue",
  "gateway", "database", "monitor", "logging", "batch", "analytics", "staging", "production", "ingress",
  "terraform", "template", "module", "subnet", "security", "group", "elastic", "load", "balancer",
  "cluster", "worker", "node", "pipeline", "deploy", "region", "zone", "bucket", "object" }
local function word() return WORDS[rand(#WORDS)] end
local function pick(t) return t[rand(#t)] end
local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", rand(16) - 1) end
  return table.concat(t)
end
local function uid() return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12) end
local function ts()
  return string.format("2024-%02d-%02dT%02d:%02d:%02d.%03dZ", rand(12), rand(28), rand(24) - 1,
    rand(60) - 1, rand(60) - 1, rand(1000) - 1)
end
local function sentence(n)
  local t = {}
  for i = 1, n do t[i] = word() end
  local s = table.concat(t, " ")
  return s:sub(1, 1):upper() .. s:sub(2) .. "."
end

function M.list_body()
  local stacks = core.array()
  for i = 1, 100 do
    local status = pick({ "DEPLOYMENT_COMPLETE", "DEPLOYMENT_COMPLETE", "CREATION_COMPLETE",
      "DEPLOYMENT_FAILED", "DEPLOYMENT_IN_PROGRESS" })
    stacks[i] = { stack_name = string.format("stack-%04d-%s-%s", i - 1, word(), word()),
      description = sentence(7), stack_id = uid(), status = status, create_time = ts(), update_time = ts(),
      status_message = status == "DEPLOYMENT_FAILED" and sentence(8) or "" }
  end
  return core.encode({ stacks = stacks, page_info = { next_marker = "" } })
end

function M.big_body()
  local services = core.array()
  for i = 1, 1000 do
    local sid = uid()
    local ports, tags = core.array(), core.array()
    for j = 1, rand(2) do ports[j] = { client_port = rand(65535), server_port = rand(65535), protocol = "TCP" } end
    for j = 1, rand(4) do tags[j] = { key = word(), value = word() .. "-" .. (rand(1000) - 1) } end
    services[i] = { id = sid, port_id = uid(), vip_port_id = uid(),
      service_name = string.format("cn-north-4.svc-%04d-%s.%s", i - 1, word(), sid),
      server_type = pick({ "VM", "LB", "VIP" }), vpc_id = uid(), pool_id = uid(), approval_enabled = rand(2) == 1,
      status = pick({ "available", "available", "creating", "failed" }), service_type = "interface",
      created_at = ts(), updated_at = ts(), project_id = "0b5c0a6f3e2d4f1a9c8b7e6d5f4a3b2c", domain_id = hex(32),
      cidr_type = pick({ "public", "internal" }), ports = ports,
      tcp_proxy = pick({ "close", "toa_open", "proxy_open", "open" }), tags = tags,
      description = sentence(rand(7) + 3), enable_policy = rand(10) <= 3, connection_count = rand(51) - 1,
      ip_version = "ipv4", snat_network_id = uid(), public_border_group = "center", enterprise_project_id = "0" }
  end
  return core.encode({ endpoint_services = services, total_count = 1000 })
end

-- CPU microseconds per call of a(x) and of b(y) (y defaults to x), and their
-- ratio: medians over 7 rounds, each round timing n calls of a then n calls
-- of b (interleaved, so both see the same machine load; a round also stops
-- after 2 seconds).
local function round(fn, x, n)
  collectgarbage()
  local c0, done = os.clock(), 0
  for _ = 1, n do
    fn(x)
    done = done + 1
    if done % 8 == 0 and os.clock() - c0 > 2 then break end
  end
  return (os.clock() - c0) / done * 1e6
end

local function median(t)
  table.sort(t)
  return t[(#t + 1) / 2]
end

function M.measure(a, b, x, n, y)
  local ta, tb, ratio = {}, {}, {}
  y = y or x
  a(x)
  b(y)
  for r = 1, 7 do
    ta[r] = round(a, x, n)
    tb[r] = round(b, y, n)
    ratio[r] = ta[r] / tb[r]
  end
  return median(ta), median(tb), median(ratio)
end

-- bench/fixed_time.c built into build/ (once; false when there is no C compiler)
local fixed_time
local function fixed_time_lib()
  if fixed_time == nil then
    local so = "build/bench_fixed_time.so"
    local ok = os.execute("cc -shared -fPIC -O2 -o " .. so .. " bench/fixed_time.c 2>/dev/null")
    fixed_time = (ok == true or ok == 0) and so or false
    if not fixed_time then io.stderr:write("bench: no C compiler, counts may vary by 2% from run to run\n") end
  end
  return fixed_time
end

-- Instructions (valgrind --tool=callgrind) of one run of `<this interpreter>
-- script args`, with time() fixed (bench/fixed_time.c): the benchmarks'
-- --callgrind modes run a loop at two lengths and divide the difference by
-- the extra iterations, so start-up cancels out.
function M.instructions(script, args)
  local self = rawget(_G, "jit") and "luajit" or "lua5.4"
  local lib = fixed_time_lib()
  local p = assert(io.popen(("%svalgrind --tool=callgrind --callgrind-out-file=/dev/null %s %s %s 2>&1")
    :format(lib and "LD_PRELOAD=" .. lib .. " " or "", self, script, args)))
  local out = p:read("a")
  p:close()
  local ir = out:match("Collected : (%d+)")
  assert(ir, "callgrind failed: " .. out:sub(-400))
  return tonumber(ir)
end

-- The two bodies with their benchmark loop counts and shape checks:
-- { name, text, calls per round, count(decoded), expected count }.
function M.bodies()
  return {
    { "list: 100 stacks", M.list_body(), 300, function(v) return #v.stacks end, 100 },
    { "big: 1000 endpoint services", M.big_body(), 15, function(v) return #v.endpoint_services end, 1000 },
  }
end

return M
