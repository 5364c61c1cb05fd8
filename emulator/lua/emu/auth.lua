-- Authentication as the API gateway does it: an IAM token in X-Auth-Token,
-- or an AK/SK signature (SDK-HMAC-SHA256 or V11-HMAC-SHA256) recomputed from
-- what arrived on the wire, with X-Sdk-Date within 15 minutes and
-- X-Security-Token checked for temporary keys. Failures raise the gateway's
-- errors (401 APIGW.0301 / APIGW.0307, shape A).

local accounts = require "emu.accounts"
local canonical = require "emu.canonical"
local crypto = require "emu.crypto"
local errors = require "emu.errors"
local tokens = require "emu.iam.tokens"
local util = require "emu.util"

local auth = {}

local MAX_SKEW = 15 * 60

local function deny(detail)
  error(errors.new(401, "APIGW.0301", "Incorrect IAM authentication information: " .. detail), 0)
end

local header = util.header

--- Parse `YYYYMMDDTHHMMSSZ`; nil when malformed.
function auth.parse_sdk_date(s)
  local y, mo, d, h, mi, sec = (s or ""):match("^(%d%d%d%d)(%d%d)(%d%d)T(%d%d)(%d%d)(%d%d)Z$")
  if not y then return nil end
  return util.timegm(tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

--- Parse an Authorization value. Returns a table or nil.
function auth.parse_authorization(v)
  if type(v) ~= "string" then return nil end
  local algorithm, rest = v:match("^([%w%-]+) (.*)$")
  if not algorithm then return nil end
  local fields = {}
  for _, part in ipairs(canonical.split(rest, ",")) do
    local k, val = util.trim(part):match("^([%a]+)=(.*)$")
    if not k then return nil end
    fields[k] = val
  end
  local p = { algorithm = algorithm, signature = fields.Signature, signed_headers = fields.SignedHeaders }
  if algorithm == "SDK-HMAC-SHA256" then
    p.access_key = fields.Access
  elseif algorithm == "V11-HMAC-SHA256" and fields.Credential then
    p.access_key, p.info = fields.Credential:match("^([^/]+)/(.+)$")
  end
  if not (p.access_key and p.signature and p.signed_headers) then return nil end
  return p
end

local function check_token(r)
  local t = header(r.headers, "x-auth-token")
  local rec = tokens.lookup(util.trim(t))
  if not rec then deny("decrypt token fail") end
  if r.now >= rec.expires_at then
    error(errors.new(401, "APIGW.0307", "The token must be updated."), 0)
  end
  return { account = rec.account, project = rec.project, via = "token", token = rec }
end

local function check_signature(r, authz)
  local p = auth.parse_authorization(authz)
  if not p then deny("the Authorization header is malformed") end
  if p.algorithm ~= "SDK-HMAC-SHA256" and p.algorithm ~= "V11-HMAC-SHA256" then
    deny("unsupported signing algorithm " .. p.algorithm)
  end
  local cred = accounts.by_access_key(p.access_key)
  if not cred then deny("ak " .. p.access_key .. " not exist") end

  local date = header(r.headers, "x-sdk-date")
  local t = auth.parse_sdk_date(date and util.trim(date))
  if not t then deny("the X-Sdk-Date header is missing or malformed") end
  if math.abs(r.real_now - t) > MAX_SKEW then
    deny("the request time (X-Sdk-Date) is more than 15 minutes away from the server time")
  end
  date = util.trim(date)

  local token = header(r.headers, "x-security-token")
  if cred.security_token then
    if not token then deny("the X-Security-Token header is required for temporary access keys") end
    if util.trim(token) ~= cred.security_token then deny("the security token is invalid") end
    if r.now >= cred.expires_at then deny("the security token has expired") end
  elseif token then
    deny("the security token does not belong to the access key")
  end

  local names = canonical.split(p.signed_headers, ";")
  for _, n in ipairs(names) do
    if n == "" or n:lower() ~= n then deny("SignedHeaders is malformed") end
  end
  if p.algorithm ~= "SDK-HMAC-SHA256" then
    local day = p.info:match("^(%d%d%d%d%d%d%d%d)/[^/]+/[^/]+$")
    if day ~= date:sub(1, 8) then deny("the credential scope does not match X-Sdk-Date") end
  end
  -- the signature over the canonical request with the path decoded first,
  -- or (as_sent) with its percent-sequences encoded again
  local function expected(as_sent)
    local creq, missing = canonical.request{
      method = r.method, request_uri = r.request_uri, headers = r.headers,
      signed_headers = names, body = r.body, path_as_sent = as_sent,
    }
    if not creq then deny(missing) end
    if p.algorithm == "SDK-HMAC-SHA256" then
      return canonical.signature(cred.secret_key, canonical.string_to_sign(date, creq))
    end
    local key = canonical.v11_key(p.access_key, cred.secret_key, p.info)
    return crypto.hmac_sha256_hex(key, canonical.v11_string_to_sign(date, p.info, creq))
  end
  -- both canonical forms are accepted for a path that carries "%": Huawei's
  -- SDKs sign a path parameter they encoded (ShowStackInstance's
  -- "{region}%2F{domain_id}") as sent, other signers decode first
  if expected(false) ~= p.signature then
    local raw_path = canonical.split_uri(r.request_uri)
    if not raw_path:find("%", 1, true) or expected(true) ~= p.signature then deny("verify aksk signature fail") end
  end
  return { account = cred.account, via = "aksk", temporary = cred.security_token ~= nil }
end

--- Authenticate a request.
-- @param r {method=, request_uri=, headers = {lower-case name = value}, body=, now=,
--   real_now = the wall clock, for the X-Sdk-Date window (emu.clock)}
-- @return caller {account = config record, via = "token"|"aksk", project = project record or nil}
-- Raises an emu.errors value on failure.
function auth.authenticate(r)
  if header(r.headers, "x-auth-token") then
    return check_token(r)
  end
  local authz = header(r.headers, "authorization")
  if authz then
    return check_signature(r, authz)
  end
  deny("no X-Auth-Token or Authorization header was found in the request")
end

return auth
