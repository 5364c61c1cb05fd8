-- Measures client:parallel against a running emulator whose answers are all
-- delayed by its stall fault (50 ms by default): 100 GETs one after the
-- other and at concurrency 16 (wall time against the ideal 100/16 x 50 ms,
-- CPU time per request against the sequential one), one stack deployment
-- (deploy_from_file: create + wait) against 20 at once, and the connections
-- opened for 1000 GETs at concurrency 16. It adds the fault rule and removes
-- every fault when done, and deletes the stacks it made.
--   eval "$(bin/hwcloud-emulator start)"; lua5.4 bench/parallel.lua [--latency 0.05] [--skip-deploy]
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = (rawget(_G, "jit") and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"
local hwcloud = require "hwcloud"

local latency, skip_deploy = 0.05, false
for i = 1, #arg do
  if arg[i] == "--latency" then latency = tonumber(arg[i + 1]) end
  if arg[i] == "--skip-deploy" then skip_deploy = true end
end

local endpoint = os.getenv("HWCLOUD_ENDPOINT")
assert(endpoint and endpoint:find("^http://127%.0%.0%.1:"), "run the emulator first: eval \"$(bin/hwcloud-emulator start)\"")
local control = core.session{ timeout = 10 }
local function ctl(method, path, body)
  return control:send{ method = method, url = endpoint .. "/_emulator/" .. path,
    headers = { { "Content-Type", "application/json" } }, body = body and core.encode(body) or nil }
end

local client = hwcloud.new{ max_retries = 0 }
local rfs = client:rfs()
local function list(n)
  local l = {}
  for i = 1, n do l[i] = i end
  return l
end
-- ListEndpoints through client:request, which returns the whole response
-- (`reused` tells whether a pooled connection carried it)
local function get()
  return client:request{ service = "vpcep", method = "GET", path = "/v1/{project_id}/vpc-endpoints",
                         query = { limit = 10 } }
end

-- every answer of the emulator's APIs (not its control API) waits `latency`
ctl("DELETE", "faults")
ctl("POST", "faults", { method = "*", path = "^/v%d", action = "stall", delay = latency, count = 1000000 })

print((jit and jit.version or _VERSION) .. ", " .. core.curl_version())
print(string.format("emulator latency fault: %.0f ms per answer", latency * 1000))

local function measure(fn)
  local w0, c0 = core.now(), os.clock()
  local a, b = fn()
  return core.now() - w0, os.clock() - c0, a, b
end

local function check(results, failed, what)
  if failed > 0 then
    for _, r in ipairs(results) do
      if not r.ok then error(what .. ": " .. tostring(r.err), 0) end
    end
  end
end

get() -- project id, connection
local N, C = 100, 16
local seq_wall, seq_cpu = measure(function() for _ = 1, N do get() end end)
local par_wall, par_cpu, results, failed = measure(function()
  return client:map(list(N), get, { concurrency = C })
end)
check(results, failed, "100 GETs")
local ideal = N / C * latency
print(string.format("%d GETs sequential:      wall %6.3f s  CPU %6.3f ms/request", N, seq_wall, seq_cpu / N * 1000))
print(string.format("%d GETs concurrency %d: wall %6.3f s  CPU %6.3f ms/request", N, C, par_wall, par_cpu / N * 1000))
print(string.format("  wall / ideal (%d/%d x %.0f ms = %.3f s): %.2f   CPU per request parallel / sequential: %.2f",
  N, C, latency * 1000, ideal, par_wall / ideal, par_cpu / seq_cpu))

local M, opened = 1000, 0
local m_wall
m_wall, _, results, failed = measure(function()
  return client:map(list(M), get, { concurrency = C })
end)
check(results, failed, "1000 GETs")
for _, r in ipairs(results) do
  if not r.value.reused then opened = opened + 1 end
end
print(string.format("%d GETs concurrency %d: wall %6.3f s, connections opened: %d", M, C, m_wall, opened))

if not skip_deploy then
  local tf = "examples/templates/network.tf"
  local tag = tostring(os.time())
  local function deploy(name)
    return rfs:deploy_from_file{ stack_name = name, template_file = tf, interval = 1,
                                 on_event = false, on_progress = false }
  end
  local one = measure(function() return deploy("bench-one-" .. tag) end)
  local names = { "bench-one-" .. tag }
  for i = 1, 20 do names[#names + 1] = "bench-" .. i .. "-" .. tag end
  local twenty
  twenty, _, results, failed = measure(function()
    return client:map({ (table.unpack or unpack)(names, 2) }, deploy, { concurrency = 20 })
  end)
  check(results, failed, "20 deployments")
  print(string.format("1 deployment (create + wait): wall %6.3f s", one))
  print(string.format("20 deployments in parallel:   wall %6.3f s  ratio %.2f", twenty, twenty / one))
  -- clean up: delete every stack made here, in parallel too
  client:map(names, function(name)
    rfs:delete_stack{ stack_name = name }
    return rfs:wait_stack_deleted{ stack_name = name, interval = 1, on_event = false, on_progress = false }
  end, { concurrency = 21 })
end

ctl("DELETE", "faults")
control:close()
client:close()
