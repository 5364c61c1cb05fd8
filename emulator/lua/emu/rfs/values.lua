-- Template values for the RFS emulator: the null and "known after apply"
-- sentinels, list and map constructors (marked with metatables so JSON and type
-- names come out right), deep equality, and a deterministic JSON encoder used
-- for resource attributes, outputs and plan diffs. Pure Lua (5.4 and LuaJIT).

local bignum = require("emu.rfs.bignum")

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

-- Sensitive values: a value marked sensitive is wrapped in a SENSITIVE box
-- ({v = value}); the mark sits on the value it wraps, so a collection may hold
-- marked elements without being marked itself, as Terraform's marks do
-- (https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output).
-- Only the evaluator (emu.rfs.evaluate) sees boxes; everything it gives
-- out is unmarked.
local SENSITIVE = { __name = "rfs.sensitive" }

--- v marked sensitive (a marked value stays as it is).
function M.mark(v)
  if getmetatable(v) == SENSITIVE then return v end
  return setmetatable({ v = v }, SENSITIVE)
end
--- True when v itself is marked sensitive (its elements are not looked at).
function M.is_marked(v) return type(v) == "table" and getmetatable(v) == SENSITIVE end
--- v without its own mark, and whether it had one.
function M.unmark(v)
  if type(v) == "table" and getmetatable(v) == SENSITIVE then return v.v, true end
  return v, false
end
--- v marked when m is true.
function M.remark(v, m)
  if m then return M.mark(v) end
  return v
end

--- True when v or any value inside it is marked sensitive.
function M.has_mark(v)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  if mt == SENSITIVE then return true end
  if mt == LIST or mt == SET or mt == MAP then
    for _, x in pairs(v) do if M.has_mark(x) then return true end end
  end
  return false
end

--- v with every mark inside it removed (tables without marks are kept as
-- they are), and whether there was any.
function M.unmark_deep(v)
  if type(v) ~= "table" then return v, false end
  local mt = getmetatable(v)
  if mt == SENSITIVE then return (M.unmark_deep(v.v)), true end
  if mt ~= LIST and mt ~= SET and mt ~= MAP then return v, false end
  local copy, any
  for k, x in pairs(v) do
    local u, m = M.unmark_deep(x)
    if m then
      any = true
      if not copy then
        copy = setmetatable({}, mt)
        for k2, x2 in pairs(v) do copy[k2] = x2 end
      end
      copy[k] = u
    end
  end
  return copy or v, any == true
end

--- Sorted keys of a map.
function M.keys(m)
  local ks = {}
  for k in pairs(m) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end

--- True when v is unknown or contains an unknown value.
function M.has_unknown(v)
  v = M.unmark(v)
  if v == M.UNKNOWN then return true end
  if M.is_list(v) then
    for i = 1, #v do if M.has_unknown(v[i]) then return true end end
  elseif M.is_map(v) then
    for _, x in pairs(v) do if M.has_unknown(x) then return true end end
  end
  return false
end

-- Numbers: Lua numbers, and integers beyond 2^53 (which a double cannot
-- hold) kept exact as decimal text in a BIG value, since Terraform's numbers
-- are arbitrary precision
-- (https://developer.hashicorp.com/terraform/language/expressions/types#number).
-- A BIG whose value fits a double exactly is never made: small results stay
-- Lua numbers.
local BIG = { __name = "rfs.number" }
local SAFE = 2 ^ 53

function M.is_big(v) return type(v) == "table" and getmetatable(v) == BIG end
--- True for any template number (a Lua number or a BIG).
function M.is_number(v) return type(v) == "number" or M.is_big(v) end

local function is_integer(n) return n == math.floor(n) and n > -math.huge and n < math.huge end

-- integer text -> number, or a BIG past 2^53
local function from_integer_text(t)
  local n = tonumber(t)
  if n >= -SAFE and n <= SAFE and bignum.compare(t, string.format("%.0f", n)) == 0 then return n end
  return setmetatable({ s = t }, BIG)
end

--- The number a numeric text stands for (a literal, tonumber, JSON), exact
-- for integers of any size; nil when the text is no number.
function M.parse_number(t)
  local int = bignum.canonical(t)
  if int then return from_integer_text(int) end
  return tonumber(t)
end

--- Render a number the way Terraform prints it (integers without ".0",
-- every digit of an integer).
function M.number_text(n)
  if M.is_big(n) then return n.s end
  if n ~= n then return "NaN" end
  if is_integer(n) then return string.format("%.0f", n) end
  return string.format("%.14g", n)
end

--- A number as a Lua number (a BIG rounds to the nearest double).
function M.to_double(n)
  if M.is_big(n) then return tonumber(n.s) end
  return n
end

-- a number as integer text, or nil when it is not an integer
local function integer_text(n)
  if M.is_big(n) then return n.s end
  if is_integer(n) then return string.format("%.0f", n) end
  return nil
end

--- x op y for op + - * with integers exact past 2^53; / and % on doubles.
function M.arith(op, x, y)
  if type(x) == "number" and type(y) == "number" then
    if op == "/" then return x / y end
    if op == "%" then return math.fmod(x, y) end
    -- the size is judged on doubles (Lua 5.4's integers would wrap past 2^63)
    local fx, fy = x + 0.0, y + 0.0
    local f = op == "+" and fx + fy or op == "-" and fx - fy or fx * fy
    if (f > -SAFE and f < SAFE) or not (is_integer(x) and is_integer(y)) then
      if op == "+" then return x + y end
      if op == "-" then return x - y end
      return x * y
    end
  end
  local a, b = integer_text(x), integer_text(y)
  if a and b and (op == "+" or op == "-" or op == "*") then
    local t = op == "+" and bignum.add(a, b) or op == "-" and bignum.sub(a, b) or bignum.mul(a, b)
    return from_integer_text(t)
  end
  x, y = M.to_double(x), M.to_double(y)
  if op == "+" then return x + y end
  if op == "-" then return x - y end
  if op == "*" then return x * y end
  if op == "/" then return x / y end
  return math.fmod(x, y)
end

--- -1, 0 or 1 as number a is below, equal to or above b.
function M.compare_numbers(a, b)
  if M.is_big(a) or M.is_big(b) then
    local x, y = integer_text(a), integer_text(b)
    if x and y then return bignum.compare(x, y) end
    a, b = M.to_double(a), M.to_double(b)
  end
  if a < b then return -1 end
  return a > b and 1 or 0
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
  v = M.unmark(v)
  local t = type(v)
  if v == nil or v == M.NULL then return "null" end
  if v == M.UNKNOWN then return quote(M.UNKNOWN_TEXT) end
  if t == "string" then return quote(v) end
  if t == "number" or M.is_big(v) then return M.number_text(v) end
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
  v = M.unmark(v)
  if v == nil or v == M.NULL then return "null" end
  if v == M.UNKNOWN then return M.UNKNOWN_TEXT end
  local t = type(v)
  if t == "string" then return v end
  if t == "number" or M.is_big(v) then return M.number_text(v) end
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
  if M.is_number(a) and M.is_number(b) then return M.compare_numbers(a, b) == 0 end
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
  v = M.unmark(v)
  if v == nil or v == M.NULL then return "null" end
  local t = type(v)
  if t == "string" then return "string" end
  if t == "number" or M.is_big(v) then return "number" end
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
