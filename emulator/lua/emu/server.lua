-- The emulator's frame: `init` runs once when nginx starts (accounts,
-- settings, service modules); `handle` serves every request in order:
-- request id, control API, injected fault, route, authentication, project,
-- JSON body, the service's handler, response, request log.

local accounts = require "emu.accounts"
local auth = require "emu.auth"
local canonical = require "emu.canonical"
local clock = require "emu.clock"
local config = require "emu.config"
local control = require "emu.control"
local errors = require "emu.errors"
local exports = require "emu.exports"
local faults = require "emu.faults"
local inject = require "emu.inject"
local json = require "emu.json"
local log = require "emu.log"
local project = require "emu.project"
local redact = require "emu.redact"
local render = require "emu.render"
local reqlog = require "emu.reqlog"
local request = require "emu.request"
local services = require "emu.services"
local util = require "emu.util"

local server = {}

local MAX_SIGNED_BODY = 12 * 1024 * 1024

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
  control.init(clock.real())
  exports.write(opts)
end

local function log_request(ctx)
  if not ctx.log then return end
  reqlog.add({
    request_id = ctx.request_id, time = util.iso(ctx.start), method = ctx.method,
    path = ctx.path, uri = redact.uri(ctx.request_uri), status = ctx.status, error_code = ctx.error_code,
    fault = ctx.fault, service = ctx.service, caller = ctx.caller,
    headers = redact.headers(ctx.headers), body = redact.body(ctx.raw_body),
    duration_ms = math.floor((clock.real() - ctx.real_start) * 1000 + 0.5),
  })
end

-- A bug in the emulator: logged in full (error.log), answered 500
-- EMULATOR.0500 without the message (it may name files of this machine),
-- unless an answer has already been sent.
local function internal_error(ctx, err)
  log.error("emulator error in ", ctx.method, " ", ctx.path, ": ", err)
  if not ctx.status then
    render.error(errors.new(500, "EMULATOR.0500", "emulator internal error (see the emulator's logs/error.log)"), ctx)
  end
end

-- The end of a protected call: its results after `true`; an emu.errors value
-- is answered as it says (in the service's body `shape`), any other error is
-- an internal error; both return `false`.
local function settle(ctx, shape, ok, ...)
  if ok then return true, ... end
  local err = ...
  if errors.is(err) then render.error(err, ctx, shape) else internal_error(ctx, err) end
  return false
end

-- Call fn(...) for the request `ctx`: true and its results, or false once
-- the error has been answered (see settle).
local function protect(ctx, shape, fn, ...)
  return settle(ctx, shape, pcall(fn, ...))
end

local function handle_control(ctx)
  local raw = request.read_body()
  local body
  if raw and raw ~= "" then
    local err
    body, err = json.decode(raw)
    if body == nil then
      return render.error(errors.new(400, "EMULATOR.0400", "the body is not valid JSON: " .. err), ctx)
    end
  end
  local ok, status, resp = protect(ctx, nil, control.handle, {
    method = ctx.method, name = ctx.path:sub(#"/_emulator/" + 1):gsub("/$", ""),
    query = request.query_table(ctx.raw_query), body = body, now = ctx.start,
  })
  if ok then render.send(status, resp, nil, ctx) end
end

local function dispatch(ctx)
  local route, params = services.router:match(ctx.method, ctx.path, request.host_service(ctx.headers))
  if not route then
    return render.error(errors.new(404, "APIGW.0101",
      "The API does not exist or has not been published in the environment."), ctx)
  end
  ctx.service = route.service
  local shape = route.module and route.module.error_shape

  ctx.raw_body = request.read_body()
  local caller
  if route.auth ~= false then
    local ok
    ok, caller = protect(ctx, shape, auth.authenticate, {
      method = ctx.method, request_uri = ctx.request_uri, headers = ctx.headers,
      body = ctx.raw_body, now = ctx.start, real_now = ctx.real_start,
    })
    if not ok then return end
    if caller.via == "aksk" and ctx.raw_body and #ctx.raw_body > MAX_SIGNED_BODY then
      return render.error(errors.new(413, "APIGW.0201", "Request body too large."), ctx)
    end
  end

  local proj
  if caller then
    local ok
    ok, proj = protect(ctx, shape, project.resolve, route, params, caller, ctx.headers)
    if not ok then return end
    ctx.caller = caller.account.name
  end

  local body
  if request.wants_json(ctx.headers, ctx.raw_body) then
    local err
    body, err = json.decode(ctx.raw_body)
    if body == nil then
      local fe = route.module and route.module.frame_errors and route.module.frame_errors.bad_json
      local e = fe and errors.new(fe[1], fe[2], fe[3]) or errors.new(400, "APIGW.0201", "The request body is not valid JSON: " .. err)
      return render.error(e, ctx, shape)
    end
  end

  local req = {
    method = ctx.method, path = ctx.path, params = params, query = request.query_table(ctx.raw_query),
    headers = ctx.headers, raw_body = ctx.raw_body, body = body,
    account = caller and accounts.public(caller.account) or nil,
    caller = caller and { via = caller.via, temporary = caller.temporary, token = caller.token } or nil,
    project_id = proj and proj.id or nil, region = proj and proj.region or nil,
    request_id = ctx.request_id, now = ctx.start,
    base_url = "http://" .. (ngx.var.http_host or ("127.0.0.1:" .. ngx.var.server_port)),
  }
  local ok, status, resp, headers = protect(ctx, shape, route.handler, req)
  if ok then render.send(status or 200, resp, headers, ctx) end
end

--- Serve one request (content_by_lua).
function server.handle()
  local start, real_start = clock.now(), clock.real()
  local request_id = util.request_id()
  ngx.header["X-Request-Id"] = request_id
  ngx.header["Server"] = "api-gateway"
  local path, raw_query = canonical.split_uri(ngx.var.request_uri)
  local ctx = {
    start = start, real_start = real_start, request_id = request_id, method = ngx.req.get_method(),
    request_uri = ngx.var.request_uri, path = path, raw_query = raw_query,
    headers = ngx.req.get_headers(200), log = true,
  }
  ngx.var.emu_log_uri = redact.uri(ctx.request_uri)
  if path == "/_emulator" or path:sub(1, 11) == "/_emulator/" then
    ctx.log = false
    return handle_control(ctx)
  end
  local ok, err = pcall(function()
    local rule = faults.take(ctx.method, path)
    if rule and inject.apply(rule, ctx, log_request) then return end
    dispatch(ctx)
  end)
  if not ok then internal_error(ctx, err) end
  log_request(ctx)
end

--- Answer an nginx-level error (e.g. 413 from client_max_body_size) with a JSON body.
function server.nginx_error(status)
  local ctx = { request_id = util.request_id(), log = false }
  ngx.var.emu_log_uri = redact.uri(ngx.var.request_uri)
  ngx.header["X-Request-Id"] = ctx.request_id
  local e = errors.new(status, "APIGW.0201", status == 413 and "Request body too large." or "Malformed request.")
  render.error(e, ctx)
end

return server
