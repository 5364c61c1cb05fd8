-- The canonical request of SDK-HMAC-SHA256 / V11-HMAC-SHA256 (API Signing
-- Guide, canonical request, string to sign and signature,
-- https://support.huaweicloud.com/devg-apisign/), rebuilt by the emulator from
-- what arrived on the wire: the raw request URI, the headers the Authorization
-- header names, and the body bytes.

local crypto = require "emu.crypto"
local util = require "emu.util"

local canonical = {}

--- Percent-decode (`%XY` in either case); `+` stays `+`.
function canonical.D(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

--- Encode every byte outside A-Z a-z 0-9 - . _ ~ as %XY (upper-case hex).
function canonical.E(s)
  return (s:gsub("[^A-Za-z0-9%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local D, E = canonical.D, canonical.E

--- Split a string on a single-character separator, keeping empty pieces.
local function split(s, sep)
  local out, start = {}, 1
  for _ = 1, #s + 1 do
    local i = s:find(sep, start, true)
    if not i then out[#out + 1] = s:sub(start) break end
    out[#out + 1] = s:sub(start, i - 1)
    start = i + 1
  end
  return out
end
canonical.split = split

--- Canonical URI from the raw (still encoded) path.
-- @param raw_path the path as it arrived
-- @param as_sent when true, encode the segments as they arrived, without
--   decoding first: Huawei's SDKs sign a path parameter they percent-encoded
--   (`cn-north-4%2Fd0c0...`) that way, so `%` is encoded again (`%252F`)
function canonical.uri(raw_path, as_sent)
  if raw_path == "" then raw_path = "/" end
  local pieces = as_sent and split(raw_path, "/") or split(D(raw_path), "/")
  for i, p in ipairs(pieces) do pieces[i] = E(p) end
  local u = table.concat(pieces, "/")
  if u:sub(-1) ~= "/" then u = u .. "/" end
  return u
end

--- Decoded (key, value) pairs of a raw query string, in wire order.
function canonical.query_pairs(raw_query)
  local pairs_ = {}
  if not raw_query or raw_query == "" then return pairs_ end
  for _, piece in ipairs(split(raw_query, "&")) do
    if piece ~= "" then
      local eq = piece:find("=", 1, true)
      local k, v
      if eq then k, v = piece:sub(1, eq - 1), piece:sub(eq + 1) else k, v = piece, "" end
      pairs_[#pairs_ + 1] = { D(k), D(v) }
    end
  end
  return pairs_
end

--- Canonical query string from the raw query.
function canonical.query(raw_query)
  local ps = canonical.query_pairs(raw_query)
  table.sort(ps, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local out = {}
  for i, p in ipairs(ps) do out[i] = E(p[1]) .. "=" .. E(p[2]) end
  return table.concat(out, "&")
end

--- Split a raw request URI into path and query (fragment dropped).
function canonical.split_uri(request_uri)
  local no_frag = request_uri:gsub("#.*$", "")
  local q = no_frag:find("?", 1, true)
  if not q then return no_frag, "" end
  return no_frag:sub(1, q - 1), no_frag:sub(q + 1)
end

--- Build the canonical request.
-- @param r {method=, request_uri=, headers = {lower-name = value}, signed_headers = {names}, body=,
--   path_as_sent = see canonical.uri}
-- @return canonical request string, or nil and a message (a signed header is missing)
function canonical.request(r)
  local path, query = canonical.split_uri(r.request_uri)
  local lines = { r.method:upper(), canonical.uri(path, r.path_as_sent), canonical.query(query) }
  for _, name in ipairs(r.signed_headers) do
    local v = r.headers[name]
    if v == nil then return nil, "signed header '" .. name .. "' is missing" end
    if type(v) == "table" then v = table.concat(v, ",") end
    lines[#lines + 1] = name .. ":" .. util.trim(v)
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = table.concat(r.signed_headers, ";")
  local unsigned = r.headers["x-sdk-content-sha256"]
  if type(unsigned) == "string" then
    lines[#lines + 1] = util.trim(unsigned)
  else
    lines[#lines + 1] = crypto.sha256_hex(r.body or "")
  end
  return table.concat(lines, "\n")
end

--- SDK-HMAC-SHA256 string to sign.
function canonical.string_to_sign(date, creq)
  return "SDK-HMAC-SHA256\n" .. date .. "\n" .. crypto.sha256_hex(creq)
end

--- SDK-HMAC-SHA256 signature (hex).
function canonical.signature(sk, string_to_sign)
  return crypto.hmac_sha256_hex(sk, string_to_sign)
end

--- V11-HMAC-SHA256 string to sign.
function canonical.v11_string_to_sign(date, info, creq)
  return "V11-HMAC-SHA256\n" .. date .. "\n" .. info .. "\n" .. crypto.sha256_hex(creq)
end

--- V11 derived signing key (64 hex chars, used as ASCII): HKDF-SHA256 with
-- IKM = SK, salt = AK, info = "YYYYMMDD/region/service", length 32.
function canonical.v11_key(ak, sk, info)
  local prk = crypto.hmac_sha256(ak, sk)
  return crypto.hmac_sha256_hex(prk, info .. "\1")
end

return canonical
