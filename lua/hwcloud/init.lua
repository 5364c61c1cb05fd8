-- The hwcloud client: `require "hwcloud"` gives this module, `hwcloud.new(opts)`
-- a client. A client holds the configuration (credentials chain, region,
-- endpoints, timeouts, retry policy, hooks) and one transport; its one
-- general method, `client:request{...}`, builds the URL, adds the project /
-- domain headers, authenticates (AK/SK signature through hwcloud.core.sign,
-- or an IAM token), sends through the transport with retries, and returns the
-- response or raises an hwcloud.Error. Service helpers hang off
-- `client:rfs()` and `client:vpcep()`. Nothing does I/O at require or at new.

local core = require "hwcloud.core"
local credentials = require "hwcloud.credentials"
local endpoints = require "hwcloud.endpoints"
local retry = require "hwcloud.retry"
local redact = require "hwcloud.redact"
local text = require "hwcloud.text"
local numbers = require "hwcloud.numbers"
local urls = require "hwcloud.url"

local M = {}

--- Version of lua-hwcloud.
M.VERSION = core.version or "0.1.0"

--- JSON null sentinel (from hwcloud.core).
M.null = core.null
--- Mark a table as a JSON array: `hwcloud.array{}` encodes as `[]`.
M.array = core.array
--- Whether a table is marked as a JSON array.
M.is_array = core.is_array
--- Encode a Lua value as JSON (integers exact, arrays and null as marked).
M.encode = core.encode
--- Decode JSON text; raises an error of kind "decode".
M.decode = core.decode
--- Whether a value is an hwcloud error.
M.is_error = core.is_error
--- Make (not raise) an error table with the hwcloud.Error metatable.
M.error = core.error

-- per-client private state (credentials, transport, caches), kept out of the
-- client table so that printing or dumping a client shows no secret
local private = setmetatable({}, { __mode = "k" })

local Client = {}
Client.__index = Client

local do_request -- defined below, next to Client:request

local function argerror(fname, message)
  error(core.error({ kind = "argument", message = fname .. ": " .. message }), 0)
end

--- Percent-encode a string the way the signer does (signing.md `E`): every
-- byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex). Use it for
-- path segments and query values.
-- @tparam string s
-- @treturn string
function M.escape(s)
  if type(s) ~= "string" then
    if type(s) == "number" or type(s) == "boolean" then
      s = tostring(s)
    else
      argerror("hwcloud.escape", "s must be a string")
    end
  end
  return urls.escape(s)
end

-- client options: name -> expected type
local OPTION_TYPES = {
  ak = "string", sk = "string", security_token = "string", token = "string",
  user = "string", password = "string", domain = "string",
  project_id = "string", domain_id = "string", region = "string",
  profile = "string", credentials_file = "string",
  endpoint = "string", endpoints = "table",
  timeout = "number", connect_timeout = "number", verify_tls = "boolean",
  ca_file = "string", ca_path = "string", proxy = "string", no_proxy = "string",
  user_agent = "string", max_body_bytes = "number",
  max_retries = "number", retry_base_delay = "number", retry_max_delay = "number",
  max_retry_after = "number", token_refresh_margin = "number",
  hooks = "table", clock = "function", sleep = "function", random = "function",
  transport = "table", dry_run = "boolean", shared_dict = "string",
}

--- Defaults of the client options (seconds, bytes).
M.DEFAULTS = {
  timeout = 60,
  connect_timeout = 10,
  verify_tls = true,
  max_retries = retry.DEFAULTS.max_retries,
  retry_base_delay = retry.DEFAULTS.base_delay,
  retry_max_delay = retry.DEFAULTS.max_delay,
  max_retry_after = retry.DEFAULTS.max_retry_after,
  token_refresh_margin = credentials.DEFAULT_REFRESH_MARGIN,
  user_agent = "lua-hwcloud/" .. M.VERSION,
}

-- numeric client options: name -> rule of hwcloud.numbers
local NUMBER_OPTIONS = {
  timeout = "positive seconds", connect_timeout = "positive seconds",
  retry_base_delay = "seconds", retry_max_delay = "seconds", max_retry_after = "seconds",
  token_refresh_margin = "seconds", max_retries = "count", max_body_bytes = "count",
}

