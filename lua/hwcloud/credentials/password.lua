-- The IAM password token provider: an IAM user's password is exchanged for a
-- project-scoped token (POST /v3/auth/tokens, IAM's "Obtaining a User Token
-- Through Password Authentication"), cached in the client's auth state and
-- fetched again once the refresh margin before its expiry is reached; with
-- option shared_dict (OpenResty) the token is shared by every worker through
-- that lua_shared_dict. Tasks of client:parallel that need the token while
-- one of them is fetching it wait for that one request
-- (hwcloud.scheduler.single_flight). A token also teaches the auth state the
-- project id and the domain id.

local core = require "hwcloud.core"
local clock = require "hwcloud.clock"
local headers = require "hwcloud.headers"
local scheduler = require "hwcloud.scheduler"
local sources = require "hwcloud.credentials.sources"

local M = {}

local nonempty, auth_error = sources.nonempty, sources.auth_error

--- Default seconds before a password token's expiry at which it is renewed
-- (capped at half the token's lifetime).
M.DEFAULT_REFRESH_MARGIN = 3600

-- the scope of a password token: the project by id, else by region name;
-- also as a string (for the shared cache key)
local function token_scope(auth, c)
  local pid = nonempty(auth.opts.project_id) or c.project_id or auth.project_cache
  if pid then
    return { project = { id = pid } }, "id=" .. pid
  end
  local region = auth:region()
  if not region then
    error(auth_error("password authentication needs a region or a project_id to scope "
      .. "the token (options region/project_id or HUAWEICLOUD_SDK_REGION)"), 0)
  end
  return { project = { name = region } }, "name=" .. region
end

-- expiry and refresh time on our clock from the answer's token body
local function lifetime(auth, info, issued)
  local expires = clock.parse_iso8601(info.expires_at)
  local life
  if expires then
    local from = clock.parse_iso8601(info.issued_at)
    life = expires - (from or issued)
    -- trust the lifetime, not the server's clock: expiry on our clock
    expires = issued + life
  else
    life = 3600
    expires = issued + life
  end
  local margin = auth.deps.refresh_margin or M.DEFAULT_REFRESH_MARGIN
  if margin > life / 2 then
    margin = life / 2
  end
  return expires, expires - margin
end

-- POST /v3/auth/tokens with the user's password, scoped to the project
local function fetch(auth, c)
  local scope = token_scope(auth, c)
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
  local issued = auth.deps.clock()
  local resp = auth.deps.iam({
    method = "POST", path = "/v3/auth/tokens", query = { nocatalog = "true" },
    body = body, auth = "none", idempotent = true,
  })
  local token = headers.get(resp.headers, "X-Subject-Token")
  if type(token) ~= "string" or token == "" then
    error(core.error({ kind = "auth",
      message = "IAM answered the token request without an X-Subject-Token header",
      status = resp.status, request_id = resp.request_id }), 0)
  end
  local info = type(resp.body) == "table" and resp.body.token or {}
  local expires, refresh_at = lifetime(auth, info, issued)
  if type(info.project) == "table" and nonempty(info.project.id) and not auth.project_cache then
    auth.project_cache = info.project.id
  end
  if type(info.user) == "table" and type(info.user.domain) == "table" then
    auth.learnt_domain_id = nonempty(info.user.domain.id) or auth.learnt_domain_id
  end
  auth.token_cache = { value = token, expires = expires, refresh_at = refresh_at }
  return token
end

-- OpenResty: the lua_shared_dict named by option shared_dict (nil without
-- the option), and this user's key in it (no secret in the key)
local function shared(auth, c)
  local name = auth.opts.shared_dict
  if not name then return nil end
  local ngx = rawget(_G, "ngx")
  local dict = type(ngx) == "table" and ngx.shared and ngx.shared[name]
  if not dict then
    error(auth_error("option shared_dict: there is no lua_shared_dict " .. name), 0)
  end
  local _, scope = token_scope(auth, c)
  return dict, table.concat({ "hwcloud-token", c.domain, c.user, scope }, "|")
end

-- a token another worker (or client) left in the shared dict, when still fresh
local function from_shared(auth, dict, key)
  local v = dict and dict:get(key)
  local ok, t = pcall(core.decode, v or "")
  if not (ok and type(t) == "table" and type(t.value) == "string" and type(t.refresh_at) == "number") then
    return nil
  end
  if auth.deps.clock() >= t.refresh_at then return nil end
  auth.token_cache = { value = t.value, expires = t.expires, refresh_at = t.refresh_at }
  auth.project_cache = auth.project_cache or t.project_id
  auth.learnt_domain_id = auth.learnt_domain_id or t.domain_id
  return t.value
end

local function to_shared(auth, dict, key)
  local t = auth.token_cache
  if dict and t then
    dict:set(key, core.encode({ value = t.value, expires = t.expires, refresh_at = t.refresh_at,
      project_id = auth.project_cache, domain_id = auth.learnt_domain_id }), t.refresh_at - auth.deps.clock())
  end
end

--- The token for password credentials `c`: cached, shared, or fetched.
-- @tparam table auth the client's auth state (hwcloud.credentials)
-- @tparam table c the credential record
-- @tparam[opt] boolean force fetch a new token even if one is cached
-- @treturn string
function M.token(auth, c, force)
  local cached = auth.token_cache
  if cached and not force and auth.deps.clock() < cached.refresh_at then
    return cached.value
  end
  return scheduler.single_flight(auth, "token", function()
    local dict, key = shared(auth, c) -- the key before the token teaches us the project id
    local v = not force and from_shared(auth, dict, key)
    if v then return v end
    v = fetch(auth, c)
    to_shared(auth, dict, key)
    return v
  end)
end

return M
