-- The first two steps of the client's pipeline, after lua-resty-aws's
-- (validate, build, sign, execute): `check` validates a request table,
-- `build` turns it into what every attempt sends (the URL with its filled-in
-- path and canonical query, the JSON body, the headers before signing).
-- What does not change between requests of a client (endpoints, the escaped
-- project id, the User-Agent and X-Project-Id pairs) is worked out once and
-- kept in the client's private state `st` (hwcloud's init.lua).
-- Signing and sending are hwcloud.send's.

local core = require "hwcloud.core"
local endpoints = require "hwcloud.endpoints"
local headers_ = require "hwcloud.headers"
local keys = require "hwcloud.keys"
local numbers = require "hwcloud.numbers"
local text = require "hwcloud.text"
local urls = require "hwcloud.url"

local M = {}

local type, tostring, pairs = type, tostring, pairs
local find, gsub, format, byte = string.find, string.gsub, string.format, string.byte
local escape_class = urls.escape_class
local sort, concat = table.sort, table.concat

local function argerror(fname, message)
  error(core.error({ kind = "argument", message = fname .. ": " .. message }), 0)
end
M.argerror = argerror

--- Percent-encode a string the way the signer does (signing.md `E`): every
-- byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex). Use it for
-- path segments and query values.
-- @tparam string s (a number or boolean is turned into one)
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
local escape = M.escape

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
      return format("%.0f", v)
    end
    return format("%.17g", v)
  end
  argerror(fname, what .. " must be a string, number, boolean or a list of them")
end

local function by_key_then_value(a, b)
  if a[1] ~= b[1] then
    return a[1] < b[1]
  end
  return a[2] < b[2]
end