local function validate_options(opts)
  local fname = "hwcloud.new"
  for k, v in pairs(opts) do
    local want = OPTION_TYPES[k]
    if not want then
      argerror(fname, "unknown option opts." .. tostring(k))
    end
    if type(v) ~= want then
      argerror(fname, "opts." .. k .. " must be a " .. want .. ", got " .. type(v))
    end
  end
  local bad = numbers.check(opts, NUMBER_OPTIONS)
  if bad then
    argerror(fname, bad)
  end
  if opts.endpoints then
    for k, v in pairs(opts.endpoints) do
      if type(k) ~= "string" or type(v) ~= "string" then
        argerror(fname, "opts.endpoints must map service names to URL strings")
      end
      local ok, why = endpoints.normalize((v:gsub("{region}", "region")))
      if not ok then
        argerror(fname, "opts.endpoints." .. k .. " " .. why)
      end
    end
  end
  if opts.endpoint then
    local ok, why = endpoints.normalize((opts.endpoint:gsub("{region}", "region")))
    if not ok then
      argerror(fname, "opts.endpoint " .. why)
    end
  end
  if opts.hooks then
    for k, v in pairs(opts.hooks) do
      if k ~= "on_request" and k ~= "on_response" then
        argerror(fname, "unknown hook opts.hooks." .. tostring(k))
      end
      if type(v) ~= "function" then
        argerror(fname, "opts.hooks." .. k .. " must be a function")
      end
    end
  end
  if opts.transport and type(opts.transport.send) ~= "function" then
    argerror(fname, "opts.transport must have a send function")
  end
end

--- Make a client. Reads the environment variables now; does no I/O (the
-- profile file, IAM and the network are touched on the first request).
-- @tparam[opt] table opts options (see README "The client"): credentials
--   `ak`, `sk`, `security_token`, `token`, `user`, `password`, `domain`,
--   `project_id`, `domain_id`, `region`, `profile`, `credentials_file`;
--   endpoints `endpoint`, `endpoints`; transport `timeout` (60 s),
--   `connect_timeout` (10 s), `verify_tls` (true), `ca_file`, `ca_path`,
--   `proxy`, `no_proxy`, `user_agent`, `max_body_bytes`, `transport`;
--   retries `max_retries` (3), `retry_base_delay` (0.5 s), `retry_max_delay`
--   (20 s), `max_retry_after` (60 s); `token_refresh_margin` (3600 s);
--   `hooks = {on_request=, on_response=}`; `clock`, `sleep`, `random`;
--   `dry_run` (false); `shared_dict` (OpenResty: a lua_shared_dict that
--   holds password tokens for every worker)
-- @treturn table client
-- @raise an error of kind "argument" for a wrong option
function M.new(opts)
  if opts == nil then
    opts = {}
  elseif type(opts) ~= "table" then
    argerror("hwcloud.new", "opts must be a table")
  end
  validate_options(opts)
  local o = {}
  for k, v in pairs(opts) do
    o[k] = v
  end
  for k, v in pairs(M.DEFAULTS) do
    if o[k] == nil then
      o[k] = v
    end
  end
  local env = credentials.read_env()
  local st = {
    opts = o,
    env = env,
    clock = o.clock or retry.now,
    sleep = o.sleep or retry.sleep,
    random = o.random or math.random,
    hooks = o.hooks or {},
    transport = o.transport,
  }
  -- nothing in st may refer to the client: `private` has weak keys, and
  -- LuaJIT (no ephemerons) would then never collect either
  st.auth = credentials.new_auth(o, env, {
    clock = st.clock,
    refresh_margin = o.token_refresh_margin,
    iam = function(req)
      req.service = "iam"
      return do_request(st, req)
    end,
  })
  local client = setmetatable({}, Client)
  private[client] = st
  return client
end

local function state(self, fname)
  local st = type(self) == "table" and private[self]
  if not st then
    argerror(fname, "call it as a method of a client (client:" .. fname:match("[%w_]+$") .. "(...))")
  end
  return st
