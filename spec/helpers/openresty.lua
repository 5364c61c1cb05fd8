-- Runs a small OpenResty app for the specs: Debian's nginx with the Lua
-- module, one worker, on a free loopback port, with this checkout's Lua
-- modules and the LuaJIT build of hwcloud.core. The app is a Lua module whose
-- run() answers GET /run?case=...; `app.call(args)` sends the query with a
-- core session and returns the decoded JSON answer.
--   local app = require("spec.helpers.openresty").start{ name = "my_app", source = APP,
--     http = "lua_shared_dict tokens 1m;", main = "env NAME=value;" }
--   local r = app.call{ case = "x", endpoint = e.endpoint }; app.run(e, "x", {more = 1}); app.stop()
local core = require "hwcloud.core"
local free_port = require("spec.helpers.server").free_port

local M = {}

local CONF = [[
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
@USER@
@MAIN@
worker_processes 1;
daemon on;
pid @DIR@/nginx.pid;
error_log @DIR@/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path @DIR@/body;
  proxy_temp_path @DIR@/proxy;
  fastcgi_temp_path @DIR@/fastcgi;
  uwsgi_temp_path @DIR@/uwsgi;
  scgi_temp_path @DIR@/scgi;
  lua_package_path "@DIR@/?.lua;@ROOT@/lua/?.lua;@ROOT@/lua/?/init.lua;;";
  lua_package_cpath "@ROOT@/build-luajit/?.so;;";
  @HTTP@
  server {
    listen 127.0.0.1:@PORT@;
    location /run { content_by_lua_block { require("@NAME@").run() } }
  }
}
]]

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function write_file(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

local function line(cmd)
  local p = io.popen(cmd)
  local s = p:read("*l")
  p:close()
  return s
end

--- Whether the LuaJIT build of the core exists (the app needs it).
function M.available()
  return read_file("build-luajit/hwcloud/core.so") ~= nil
end

--- Start the app. opts: name (module name), source (its Lua text), http
-- (more lines for the http block), main (more lines for the main context,
-- such as `env` directives). Raises when nginx does not start.
function M.start(opts)
  local dir = line("mktemp -d /tmp/hwcloud-openresty-spec-XXXXXX")
  local port = free_port()
  local vars = { DIR = dir, ROOT = line("pwd"), PORT = port, NAME = opts.name, HTTP = opts.http or "",
                 MAIN = opts.main or "",
                 USER = line("id -u") == "0" and "user root;" or "" }
  write_file(dir .. "/nginx.conf", (CONF:gsub("@(%u+)@", function(k) return tostring(vars[k]) end)))
  write_file(dir .. "/" .. opts.name .. ".lua", opts.source)
  assert(sh(("nginx -p %s -c %s/nginx.conf -e %s/error.log"):format(dir, dir, dir)),
    "nginx did not start: " .. tostring(read_file(dir .. "/error.log")))
  local session = core.session({ timeout = 60 })
  local app = { dir = dir, port = port, url = "http://127.0.0.1:" .. port }
  for _ = 1, 250 do -- until it answers (5 s)
    local ok, err = pcall(session.send, session, { method = "GET", url = app.url .. "/none" })
    if ok or (type(err) == "table" and err.kind == "http") then break end
    os.execute("sleep 0.02")
  end

  --- GET /run with `args` as the query; the decoded answer (raises if the app crashed).
  function app.call(args)
    local q = {}
    for k, v in pairs(args) do q[#q + 1] = k .. "=" .. require("hwcloud").escape(v) end
    local res = session:send({ method = "GET", url = app.url .. "/run?" .. table.concat(q, "&") })
    assert(type(res.body) == "table" and not res.body.crashed, tostring(res.body and res.body.crashed or res.raw_body))
    return res.body
  end

  --- `call` for a case, with the emulator's address and default account
  -- (endpoint, ak, sk, region, project_id, user, password, domain) plus `extra`.
  function app.run(e, case, extra)
    local args = { case = case, endpoint = e.endpoint, ak = e.ak, sk = e.sk, region = e.region,
                   project_id = e.project_id, user = e.user_name, password = e.password, domain = e.domain_name }
    for k, v in pairs(extra or {}) do args[k] = v end
    return app.call(args)
  end

  --- Stop nginx (by pid) and remove the directory. Idempotent.
  function app.stop()
    if app.stopped then return end
    app.stopped = true
    session:close()
    local pid = (read_file(dir .. "/nginx.pid") or ""):match("%d+")
    if pid then
      sh("kill " .. pid)
      for _ = 1, 250 do
        if not sh("kill -0 " .. pid .. " 2>/dev/null") then break end
        os.execute("sleep 0.02")
      end
    end
    if dir:find("^/tmp/hwcloud%-openresty%-spec%-") then sh("rm -rf " .. dir) end
  end
  return app
end

return M
