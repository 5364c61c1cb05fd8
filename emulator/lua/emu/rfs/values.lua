-- Template values for the RFS emulator: the null and "known after apply"
-- sentinels, list and map constructors (marked with metatables so JSON and type
-- names come out right), deep equality, and a deterministic JSON encoder used
-- for resource attributes, outputs and plan diffs. Pure Lua (5.4 and LuaJIT).

local M = {}

local LIST = { __name = "rfs.list" }
local SET = { __name = "rfs.set" } -- a list that is a set (toset, set(...) types): for_each takes it
local MAP = { __name = "rfs.map" }

--- The template `null` value.
M.NULL = setmetatable({}, { __name = "rfs.null", __tostring = function() return "null" end })
--- A value only known after apply (plans).
M.UNKNOWN = setmetatable({}, { __name = "rfs.unknown", __tostring = function() return "(known after apply)" end })

--- Text shown for unknown values in plan diffs.
M.UNKNOWN_TEXT = "(will be generated after apply)"

--- Mark t (or a new table) as a list.
function M.list(t) return setmetatable(t or {}, LIST) end
--- Mark t (or a new table) as a map.
function M.map(t) return setmetatable(t or {}, MAP) end

--- Mark t (or a new table) as a set (ordered like a list).
function M.set(t) return setmetatable(t or {}, SET) end

function M.is_list(v)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  return mt == LIST or mt == SET
end
function M.is_set(v) return type(v) == "table" and getmetatable(v) == SET end
function M.is_map(v) return type(v) == "table" and getmetatable(v) == MAP end
function M.is_null(v) return v == nil or v == M.NULL end
function M.is_unknown(v) return v == M.UNKNOWN end

--- Sorted keys of a map.
function M.keys(m)
  local ks = {}
  for k in pairs(m) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end

--- True when v is unknown or contains an unknown value.
function M.has_unknown(v)
  if v == M.UNKNOWN then return true end
  if M.is_list(v) then
    for i = 1, #v do if M.has_unknown(v[i]) then return true end end
  elseif M.is_map(v) then
    for _, x in pairs(v) do if M.has_unknown(x) then return true end end
  end
  return false
end

local function is_int(n)
  return n == math.floor(n) and n > -1e15 and n < 1e15
end

--- Render a number the way Terraform prints it (integers without ".0").
function M.number_text(n)
  if n ~= n then return "NaN" end
  if is_int(n) then return string.format("%d", n) end
  local s = string.format("%.14g", n)
  return s
end

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end
M.quote = quote

--- Deterministic JSON text of a template value (map keys sorted).
function M.to_json(v)
  local t = type(v)
  if v == nil or v == M.NULL then return "null" end
  if v == M.UNKNOWN then return quote(M.UNKNOWN_TEXT) end
  if t == "string" then return quote(v) end
  if t == "number" then return M.number_text(v) end
  if t == "boolean" then return tostring(v) end
  if M.is_list(v) then
    local parts = {}
    for i = 1, #v do parts[i] = M.to_json(v[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  if M.is_map(v) then
    local parts = {}
    for _, k in ipairs(M.keys(v)) do parts[#parts + 1] = quote(tostring(k)) .. ":" .. M.to_json(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return quote(tostring(v))
end

--- String form used for resource attributes and plan diffs: strings as they
-- are, numbers and booleans as text, null as "null", collections as JSON.
function M.to_text(v)
  if v == nil or v == M.NULL then return "null" end
  if v == M.UNKNOWN then return M.UNKNOWN_TEXT end
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return M.number_text(v) end
  if t == "boolean" then return tostring(v) end
  return M.to_json(v)
end

--- Deep equality of two template values.
function M.equal(a, b)
  if a == b then return true end
  if M.is_list(a) and M.is_list(b) then
    if #a ~= #b then return false end
    for i = 1, #a do if not M.equal(a[i], b[i]) then return false end end
    return true
  end
  if M.is_map(a) and M.is_map(b) then
    for k, x in pairs(a) do if not M.equal(x, b[k]) then return false end end
    for k in pairs(b) do if a[k] == nil then return false end end
    return true
  end
  if type(a) == "number" and type(b) == "number" then return a == b end
  return false
end

--- Deep copy (keeps list/map marks).
function M.copy(v)
  if M.is_list(v) then
    local r = M.is_set(v) and M.set() or M.list()
    for i = 1, #v do r[i] = M.copy(v[i]) end
    return r
  elseif M.is_map(v) then
    local r = M.map()
    for k, x in pairs(v) do r[k] = M.copy(x) end
    return r
  end
  return v
end

--- Terraform-style type name of a value ("string", "number", "bool",
-- "list(string)", "map(number)", "tuple", "object").
function M.type_name(v)
  if v == nil or v == M.NULL then return "null" end
  local t = type(v)
  if t == "string" then return "string" end
  if t == "number" then return "number" end
  if t == "boolean" then return "bool" end
  if v == M.UNKNOWN then return "unknown" end
  local function common(items)
    local name
    for _, x in ipairs(items) do
      local n = M.type_name(x)
      if name and n ~= name then return nil end
      name = n
    end
    return name
  end
  if M.is_list(v) then
    local c = common(v)
    if M.is_set(v) then return "set(" .. (c or "string") .. ")" end
    if c then return "list(" .. c .. ")" end
    return #v == 0 and "list(string)" or "tuple"
  end
  if M.is_map(v) then
    local items = {}
    for _, k in ipairs(M.keys(v)) do items[#items + 1] = v[k] end
    local c = common(items)
    if c then return "map(" .. c .. ")" end
    return #items == 0 and "map(string)" or "object"
  end
  return "string"
end

return M