end

Client.__tostring = function(self)
  local st = private[self]
  local region = st and (st.opts.region or st.env.HUAWEICLOUD_SDK_REGION) or "?"
  return "hwcloud.Client(region=" .. tostring(region) .. ")"
end

-- endpoint configuration for endpoints.resolve
local function endpoint_cfg(st)
  return {
    endpoints = st.opts.endpoints,
    endpoint = st.opts.endpoint,
    env_endpoint = st.env.HWCLOUD_ENDPOINT,
    iam_endpoint = st.env.HUAWEICLOUD_SDK_IAM_ENDPOINT or st.auth:iam_endpoint(),
  }
end

local function resolve_endpoint(st, service, fname)
  local base, why = endpoints.resolve(service, st.auth:region(), endpoint_cfg(st))
  if not base then
    argerror(fname, why .. " (set option region or HUAWEICLOUD_SDK_REGION, or an endpoint)")
  end
  return base
end

--- The region the client works in (option, HUAWEICLOUD_SDK_REGION, or the
-- profile; may read the profile file).
-- @treturn string|nil
function Client:get_region()
  return state(self, "client:get_region").auth:region()
end

--- The project id (may read the profile file, and call IAM once to resolve
-- it from the region).
-- @tparam[opt] string service accepted for symmetry; every project service
--   of a client shares one project
-- @treturn string
-- @raise an error of kind "auth" when it cannot be determined
function Client:get_project_id(service) -- luacheck: ignore service
  return state(self, "client:get_project_id").auth:project_id()
end

--- The domain (account) id when known.
-- @treturn string|nil
function Client:get_domain_id()
  return state(self, "client:get_domain_id").auth:domain_id()
end

--- The base URL requests for a service go to.
-- @tparam string service e.g. "rfs", "vpcep", "iam"
-- @treturn string
function Client:get_endpoint(service)
  local st = state(self, "client:get_endpoint")
  if type(service) ~= "string" then
    argerror("client:get_endpoint", "service must be a string")
  end
  return resolve_endpoint(st, service, "client:get_endpoint")
end

-- render a query value
local function query_value(v, fname, what)
  local t = type(v)
  if t == "string" then
    return v
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "number" then
    if v == math.floor(v) and v > -2 ^ 63 and v < 2 ^ 63 then
      if math.type then
        return tostring(math.tointeger(v) or v)
      end
      return string.format("%.0f", v)
    end
    return string.format("%.17g", v)
  end
  argerror(fname, what .. " must be a string, number, boolean or a list of them")
end

