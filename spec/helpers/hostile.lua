-- Starts and stops the misbehaving HTTP server of the hostile-input specs
-- (spec/openresty/hostile_server.lua in Debian's nginx with the Lua module,
-- on a free loopback port), and sends requests through either transport:
--   local hostile = require("spec.helpers.hostile").start()
--   hostile.url                                  -- http://127.0.0.1:PORT
--   hostile.libcurl(req, opts) / hostile.cosocket(req, opts) -> ok, result
--   hostile.client(opts, what) -- a client with the cosocket transport in nginx
--   hostile.get(path) -> decoded JSON of a GET to the server
--   hostile.stop()
-- `result` is the response, or the error's fields as a plain table (every
-- field that is not a table, and text = tostring(err)).
local core = require "hwcloud.core"
local socket = require "socket"
local server = require "spec.helpers.server"

local M = {}

local free_port, slurp, ok_exit = server.free_port, server.read_file, server.sh

local function line_of(cmd)
  local p = assert(io.popen(cmd))
  local s = p:read("l")
  p:close()
  return s
end

-- every field of an error that is not a table (headers, data), and its text
local function fields(err)
  if not core.is_error(err) then return { message = tostring(err) } end
  local out = { text = tostring(err) }
  for k, v in pairs(err) do
    if type(v) ~= "table" then out[k] = v end
  end
  return out
end

--- Start the server (bounded: 5 s to answer). Raises when nginx does not start.
function M.start()
  local root, dir, port = line_of("pwd"), line_of("mktemp -d /tmp/hwcloud-hostile-XXXXXX"), free_port()
  local vars = { DIR = dir, ROOT = root, PORT = port, DNSPORT = free_port(), USER = line_of("id -u") == "0" and "user root;" or "" }
  local conf = assert(slurp(root .. "/spec/openresty/hostile_nginx.conf.in"))
  local f = assert(io.open(dir .. "/nginx.conf", "wb"))
  f:write((conf:gsub("@(%u+)@", function(k) return tostring(vars[k]) end)))
  f:close()
  assert(ok_exit(("nginx -p %s -c %s/nginx.conf -e %s/error.log"):format(dir, dir, dir)),
    "nginx did not start: " .. tostring(slurp(dir .. "/error.log")))
  local h = { dir = dir, url = "http://127.0.0.1:" .. port }
  local session = core.session{ timeout = 60 }

  function h.stop()
    session:close()
    local pid = (slurp(dir .. "/nginx.pid") or ""):match("%d+")
    if pid then
      os.execute("kill " .. pid)
      local until_t = socket.gettime() + 5
      while socket.gettime() < until_t and ok_exit("kill -0 " .. pid .. " 2>/dev/null") do socket.sleep(0.02) end
    end
    if dir:find("^/tmp/hwcloud%-hostile%-") then os.execute("rm -rf " .. dir) end
  end

  local deadline = socket.gettime() + 5
  while not pcall(session.send, session, { method = "GET", url = h.url .. "/h/log" }) do
    if socket.gettime() > deadline then
      local log = tostring(slurp(dir .. "/error.log"))
      h.stop()
      error("nginx does not answer: " .. log)
    end
    socket.sleep(0.02)
  end

  function h.libcurl(req, opts)
    local s = core.session(opts)
    local ok, r = pcall(s.send, s, req)
    s:close()
    return ok, ok and r or fields(r)
  end

  local function run(input)
    local r = session:send{ method = "POST", url = h.url .. "/run", body = core.encode(input),
                            headers = { { "Content-Type", "application/json" } } }
    assert(r.body.ok ~= nil, "the runner failed: " .. tostring(r.raw_body))
    return r.body.ok, r.body.ok and (r.body.result or r.body) or r.body.err
  end

  function h.cosocket(req, opts, busy)
    return run({ req = req, opts = opts or core.null, busy = busy })
  end

  --- In nginx: a client (options `opts`, cosocket transport) lists stacks
  -- (`what = "list"`) or makes the request `what`.
  function h.client(opts, what)
    return run({ client = opts, list = what == "list" or nil, request = what ~= "list" and what or nil })
  end

  function h.get(path)
    return session:send{ method = "GET", url = h.url .. path }.body
  end

  return h
end

return M
