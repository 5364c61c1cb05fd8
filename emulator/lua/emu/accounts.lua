-- The emulator's accounts (domains, IAM users, AK/SK pairs, projects per
-- region, temporary credentials), loaded from accounts.json or --config FILE.
-- Lookups by access key, by user/domain name, by project id. Handlers only
-- ever see `accounts.public(acct)`, which has no password or secret key.

local json = require "emu.json"
local util = require "emu.util"

local accounts = {}

local list = {}           -- account records as configured
local by_ak = {}          -- access key -> {account=, secret_key=, security_token=, expires_at=}
local by_project = {}     -- project id -> {account=, project=}
local issued = {}         -- temporary keys issued at run time (IAM securitytokens)
local settings = {}

local function fail(msg)
  error("accounts config: " .. msg, 0)
end

local function check_account(a, i)
  local where = "accounts[" .. i .. "]"
  for _, f in ipairs({ "name", "domain_name", "domain_id", "user_name", "user_id", "password",
                       "access_key", "secret_key" }) do
    if type(a[f]) ~= "string" or a[f] == "" then fail(where .. "." .. f .. " must be a non-empty string") end
  end
  if type(a.projects) ~= "table" or #a.projects == 0 then fail(where .. ".projects must be a non-empty list") end
  for j, p in ipairs(a.projects) do
    if type(p.name) ~= "string" or type(p.id) ~= "string" then
      fail(where .. ".projects[" .. j .. "] needs name and id")
    end
  end
end

--- Load and index a config table (as decoded from accounts.json). Raises on a bad file.
function accounts.load(cfg)
  if type(cfg) ~= "table" or type(cfg.accounts) ~= "table" or #cfg.accounts == 0 then
    fail("'accounts' must be a non-empty list")
  end
  list, by_ak, by_project, issued = {}, {}, {}, {}
  local by_name = {}
  for i, a in ipairs(cfg.accounts) do
    check_account(a, i)
    for _, p in ipairs(a.projects) do
      p.region = p.region or p.name
      by_project[p.id] = { account = a, project = p }
    end
    list[#list + 1] = a
    by_name[a.name] = a
    by_ak[a.access_key] = { account = a, secret_key = a.secret_key }
  end
  for i, t in ipairs(cfg.temporary_credentials or {}) do
    local a = by_name[t.account]
    if not a then fail("temporary_credentials[" .. i .. "].account names no account") end
    by_ak[t.access_key] = {
      account = a, secret_key = t.secret_key, security_token = t.security_token,
      expires_at = util.parse_iso(t.expires_at) or fail("temporary_credentials[" .. i .. "].expires_at is not a time"),
    }
  end
  settings = cfg.settings or {}
end

--- Read and load a config file. Raises with a readable message.
function accounts.load_file(path)
  local f, err = io.open(path, "rb")
  if not f then fail("cannot open " .. tostring(err)) end
  local text = f:read("*a")
  f:close()
  local cfg, derr = json.decode(text)
  if not cfg then fail(path .. ": " .. derr) end
  accounts.load(cfg)
  return cfg
end

--- Settings from the config file (speed, token_ttl, quotas, delays).
function accounts.settings()
  return settings
end

--- Credentials record for an access key: {account, secret_key, security_token?, expires_at?}.
function accounts.by_access_key(ak)
  return by_ak[ak] or issued[ak]
end

--- Account whose user and domain match (names or ids); nil when none.
function accounts.find_user(user_name, user_id, domain_name, domain_id)
  for _, a in ipairs(list) do
    local user_ok = (user_name and a.user_name == user_name) or (user_id and a.user_id == user_id)
    local dom_ok = (domain_name and a.domain_name == domain_name) or (domain_id and a.domain_id == domain_id)
      or (user_id and not domain_name and not domain_id)
    if user_ok and dom_ok then return a end
  end
  return nil
end

--- {account=, project=} for a project id.
function accounts.by_project_id(id)
  return by_project[id]
end

--- The project of an account with the given id or name (region), or nil.
function accounts.project_of(a, id, name)
  for _, p in ipairs(a.projects) do
    if (id and p.id == id) or (name and not id and p.name == name) then return p end
  end
  return nil
end

--- Account by domain id.
function accounts.by_domain_id(id)
  for _, a in ipairs(list) do if a.domain_id == id then return a end end
  return nil
end

--- All account records (configured order; the first is the default).
function accounts.all()
  return list
end

--- Record temporary keys issued at run time (IAM securitytokens).
function accounts.issue_temporary(a, ak, sk, token, expires_at)
  issued[ak] = { account = a, secret_key = sk, security_token = token, expires_at = expires_at, issued = true }
end

--- Forget run-time temporary keys (reset).
function accounts.reset()
  issued = {}
end

--- What handlers see of an account: no password, no secret key.
function accounts.public(a)
  local projects = {}
  for i, p in ipairs(a.projects) do projects[i] = { id = p.id, name = p.name, region = p.region } end
  return {
    name = a.name, domain_id = a.domain_id, domain_name = a.domain_name,
    user_id = a.user_id, user_name = a.user_name, projects = projects,
  }
end

return accounts
