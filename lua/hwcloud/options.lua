-- The client's options: their names and types, their defaults, and the
-- check `hwcloud.new` runs before it keeps anything (the first step of the
-- pipeline, as lua-resty-aws validates its config before building a request).
-- Misuse raises an error of kind "argument" naming hwcloud.new and the option.

local core = require "hwcloud.core"
local endpoints = require "hwcloud.endpoints"
local numbers = require "hwcloud.numbers"
local retry = require "hwcloud.retry"
local credentials = require "hwcloud.credentials"
local keys = require "hwcloud.keys"

local M = {}

local find = string.find

--- Version of lua-hwcloud.
M.VERSION = core.version or "0.1.0"

-- client options: name -> expected type
local TYPES = {
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
local SESSION = core.session_options -- the libcurl session's own defaults
M.DEFAULTS = {
  timeout = SESSION.timeout,
  connect_timeout = SESSION.connect_timeout,
  verify_tls = SESSION.verify_tls,
  max_retries = retry.DEFAULTS.max_retries,
  retry_base_delay = retry.DEFAULTS.base_delay,
  retry_max_delay = retry.DEFAULTS.max_delay,
  max_retry_after = retry.DEFAULTS.max_retry_after,
  token_refresh_margin = credentials.DEFAULT_REFRESH_MARGIN,
  user_agent = SESSION.user_agent,
}

-- numeric client options: name -> rule of hwcloud.numbers
local NUMBERS = {
  timeout = "positive seconds", connect_timeout = "positive seconds",
  retry_base_delay = "seconds", retry_max_delay = "seconds", max_retry_after = "seconds",
  token_refresh_margin = "seconds", max_retries = "count", max_body_bytes = "count",
}

local FNAME = "hwcloud.new"

local function argerror(message)
  error(core.error({ kind = "argument", message = FNAME .. ": " .. message }), 0)
end

-- an endpoint URL, with `{region}` standing for any region
local function check_endpoint(url, what)
  local ok, why = endpoints.normalize((url:gsub("{region}", "region")))
  if not ok then
    argerror(what .. " " .. why)
  end
end

local HOOKS = { on_request = true, on_response = true }

local function check(opts)
  local bad = keys.unknown(opts, TYPES)
  if bad ~= nil then
    argerror(keys.message("option", bad, TYPES, "opts."))
  end
  for k, v in pairs(opts) do
    local want = TYPES[k]
    if type(v) ~= want then
      argerror("opts." .. k .. " must be a " .. want .. ", got " .. type(v))
    end
  end
  local bad = numbers.check(opts, NUMBERS)
  if bad then
    argerror(bad)
  end
  for k, v in pairs(opts.endpoints or {}) do
    if type(k) ~= "string" or type(v) ~= "string" then
      argerror("opts.endpoints must map service names to URL strings")
    end
    check_endpoint(v, "opts.endpoints." .. k)
  end
  if opts.endpoint then
    check_endpoint(opts.endpoint, "opts.endpoint")
  end
  local hooks = opts.hooks or {}
  bad = keys.unknown(hooks, HOOKS)
  if bad ~= nil then
    argerror(keys.message("hook", bad, HOOKS, "opts.hooks."))
  end
  for k, v in pairs(hooks) do
    if type(v) ~= "function" then
      argerror("opts.hooks." .. k .. " must be a function")
    end
  end
  local ua = opts.user_agent -- a header line of every request: no line break, no NUL
  if ua and (find(ua, "\r", 1, true) or find(ua, "\n", 1, true) or find(ua, "\0", 1, true)) then
    argerror("opts.user_agent must not contain CR, LF or NUL")
  end
  if opts.transport and type(opts.transport.send) ~= "function" then
    argerror("opts.transport must have a send function")
  end
end

--- Check the options given to hwcloud.new and complete them with the defaults.
-- @tparam[opt] table opts
-- @treturn table a new table: the options, then the defaults of those not given
-- @raise an error of kind "argument" for a wrong option
function M.resolve(opts)
  if opts == nil then
    opts = {}
  elseif type(opts) ~= "table" then
    argerror("opts must be a table")
  end
  check(opts)
  local o = {}
  for k, v in pairs(opts) do
    o[k] = v
  end
  for k, v in pairs(M.DEFAULTS) do
    if o[k] == nil then
      o[k] = v
    end
  end
  return o
end

return M
