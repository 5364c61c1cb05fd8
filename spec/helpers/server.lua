-- Starts and stops the core specs' test HTTP server: Debian's nginx with the
-- Lua module, on free loopback ports, plain HTTP and TLS with a self-signed
-- certificate made at start. Usage:
--   local server = require("spec.helpers.server").start()
--   ... server.url, server.tls_url, server.ca_file, server.refused_url ...
--   server.stop()
local socket = require "socket"

local M = {}

local function free_port()
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return port
end
M.free_port = free_port

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

--- The first line a shell command prints.
local function line_of(cmd)
  local p = assert(io.popen(cmd))
  local s = p:read("l")
  p:close()
  return s
end

M.sh = sh
M.read_file = read_file
M.line_of = line_of

local function root_dir()
  return line_of("pwd")
end

--- Starts the server; returns a table with url, tls_url, ca_file, refused_url, dir and stop().
function M.start(opts)
  opts = opts or {}
  local root = root_dir()
  local p = io.popen("mktemp -d /tmp/hwcloud-test-XXXXXX")
  local dir = p:read("l")
  p:close()
  local port, tls_port, refused = free_port(), free_port(), free_port()
  assert(sh(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
    .. "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1")
    :format(dir, dir)), "openssl could not make a certificate")
  local conf = read_file(root .. "/spec/core/server/nginx.conf.in")
  local vars = {
    DIR = dir, ROOT = root, PORT = port, TLS_PORT = tls_port,
    USER = (io.popen("id -u"):read("l") == "0") and "user root;" or "",
    LUA_PATH = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua",
    CPATH = root .. "/" .. (opts.cpath or "build-luajit/?.so"),
  }
  conf = conf:gsub("@(%u[%u_]*)@", function(k) return tostring(vars[k]) end)
  local f = assert(io.open(dir .. "/nginx.conf", "wb"))
  f:write(conf)
  f:close()
  assert(sh(("nginx -p %s -c %s/nginx.conf -e %s/error.log"):format(dir, dir, dir)),
    "nginx did not start: " .. tostring(read_file(dir .. "/error.log")))
  local server = {
    dir = dir, port = port, tls_port = tls_port,
    url = "http://127.0.0.1:" .. port,
    tls_url = "https://127.0.0.1:" .. tls_port,
    refused_url = "http://127.0.0.1:" .. refused,
    ca_file = dir .. "/cert.pem",
  }
  -- wait until it answers (bounded: 5 s)
  local deadline = socket.gettime() + 5
  repeat
    local c = socket.tcp()
    c:settimeout(0.2)
    local ok = c:connect("127.0.0.1", port)
    c:close()
    if ok then break end
    socket.sleep(0.02)
  until socket.gettime() > deadline
  function server.stop()
    local pid = read_file(dir .. "/nginx.pid")
    if pid and pid:match("%d+") then
      sh("kill " .. pid:match("%d+"))
      local until_t = socket.gettime() + 5
      while socket.gettime() < until_t and sh("kill -0 " .. pid:match("%d+") .. " 2>/dev/null") do
        socket.sleep(0.02)
      end
    end
    sh("rm -rf " .. dir)
  end
  return server
end

return M
