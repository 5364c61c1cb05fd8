-- Request validation shared by the VPCEP operations: types, enums, ids,
-- IPv4 addresses and CIDRs, descriptions, tags, port mappings, and the
-- list parameters (limit/offset/sort_key/sort_dir) with their documented codes.

local codes = require "emu.vpcep.codes"
local json = require "emu.json"
local util = require "emu.util"

local check = {}
local fail = codes.fail

--- The request body as an object (EndPoint.0002 when it is not one).
function check.body(req, optional)
  local b = req.body
  if b == nil and optional then return {} end
  if type(b) ~= "table" or json.is_array(b) then fail("EndPoint.0002", "The request body must be a JSON object.") end
  return b
end

--- A single query value (repeated parameters are a parameter error).
function check.query(req, name)
  local v = req.query[name]
  if type(v) == "table" then fail("EndPoint.0002", "Query parameter " .. name .. " is repeated.") end
  return v
end

--- True when v is a JSON array (or an empty table).
function check.is_list(v)
  return type(v) == "table" and (json.is_array(v) or next(v) == nil or #v > 0)
end

--- The non-empty list `b[name]` of a batch operation, at most `max` long
-- (EndPoint.0016): missing or empty raises `code` with `message`.
function check.batch(b, name, max, code, message)
  local list = b[name]
  if not check.is_list(list) or #list == 0 then fail(code, message) end
  if #list > max then fail("EndPoint.0016") end
  return list
end

--- An optional field of a type; raises `code` (default EndPoint.0002) otherwise.
function check.opt(b, name, kind, code)
  local v = b[name]
  if v == nil or v == json.null then return nil end
  if kind == "list" then
    if not check.is_list(v) then fail(code or "EndPoint.0002", name .. " must be an array.") end
  elseif kind == "object" then
    if type(v) ~= "table" or json.is_array(v) then fail(code or "EndPoint.0002", name .. " must be an object.") end
  elseif type(v) ~= kind then
    fail(code or "EndPoint.0002", name .. " must be a " .. kind .. ".")
  end
  return v
end

--- One of a list of values.
function check.enum(v, values, name, code)
  if v == nil then return nil end
  for _, x in ipairs(values) do if v == x then return v end end
  fail(code or "EndPoint.0002", name .. " must be one of " .. table.concat(values, ", ") .. ".")
end

--- The `action` of a batch body: one of `values`, else `code` (missing too).
function check.action(b, values, code)
  for _, x in ipairs(values) do if b.action == x then return x end end
  fail(code)
end

--- A UUID-shaped id (8-4-4-4-12 hex).
function check.is_uuid(v)
  return type(v) == "string" and v:lower():match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$") ~= nil
end

--- An id string 1..64 characters.
function check.id(v, code)
  if type(v) ~= "string" or #v < 1 or #v > 64 then fail(code) end
  return v
end

--- IPv4 address (dotted quad) check.
function check.is_ipv4(v)
  if type(v) ~= "string" then return false end
  local a, b, c, d = v:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return false end
  for _, x in ipairs({ a, b, c, d }) do
    if #x > 3 or tonumber(x) > 255 or (#x > 1 and x:sub(1, 1) == "0") then return false end
  end
  return true
end

--- IPv4 address or CIDR (a.b.c.d/n).
function check.is_ipv4_or_cidr(v)
  if type(v) ~= "string" then return false end
  local ip, bits = v:match("^([^/]+)/(%d+)$")
  if ip then return check.is_ipv4(ip) and tonumber(bits) <= 32 end
  return check.is_ipv4(v)
end

--- Description: string, no < or >, at most 512 characters.
function check.description(v, code)
  if v == nil then return nil end
  if type(v) ~= "string" or v:find("[<>]") or #v > 512 then
    fail(code or "EndPoint.0002", "description must be a string of at most 512 characters without < or >.")
  end
  return v
end

--- A boolean field (EndPoint.0002 or `code`).
function check.bool(b, name, code)
  return check.opt(b, name, "boolean", code)
end

local function int_param(v, code, min, max)
  if v == nil then return nil end
  if not v:match("^%d+$") then fail(code) end
  local n = tonumber(v)
  if n < min or (max and n > max) then fail(code) end
  return n
end

--- limit/offset/sort_key/sort_dir of a list operation.
-- @return {limit=, offset=, sort_key=, sort_dir=}
function check.listing(req, max_limit)
  local limit = int_param(check.query(req, "limit"), "EndPoint.0006", 1, max_limit or 1000) or 10
  local offset = int_param(check.query(req, "offset"), "EndPoint.0010", 0) or 0
  local sort_key = check.query(req, "sort_key") or "create_at"
  check.enum(sort_key, { "create_at", "update_at" }, "sort_key", "EndPoint.0017")
  local sort_dir = check.query(req, "sort_dir") or "desc"
  check.enum(sort_dir, { "asc", "desc" }, "sort_dir", "EndPoint.0018")
  return { limit = limit, offset = offset, sort_key = sort_key, sort_dir = sort_dir }
end

--- Sort records by created_at/updated_at, then take a page.
-- @return page (json array), total_count
function check.page(records, p)
  util.sort_by_time(records, p.sort_key == "update_at" and "updated_at" or "created_at", "seq", p.sort_dir == "asc")
  local out = json.array({})
  for i = p.offset + 1, math.min(#records, p.offset + p.limit) do out[#out + 1] = records[i] end
  return out, #records
end

--- A list operation's answer: the records (a map or a list) that `keep`
-- accepts, sorted and paged by `p` (check.listing), each shown with `show`.
-- @return page (json array of views), total_count
function check.select(records, p, keep, show)
  local matched = {}
  for _, r in pairs(records) do
    if keep(r) then matched[#matched + 1] = r end
  end
  local page, total = check.page(matched, p)
  for i, r in ipairs(page) do page[i] = show(r) end
  return page, total
end

--- Case-insensitive substring match (the "fuzzy on both ends" name filters).
function check.fuzzy(haystack, needle)
  if needle == nil then return true end
  return (haystack or ""):lower():find(needle:lower(), 1, true) ~= nil
end

--- The query filters of a list operation as one predicate: for each query
-- parameter of `exact` the request gives, the record's value (a field
-- name or a function(record)) must equal it; for each of `fuzzy`, contain it
-- (check.fuzzy).
-- @return function(record) -> boolean
function check.filters(req, exact, fuzzy)
  local terms = {}
  for name, get in pairs(exact or {}) do
    local want = check.query(req, name)
    if want ~= nil then terms[#terms + 1] = { get = get, want = want } end
  end
  for name, get in pairs(fuzzy or {}) do
    local want = check.query(req, name)
    if want ~= nil then terms[#terms + 1] = { get = get, want = want, fuzzy = true } end
  end
  return function(r)
    for _, t in ipairs(terms) do
      local v
      if type(t.get) == "function" then v = t.get(r) else v = r[t.get] end
      if t.fuzzy then
        if not check.fuzzy(v, t.want) then return false end
      elseif v ~= t.want then
        return false
      end
    end
    return true
  end
end

local function tag_key_ok(k)
  return not k:find("^_sys_") and not k:find("^%s") and not k:find("%s$")
    and not k:find("[%c<>=*\\,|/]")
end

--- Validate a TagList (create bodies): [{key, value}], unique keys, limits.
-- @return a normalised json array of {key, value}
function check.tags(tags, max)
  if tags == nil then return json.array({}) end
  if not check.is_list(tags) then fail("EndPoint.0002", "tags must be an array.") end
  if #tags > max then fail("EndPoint.3069") end
  local seen, out = {}, json.array({})
  for _, t in ipairs(tags) do
    if type(t) ~= "table" or type(t.key) ~= "string" or t.key == "" then fail("EndPoint.3066") end
    if #t.key > 128 then fail("EndPoint.3072") end
    local v = t.value
    if v == nil then v = "" end
    if type(v) ~= "string" then fail("EndPoint.3068") end
    if #v > 255 then fail("EndPoint.3073") end
    if not tag_key_ok(t.key) or v:find("[%c<>=*\\,|]") then fail("EndPoint.3068") end
    if seen[t.key] then fail("EndPoint.3067") end
    seen[t.key] = true
    out[#out + 1] = { key = t.key, value = v }
  end
  return out
end

check.tag_key_ok = tag_key_ok

--- Validate a port mapping list (PortList[]).
-- @return normalised json array of {client_port, server_port, protocol}
function check.ports(ports)
  if ports == nil or (type(ports) == "table" and #ports == 0) then fail("EndPoint.2028") end
  if not check.is_list(ports) then fail("EndPoint.0002", "ports must be an array.") end
  if #ports > 200 then fail("EndPoint.3074") end
  local out, seen = json.array({}), {}
  for _, p in ipairs(ports) do
    if type(p) ~= "table" then fail("EndPoint.0002", "each port mapping must be an object.") end
    local proto = p.protocol
    if proto == nil then proto = "TCP" end
    if proto ~= "TCP" then fail("EndPoint.3075") end
    for _, f in ipairs({ "client_port", "server_port" }) do
      local n = p[f]
      if type(n) ~= "number" or n ~= math.floor(n) or n < 1 or n > 65535 then
        fail("EndPoint.3043", f .. " must be an integer 1..65535.")
      end
    end
    local key = p.client_port .. "/" .. proto
    if seen[key] then fail("EndPoint.3043", "client_port " .. p.client_port .. " is mapped twice.") end
    seen[key] = true
    out[#out + 1] = { client_port = p.client_port, server_port = p.server_port, protocol = proto }
  end
  return out
end

return check
