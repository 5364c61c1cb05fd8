-- Redaction of secrets from copies of requests, responses and errors.
-- Hooks (on_request / on_response) and anything else that shows a request to a
-- human or a log receive copies made here: credentials-bearing headers
-- (Authorization, X-Auth-Token, X-Security-Token, X-Subject-Token,
-- Proxy-Authorization, Cookie), secret fields in JSON bodies (password, sk,
-- secret, security tokens) and user:password parts of URLs are replaced by
-- "REDACTED". The originals are never modified.

local urls = require "hwcloud.url"
local headers_mod = require "hwcloud.headers"

local M = {}

--- The text that replaces every secret.
M.MARK = "REDACTED"

local MARK = M.MARK

-- lower-case header names whose values are secrets
local SECRET_HEADERS = {
  ["authorization"] = true,
  ["proxy-authorization"] = true,
  ["x-auth-token"] = true,
  ["x-security-token"] = true,
  ["x-subject-token"] = true,
  ["cookie"] = true,
  ["set-cookie"] = true,
}

-- lower-case JSON field names (and query parameter names) whose string
-- values are secrets
local SECRET_KEYS = {
  password = true, passwd = true, passcode = true,
  sk = true, secret = true, secret_key = true, secretkey = true,
  secret_access_key = true,
  security_token = true, securitytoken = true,
  token = true, auth_token = true, access_token = true, id_token = true,
  subject_token = true, x_auth_token = true,
  proxy_password = true,
}

--- Whether a header name (any case) carries a secret.
-- @tparam string name header name
-- @treturn boolean
function M.is_secret_header(name)
  return type(name) == "string" and SECRET_HEADERS[name:lower()] == true
end

--- Whether a JSON field or query parameter name (any case) holds a secret.
-- @tparam string name field name
-- @treturn boolean
function M.is_secret_key(name)
  return type(name) == "string" and SECRET_KEYS[name:lower()] == true
end


--- A redacted copy of a header collection.
-- Accepts a list of `{name, value}` pairs (returns a list in the same order)
-- or a map `{Name = value}` (returns a map keyed by lower-case names with a
-- case-insensitive lookup).
-- @tparam table headers list or map; nil gives nil
-- @treturn table redacted copy
function M.headers(headers)
  if type(headers) ~= "table" then
    return nil
  end
  if headers[1] ~= nil and type(headers[1]) == "table" then
    local out = {}
    for i = 1, #headers do
      local pair = headers[i]
      local name, value = pair[1], pair[2]
      if M.is_secret_header(name) then
        value = MARK
      end
      out[i] = { name, value }
    end
    return out
  end
  local out = setmetatable({}, headers_mod.map_mt)
  for name, value in pairs(headers) do
    if type(name) == "string" then
      if M.is_secret_header(name) then
        value = MARK
      end
      rawset(out, name:lower(), value)
    end
  end
  return out
end

-- deep copy of a decoded JSON value with secret fields replaced; keeps
-- metatables (so array markers and the null sentinel survive)
local function scrub(value, seen)
  if type(value) ~= "table" then
    return value
  end
  if seen[value] then
    return seen[value]
  end
  local out = {}
  seen[value] = out
  for k, v in pairs(value) do
    if type(k) == "string" and SECRET_KEYS[k:lower()] and type(v) ~= "table" then
      out[k] = MARK
    else
      out[k] = scrub(v, seen)
    end
  end
  local mt = getmetatable(value)
  if mt ~= nil and type(mt) == "table" then
    setmetatable(out, mt)
  end
  return out
end