--- Encode a query table the way the signer canonicalises it: keys sorted,
-- list values repeated (sorted), every key and value escaped with `E`, an
-- empty value written `key=`.
-- @tparam table query `{name = value | {value, ...}}`
-- @tparam[opt="hwcloud.encode_query"] string fname named in argument errors
-- @tparam[opt="query"] string prefix how the table is named in them
-- @treturn string query string without the leading `?` ("" when empty)
function M.encode_query(query, fname, prefix)
  fname, prefix = fname or "hwcloud.encode_query", prefix or "query"
  if type(query) ~= "table" then
    argerror(fname, prefix .. " must be a table")
  end
  local list = {}
  for k, v in pairs(query) do
    if type(k) ~= "string" then
      argerror(fname, "query keys must be strings")
    end
    if type(v) == "table" and v ~= core.null then
      for i = 1, #v do
        list[#list + 1] = { k, query_value(v[i], fname, prefix .. "." .. k) }
      end
    elseif v ~= core.null then
      list[#list + 1] = { k, query_value(v, fname, prefix .. "." .. k) }
    end
  end
  if list[2] then
    sort(list, by_key_then_value)
  end
  for i = 1, #list do
    list[i] = escape(list[i][1]) .. "=" .. escape(list[i][2])
  end
  return concat(list, "&")
end

-- bytes that may appear raw in a path (RFC 3986 pchar, '/' and '%') and,
-- with '?', in a query; the rest (space, CR, LF, NUL, non-ASCII, quotes, '#'
-- ...) is escaped, so a raw path or query string cannot end the request line
local RAW_PATH = "[^%w%-%._~!%$&'%(%)%*%+,;=:@/%%]"
local RAW_QUERY = "[^%w%-%._~!%$&'%(%)%*%+,;=:@/%%%?]"

-- the usual method names -> upper case (others are checked and converted)
local METHODS = {}
for _, m in ipairs({ "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }) do
  METHODS[m], METHODS[m:lower()] = m, m
end
local AUTH = { none = true, default = true }
-- the fields of a request table (see client:request); `operation` names the
-- call in hooks (hwcloud.operation sets it)
local FIELDS = {
  service = true, method = true, path = true, query = true, headers = true, body = true,
  dry_run = true, max_retries = true, idempotent = true, auth = true, scope = true, operation = true,
}
local SCOPES = { project = true, domain = true, none = true }

--- Validate a request table (types and values only: nothing is looked up).
-- @tparam table req see client:request
-- @tparam string fname named in argument errors
-- @raise an error of kind "argument"
function M.check(req, fname)
  if type(req) ~= "table" then
    argerror(fname, "req must be a table")
  end
  local bad = keys.unknown(req, FIELDS)
  if bad ~= nil then
    argerror(fname, keys.message("field", bad, FIELDS, "req."))
  end
  local service, method, path = req.service, req.method, req.path
  if type(service) ~= "string" or service == "" then
    argerror(fname, "req.service must be a string (e.g. \"rfs\", \"vpcep\", \"iam\")")
  end
  if not METHODS[method] and (type(method) ~= "string" or not find(method, "^%a+$")) then
    argerror(fname, "req.method must be an HTTP method name")
  end
  if type(path) ~= "string" or byte(path, 1) ~= 47 then -- "/"
    argerror(fname, "req.path must be a string starting with /")
  end
  local query, body = req.query, req.body
  if query ~= nil and type(query) ~= "table" and type(query) ~= "string" then
    argerror(fname, "req.query must be a table or a string")
  end
  if req.headers ~= nil and type(req.headers) ~= "table" then
    argerror(fname, "req.headers must be a table")
  end
  if body ~= nil and type(body) ~= "table" and type(body) ~= "string" then
    argerror(fname, "req.body must be a table (sent as JSON) or a string")
  end
  if req.max_retries ~= nil and numbers.problem(req.max_retries, "count") then
    argerror(fname, "req.max_retries " .. numbers.problem(req.max_retries, "count"))
  end
  if req.auth ~= nil and not AUTH[req.auth] then
    argerror(fname, "req.auth must be \"none\" or \"default\"")
  end
  if req.scope ~= nil and not SCOPES[req.scope] then
    argerror(fname, "req.scope must be \"project\", \"domain\" or \"none\"")
  end
end

-- a service name as given -> its canonical name and default scope, kept
-- per client
local function service_of(st, name)
  local s = st.services[name]
  if not s then
    local canonical = endpoints.canonical(name)
    s = { name = canonical, scope = endpoints.is_global(canonical) and "domain" or "project" }
    st.services[name] = s
  end
  return s
end

--- The base URL requests for a service go to (option endpoints, endpoint,
-- HWCLOUD_ENDPOINT, the IAM endpoint, else Huawei's public one).
-- @tparam table st the client's private state
-- @tparam string service
-- @tparam string fname named in the error
-- @treturn string
-- @treturn string|false what overrode Huawei's endpoint (hwcloud.endpoints.resolve)
-- @raise an error of kind "argument" when the service has no endpoint
function M.endpoint(st, service, fname)
  local base, source = endpoints.resolve(service, st.auth:region(), {
    endpoints = st.opts.endpoints,
    endpoint = st.opts.endpoint,
    env_endpoint = st.env.HWCLOUD_ENDPOINT,
    iam_endpoint = st.env.HUAWEICLOUD_SDK_IAM_ENDPOINT or st.auth:iam_endpoint(),
  })
  if not base then
    argerror(fname, source .. " (set option region or HUAWEICLOUD_SDK_REGION, or an endpoint)")
  end
  return base, source
end

-- the endpoint, kept per client once the credentials (which may carry the
-- region and the IAM endpoint) are known: nothing it depends on changes later
local function base_url(st, service, fname)
  local base = st.bases[service]
  if not base then
    base = M.endpoint(st, service, fname)
    if st.auth:resolved() then
      st.bases[service] = base
    end
  end
  return base
end

-- a {name, value} pair kept in the client's state while its value stays
local function pair(st, key, name, value)
  local p = st[key]
  if not p or p[2] ~= value then
    p = { name, value }
    st[key] = p
  end
  return p
end

-- `path` with {project_id} / {domain_id} filled in, escaped where raw
local function fill_path(st, path, fname)
  if find(path, "{", 1, true) then
    if find(path, "{project_id}", 1, true) then
      local pid = st.auth:project_id()
      local esc = st.escaped_project_id -- {id, escaped id as a gsub replacement}
      if not esc or esc[1] ~= pid then
        esc = { pid, (gsub(escape(pid), "%%", "%%%%")) }
        st.escaped_project_id = esc
      end
      path = gsub(path, "{project_id}", esc[2])
    end
    if find(path, "{domain_id}", 1, true) then
      local did = st.auth:domain_id()
      if not did then
        error(core.error({ kind = "auth", message = fname .. ": the path needs {domain_id} "
          .. "but no domain_id is known (option domain_id or HUAWEICLOUD_SDK_DOMAIN_ID)" }), 0)
      end
      path = gsub(path, "{domain_id}", (gsub(escape(did), "%%", "%%%%")))
    end
    local unfilled = path:match("{[%w_]+}")
    if unfilled then
      argerror(fname, "req.path has an unfilled placeholder " .. unfilled)
    end
  end
  return escape_class(path, RAW_PATH)
end

local PATHS_KEPT = 256 -- filled paths a client keeps (then it starts afresh)

-- fill_path's result, kept per client for paths without {domain_id} (the
-- project id does not change once known; a domain id may be learnt later)
local function filled_path(st, path, fname)
  local paths = st.paths
  local out = paths[path]
  if out then
    return out
  end
  out = fill_path(st, path, fname)
  if not find(path, "{domain_id}", 1, true) then
    if paths.n >= PATHS_KEPT then
      paths = { n = 0 }
      st.paths = paths
    end
    paths[path] = out
    paths.n = paths.n + 1
  end
  return out
end

-- header names the signer allows: letters, digits and '-' (the names that
-- passed are remembered, bounded, so a request's usual names are matched once)
local VALID_NAMES, valid_names, VALID_KEPT = {}, 0, 256

local function check_header_name(name, fname)
  if VALID_NAMES[name] then
    return
  end
  if type(name) ~= "string" or not find(name, "^[%w%-]+$") then
    argerror(fname, "header name " .. tostring(name) .. " must be letters, digits and '-' only")
  end
  if valid_names >= VALID_KEPT then
    VALID_NAMES, valid_names = {}, 0
  end
  VALID_NAMES[name], valid_names = true, valid_names + 1
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

-- the caller's headers (a list of pairs or a map, sorted by name) over ours
local function add_user_headers(headers, uh, fname)
  if uh[1] ~= nil then
    for i = 1, #uh do
      local p = uh[i]
      if type(p) ~= "table" then
        argerror(fname, "req.headers must be a list of {name, value} pairs or a map")
      end
      check_header_name(p[1], fname)
      headers_.set(headers, p[1], header_value(p[1], p[2], fname))
    end
    return
  end
  local names = {}
  for k in pairs(uh) do
    check_header_name(k, fname)
    names[#names + 1] = k
  end
  sort(names)
  for _, k in ipairs(names) do
    headers_.set(headers, k, header_value(k, uh[k], fname))
  end
end

local CONTENT_TYPE = { "Content-Type", "application/json" } -- shared: pairs are never changed

-- the headers before authentication: Content-Type, the id header that goes
-- with AK/SK (X-Project-Id for project services, X-Domain-Id for global ones
-- such as IAM), then the caller's
local function build_headers(st, p, req, fname)
  local headers = {}
  if p.body ~= nil then
    headers[1] = CONTENT_TYPE
  end
  if p.cred and p.cred.kind == "aksk" then
    if p.scope == "project" then
      headers[#headers + 1] = pair(st, "project_id_pair", "X-Project-Id", st.auth:project_id())
    elseif p.scope == "domain" then
      local did = st.auth:domain_id()
      if did then
        headers[#headers + 1] = { "X-Domain-Id", did }
      end
    end
  end
  if req.headers then
    add_user_headers(headers, req.headers, fname)
  end
  return headers
end

-- The caller's list of {name, value} pairs, flattened as given
-- ({n = count, name1, value1, ...}): what a kept list was built from.
local function flat_pairs(uh)
  local flat = { n = #uh }
  for i = 1, flat.n do
    flat[2 * i - 1], flat[2 * i] = uh[i][1], uh[i][2]
  end
  return flat
end

-- whether the caller's headers are those a kept list was built from
local function same_pairs(flat, uh)
  if uh == nil or flat == nil then
    return uh == flat
  end
  if flat.n ~= #uh then
    return false
  end
  for i = 1, flat.n do
    local q = uh[i]
    -- a number is not compared: 1 == 1.0, but they are sent as "1" and "1.0"
    if type(q) ~= "table" or q[1] ~= flat[2 * i - 1] or q[2] ~= flat[2 * i] or type(q[2]) ~= "string" then
      return false
    end
  end
  return true
end

-- The User-Agent pair sent after authentication, unsigned, as the transport's
-- own Accept-Encoding and Content-Length are (only X-Sdk-Date must be signed:
-- https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-exclude-header.html);
-- false when the caller's headers hold one, which is signed like the rest of
-- them. Leaving it out of the signature takes a canonical header line off
-- every request.
local function user_agent_of(st, headers)
  if headers_.get(headers, "User-Agent") ~= nil then
    return false
  end
  return pair(st, "user_agent_pair", "User-Agent", st.opts.user_agent)
end

-- The usual case, AK/SK on a project service with no headers of the
-- caller's or a list of them, gets one of four lists kept per client (with
-- and without a body, with and without the caller's), reused while the
-- caller passes the same names and values: nothing changes them (core.sign
-- makes its own list; hwcloud.send copies before adding a token). Returns
-- the list and user_agent_of's pair.
local function headers_of(st, p, req, fname)
  local uh = req.headers
  if p.scope ~= "project" or not p.cred or p.cred.kind ~= "aksk" or (uh ~= nil and uh[1] == nil) then
    local headers = build_headers(st, p, req, fname)
    return headers, user_agent_of(st, headers)
  end
  local key = p.body ~= nil and (uh and "json_user_headers" or "json_headers")
    or (uh and "plain_user_headers" or "plain_headers")
  local kept = st[key] -- {project id, list, the caller's pairs or nil, User-Agent pair or false}
  local pid = st.auth:project_id()
  if not kept or kept[1] ~= pid or not same_pairs(kept[3], uh) then
    local headers = build_headers(st, p, req, fname)
    kept = { pid, headers, uh and flat_pairs(uh), user_agent_of(st, headers) }
    st[key] = kept
  end
  return kept[2], kept[4]
end

--- Build what every attempt of a checked request sends (authentication
-- apart): `{service, method, url, body, headers, user_agent, auth, scope,
-- cred, operation}` (user_agent: the pair to add after authentication, or
-- false). May read the profile file and ask IAM for the project id or
-- a password token (once per client).
-- @tparam table st the client's private state
-- @tparam table req a request table `check` accepted
-- @tparam string fname named in errors
-- @treturn table
function M.build(st, req, fname)
  local svc = service_of(st, req.service)
  local auth = req.auth or "default" -- "none": no authentication (IAM token request)
  local cred = auth ~= "none" and st.auth:credentials() or nil
  local p = { -- every field named here, so the table is made at its size (no rehash as they fill)
    service = svc.name,
    method = METHODS[req.method] or req.method:upper(),
    auth = auth,
    scope = req.scope or svc.scope,
    operation = type(req.operation) == "string" and req.operation or nil,
    cred = cred,
    url = false,
    body = nil,
    headers = false,
    user_agent = false,
  }
  local url = base_url(st, svc.name, fname) .. filled_path(st, req.path, fname)
  local query = req.query
  if type(query) == "table" then
    query = M.encode_query(query, fname, "req.query")
  elseif type(query) == "string" then
    query = escape_class((gsub(query, "^%?", "")), RAW_QUERY)
  end
  if query and query ~= "" then
    url = url .. "?" .. query
  end
  p.url = url
  local body = req.body
  if type(body) == "table" then
    body = core.encode(body)
  end
  p.body = body
  p.headers, p.user_agent = headers_of(st, p, req, fname)
  if cred and cred.kind ~= "aksk" then
    -- fetch (or reuse) the token before the retry loop: IAM has its own
    st.auth:token()
  end
  return p
end

return M
