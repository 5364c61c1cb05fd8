-- Redaction for the request log and access.log: the signature part of
-- Authorization, every token header, secret query parameters and every
-- secret-looking field of a JSON body become "***".

local json = require "emu.json"

local redact = {}

local SECRET_HEADERS = {
  ["x-auth-token"] = true, ["x-security-token"] = true, ["x-subject-token"] = true,
  ["proxy-authorization"] = true, cookie = true,
}

local SECRET_FIELDS = {
  password = true, secret = true, secret_key = true, sk = true, securitytoken = true,
  security_token = true, token = true, passcode = true, access_token = true, id_token = true,
}

local function authorization(v)
  return (v:gsub("Signature=[^,%s]*", "Signature=***"))
end

--- A copy of the request headers with secrets masked (names lower-case).
function redact.headers(headers)
  local out = {}
  for k, v in pairs(headers) do
    if type(v) == "table" then v = table.concat(v, ", ") end
    if SECRET_HEADERS[k] then
      out[k] = "***"
    elseif k == "authorization" then
      out[k] = authorization(v)
    else
      out[k] = v
    end
  end
  return out
end

local function walk(v, depth)
  if type(v) ~= "table" or depth > 50 then return v end
  local out = json.is_array(v) and json.array({}) or {}
  for k, x in pairs(v) do
    if type(k) == "string" and SECRET_FIELDS[k:lower()] and type(x) ~= "table" then
      out[k] = "***"
    else
      out[k] = walk(x, depth + 1)
    end
  end
  return out
end

--- A loggable form of a request body: decoded JSON with secret fields
-- masked, or a note of its size when it is not JSON.
function redact.body(raw)
  if raw == nil or raw == "" then return nil end
  local v = json.decode(raw)
  if type(v) == "table" then return walk(v, 0) end
  return string.format("<%d bytes, not JSON>", #raw)
end

-- a query parameter name (percent-decoded, any case, "-" as "_") that
-- holds a secret: a secret field name, or one ending in token, password,
-- secret or signature (X-Auth-Token, x-obs-security-token, Signature, ...)
local function secret_param(name)
  local n = name:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end):lower():gsub("-", "_")
  if SECRET_FIELDS[n] then return true end
  for _, suffix in ipairs({ "token", "password", "secret", "signature" }) do
    if n:sub(-#suffix) == suffix then return true end
  end
  return false
end

--- Mask the values of secret query parameters in a request target
-- (?token=... becomes ?token=***). The one redaction for the request log and
-- nginx's access.log; linear in the length of the URI.
function redact.uri(uri)
  if type(uri) ~= "string" then return uri end
  local path, query = uri:match("^([^?]*)%?(.*)$")
  if not path then return uri end
  local parts = {}
  for part in (query .. "&"):gmatch("([^&]*)&") do
    local name = part:match("^([^=]*)=")
    if name and secret_param(name) then part = name .. "=***" end
    parts[#parts + 1] = part
  end
  return path .. "?" .. table.concat(parts, "&")
end

redact.walk = function(v) return walk(v, 0) end

return redact