-- the user information of every URL inside a text ("Unsupported proxy
-- syntax in 'http://user:pw@proxy'", libcurl writes), up to the last '@'
-- of the authority; each "://" is followed to its authority's end once
local function scrub_userinfo(text)
  local out, pos, from = {}, 1, 1
  while true do
    local s = text:find("://", from, true)
    if not s then
      break
    end
    local a = s + 3
    local stop = text:find("[/?#%s'\"]", a) or #text + 1
    local at = text:sub(a, stop - 1):match("^.*()@")
    if at then
      out[#out + 1] = text:sub(pos, a - 1) .. MARK
      pos = a + at - 1
    end
    from = stop
  end
  out[#out + 1] = text:sub(pos)
  return table.concat(out)
end

-- text scrubbing for bodies that are not decodable JSON: "key": "value"
-- pairs, key=value (form / query style) pairs with secret keys, and the
-- user information of URLs
local function scrub_text(text)
  text = scrub_userinfo(text)
  local out, pos = {}, 1
  while true do
    local s, e, key = text:find('"([%w_%-]+)"%s*:%s*"', pos)
    if not s then
      break
    end
    -- find the closing quote of the string value that starts after e
    local i = e + 1
    while true do
      local j = text:find('["\\]', i)
      if not j then
        i = #text + 1
        break
      end
      if text:sub(j, j) == "\\" then
        i = j + 2
      else
        i = j
        break
      end
    end
    if SECRET_KEYS[key:lower()] then
      out[#out + 1] = text:sub(pos, e) .. MARK
      pos = i
    else
      out[#out + 1] = text:sub(pos, i)
      pos = i + 1
    end
  end
  out[#out + 1] = text:sub(pos)
  text = table.concat(out)
  -- the frontier starts a key only where a run of key characters starts, so
  -- a long run is scanned once, not once per byte (linear on server text)
  text = text:gsub("%f[%w_%-]([%w_%-]+)=([^&%s]*)", function(key, _)
    if SECRET_KEYS[key:lower()] then
      return key .. "=" .. MARK
    end
    return nil
  end)
  return text
end

--- A redacted copy of a body.
-- Tables are deep-copied with secret fields replaced. Strings are decoded as
-- JSON when possible (using `decode`, normally `hwcloud.core.decode`),
-- scrubbed and re-encoded with `encode`; other text is scrubbed with patterns.
-- @param body table, string or nil
-- @tparam[opt] function decode JSON decoder
-- @tparam[opt] function encode JSON encoder
-- @return redacted copy (same type as `body`)
function M.body(body, decode, encode)
  if type(body) == "table" then
    return scrub(body, {})
  end
  if type(body) ~= "string" or body == "" then
    return body
  end
  if decode and encode and body:find("^%s*[%[{]") then
    local ok, value = pcall(decode, body)
    if ok and type(value) == "table" then
      local ok2, text = pcall(encode, scrub(value, {}))
      if ok2 and type(text) == "string" then
        return text
      end
    end
  end
  return scrub_text(body)
end

--- A redacted copy of a URL: the user information (`user:password@`, which
-- ends at the last '@' before the path) is replaced, and so are the values
-- of secret query parameters (token=, password=...).
-- @tparam string url
-- @treturn string
function M.url(url)
  if type(url) ~= "string" then
    return url
  end
  local scheme, hostport, rest, userinfo = urls.split(url)
  if userinfo then
    url = scheme .. "://" .. MARK .. "@" .. hostport .. rest
  end
  local q = url:find("?", 1, true)
  if not q then
    return url
  end
  local out, from = {}, q + 1
  while from <= #url + 1 do
    local amp = url:find("&", from, true) or #url + 1
    local part = url:sub(from, amp - 1)
    local eq = part:find("=", 1, true)
    if eq and SECRET_KEYS[part:sub(1, eq - 1):lower()] then
      local hash = part:find("#", eq, true)
      part = part:sub(1, eq) .. MARK .. (hash and part:sub(hash) or "")
    end
    out[#out + 1] = part
    from = amp + 1
  end
  return url:sub(1, q) .. table.concat(out, "&")
end

--- A redacted copy of an outgoing request (as given to a hook).
-- @tparam table req `{method=, url=, headers=, body=, ...}`
-- @tparam[opt] function decode JSON decoder
-- @tparam[opt] function encode JSON encoder
-- @treturn table copy with `method`, `url`, `headers`, `body` and any other
-- scalar fields of `req`
function M.request(req, decode, encode)
  local out = {}
  for k, v in pairs(req) do
    if type(v) ~= "table" and type(v) ~= "function" and type(v) ~= "userdata" then
      out[k] = v
    end
  end
  out.url = M.url(req.url)
  out.headers = M.headers(req.headers)
  out.body = M.body(req.body, decode, encode)
  return out
end

--- A redacted copy of a response (as given to a hook).
-- @tparam table resp a transport response
-- @tparam[opt] function decode JSON decoder
-- @tparam[opt] function encode JSON encoder
-- @treturn table copy with `status`, `headers` (case-insensitive map),
-- `header_list`, `body`, `raw_body` and the scalar fields of `resp`
function M.response(resp, decode, encode)
  local out = {}
  for k, v in pairs(resp) do
    if type(v) ~= "table" and type(v) ~= "function" and type(v) ~= "userdata" then
      out[k] = v
    end
  end
  if type(resp.header_list) == "table" then
    out.header_list = M.headers(resp.header_list)
    local map = setmetatable({}, header_map_mt)
    for _, pair in ipairs(out.header_list) do
      local key = tostring(pair[1]):lower()
      local prev = rawget(map, key)
      rawset(map, key, prev and (prev .. ", " .. pair[2]) or pair[2])
    end
    out.headers = map
  else
    out.headers = M.headers(resp.headers)
  end
  out.body = M.body(resp.body, decode, encode)
  if type(resp.raw_body) == "string" then
    out.raw_body = M.body(resp.raw_body, decode, encode)
  end
  return out
end

--- A redacted copy of an error's fields, as a plain table.
-- Response headers and bodies inside the error are redacted; the caller may
-- give the result to `hwcloud.core.error` to get a proper error object back.
-- @tparam table err an error table
-- @treturn table
function M.error_fields(err)
  local out = {}
  for k, v in pairs(err) do
    if type(v) ~= "table" and type(v) ~= "function" and type(v) ~= "userdata" then
      out[k] = v
    end
  end
  out.url = M.url(err.url)
  if err.headers ~= nil then
    out.headers = M.headers(err.headers)
  end
  if err.body ~= nil then
    out.body = M.body(err.body)
  end
  if type(err.data) == "table" then
    out.data = M.body(err.data)
  end
  if type(err.message) == "string" then
    out.message = scrub_text(err.message)
  end
  if type(err.detail) == "string" then
    out.detail = scrub_text(err.detail)
  end
  return out
end

--- Redact, in place, an error the client is about to raise, so that the
-- error, `tostring(err)`, hooks and logs all show the same redacted URL: its
-- `url` becomes the redacted request URL (the transport's own copy may keep
-- secret query values), and its response headers, body, decoded data,
-- message and detail are redacted as in `error_fields`.
-- @tparam table err an hwcloud error
-- @tparam[opt] string url the URL of the request (default: err.url)
-- @treturn table err
function M.raised(err, url)
  local fields = M.error_fields(err)
  err.url = M.url(url or err.url)
  for _, k in ipairs({ "headers", "body", "data", "message", "detail" }) do
    if err[k] ~= nil then
      err[k] = fields[k]
    end
  end
  return err
end

return M
