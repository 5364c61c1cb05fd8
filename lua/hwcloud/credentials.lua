-- Credentials: the chain that finds them and the per-client auth state that
-- completes them, after lua-resty-aws's credential provider chain. The
-- providers (hwcloud.credentials.sources) are asked in order, first match
-- wins: the client options, the HUAWEICLOUD_SDK_* environment variables (read
-- when the client is made), then the profile file (read at first use).
-- What a record of each kind adds to a request is one small table in KINDS
-- below: AK/SK signs (hwcloud.send), a ready token is sent as given, a
-- password is exchanged for a token (hwcloud.credentials.password). A
-- missing project_id is resolved from the region through IAM once. Nothing
-- here does I/O before first use.

local core = require "hwcloud.core"
local headers = require "hwcloud.headers"
local scheduler = require "hwcloud.scheduler"
local sources = require "hwcloud.credentials.sources"
local profile = require "hwcloud.credentials.profile"
local password = require "hwcloud.credentials.password"

local M = {}

local nonempty, auth_error = sources.nonempty, sources.auth_error

--- Environment variables read when a client is made.
M.ENV_VARS = {
  "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
  "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_DOMAIN_ID", "HUAWEICLOUD_SDK_REGION",
  "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HUAWEICLOUD_SDK_PROFILE",
  "HUAWEICLOUD_SDK_IAM_ENDPOINT", "HWCLOUD_ENDPOINT", "HOME",
}

--- Default profile section.
M.DEFAULT_PROFILE = profile.DEFAULT_SECTION