-- query table -> query string (see hwcloud.encode_query)
local function encode_query(query, fname, prefix)
  if type(query) ~= "table" then
    argerror(fname, prefix .. " must be a table")
  end
  local pairs_ = {}
  for k, v in pairs(query) do
    if type(k) ~= "string" then
      argerror(fname, "query keys must be strings")
    end
    if type(v) == "table" and v ~= core.null then
      for i = 1, #v do
        pairs_[#pairs_ + 1] = { k, query_value(v[i], fname, prefix .. "." .. k) }
      end
    elseif v ~= core.null then
      pairs_[#pairs_ + 1] = { k, query_value(v, fname, prefix .. "." .. k) }
    end
  end
  table.sort(pairs_, function(a, b)
    if a[1] ~= b[1] then
      return a[1] < b[1]
    end
    return a[2] < b[2]
  end)
  local out = {}
  for i, p in ipairs(pairs_) do
    out[i] = M.escape(p[1]) .. "=" .. M.escape(p[2])
  end
  return table.concat(out, "&")
end

--- Encode a query table the way the signer canonicalises it: keys sorted,
-- list values repeated (sorted), every key and value escaped with `E`, an
-- empty value written `key=`.
-- @tparam table query `{name = value | {value, ...}}`
-- @treturn string query string without the leading `?` ("" when empty)
function M.encode_query(query)
  return encode_query(query, "hwcloud.encode_query", "query")
end

-- bytes that may appear raw in a path (RFC 3986 pchar, '/' and '%') and,
-- with '?', in a query; the rest (space, CR, LF, NUL, non-ASCII, quotes, '#'
-- ...) is escaped, so a raw path or query string cannot end the request line
local RAW_PATH = "[^%w%-%._~!%$&'%(%)%*%+,;=:@/%%]"
local RAW_QUERY = "[^%w%-%._~!%$&'%(%)%*%+,;=:@/%%%?]"

local fix_raw = urls.escape_class

-- header names allowed by the signer
local function check_header_name(name, fname)
  if type(name) ~= "string" or not name:find("^[%w%-]+$") then
    argerror(fname, "header name " .. tostring(name) .. " must be letters, digits and '-' only")
  end
end

-- list of {name, value} with case-insensitive replace
local function set_header(list, name, value)
  local lname = name:lower()
  for i = 1, #list do
    if list[i][1]:lower() == lname then
      list[i] = { name, value }
      return
    end
  end
  list[#list + 1] = { name, value }
end

-- a header value as sent and signed: a string or number, trimmed
local function header_value(name, v, fname)
  if type(v) == "number" then
    v = tostring(v)
  elseif type(v) ~= "string" then
    argerror(fname, "header " .. name .. " must have a string value")
  end
  return text.trim(v)
end

local function copy_headers(list)
  local out = {}
  for i = 1, #list do
    out[i] = { list[i][1], list[i][2] }
  end
  return out
end

-- Validate a request table and build everything that does not change
-- between attempts.
local function prepare(st, req, fname)
  if type(req) ~= "table" then
    argerror(fname, "req must be a table")
  end
  if type(req.service) ~= "string" or req.service == "" then
    argerror(fname, "req.service must be a string (e.g. \"rfs\", \"vpcep\", \"iam\")")
  end
  if type(req.method) ~= "string" or not req.method:find("^%a+$") then
    argerror(fname, "req.method must be an HTTP method name")
  end
  if type(req.path) ~= "string" or req.path:sub(1, 1) ~= "/" then
    argerror(fname, "req.path must be a string starting with /")
  end
  if req.query ~= nil and type(req.query) ~= "table" and type(req.query) ~= "string" then
    argerror(fname, "req.query must be a table or a string")
  end
  if req.headers ~= nil and type(req.headers) ~= "table" then
    argerror(fname, "req.headers must be a table")
  end
  local bt = type(req.body)
  if req.body ~= nil and bt ~= "table" and bt ~= "string" then
    argerror(fname, "req.body must be a table (sent as JSON) or a string")
  end
  if req.max_retries ~= nil and numbers.problem(req.max_retries, "count") then
    argerror(fname, "req.max_retries " .. numbers.problem(req.max_retries, "count"))
  end
  if req.auth ~= nil and req.auth ~= "none" and req.auth ~= "default" then
    argerror(fname, "req.auth must be \"none\" or \"default\"")
  end
  if req.scope ~= nil and req.scope ~= "project" and req.scope ~= "domain" and req.scope ~= "none" then
    argerror(fname, "req.scope must be \"project\", \"domain\" or \"none\"")
  end

  local p = {
    service = endpoints.canonical(req.service),
    method = req.method:upper(),
    auth = req.auth or "default", -- "none": no authentication (IAM token request)
    operation = type(req.operation) == "string" and req.operation or nil,
  }
  -- which id header goes with AK/SK: X-Project-Id for project services,
  -- X-Domain-Id for global ones (IAM); "none" for neither
  local scope = req.scope
  if scope == nil then
    scope = endpoints.is_global(p.service) and "domain" or "project"
  end
  p.scope = scope

  local cred = p.auth ~= "none" and st.auth:credentials() or nil
  p.cred = cred
  local base = resolve_endpoint(st, p.service, fname)

  -- path with {project_id} / {domain_id} filled in
  local path = req.path
  if path:find("{project_id}", 1, true) then
    local pid = M.escape(st.auth:project_id())
    path = path:gsub("{project_id}", (pid:gsub("%%", "%%%%")))
  end
  if path:find("{domain_id}", 1, true) then
    local did = st.auth:domain_id()
    if not did then
      error(core.error({ kind = "auth", message = fname .. ": the path needs {domain_id} "
        .. "but no domain_id is known (option domain_id or HUAWEICLOUD_SDK_DOMAIN_ID)" }), 0)
    end
    path = path:gsub("{domain_id}", (M.escape(did):gsub("%%", "%%%%")))
  end
  local unfilled = path:match("{[%w_]+}")
  if unfilled then
    argerror(fname, "req.path has an unfilled placeholder " .. unfilled)
  end
  path = fix_raw(path, RAW_PATH)

  local qs
  if type(req.query) == "table" then
    qs = encode_query(req.query, fname, "req.query")
  elseif type(req.query) == "string" then
    qs = fix_raw((req.query:gsub("^%?", "")), RAW_QUERY)
  end
  local url = base .. path
  if qs and qs ~= "" then
    url = url .. "?" .. qs
  end
  p.url = url

  local body = req.body
  local headers = {}
  if type(body) == "table" then
    body = core.encode(body)
  end
  if body ~= nil then
    headers[#headers + 1] = { "Content-Type", "application/json" }
  end
  p.body = body
  headers[#headers + 1] = { "User-Agent", st.opts.user_agent }
  if cred and cred.kind == "aksk" then
    if scope == "project" then
      headers[#headers + 1] = { "X-Project-Id", st.auth:project_id() }
    elseif scope == "domain" then
      local did = st.auth:domain_id()
      if did then
        headers[#headers + 1] = { "X-Domain-Id", did }
      end
    end
  end
  local uh = req.headers
  if uh then
    if uh[1] ~= nil then
      for i = 1, #uh do
        local pair = uh[i]
        if type(pair) ~= "table" then
          argerror(fname, "req.headers must be a list of {name, value} pairs or a map")
        end
        check_header_name(pair[1], fname)
        set_header(headers, pair[1], header_value(pair[1], pair[2], fname))
      end
    else
      local names = {}
      for k in pairs(uh) do
        check_header_name(k, fname)
        names[#names + 1] = k
      end
      table.sort(names)
      for _, k in ipairs(names) do
        set_header(headers, k, header_value(k, uh[k], fname))
      end
    end
  end
  p.headers = headers
  if p.auth ~= "none" and cred.kind ~= "aksk" then
    -- fetch (or reuse) the token before the retry loop: IAM has its own
    st.auth:token()
  end
  return p
end

-- Authenticate one attempt: a fresh signature (AK/SK) or the current token.
local function authenticate(st, p)
  local headers = copy_headers(p.headers)
  local cred = p.cred
  if p.auth == "none" then
    return headers
  end
  if cred.kind == "aksk" then
    local signed = core.sign({
      method = p.method, url = p.url, headers = headers, body = p.body,
      ak = cred.ak, sk = cred.sk, security_token = cred.security_token,
    })
    return signed.headers, signed
  end
  set_header(headers, "X-Auth-Token", st.auth:token())
  return headers
end

local function call_hook(st, name, arg)
  local hook = st.hooks[name]
  if hook then
    hook(arg)
  end
end

local function encode_for_hooks(v)
  return core.encode(v)
end

-- one attempt: authenticate, hook, send, hook
local function attempt(st, p, n, dry_run)
  local headers, signed = authenticate(st, p)
  local wire = { method = p.method, url = p.url, headers = headers, body = p.body }
  if st.hooks.on_request then
    local copy = redact.request(wire, core.decode, encode_for_hooks)
    copy.service = p.service
    copy.operation = p.operation
    copy.attempt = n
    copy.dry_run = dry_run or nil
    call_hook(st, "on_request", copy)
  end
  if dry_run then
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
  local transport = st.transport
  if not transport then
    transport = require("hwcloud.transport.curl").new(st.opts)
    st.transport = transport
  end
  local started = st.clock()
  local ok, resp = pcall(transport.send, transport, wire)
  if not ok and core.is_error(resp) then
    resp.method = resp.method or p.method
    redact.raised(resp, p.url)
  end
  if st.hooks.on_response then
    local info
    if ok then
      info = redact.response(resp, core.decode, encode_for_hooks)
    else
      info = { status = type(resp) == "table" and resp.status or nil }
      if core.is_error(resp) then
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
    call_hook(st, "on_response", info)
  end
  if not ok then
    error(resp, 0)
  end
  return resp
end

--- Send one API request.
-- @tparam table req `{service = "rfs"|"vpcep"|"iam"|..., method = "GET", path =
--   "/v1/{project_id}/stacks" ({project_id} and {domain_id} are filled in),
--   query = {name = value | {values}} or a string, headers = {Name = value} or
--   {{name, value}, ...}, body = table (sent as JSON) | string,
--   dry_run = boolean, max_retries = n, idempotent = boolean (retry a POST
--   like a PUT)}`
-- @treturn table the response `{status, headers, body, request_id, attempts,
--   ...}`, or with dry_run the signed request `{method, url, headers, body,
--   authorization, canonical_request, ...}` (not sent)
-- @raise an hwcloud.Error (kind "http", "network", "timeout", "tls",
--   "decode", "auth" or "argument"), with `attempts`
function Client:request(req)
  return do_request(state(self, "client:request"), req)
end

-- client:request on the client's private state (also used for IAM calls)
function do_request(st, req)
  local fname = "client:request"
  local p = prepare(st, req, fname)
  local dry_run = req.dry_run
  if dry_run == nil then
    dry_run = st.opts.dry_run
  end
  if dry_run then
    return attempt(st, p, 1, true)
  end
  local total = 0
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
    return attempt(st, p, total, false)
  end
  local ok, resp = pcall(retry.run, policy, run_attempt)
  if not ok and p.auth ~= "none" and p.cred.kind == "password"
      and type(resp) == "table" and resp.kind == "http" and resp.status == 401 then
    -- the cached token may have been revoked or expired early: once more
    -- with a new one
    st.auth:invalidate_token()
    st.auth:token(true)
    ok, resp = pcall(retry.run, policy, run_attempt)
  end
  if not ok then
    if type(resp) == "table" and core.is_error(resp) then
      resp.attempts = total
    end
    error(resp, 0)
  end
  if type(resp) == "table" then
    resp.attempts = total
  end
  return resp
end

--- Run functions at once, at most `concurrency` at a time; every operation,
-- iterator and waiter works inside them (see README "Many calls at once").
-- @tparam table tasks list of functions
-- @tparam[opt] table opts `concurrency` (8), `fail_fast` (false)
-- @treturn table results in order, each `{ok = true, value = v}` or `{ok = false, err = e}`
-- @treturn number how many failed
function Client:parallel(tasks, opts)
  state(self, "client:parallel")
  return require("hwcloud.parallel").run(tasks, opts, "client:parallel")
end

--- `fn(item, i)` for every item of a list, at once (see `client:parallel`).
-- @tparam table list
-- @tparam function fn
-- @tparam[opt] table opts as for `client:parallel`
-- @treturn table results in order
-- @treturn number how many failed
function Client:map(list, fn, opts)
  state(self, "client:map")
  return require("hwcloud.parallel").map(list, fn, opts, "client:map")
end

--- Close the client's transport (idempotent). The client stays usable: the
-- next request opens a new session.
function Client:close()
  local st = state(self, "client:close")
  local t = st.transport
  if t and t.close then
    t:close()
  end
end

-- service objects are cached in the client itself (they refer to it)
local function service(self, name, fname)
  state(self, fname)
  local cache = rawget(self, "_services")
  if not cache then
    cache = {}
    rawset(self, "_services", cache)
  end
  local s = cache[name]
  if not s then
    s = require("hwcloud." .. name).new(self)
    cache[name] = s
  end
  return s
end

--- The RFS (Resource Formation, "aos") helpers bound to this client (made on
-- first use, then cached).
-- @treturn table
function Client:rfs()
  return service(self, "rfs", "client:rfs")
end

--- The VPC Endpoint helpers bound to this client (made on first use, then
-- cached).
-- @treturn table
function Client:vpcep()
  return service(self, "vpcep", "client:vpcep")
end

return M
