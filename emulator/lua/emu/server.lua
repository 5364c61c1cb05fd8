-- The emulator's frame: `init` runs once when nginx starts (loads accounts,
-- settings and service modules), `handle` serves every request: request id,
-- control API, injected faults, routing, gateway authentication, project
-- checks, JSON bodies, the handler call, rendering and the request log.

local accounts = require "emu.accounts"
local auth = require "emu.auth"
local canonical = require "emu.canonical"
local config = require "emu.config"
local control = require "emu.control"
local errors = require "emu.errors"
local faults = require "emu.faults"
local json = require "emu.json"
local redact = require "emu.redact"
local reqlog = require "emu.reqlog"
local services = require "emu.services"
local util = require "emu.util"

local server = {}

local MAX_SIGNED_BODY = 12 * 1024 * 1024

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Write the export lines of the default account (mode 0600) for the CLI.
local function write_env(opts)
  if not opts.state_dir then return end
  local a = accounts.all()[1]
  local p = a.projects[1]
  local lines = {
    "export HWCLOUD_ENDPOINT=" .. shell_quote("http://127.0.0.1:" .. tostring(opts.port)),
    "export HUAWEICLOUD_SDK_AK=" .. shell_quote(a.access_key),
    "export HUAWEICLOUD_SDK_SK=" .. shell_quote(a.secret_key),
    "export HUAWEICLOUD_SDK_PROJECT_ID=" .. shell_quote(p.id),
    "export HUAWEICLOUD_SDK_REGION=" .. shell_quote(p.region),
    "export HUAWEICLOUD_SDK_DOMAIN_ID=" .. shell_quote(a.domain_id),
  }
  local path = opts.state_dir .. "/env"
  os.remove(path)
  local f = assert(io.open(path, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  os.execute("chmod 600 " .. shell_quote(path))
end

--- Start-up (init_by_lua): opts = {config_file=, state_dir=, port=, speed=?}.
-- Raises with a readable message when the accounts file is wrong.
function server.init(opts)
  accounts.load_file(opts.config_file)
  local settings = util.deepcopy(accounts.settings())
  if opts.speed then settings.speed = opts.speed end
  local msg = config.check(settings)
  if msg then error("accounts config: settings: " .. msg, 0) end
  config.init(settings)
  services.load()
  write_env(opts)
end

local function read_body()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if data then return data end
  local file = ngx.req.get_body_file()
  if not file then return nil end
  local f = io.open(file, "rb")
  if not f then return nil end
  data = f:read("*a")
  f:close()
  return data
end

-- A body is decoded when it is declared JSON, or undeclared/form-typed but
-- looks like JSON (curl -d sends application/x-www-form-urlencoded).
local function json_body_expected(headers, raw)
  if raw == nil or raw == "" then return false end
  local ct = headers["content-type"]
  if type(ct) == "table" then ct = ct[1] end
  ct = ct and ct:lower() or ""
  if ct:find("json", 1, true) then return true end
  return (ct == "" or ct:find("x-www-form-urlencoded", 1, true) ~= nil) and raw:find("^%s*[{%[]") ~= nil
end

local function send(status, body, headers, ctx)
  ngx.status = status
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  ctx.status = status
  if body == nil or status == 204 or status == 304 then return end
  local text
  if type(body) == "table" then
    text = json.encode(body)
    if not (headers and (headers["Content-Type"] or headers["content-type"])) then
      ngx.header["Content-Type"] = "application/json;charset=UTF-8"
    end
    if type(body.error_code) == "string" then ctx.error_code = body.error_code end
    if type(body.error) == "table" and body.error.code ~= nil then ctx.error_code = tostring(body.error.code) end
  else
    text = tostring(body)
    if not (headers and (headers["Content-Type"] or headers["content-type"])) then
      ngx.header["Content-Type"] = "application/json;charset=UTF-8"
    end
  end
  ngx.print(text)
end

local function send_error(e, ctx, shape)
  if shape and not e.shape then e.shape = shape end
  send(e.status, errors.body(e, ctx.request_id), e.headers, ctx)
end

local function log_request(ctx)
  if not ctx.log then return end
  reqlog.add({
    request_id = ctx.request_id, time = util.iso(ctx.start), method = ctx.method,
    path = ctx.path, uri = redact.uri(ctx.request_uri), status = ctx.status, error_code = ctx.error_code,
    fault = ctx.fault, service = ctx.service, caller = ctx.caller,
    headers = redact.headers(ctx.headers), body = redact.body(ctx.raw_body),
    duration_ms = math.floor((ngx.now() - ctx.start) * 1000 + 0.5),
  })
end

local function query_table(raw_query)
  local q = {}
  for _, p in ipairs(canonical.query_pairs(raw_query)) do
    local k, v = p[1], p[2]
    if q[k] == nil then
      q[k] = v
    elseif type(q[k]) == "table" then
      q[k][#q[k] + 1] = v
    else
      q[k] = { q[k], v }
    end
  end
  return q
end

local function handle_control(ctx)
  local raw = read_body()
  local body
  if raw and raw ~= "" then
    local err
    body, err = json.decode(raw)
    if body == nil then
      return send_error(errors.new(400, "EMULATOR.0400", "the body is not valid JSON: " .. err), ctx)
    end
  end
  local ok, status, resp = pcall(control.handle, {
    method = ctx.method, name = ctx.path:sub(#"/_emulator/" + 1):gsub("/$", ""),
    query = query_table(ctx.raw_query), body = body, now = ctx.start,
  })
  if not ok then
    if errors.is(status) then return send_error(status, ctx) end
    ngx.log(ngx.ERR, "emulator control error: ", tostring(status))
    return send_error(errors.new(500, "EMULATOR.0500", "emulator internal error: " .. tostring(status)), ctx)
  end
  send(status, resp, nil, ctx)
end

local function project_error(route, caller_project)
  local fe = route.module and route.module.frame_errors
  local e = fe and fe.project
  if e then return errors.new(e[1], e[2], e[3]) end
  return errors.new(403, "APIGW.0310", "The project is unavailable or does not belong to the caller.")
end

-- Resolve the project of an authenticated call; raises when it does not match.
local function resolve_project(route, params, caller, headers)
  local path_project = params.project_id
  local project = caller.project
  if caller.via == "aksk" then
    local hp = headers["x-project-id"]
    if type(hp) == "table" then hp = hp[1] end
    if hp then
      project = accounts.project_of(caller.account, util.trim(hp))
      if not project then error(project_error(route), 0) end
    end
  end
  if path_project and route.project ~= false then
    local owned = accounts.project_of(caller.account, path_project)
    if not owned or (project and project.id ~= path_project) then error(project_error(route), 0) end
    project = owned
  end
  return project
end

local function router_host(ctx)
  local h = ctx.headers.host
  if type(h) == "table" then h = h[1] end
  return require("emu.router").host_service(h)
end

local function dispatch(ctx)
  local route, params = services.router:match(ctx.method, ctx.path, router_host(ctx))
  if not route then
    return send_error(errors.new(404, "APIGW.0101",
      "The API does not exist or has not been published in the environment."), ctx)
  end
  ctx.service = route.service
  local shape = route.module and route.module.error_shape

  ctx.raw_body = read_body()
  local caller
  if route.auth ~= false then
    local ok, res = pcall(auth.authenticate, {
      method = ctx.method, request_uri = ctx.request_uri, headers = ctx.headers,
      body = ctx.raw_body, now = ctx.start,
    })
    if not ok then
      if errors.is(res) then return send_error(res, ctx, shape) end
      error(res, 0)
    end
    caller = res
    if caller.via == "aksk" and ctx.raw_body and #ctx.raw_body > MAX_SIGNED_BODY then
      return send_error(errors.new(413, "APIGW.0201", "Request body too large."), ctx)
    end
  end

  local project
  if caller then
    local ok, res = pcall(resolve_project, route, params, caller, ctx.headers)
    if not ok then
      if errors.is(res) then return send_error(res, ctx, shape) end
      error(res, 0)
    end
    project = res
    ctx.caller = caller.account.name
  end

  local body
  if json_body_expected(ctx.headers, ctx.raw_body) then
    local err
    body, err = json.decode(ctx.raw_body)
    if body == nil then
      local fe = route.module and route.module.frame_errors and route.module.frame_errors.bad_json
      local e = fe and errors.new(fe[1], fe[2], fe[3]) or errors.new(400, "APIGW.0201", "The request body is not valid JSON: " .. err)
      return send_error(e, ctx, shape)
    end
  end

  local req = {
    method = ctx.method, path = ctx.path, params = params, query = query_table(ctx.raw_query),
    headers = ctx.headers, raw_body = ctx.raw_body, body = body,
    account = caller and accounts.public(caller.account) or nil,
    caller = caller and { via = caller.via, temporary = caller.temporary, token = caller.token } or nil,
    project_id = project and project.id or nil, region = project and project.region or nil,
    request_id = ctx.request_id, now = ctx.start,
    base_url = "http://" .. (ngx.var.http_host or ("127.0.0.1:" .. ngx.var.server_port)),
  }
  local ok, status, resp, headers = pcall(route.handler, req)
  if not ok then
    if errors.is(status) then return send_error(status, ctx, shape) end
    ngx.log(ngx.ERR, "emulator handler error in ", ctx.method, " ", ctx.path, ": ", tostring(status))
    return send_error(errors.new(500, "EMULATOR.0500", "emulator internal error: " .. tostring(status)), ctx)
  end
  send(status or 200, resp, headers, ctx)
end

-- Close the connection without an answer. On a reused keep-alive
-- connection HTTP clients (libcurl) silently replay a request whose
-- connection closes before any response byte arrives, which would hide the
-- fault; there the connection is cut in the middle of a response instead
-- (headers promising a body that never comes), so the client sees one
-- transport failure either way.
local function drop_connection()
  if tonumber(ngx.var.connection_requests or "1") > 1 then
    ngx.req.read_body()
    local sock = ngx.req.socket(true)
    if sock and sock:send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n{") then
      return ngx.exit(ngx.OK)   -- a graceful close: an abortive one would discard the bytes
    end
  end
  return ngx.exit(444)
end

local function apply_fault(rule, ctx)
  ctx.fault = rule.action .. "#" .. rule.id
  if rule.delay and rule.delay > 0 then ngx.sleep(rule.delay) end
  if rule.action == "drop" then
    ctx.status = 444
    log_request(ctx)
    return drop_connection()
  end
  if rule.action == "respond" or rule.status then
    local body = rule.body
    if body == nil then
      body = faults.default_body(rule.status)
      if body.error_code:find("^APIGW") then body.request_id = ctx.request_id end
    end
    send(rule.status, body, rule.headers, ctx)
    return true
  end
  return false   -- a stall without status: go on and serve the request
end

--- Serve one request (content_by_lua).
function server.handle()
  local start = ngx.now()
  local request_id = util.request_id()
  ngx.header["X-Request-Id"] = request_id
  ngx.header["Server"] = "api-gateway"
  local path, raw_query = canonical.split_uri(ngx.var.request_uri)
  local ctx = {
    start = start, request_id = request_id, method = ngx.req.get_method(),
    request_uri = ngx.var.request_uri, path = path, raw_query = raw_query,
    headers = ngx.req.get_headers(200), log = true,
  }
  if path == "/_emulator" or path:sub(1, 11) == "/_emulator/" then
    ctx.log = false
    return handle_control(ctx)
  end
  local ok, err = pcall(function()
    local rule = faults.take(ctx.method, path)
    if rule and apply_fault(rule, ctx) then return end
    dispatch(ctx)
  end)
  if not ok then
    ngx.log(ngx.ERR, "emulator error: ", tostring(err))
    if not ctx.status then
      send_error(errors.new(500, "EMULATOR.0500", "emulator internal error"), ctx)
    end
  end
  log_request(ctx)
end

--- Answer an nginx-level error (e.g. 413 from client_max_body_size) with a JSON body.
function server.nginx_error(status)
  local ctx = { request_id = util.request_id(), log = false }
  ngx.header["X-Request-Id"] = ctx.request_id
  local e = errors.new(status, "APIGW.0201", status == 413 and "Request body too large." or "Malformed request.")
  send_error(e, ctx)
end

return server
