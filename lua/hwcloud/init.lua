-- The hwcloud client: `require "hwcloud"` gives this module, `hwcloud.new(opts)`
-- a client. A client holds the configuration (credentials chain, region,
-- endpoints, timeouts, retry policy, hooks) and one transport; its one
-- general method, `client:request{...}`, builds the URL, adds the project /
-- domain headers, authenticates (AK/SK signature through hwcloud.core.sign,
-- or an IAM token), sends through the transport with retries, and returns the
-- response or raises an hwcloud.Error. Service helpers hang off
-- `client:rfs()` and `client:vpcep()`. Nothing does I/O at require or at new.
-- The pipeline of a request: hwcloud.options checks the options once,
-- hwcloud.request checks and builds each request, hwcloud.send signs it,
-- sends it and retries; hwcloud.credentials finds the credentials.

local core = require "hwcloud.core"
local credentials = require "hwcloud.credentials"
local clock = require "hwcloud.clock"
local options = require "hwcloud.options"
local request = require "hwcloud.request"
local send = require "hwcloud.send"

local M = {}

--- Version of lua-hwcloud.
M.VERSION = options.VERSION

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

local argerror = request.argerror

--- Percent-encode a string the way the signer does (signing.md `E`): every
-- byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex). Use it for
-- path segments and query values.
-- @tparam string s
-- @treturn string
M.escape = request.escape

--- Encode a query table the way the signer canonicalises it: keys sorted,
-- list values repeated (sorted), every key and value escaped with `E`, an
-- empty value written `key=`.
-- @tparam table query `{name = value | {value, ...}}`
-- @treturn string query string without the leading `?` ("" when empty)
function M.encode_query(query)
  return request.encode_query(query, "hwcloud.encode_query", "query")
end

--- Defaults of the client options (seconds, bytes).
M.DEFAULTS = options.DEFAULTS

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
  local o = options.resolve(opts)
  local env = credentials.read_env()
  local st = {
    opts = o,
    env = env,
    clock = o.clock or clock.now,
    sleep = o.sleep or clock.sleep,
    random = o.random or math.random,
    hooks = o.hooks or {},
    transport = o.transport,
    services = {}, -- service name as given -> canonical name, default scope
    bases = {}, -- canonical service name -> base URL
    paths = { n = 0 }, -- path as given -> filled in and escaped (hwcloud.request)
    sign_input = {}, -- core.sign's argument, refilled per signature (hwcloud.send)
  }
  -- nothing in st may refer to the client: `private` has weak keys, and
  -- LuaJIT (no ephemerons) would then never collect either
  st.auth = credentials.new_auth(o, env, {
    clock = st.clock,
    refresh_margin = o.token_refresh_margin,
    iam = function(req)
      req.service = "iam"
      return send.execute(st, req)
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
  return request.endpoint(st, service, "client:get_endpoint")
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
  return send.execute(state(self, "client:request"), req)
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
