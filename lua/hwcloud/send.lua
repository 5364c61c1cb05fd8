-- The last two steps of the client's pipeline (lua-resty-aws: validate,
-- build, sign, execute): `authenticate` signs one attempt with AK/SK
-- (hwcloud.core.sign) or adds the IAM token, `attempt` sends it through the
-- transport between the on_request / on_response hooks, and `execute` runs
-- the whole pipeline for client:request, retrying through hwcloud.retry.
-- While nothing fails and no hook is set, a request costs one build, one
-- signature and one send: the retry policy, the hooks' redacted copies and
-- the clock are only touched when they are needed.

local core = require "hwcloud.core"
local request = require "hwcloud.request"
local retry = require "hwcloud.retry"
local redact = require "hwcloud.redact"
local hints = require "hwcloud.hints"
local headers_ = require "hwcloud.headers"

local M = {}

local pcall, error, type = pcall, error, type
local is_error = core.is_error

local function copy_headers(list)
  local out = {}
  for i = 1, #list do
    -- new pairs: a transport or a dry_run caller may change what it gets,
    -- and the built request's pairs are shared (hwcloud.request)
    out[i] = { list[i][1], list[i][2] }
  end
  return out
end

--- Authenticate one attempt: a fresh signature (AK/SK) or the current token.
-- @tparam table st the client's private state
-- @tparam table p the built request (hwcloud.request.build)
-- @tparam[opt] boolean whole with AK/SK, core.sign's whole result (dry_run
--   shows it); else core.sign_headers' list alone, which builds nothing more
-- @treturn table the headers to send
-- @treturn[opt] table core.sign's result (AK/SK, whole)
function M.authenticate(st, p, whole)
  local headers, signed
  local cred = p.cred
  if p.auth == "none" then
    headers = copy_headers(p.headers)
  elseif cred.kind == "aksk" then
    -- one input table per client, filled for each signature (core.sign is C:
    -- it neither yields nor keeps the table) and emptied of what may be large
    local input = st.sign_input
    input.method, input.url, input.headers, input.body = p.method, p.url, p.headers, p.body
    input.ak, input.sk, input.security_token = cred.ak, cred.sk, cred.security_token
    -- looked up per call: specs spy on them
    if whole then
      signed = core.sign(input)
      headers = signed.headers
    else
      headers = core.sign_headers(input)
    end
    input.url, input.headers, input.body = nil, nil, nil
  else
    headers = copy_headers(p.headers)
    headers_.set(headers, "X-Auth-Token", st.auth:token())
  end
  if p.user_agent then -- unsigned, after the signature (hwcloud.request)
    headers[#headers + 1] = { p.user_agent[1], p.user_agent[2] }
  end
  return headers, signed
end

local function encode_for_hooks(v)
  return core.encode(v)
end

-- on_request gets a redacted copy of what is sent
local function on_request(st, p, wire, n, dry_run)
  local copy = redact.request(wire, core.decode, encode_for_hooks)
  copy.service = p.service
  copy.operation = p.operation
  copy.attempt = n
  copy.dry_run = dry_run or nil
  st.hooks.on_request(copy)
end

-- on_response gets a redacted view of the response or of the failure
local function on_response(st, p, ok, resp, n, started)
  local info
  if ok then
    info = redact.response(resp, core.decode, encode_for_hooks)
  else
    info = { status = type(resp) == "table" and resp.status or nil }
    if is_error(resp) then
      local fields = redact.error_fields(resp)
      info.headers = fields.headers
      info.body = fields.body
      info.request_id = fields.request_id
      info.error = core.error(fields)
    else
      info.error = tostring(resp)
    end
  end
  info.service = p.service
  info.operation = p.operation
  info.method = p.method
  info.url = redact.url(p.url)
  info.attempt = n
  info.elapsed = st.clock() - started
  st.hooks.on_response(info)
end

-- what dry_run returns: the signed request, not sent
local function dry(p, wire, signed)
  wire.service = p.service
  if signed then
    wire.signed_headers = signed.signed_headers
    wire.canonical_request = signed.canonical_request
    wire.string_to_sign = signed.string_to_sign
    wire.x_sdk_date = signed.x_sdk_date
    wire.authorization = signed.authorization
  end
  return wire
end

--- One attempt: authenticate, hook, send, hook.
-- @tparam table st the client's private state
-- @tparam table p the built request
-- @tparam number n the attempt's number (from 1)
-- @tparam[opt] boolean dry_run return the signed request instead of sending it
-- @treturn table the response (or, dry_run, the request)
-- @raise the transport's error, redacted, with `method` set
function M.attempt(st, p, n, dry_run)
  local headers, signed = M.authenticate(st, p, dry_run)
  local wire = { method = p.method, url = p.url, headers = headers, body = p.body }
  local hooks = st.hooks
  if hooks.on_request then
    on_request(st, p, wire, n, dry_run)
  end
  if dry_run then
    return dry(p, wire, signed)
  end
  local transport = st.transport
  if not transport then
    transport = require("hwcloud.transport.curl").new(st.opts)
    st.transport = transport
  end
  local started = hooks.on_response and st.clock()
  local ok, resp = pcall(transport.send, transport, wire)
  if not ok and is_error(resp) then
    resp.method = resp.method or p.method
    redact.raised(resp, p.url)
    if resp.curl_code then -- a failed transfer: a hint on where the endpoint came from
      hints.add(resp, select(2, request.endpoint(st, p.service, "client:request")))
    end
  end
  if started then
    on_response(st, p, ok, resp, n, started)
  end
  if not ok then
    error(resp, 0)
  end
  return resp
end

-- attempts 2, 3, ... after the first one failed with `err` (and, for a
-- password token, once more with a new token after a 401)
local function retry_after_failure(st, p, req, err)
  local total = 1
  local policy = {
    max_retries = req.max_retries or st.opts.max_retries,
    base_delay = st.opts.retry_base_delay,
    max_delay = st.opts.retry_max_delay,
    max_retry_after = st.opts.max_retry_after,
    method = p.method,
    idempotent = req.idempotent,
    clock = st.clock,
    sleep = st.sleep,
    random = st.random,
  }
  local function run_attempt()
    total = total + 1
    return M.attempt(st, p, total, false)
  end
  local ok, resp = pcall(retry.resume, policy, run_attempt, 1, err)
  if not ok and p.auth ~= "none" and st.auth:renewable()
      and type(resp) == "table" and resp.kind == "http" and resp.status == 401 then
    -- the cached token may have been revoked or expired early: once more
    -- with a new one
    st.auth:invalidate_token()
    st.auth:token(true)
    ok, resp = pcall(retry.run, policy, run_attempt)
  end
  if not ok then
    if is_error(resp) then
      resp.attempts = total
    end
    error(resp, 0)
  end
  return resp, total
end

--- Send one API request (client:request on the client's private state; also
-- the IAM requests of hwcloud.credentials).
-- @tparam table st the client's private state
-- @tparam table req see client:request
-- @return the response with `attempts` set, or with dry_run the signed request
-- @raise an hwcloud.Error with `attempts`
function M.execute(st, req)
  local fname = "client:request"
  request.check(req, fname)
  local p = request.build(st, req, fname)
  local dry_run = req.dry_run
  if dry_run == nil then
    dry_run = st.opts.dry_run
  end
  if dry_run then
    return M.attempt(st, p, 1, true)
  end
  local ok, resp = pcall(M.attempt, st, p, 1, false)
  local total = 1
  if not ok then
    resp, total = retry_after_failure(st, p, req, resp)
  end
  if type(resp) == "table" then
    resp.attempts = total
  end
  return resp
end

return M
