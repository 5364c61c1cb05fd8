-- Credentials: the chain that finds them and the IAM exchanges that complete
-- them. Sources, first match wins: explicit options (ak/sk[/security_token],
-- token, or user/password/domain), the HUAWEICLOUD_SDK_* environment
-- variables (read when the client is made), then the profile file
-- (~/.huaweicloud/credentials or HUAWEICLOUD_SDK_CREDENTIALS_FILE, an INI
-- file modelled on Huawei's SDK profile, read at first use). An IAM user
-- password is exchanged for a project-scoped token that is cached and
-- refreshed before it expires; a missing project_id is resolved from the
-- region through IAM once. Nothing here does I/O before first use. Tasks of
-- client:parallel that need the token or the project id while one of them is
-- fetching it wait for that one request (hwcloud.scheduler.single_flight).

local core = require "hwcloud.core"
local retry = require "hwcloud.retry"
local trim = require("hwcloud.text").trim
local scheduler = require "hwcloud.scheduler"

local M = {}

--- Environment variables read when a client is made.
M.ENV_VARS = {
  "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
  "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_DOMAIN_ID", "HUAWEICLOUD_SDK_REGION",
  "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HUAWEICLOUD_SDK_PROFILE",
  "HUAWEICLOUD_SDK_IAM_ENDPOINT", "HWCLOUD_ENDPOINT", "HOME",
}

--- Default profile section.
M.DEFAULT_PROFILE = "basic"

--- Default seconds before a password token's expiry at which it is renewed
-- (capped at half the token's lifetime).
M.DEFAULT_REFRESH_MARGIN = 3600

local function auth_error(message, extra)
  local fields = { kind = "auth", message = message }
  if extra then
    for k, v in pairs(extra) do
      fields[k] = v
    end
  end
  return core.error(fields)
end

local function nonempty(v)
  if type(v) == "string" and v ~= "" then
    return v
  end
  return nil
end

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

--- Parse the text of a profile file.
-- Format: `[section]` headers; `key = value` lines (value trimmed, optional
-- surrounding double or single quotes removed); `#` and `;` start comment
-- lines; keys are case-insensitive.
-- @tparam string text
-- @tparam[opt] string path used in error messages
-- @treturn[1] table sections: name -> {key = value}
-- @treturn[2] nil
-- @treturn[2] string what is wrong, with the line number
function M.parse_profile(text, path)
  local sections = {}
  local current
  local lineno = 0
  path = path or "profile"
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    line = line:gsub("\r$", "")
    local trimmed = trim(line)
    if trimmed == "" or trimmed:find("^[#;]") then
      -- blank or comment
    else
      local name = trimmed:match("^%[(.*)%]$")
      name = name and trim(name)
      if name then
        current = sections[name] or {}
        sections[name] = current
      else
        local key, value = trimmed:match("^([%w_%-%.]+)%s*[=:]%s*(.-)$")
        if not key then
          return nil, path .. ":" .. lineno .. ": expected [section] or key = value"
        end
        if not current then
          return nil, path .. ":" .. lineno .. ": key " .. key .. " outside any [section]"
        end
        local q = value:sub(1, 1)
        if (q == '"' or q == "'") and #value >= 2 and value:sub(-1) == q then
          value = value:sub(2, -2)
        end
        current[key:lower()] = value
      end
    end
  end
  return sections
end

-- fields a credential record carries
local FIELDS = { "ak", "sk", "security_token", "token", "user", "password", "domain",
                 "project_id", "domain_id", "region", "iam_endpoint" }

-- build a credential record from a flat table of fields; nil when it holds
-- no credentials; raises (through fail) when it holds an incomplete set
local function record(src, source, fail)
  local c = { source = source }
  for _, f in ipairs(FIELDS) do
    c[f] = nonempty(src[f])
  end
  if c.ak or c.sk then
    if not (c.ak and c.sk) then
      fail(c.ak and "sk" or "ak", c.ak and "ak" or "sk")
    end
    c.kind = "aksk"
  elseif c.token then
    c.kind = "token"
  elseif c.user or c.password then
    if not (c.user and c.password and c.domain) then
      local missing = not c.user and "user" or not c.password and "password" or "domain"
      fail(missing, c.user and "user" or "password")
    end
    c.kind = "password"
  else
    return nil
  end
  return c
end

--- Credentials given as client options, or nil.
-- Raises an argument error for an incomplete set (ak without sk...).
-- @tparam table opts client options
-- @treturn table|nil credential record `{kind = "aksk"|"token"|"password", ...}`
function M.from_options(opts)
  return record(opts, "options", function(missing, given)
    error(core.error({ kind = "argument",
      message = "hwcloud.new: opts." .. given .. " is set but opts." .. missing .. " is not" }), 0)
  end)
end

--- Credentials from the environment snapshot, or nil.
-- Raises an auth error when only one of HUAWEICLOUD_SDK_AK / _SK is set.
-- @tparam table env from `read_env`
-- @treturn table|nil
function M.from_env(env)
  local src = {
    ak = env.HUAWEICLOUD_SDK_AK, sk = env.HUAWEICLOUD_SDK_SK,
    security_token = env.HUAWEICLOUD_SDK_SECURITY_TOKEN,
    project_id = env.HUAWEICLOUD_SDK_PROJECT_ID, domain_id = env.HUAWEICLOUD_SDK_DOMAIN_ID,
    region = env.HUAWEICLOUD_SDK_REGION,
  }
  if not (src.ak or src.sk) then
    return nil
  end
  return record(src, "environment", function(missing, given)
    error(auth_error("HUAWEICLOUD_SDK_" .. given:upper() .. " is set but HUAWEICLOUD_SDK_"
      .. missing:upper() .. " is not"), 0)
  end)
end

--- Path of the profile file and the section to use.
-- @tparam table opts client options (`credentials_file`, `profile`)
-- @tparam table env environment snapshot
-- @treturn string|nil path (nil when HOME is unknown)
-- @treturn string section name
-- @treturn boolean whether the section was asked for explicitly
function M.profile_location(opts, env)
  local path = opts.credentials_file or env.HUAWEICLOUD_SDK_CREDENTIALS_FILE
  if not path and env.HOME then
    path = env.HOME .. "/.huaweicloud/credentials"
  end
  local section = opts.profile or env.HUAWEICLOUD_SDK_PROFILE
  return path, section or M.DEFAULT_PROFILE, section ~= nil
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then
    return nil
  end
  local text = f:read("*a")
  f:close()
  return text
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
  local path, section, explicit = M.profile_location(opts, env)
  if not path then
    return nil, "profile file (HOME is not set)"
  end
  local text = (reader or read_file)(path)
  if not text then
    if opts.credentials_file or opts.profile then
      error(auth_error("credentials file " .. path .. " cannot be read"), 0)
    end
    return nil, "profile file " .. path .. " (not found)"
  end
  local sections, why = M.parse_profile(text, path)
  if not sections then
    error(auth_error("credentials file " .. why), 0)
  end
  local chosen = sections[section]
  if not chosen and not explicit then
    chosen = sections.global
    section = "global"
  end
  if not chosen then
    if explicit then
      error(auth_error("credentials file " .. path .. " has no [" .. section .. "] section"), 0)
    end
    return nil, "profile file " .. path .. " (no [basic] or [global] section)"
  end
  local source = "profile " .. path .. " [" .. section .. "]"
  local c = record(chosen, source, function(missing, given)
    error(auth_error(source .. " sets " .. given .. " but not " .. missing), 0)
  end)
  if not c then
    return nil, source .. " (no ak/sk or user/password)"
  end
  return c, source
end

------------------------------------------------------------------------------
-- The per-client auth state: resolved credentials, region, project and
-- domain ids, cached IAM token.

local Auth = {}
Auth.__index = Auth

-- keep secrets out of anything that prints the object
Auth.__tostring = function()
  return "hwcloud.Auth"
end

--- Make the auth state of a client.
-- @tparam table opts client options (validated by the caller)
-- @tparam table env environment snapshot from `read_env`
-- @tparam table deps `{clock = fn, iam = fn(req) -> response, reader = fn(path),
--   refresh_margin = seconds}`; `iam` sends a request to the IAM service
--   (`req.auth == "none"` for the token request itself)
-- @treturn table auth state
function M.new_auth(opts, env, deps)
  local self = setmetatable({
    opts = opts,
    env = env,
    deps = deps,
    cred = M.from_options(opts) or M.from_env(env),
    token_cache = nil,
  }, Auth)
  return self
end

--- The resolved credential record (reads the profile file the first time if
-- options and environment had none). Raises an auth error naming every place
-- looked at when nothing is found.
-- @treturn table
function Auth:credentials()
  local c = self.cred
  if c then
    return c
  end
  local looked
  c, looked = M.from_profile(self.opts, self.env, self.deps.reader)
  if not c then
    error(auth_error("no credentials found; looked for: options (ak + sk, token, or "
      .. "user + password + domain), environment variables HUAWEICLOUD_SDK_AK and "
      .. "HUAWEICLOUD_SDK_SK, " .. looked), 0)
  end
  self.cred = c
  return c
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

local function now(self)
  return self.deps.clock()
end

-- the scope of a password token: the project by id, else by region name;
-- also as a string (for the shared cache key)
local function token_scope(self, c)
  local pid = nonempty(self.opts.project_id) or c.project_id or self.project_cache
  if pid then
    return { project = { id = pid } }, "id=" .. pid
  end
  local region = self:region()
  if not region then
    error(auth_error("password authentication needs a region or a project_id to scope "
      .. "the token (options region/project_id or HUAWEICLOUD_SDK_REGION)"), 0)
  end
  return { project = { name = region } }, "name=" .. region
end

-- POST /v3/auth/tokens with the user's password, scoped to the project
local function fetch_token(self, c)
  local scope = token_scope(self, c)
  local body = {
    auth = {
      identity = {
        methods = core.array({ "password" }),
        password = {
          user = { name = c.user, password = c.password, domain = { name = c.domain } },
        },
      },
      scope = scope,
    },
  }
  local issued = now(self)
  local resp = self.deps.iam({
    method = "POST", path = "/v3/auth/tokens", query = { nocatalog = "true" },
    body = body, auth = "none", idempotent = true,
  })
  local token = retry.header(resp.headers, "X-Subject-Token")
  if type(token) ~= "string" or token == "" then
    error(auth_error("IAM answered the token request without an X-Subject-Token header",
      { status = resp.status, request_id = resp.request_id }), 0)
  end
  local info = type(resp.body) == "table" and resp.body.token or {}
  local expires = retry.parse_iso8601(info.expires_at)
  local lifetime
  if expires then
    local from = retry.parse_iso8601(info.issued_at)
    lifetime = expires - (from or issued)
    -- trust the lifetime, not the server's clock: expiry on our clock
    expires = issued + lifetime
  else
    lifetime = 3600
    expires = issued + lifetime
  end
  local margin = self.deps.refresh_margin or M.DEFAULT_REFRESH_MARGIN
  if margin > lifetime / 2 then
    margin = lifetime / 2
  end
  if type(info.project) == "table" and nonempty(info.project.id) and not self.project_cache then
    self.project_cache = info.project.id
  end
  if type(info.user) == "table" and type(info.user.domain) == "table" then
    self.learnt_domain_id = nonempty(info.user.domain.id) or self.learnt_domain_id
  end
  self.token_cache = { value = token, expires = expires, refresh_at = expires - margin }
  return token
end

-- OpenResty: the lua_shared_dict named by option shared_dict (nil without
-- the option), and this user's key in it (no secret in the key)
local function shared(self, c)
  local name = self.opts.shared_dict
  if not name then return nil end
  local ngx = rawget(_G, "ngx")
  local dict = type(ngx) == "table" and ngx.shared and ngx.shared[name]
  if not dict then
    error(auth_error("option shared_dict: there is no lua_shared_dict " .. name), 0)
  end
  local _, scope = token_scope(self, c)
  return dict, table.concat({ "hwcloud-token", c.domain, c.user, scope }, "|")
end

-- a token another worker (or client) left in the shared dict, when still fresh
local function from_shared(self, dict, key)
  local v = dict and dict:get(key)
  local ok, t = pcall(core.decode, v or "")
  if not (ok and type(t) == "table" and type(t.value) == "string" and type(t.refresh_at) == "number") then
    return nil
  end
  if now(self) >= t.refresh_at then return nil end
  self.token_cache = { value = t.value, expires = t.expires, refresh_at = t.refresh_at }
  self.project_cache = self.project_cache or t.project_id
  self.learnt_domain_id = self.learnt_domain_id or t.domain_id
  return t.value
end

local function to_shared(self, dict, key)
  local t = self.token_cache
  if dict and t then
    dict:set(key, core.encode({ value = t.value, expires = t.expires, refresh_at = t.refresh_at,
      project_id = self.project_cache, domain_id = self.learnt_domain_id }), t.refresh_at - now(self))
  end
end

--- The token to send as X-Auth-Token, or nil for AK/SK credentials.
-- A ready token is returned as given; a password token is fetched from IAM on
-- first use (once for all the tasks of client:parallel that need it; with
-- option shared_dict, taken from and left in that lua_shared_dict), cached,
-- and fetched again once the refresh margin is reached.
-- @tparam[opt] boolean force fetch a new password token even if cached
-- @treturn string|nil
function Auth:token(force)
  local c = self:credentials()
  if c.kind == "token" then
    return c.token
  end
  if c.kind ~= "password" then
    return nil
  end
  local cached = self.token_cache
  if cached and not force and now(self) < cached.refresh_at then
    return cached.value
  end
  return scheduler.single_flight(self, "token", function()
    local dict, key = shared(self, c) -- the key before the token teaches us the project id
    local v = not force and from_shared(self, dict, key)
    if v then return v end
    v = fetch_token(self, c)
    to_shared(self, dict, key)
    return v
  end)
end

--- Whether the credentials are a password (so a 401 may be cured by a new token).
-- @treturn boolean
function Auth:renewable()
  return self:credentials().kind == "password"
end

--- Forget the cached password token.
function Auth:invalidate_token()
  self.token_cache = nil
end

local resolve_project

--- The project id: option, the credential source's, learnt from a password
-- token, or resolved once through IAM `GET /v3/projects?name=<region>` and
-- cached. Raises an auth error when it cannot be determined.
-- @treturn string
function Auth:project_id()
  local pid = nonempty(self.opts.project_id) or self:credentials().project_id or self.project_cache
  if pid then
    return pid
  end
  return scheduler.single_flight(self, "project_id", function() return resolve_project(self) end)
end

-- the project id from a password token or IAM GET /v3/projects?name=<region>
function resolve_project(self)
  local pid
  local c = self:credentials()
  if c.kind == "password" then
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
  local trace = retry.header(resp.headers, "X-IAM-Trace-Id")
  if type(projects) ~= "table" or #projects == 0 then
    error(auth_error("IAM knows no project named " .. region .. " for these credentials"
      .. (trace and (" (X-IAM-Trace-Id " .. trace .. ")") or ""),
      { request_id = resp.request_id }), 0)
  end
  if #projects > 1 then
    local ids = {}
    for i, p in ipairs(projects) do
      ids[i] = tostring(p.id)
    end
    error(auth_error("IAM has " .. #projects .. " projects named " .. region .. " ("
      .. table.concat(ids, ", ") .. "); choose one with option project_id",
      { request_id = resp.request_id }), 0)
  end
  pid = nonempty(projects[1].id)
  if not pid then
    error(auth_error("IAM answered a project without an id for " .. region,
      { request_id = resp.request_id }), 0)
  end
  self.project_cache = pid
  return pid
end

return M