--- Default seconds before a password token's expiry at which it is renewed
-- (capped at half the token's lifetime).
M.DEFAULT_REFRESH_MARGIN = password.DEFAULT_REFRESH_MARGIN

--- Snapshot of the environment variables the client uses.
-- @tparam[opt=os.getenv] function getenv
-- @treturn table name -> value (unset and empty variables are absent)
function M.read_env(getenv)
  getenv = getenv or os.getenv
  local env = {}
  for _, name in ipairs(M.ENV_VARS) do
    env[name] = nonempty(getenv(name))
  end
  return env
end

--- Parse the text of a profile file (see hwcloud.credentials.profile).
M.parse_profile = profile.parse

--- Path of the profile file and the section to use (see
-- hwcloud.credentials.profile).
M.profile_location = profile.location

--- Credentials given as client options, or nil (an incomplete set raises
-- an argument error).
-- @tparam table opts client options
-- @treturn table|nil credential record `{kind = "aksk"|"token"|"password", ...}`
function M.from_options(opts)
  return (sources.options.find(opts))
end

--- Credentials from the environment snapshot, or nil (only one of
-- HUAWEICLOUD_SDK_AK / _SK raises an auth error).
-- @tparam table env from `read_env`
-- @treturn table|nil
function M.from_env(env)
  return (sources.environment.find(nil, env))
end

--- Credentials from the profile file, or nil when the file or the section
-- is missing (an explicitly requested file or profile that is missing is an
-- auth error). The default section is `[basic]`; without it `[global]` is used.
-- @tparam table opts client options
-- @tparam table env environment snapshot
-- @tparam[opt] function reader `reader(path) -> text|nil` (default io.open)
-- @treturn table|nil credential record
-- @treturn string what was looked at (for the "nothing found" message)
function M.from_profile(opts, env, reader)
  return sources.profile.find(opts, env, reader)
end

-- What each kind of credentials adds to a request: `token(auth, c, force)`
-- gives the X-Auth-Token to send (nil: hwcloud.send signs with AK/SK).
local KINDS = {
  aksk = { token = function() return nil end },
  token = { token = function(_, c) return c.token end },
  password = { token = password.token, renewable = true },
}

------------------------------------------------------------------------------
-- The per-client auth state: resolved credentials, region, project and
-- domain ids, cached IAM token.

local Auth = {}
Auth.__index = Auth

-- keep secrets out of anything that prints the object
Auth.__tostring = function()
  return "hwcloud.Auth"
end

--- Make the auth state of a client. Runs the providers that need no I/O
-- (options, environment) now, so their errors show at hwcloud.new.
-- @tparam table opts client options (validated by the caller)
-- @tparam table env environment snapshot from `read_env`
-- @tparam table deps `{clock = fn, iam = fn(req) -> response, reader = fn(path),
--   refresh_margin = seconds}`; `iam` sends a request to the IAM service
--   (`req.auth == "none"` for the token request itself)
-- @treturn table auth state
function M.new_auth(opts, env, deps)
  return setmetatable({
    opts = opts,
    env = env,
    deps = deps,
    cred = sources.find(opts, env, deps.reader, true),
    token_cache = nil,
  }, Auth)
end

--- The resolved credential record (runs the rest of the chain the first
-- time if options and environment had none). Raises an auth error naming
-- every place looked at when nothing is found.
-- @treturn table
function Auth:credentials()
  local c = self.cred
  if not c then
    c = sources.find(self.opts, self.env, self.deps.reader)
    self.cred = c
  end
  return c
end

--- Whether the credentials were found already (nothing they carry, such as
-- the region or the IAM endpoint, changes after that).
-- @treturn boolean
function Auth:resolved()
  return self.cred ~= nil
end

--- The region: option, then HUAWEICLOUD_SDK_REGION, then the profile's.
-- @treturn string|nil
function Auth:region()
  local r = nonempty(self.opts.region) or self.env.HUAWEICLOUD_SDK_REGION
  if r then
    return r
  end
  return self:credentials().region
end

--- The domain (account) id when known: option, the credential source's, or
-- learnt from a password token.
-- @treturn string|nil
function Auth:domain_id()
  return nonempty(self.opts.domain_id) or self:credentials().domain_id or self.learnt_domain_id
end

--- The IAM endpoint given by the profile (iam_endpoint key), if any.
-- @treturn string|nil
function Auth:iam_endpoint()
  local c = self.cred
  return c and c.iam_endpoint or nil
end

--- The token to send as X-Auth-Token, or nil for AK/SK credentials.
-- A ready token is returned as given; a password token is fetched from IAM on
-- first use (hwcloud.credentials.password), cached, and fetched again once
-- the refresh margin is reached.
-- @tparam[opt] boolean force fetch a new password token even if cached
-- @treturn string|nil
function Auth:token(force)
  local c = self:credentials()
  return KINDS[c.kind].token(self, c, force)
end

--- Whether the credentials are a password (so a 401 may be cured by a new token).
-- @treturn boolean
function Auth:renewable()
  return KINDS[self:credentials().kind].renewable == true
end

--- Forget the cached password token.
function Auth:invalidate_token()
  self.token_cache = nil
end

-- the project id from a password token or IAM GET /v3/projects?name=<region>
-- (IAM's "Querying Project Information Based on the Specified Criteria")
local function resolve_project(self)
  if self:credentials().kind == "password" then
    self:token()
    if self.project_cache then
      return self.project_cache
    end
  end
  local region = self:region()
  if not region then
    error(auth_error("no project_id and no region to resolve it from; set option project_id "
      .. "or region, or HUAWEICLOUD_SDK_PROJECT_ID or HUAWEICLOUD_SDK_REGION"), 0)
  end
  local resp = self.deps.iam({
    method = "GET", path = "/v3/projects", query = { name = region },
  })
  local projects = type(resp.body) == "table" and resp.body.projects or nil
  local trace = headers.get(resp.headers, "X-IAM-Trace-Id")
  local function fail(message)
    error(core.error({ kind = "auth", message = message, request_id = resp.request_id }), 0)
  end
  if type(projects) ~= "table" or #projects == 0 then
    fail("IAM knows no project named " .. region .. " for these credentials"
      .. (trace and (" (X-IAM-Trace-Id " .. trace .. ")") or ""))
  end
  if #projects > 1 then
    local ids = {}
    for i, p in ipairs(projects) do
      ids[i] = tostring(p.id)
    end
    fail("IAM has " .. #projects .. " projects named " .. region .. " ("
      .. table.concat(ids, ", ") .. "); choose one with option project_id")
  end
  local pid = nonempty(projects[1].id)
  if not pid then
    fail("IAM answered a project without an id for " .. region)
  end
  self.project_cache = pid
  return pid
end

-- resolve_project, once for every task asking at the same time (a function
-- of its own: a closure in Auth:project_id, which runs on every request,
-- would keep LuaJIT from compiling it)
local function resolve_project_once(self)
  return scheduler.single_flight(self, "project_id", function() return resolve_project(self) end)
end

--- The project id: option, the credential source's, learnt from a password
-- token, or resolved once through IAM `GET /v3/projects?name=<region>` and
-- cached. Raises an auth error when it cannot be determined.
-- @treturn string
function Auth:project_id()
  local pid = nonempty(self.opts.project_id) or self:credentials().project_id or self.project_cache
  if pid then
    return pid
  end
  return resolve_project_once(self)
end

return M
