-- Measures what the Lua client adds per request over the core (issue 11):
-- `client:request` against `core.sign` + `core.session():send` doing the same
-- signed request, over loopback to a tiny nginx (started here, on a free
-- 127.0.0.1 port, answering a fixed JSON body; no Lua in the server). It
-- prints CPU microseconds per request of this process (the server's CPU does
-- not count), the best of 9 alternating rounds (other work on the machine
-- only ever adds time), and the difference.
--   lua5.4 bench/client.lua            luajit bench/client.lua
--   lua5.4 bench/client.lua --callgrind   instructions per request instead
--     (valgrind --tool=callgrind on two loop lengths, the difference divided
--     by the extra requests: start-up cancels out; repeatable on a busy machine)
-- Options: --n N requests per round (1000), --url URL (use a server already
-- running that answers GET and POST on /v1/<project>/stacks), --only
-- core-get|client-get|core-post|client-post|client-post-header (one loop,
-- for profiling).
package.path = "bench/?.lua;lua/?.lua;lua/?/init.lua;./?.lua;" .. package.path
local jit = rawget(_G, "jit")
package.cpath = (jit and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"
local hwcloud = require "hwcloud"

local opt = { n = 1000 }
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a == "--callgrind" then
      opt.callgrind = true
    else
      opt[a:gsub("^%-%-", "")] = arg[i + 1]
      i = i + 1
    end
    i = i + 1
  end
  opt.n = math.floor(tonumber(opt.n) or 1000)
  assert(opt.n >= 1 and opt.n <= 1000000, "--n must be 1..1000000")
end

local PID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
local AK, SK = "EXAMPLEAK00000000001", "ExampleSecretKey"
local LIST_BODY = '{"stacks":[{"stack_name":"web","stack_id":"3f0e6a3c-5b1d-4c2e-9f7a-1b2c3d4e5f60",'
  .. '"status":"DEPLOYMENT_COMPLETE"}],"page_info":{"next_marker":""}}'
local CREATE_BODY = '{"stack_name":"bench-stack","description":"benchmark stack",'
  .. '"enable_auto_rollback":false}'
local CREATED = '{"stack_id":"3f0e6a3c-5b1d-4c2e-9f7a-1b2c3d4e5f60","deployment_id":"1b2c3d4e"}'

local helpers = require "spec.helpers.server" -- the specs' shell and port helpers
local sh, line_of = helpers.sh, helpers.line_of

-- the tiny server: nginx `return` with fixed bodies (bounded wait: 5 s)
local function start_server()
  local port = helpers.free_port()
  local dir = line_of("mktemp -d /tmp/hwcloud-bench-client-XXXXXX")
  local conf = table.concat({
    line_of("id -u") == "0" and "user root;" or "",
    "worker_processes 1; daemon on; pid " .. dir .. "/nginx.pid;",
    "error_log " .. dir .. "/error.log warn;",
    "events { worker_connections 64; }",
    "http { access_log off; keepalive_requests 1000000;",
    "  client_body_temp_path " .. dir .. "/body; proxy_temp_path " .. dir .. "/proxy;",
    "  fastcgi_temp_path " .. dir .. "/fcgi; uwsgi_temp_path " .. dir .. "/uwsgi;",
    "  scgi_temp_path " .. dir .. "/scgi;",
    "  server { listen 127.0.0.1:" .. port .. "; default_type application/json;",
    "    location / {",
    "      if ($request_method = POST) { return 201 '" .. CREATED .. "'; }",
    "      return 200 '" .. LIST_BODY .. "'; } } }",
  }, "\n")
  local f = assert(io.open(dir .. "/nginx.conf", "wb"))
  f:write(conf)
  f:close()
  assert(sh(("nginx -p %s -c %s/nginx.conf -e %s/error.log"):format(dir, dir, dir)), "nginx did not start")
  local url = "http://127.0.0.1:" .. port
  local session = core.session{}
  local deadline = core.now() + 5
  while not pcall(session.send, session, { method = "GET", url = url .. "/" }) do
    assert(core.now() < deadline, "nginx does not answer")
    core.sleep(0.02)
  end
  session:close()
  local function stop()
    local pid = (io.open(dir .. "/nginx.pid") or { read = function() end }):read("l")
    if pid and pid:match("^%d+$") then
      sh("kill " .. pid)
      local until_t = core.now() + 5
      while core.now() < until_t and sh("kill -0 " .. pid .. " 2>/dev/null") do core.sleep(0.02) end
    end
    sh("rm -rf " .. dir)
  end
  return url, stop
end

-- the four loops: each makes one request and checks its answer
local function loops(url)
  local base = url .. "/v1/" .. PID .. "/stacks"
  local session = core.session{}
  local client = hwcloud.new{ ak = AK, sk = SK, project_id = PID, region = "cn-north-4", endpoint = url }
  return {
    ["core-get"] = function()
      local signed = core.sign{ method = "GET", url = base, headers = { { "X-Project-Id", PID } },
        ak = AK, sk = SK }
      local r = session:send{ method = "GET", url = base, headers = signed.headers }
      assert(r.status == 200 and #r.body.stacks == 1)
    end,
    ["client-get"] = function()
      local r = client:request{ service = "rfs", method = "GET", path = "/v1/{project_id}/stacks" }
      assert(r.status == 200 and #r.body.stacks == 1)
    end,
    ["core-post"] = function()
      local signed = core.sign{ method = "POST", url = base, body = CREATE_BODY, ak = AK, sk = SK,
        headers = { { "Content-Type", "application/json" }, { "X-Project-Id", PID } } }
      local r = session:send{ method = "POST", url = base, headers = signed.headers, body = CREATE_BODY }
      assert(r.status == 201 and r.body.stack_id)
    end,
    ["client-post"] = function()
      local r = client:request{ service = "rfs", method = "POST", path = "/v1/{project_id}/stacks",
        body = CREATE_BODY }
      assert(r.status == 201 and r.body.stack_id)
    end,
    ["client-post-header"] = function() -- as the peer benchmark's create: the caller's Content-Type
      local r = client:request{ service = "rfs", method = "POST", path = "/v1/{project_id}/stacks",
        body = CREATE_BODY, headers = { { "Content-Type", "application/json" } } }
      assert(r.status == 201 and r.body.stack_id)
    end,
  }
end

-- CPU seconds of n calls (after 50 for warm-up)
local function cpu(fn, n)
  for _ = 1, 50 do fn() end
  local c0 = os.clock()
  for _ = 1, n do fn() end
  return os.clock() - c0
end

local function best(t)
  table.sort(t)
  return t[1]
end

local interp = jit and jit.version or _VERSION
local WORKLOADS = { "get", "post", "post-header" }
local LABELS = { get = "GET, 160 B answer", post = "POST 85 B, 80 B answer",
                 ["post-header"] = "same, caller's Content-Type" }

-- instructions of one run of `--only name --n n` under callgrind
local function instructions(url, name, n)
  -- the same length of arguments for every n: the stack, and so Lua 5.4's hash seed, stay where they were
  return require("bodies").instructions("bench/client.lua", ("--url %s --only %s --n %07d"):format(url, name, n))
end

local url, stop = opt.url, nil
if not url then url, stop = start_server() end
local ok, err = pcall(function()
  if opt.only then
    local fn = assert(loops(url)[opt.only], "unknown --only " .. opt.only)
    for _ = 1, opt.n do fn() end
    return
  end
  local rows = {}
  if opt.callgrind then
    local n1, n2 = 50, 50 + math.min(opt.n, 1000)
    for _, w in ipairs(WORKLOADS) do
      local per = {}
      for _, who in ipairs({ "core", "client" }) do
        local name = who .. "-" .. w
        if who == "core" then name = name:gsub("%-header$", "") end
        per[who] = (instructions(url, name, n2) - instructions(url, name, n1)) / (n2 - n1)
      end
      rows[#rows + 1] = { w, per.core, per.client }
    end
    print(("%s, instructions per request (callgrind, %d requests)"):format(interp, n2 - n1))
  else
    local fns = loops(url)
    for _, w in ipairs(WORKLOADS) do
      local t = { core = {}, client = {} }
      for round = 1, 9 do
        for _, who in ipairs({ "core", "client" }) do
          local name = who .. "-" .. w
          if who == "core" then name = name:gsub("%-header$", "") end
          t[who][round] = cpu(fns[name], opt.n) / opt.n * 1e6
        end
      end
      rows[#rows + 1] = { w, best(t.core), best(t.client) }
    end
    print(("%s, CPU microseconds per request (best of 9 rounds of %d)"):format(interp, opt.n))
  end
  print(("%-28s %12s %12s %12s"):format("signed request", "core", "client", "client adds"))
  for _, r in ipairs(rows) do
    local label = LABELS[r[1]]
    local fmt = opt.callgrind and "%-28s %12.0f %12.0f %12.0f" or "%-28s %12.2f %12.2f %12.2f"
    print(fmt:format(label, r[2], r[3], r[3] - r[2]))
  end
end)
if stop then stop() end
assert(ok, err)
