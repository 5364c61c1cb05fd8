-- Request validation of the RFS emulator (RFS API reference, request
-- parameters and error codes, https://support.huaweicloud.com/api-aos/): the
-- mandatory Client-Request-Id header, body shape and unknown fields, names
-- (stack, plan, template, stack set), lengths counted in characters, ids,
-- booleans, template and vars sources, vars_structure and agencies. Every
-- failure raises the documented 400 RF.1001xxxx error.

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")
local json = require("emu.json")
local util = require("emu.util")

local M = {}

local function bad(code, msg) fail(400, code, msg) end

--- The set of a body's allowed fields, for M.body: fields("a", "b") -> {a = true, b = true}.
function M.fields(...)
  local s = {}
  for _, k in ipairs({ ... }) do s[k] = true end
  return s
end

--- Characters in a UTF-8 string.
function M.chars(s)
  local n = 0
  for _ in s:gmatch("[^\128-\191]") do n = n + 1 end
  return n
end

--- True when s is well-formed UTF-8 (no overlong two-byte forms).
function M.is_utf8(s)
  if not s:find("[\128-\255]") then return true end
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len = (c < 128 and 1) or (c >= 194 and c <= 223 and 2) or (c >= 224 and c <= 239 and 3)
      or (c >= 240 and c <= 244 and 4) or nil
    if not len then return false end
    for j = i + 1, i + len - 1 do
      local d = s:byte(j)
      if not d or d < 128 or d > 191 then return false end
    end
    i = i + len
  end
  return true
end

--- Check the Client-Request-Id header (required, 36-128 characters).
function M.client_request_id(req)
  local v = util.header(req.headers, "client-request-id")
  if v == nil or v == "" then bad("RF.10011001", "the header Client-Request-Id is required") end
  if #v < 36 then bad("RF.10011006", "the header Client-Request-Id must be at least 36 characters long") end
  if #v > 128 then bad("RF.10011005", "the header Client-Request-Id must be at most 128 characters long") end
  return v
end

--- The request body as an object, checking that every field is known.
-- @param req the request
-- @param allowed set of field names
-- @param required when true a missing body is an error (RF.10011032)
function M.body(req, allowed, required)
  local b = req.body
  if b == nil then
    if req.raw_body and req.raw_body:match("%S") then bad("RF.10011033", "the request body is not valid JSON") end
    if required then bad("RF.10011032", "the request body is required") end
    return {}
  end
  if type(b) ~= "table" or (b[1] ~= nil) then bad("RF.10011033", "the request body must be a JSON object") end
  if json.is_array(b) then bad("RF.10011033", "the request body must be a JSON object") end
  for k in pairs(b) do
    if not allowed[k] then bad("RF.10011002", "the request has a parameter the API does not know: " .. tostring(k)) end
  end
  -- JSON null counts as absent
  local null = json.null
  for k, v in pairs(b) do if v == null then b[k] = nil end end
  return b
end

--- A string field: type and length in characters.
function M.string(v, field, min, max)
  if v == nil then return nil end
  if type(v) ~= "string" then bad("RF.10011038", field .. " must be a string") end
  local n = M.chars(v)
  if min and n < min then
    if n == 0 then bad("RF.10011037", field .. " must not be empty") end
    bad("RF.10011006", field .. " must be at least " .. min .. " characters long")
  end
  if max and n > max then bad("RF.10011005", field .. " must be at most " .. max .. " characters long") end
  return v
end

--- A required field.
function M.required(v, field)
  if v == nil then bad("RF.10011001", "the parameter " .. field .. " is required") end
  return v
end

--- A boolean field.
function M.boolean(v, field)
  if v == nil then return nil end
  if type(v) ~= "boolean" then bad("RF.10011038", field .. " must be a boolean") end
  return v
end

--- A name of a stack, plan, template or stack set: 1-128 characters, first a
-- letter (English or Chinese), then letters, digits, "_" and "-".
function M.name(v, field)
  M.required(v, field)
  M.string(v, field, 1, 128)
  local first = v:byte(1)
  local ok = (first >= 65 and first <= 90) or (first >= 97 and first <= 122) or first >= 128
  if ok then
    for c in v:gmatch("[%z\1-\127]") do
      if not c:match("[%w_%-]") then ok = false; break end
    end
  end
  if not ok then
    bad("RF.10011010", field .. " must start with a Chinese or English letter and contain only Chinese or English letters, digits, '_' and '-'")
  end
  return v
end

--- An id (stack_id, execution_plan_id, ...): exactly 36 characters.
function M.id(v, field)
  if v == nil then return nil end
  if type(v) ~= "string" then bad("RF.10011038", field .. " must be a string") end
  if #v < 36 then bad("RF.10011006", field .. " must be 36 characters long") end
  if #v > 36 then bad("RF.10011005", field .. " must be 36 characters long") end
  return v
end

--- The id guard of a call that names its object (a stack, plan, template,
-- stack set, registry item): `guard` from the body, else the query
-- parameter `field`; when given, an id equal to `id`, else 400 `code`.
-- @param what the object's noun and name, for the message ("the stack web")
function M.guard(req, guard, field, id, code, what)
  if guard == nil then guard = U.query(req, field) end
  if guard == nil then return end
  M.id(guard, field)
  if guard ~= id then bad(code, field .. " " .. guard .. " does not match " .. what) end
end

--- template_body / template_uri: at most one (both -> RF.10011003); with
-- required=true exactly one (neither -> RF.10011056).
function M.template_source(b, required, uri_max)
  M.string(b.template_body, "template_body", 0, 51200)
  M.string(b.template_uri, "template_uri", 0, uri_max or 2048)
  if b.template_body ~= nil and b.template_uri ~= nil then
    bad("RF.10011003", "template_body and template_uri cannot both be given")
  end
  if required and (b.template_body == nil or b.template_body == "") and (b.template_uri == nil or b.template_uri == "") then
    bad("RF.10011056", "either template_body or template_uri must be given")
  end
  if b.template_uri ~= nil then
    local path = b.template_uri:gsub("[?#].*$", "")
    if not (b.template_uri:match("^https?://") and (path:match("%.tf$") or path:match("%.tf%.json$") or path:match("%.zip$"))) then
      bad("RF.10011035", "template_uri must be an http(s) URL ending in .tf, .tf.json or .zip")
    end
  end
end

--- vars_body / vars_uri / vars_structure.
-- A JSON array `v` of at most `max` objects with no keys but `keys` (a
-- set); each(item, path) checks an item ("field[i]", counted from 0).
local function objects(v, field, max, keys, each)
  if type(v) ~= "table" or (next(v) ~= nil and v[1] == nil) then bad("RF.10011055", field .. " must be a JSON array") end
  if #v > max then bad("RF.10011005", field .. " must have at most " .. max .. " items") end
  for i, item in ipairs(v) do
    local f = field .. "[" .. (i - 1) .. "]"
    if type(item) ~= "table" then bad("RF.10011038", f .. " must be an object") end
    for k in pairs(item) do
      if not keys[k] then bad("RF.10011002", "the request has a parameter the API does not know: " .. f .. "." .. tostring(k)) end
    end
    each(item, f)
  end
end

function M.vars(b, allow_structure)
  M.string(b.vars_body, "vars_body", 0, 51200)
  if b.vars_body and #b.vars_body > 51200 then bad("RF.10011141", "vars_body is too long") end
  M.string(b.vars_uri, "vars_uri", 0, 2048)
  if b.vars_uri ~= nil then
    local path = b.vars_uri:gsub("[?#].*$", "")
    if not (b.vars_uri:match("^https?://") and path:match("%.tfvars$")) then
      bad("RF.10011034", "vars_uri must be an http(s) URL ending in .tfvars")
    end
  end
  local vs = b.vars_structure
  if vs == nil then return end
  if allow_structure == false then bad("RF.10011002", "vars_structure is not supported here") end
  objects(vs, "vars_structure", 100, M.fields("var_key", "var_value", "encryption"), function(s, f)
    M.required(s.var_key, f .. ".var_key")
    M.string(s.var_key, f .. ".var_key", 1, 32)
    if not s.var_key:match("^[A-Za-z][%w_%-]*$") then
      bad("RF.10011039", f .. ".var_key must start with an English letter and contain only letters, digits, '-' and '_'")
    end
    M.required(s.var_value, f .. ".var_value")
    M.string(s.var_value, f .. ".var_value", 0, 2048)
    if s.encryption ~= nil then
      if type(s.encryption) ~= "table" or type(s.encryption.kms) ~= "table" then
        bad("RF.10011001", f .. ".encryption.kms is required")
      end
      M.required(s.encryption.kms.id, f .. ".encryption.kms.id")
      M.string(s.encryption.kms.id, f .. ".encryption.kms.id", 36, 36)
      M.required(s.encryption.kms.cipher_text, f .. ".encryption.kms.cipher_text")
      M.string(s.encryption.kms.cipher_text, f .. ".encryption.kms.cipher_text", 2, 2048)
    end
  end)
end

--- agencies: 0-10 items, provider_name unique (RF.10011065).
function M.agencies(v)
  if v == nil then return nil end
  local seen = {}
  objects(v, "agencies", 10, M.fields("provider_name", "agency_name", "agency_urn"), function(a, f)
    M.required(a.provider_name, f .. ".provider_name")
    M.string(a.provider_name, f .. ".provider_name", 1, 128)
    M.string(a.agency_name, f .. ".agency_name", 1, 64)
    M.string(a.agency_urn, f .. ".agency_urn", 1, 2048)
    if a.agency_name == nil and a.agency_urn == nil then
      bad("RF.10011001", f .. ": one of agency_name and agency_urn is required")
    end
    if seen[a.provider_name] then bad("RF.10011065", "provider_name '" .. a.provider_name .. "' appears more than once in agencies") end
    seen[a.provider_name] = true
  end)
  return v
end

--- A description-like field (0-1024 characters).
function M.description(v, field)
  return M.string(v, field, 0, 1024)
end

--- A version id "V<n>" (2-11 characters).
function M.version_id(v)
  if type(v) ~= "string" or #v < 2 or #v > 11 or not v:match("^V%d+$") then
    bad("RF.10011038", "version_id must be 'V' followed by a number, like V1")
  end
  return v
end

return M
