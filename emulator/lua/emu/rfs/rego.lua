-- The Rego subset of private hook policies in the RFS emulator
-- (RFS API reference, private hooks, https://support.huaweicloud.com/api-aos/;
-- the language is OPA's, https://www.openpolicyagent.org/docs/policy-language).
-- compile() parses a policy and refuses, with a message, anything outside
-- the subset, so a hook version is rejected at creation rather than at
-- deployment; evaluate() runs the compiled rules over an input document
-- and reads `hook_result`.
--
-- The subset (emulator/README.md "Rego in the emulator"): `package policy`, `import
-- rego.v1` / `future.keywords`; rules `name := v`, `name = v`, `name if
-- {...}`, `default name := v`, `name contains x if {...}`, `name[x] {...}`,
-- `name[k] := v if {...}`; in bodies: expressions, `x := e`, `a = b`, `not`,
-- `some x in xs`, `some k, v in xs`, `some x` + `xs[x]` iteration (and `_`),
-- `every x in xs {...}`, `x in xs`; terms: literals, arrays, objects, sets,
-- comprehensions, references into `input` and rules; operators `== != < <=
-- > >= + - * / %`; the built-ins in BUILTINS. Not supported (refused):
-- user functions, `with`, `else`, other packages and imports, network and
-- system built-ins. Evaluation is bounded in steps.

local json = require("emu.json")

local M = {}

local NULL = json.null
local SET_MT = { __name = "rego.set" }
local STEPS = 200000

local function fail(msg) error({ rego = msg }, 0) end

-- ------------------------------------------------------------ values

local function is_array(v) return json.is_array(v) end
local function is_set(v) return type(v) == "table" and getmetatable(v) == SET_MT end
local function is_object(v) return type(v) == "table" and v ~= NULL and not is_array(v) and not is_set(v) end

local function num_text(n)
  if n == math.floor(n) and math.abs(n) < 1e15 then return string.format("%d", n) end
  return string.format("%.14g", n)
end

-- canonical text of a value (set keys, %v, messages)
local function encode(v)
  local t = type(v)
  if t == "string" then return json.encode(v) end
  if t == "number" then return num_text(v) end
  if t == "boolean" then return tostring(v) end
  if v == NULL or v == nil then return "null" end
  if is_array(v) then
    local out = {}
    for i, x in ipairs(v) do out[i] = encode(x) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  if is_set(v) then
    local out = {}
    for k in pairs(v.items) do out[#out + 1] = k end
    table.sort(out)
    return "{" .. table.concat(out, ",") .. "}"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = {}
  for i, k in ipairs(keys) do out[i] = encode(k) .. ":" .. encode(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end

local function new_set() return setmetatable({ items = {}, n = 0 }, SET_MT) end
local function set_add(s, v)
  local k = encode(v)
  if s.items[k] == nil then s.items[k] = v; s.n = s.n + 1 end
end

local function equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  return encode(a) == encode(b)
end

-- every (key, value) of a collection, in a stable order
local function entries(c)
  local out = {}
  if is_array(c) then
    for i, v in ipairs(c) do out[i] = { i - 1, v } end
  elseif is_set(c) then
    local keys = {}
    for k in pairs(c.items) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do out[i] = { c.items[k], c.items[k] } end
  elseif is_object(c) then
    local keys = {}
    for k in pairs(c) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for i, k in ipairs(keys) do out[i] = { k, c[k] } end
  end
  return out
end

local function index(c, key)
  if is_array(c) then
    if type(key) ~= "number" or key ~= math.floor(key) then return nil end
    return c[key + 1]
  elseif is_set(c) then
    local v = c.items[encode(key)]
    if v ~= nil then return v end
    return nil
  elseif is_object(c) then
    return c[key]
  end
  return nil
end

local function type_name(v)
  local t = type(v)
  if t == "string" or t == "number" or t == "boolean" then return t end
  if v == NULL then return "null" end
  if is_array(v) then return "array" end
  if is_set(v) then return "set" end
  return "object"
end

-- ------------------------------------------------------------ built-ins

local function str(...)
  for i = 1, select("#", ...) do if type((select(i, ...))) ~= "string" then return false end end
  return true
end

local function sprintf(fmt, args)
  if type(fmt) ~= "string" or not is_array(args) then return nil end
  local i = 0
  return (fmt:gsub("%%([%%a-z])", function(verb)
    if verb == "%" then return "%" end
    i = i + 1
    local v = args[i]
    if v == nil then return "%!" .. verb .. "(MISSING)" end
    if verb == "s" or verb == "v" then
      if type(v) == "string" then return v end
      return encode(v)
    elseif verb == "d" then
      return type(v) == "number" and num_text(v) or encode(v)
    elseif verb == "q" then
      return json.encode(tostring(type(v) == "string" and v or encode(v)))
    end
    return type(v) == "string" and v or encode(v)
  end))
end

local function numbers_of(c)
  local list = {}
  for _, e in ipairs(entries(c)) do
    if type(e[2]) ~= "number" then return nil end
    list[#list + 1] = e[2]
  end
  return list
end

--- The built-in functions the subset has (name -> function(args) -> value or nil).
local BUILTINS = {
  count = function(a)
    local c = a[1]
    if type(c) == "string" then return #c end
    if is_set(c) then return c.n end
    if is_array(c) or is_object(c) then return #entries(c) end
    return nil
  end,
  sum = function(a)
    local l = numbers_of(a[1]); if not l then return nil end
    local s = 0
    for _, n in ipairs(l) do s = s + n end
    return s
  end,
  max = function(a)
    local l = numbers_of(a[1]); if not l or #l == 0 then return nil end
    table.sort(l); return l[#l]
  end,
  min = function(a)
    local l = numbers_of(a[1]); if not l or #l == 0 then return nil end
    table.sort(l); return l[1]
  end,
  abs = function(a) return type(a[1]) == "number" and math.abs(a[1]) or nil end,
  startswith = function(a) return str(a[1], a[2]) and a[1]:sub(1, #a[2]) == a[2] or (str(a[1], a[2]) and false) or nil end,
  endswith = function(a) return str(a[1], a[2]) and (a[2] == "" or a[1]:sub(-#a[2]) == a[2]) or (str(a[1], a[2]) and false) or nil end,
  contains = function(a) return str(a[1], a[2]) and a[1]:find(a[2], 1, true) ~= nil or (str(a[1], a[2]) and false) or nil end,
  lower = function(a) return str(a[1]) and a[1]:lower() or nil end,
  upper = function(a) return str(a[1]) and a[1]:upper() or nil end,
  trim_space = function(a) return str(a[1]) and (a[1]:gsub("^%s+", ""):gsub("%s+$", "")) or nil end,
  indexof = function(a)
    if not str(a[1], a[2]) then return nil end
    local i = a[1]:find(a[2], 1, true)
    return i and i - 1 or -1
  end,
  substring = function(a)
    if not str(a[1]) or type(a[2]) ~= "number" or type(a[3]) ~= "number" then return nil end
    if a[3] < 0 then return a[1]:sub(a[2] + 1) end
    return a[1]:sub(a[2] + 1, a[2] + a[3])
  end,
  replace = function(a)
    if not str(a[1], a[2], a[3]) or a[2] == "" then return nil end
    local out, i = {}, 1
    while true do
      local s, e = a[1]:find(a[2], i, true)
      if not s then break end
      out[#out + 1] = a[1]:sub(i, s - 1) .. a[3]
      i = e + 1
    end
    out[#out + 1] = a[1]:sub(i)
    return table.concat(out)
  end,
  split = function(a)
    if not str(a[1], a[2]) or a[2] == "" then return nil end
    local out, i = json.array(), 1
    while true do
      local s, e = a[1]:find(a[2], i, true)
      if not s then break end
      out[#out + 1] = a[1]:sub(i, s - 1)
      i = e + 1
    end
    out[#out + 1] = a[1]:sub(i)
    return out
  end,
  concat = function(a)
    if not str(a[1]) then return nil end
    local parts = {}
    for _, e in ipairs(entries(a[2])) do
      if type(e[2]) ~= "string" then return nil end
      parts[#parts + 1] = e[2]
    end
    return table.concat(parts, a[1])
  end,
  sprintf = function(a) return sprintf(a[1], a[2]) end,
  to_number = function(a)
    if type(a[1]) == "number" then return a[1] end
    if type(a[1]) == "string" then return tonumber(a[1]) end
    if type(a[1]) == "boolean" then return a[1] and 1 or 0 end
    return nil
  end,
  type_name = function(a) return a[1] ~= nil and type_name(a[1]) or nil end,
  is_string = function(a) return type(a[1]) == "string" end,
  is_number = function(a) return type(a[1]) == "number" end,
  is_boolean = function(a) return type(a[1]) == "boolean" end,
  is_array = function(a) return is_array(a[1]) end,
  is_object = function(a) return is_object(a[1]) end,
  is_set = function(a) return is_set(a[1]) end,
  is_null = function(a) return a[1] == NULL end,
  sort = function(a)
    if not (is_array(a[1]) or is_set(a[1])) then return nil end
    local l = {}
    for _, e in ipairs(entries(a[1])) do l[#l + 1] = e[2] end
    table.sort(l, function(x, y)
      if type(x) == type(y) and (type(x) == "number" or type(x) == "string") then return x < y end
      return encode(x) < encode(y)
    end)
    return json.array(l)
  end,
  ["object.get"] = function(a)
    if not is_object(a[1]) then return nil end
    local v = a[1][a[2]]
    if v == nil then return a[3] end
    return v
  end,
  ["object.keys"] = function(a)
    if not is_object(a[1]) then return nil end
    local s = new_set()
    for k in pairs(a[1]) do set_add(s, k) end
    return s
  end,
  ["array.concat"] = function(a)
    if not is_array(a[1]) or not is_array(a[2]) then return nil end
    local out = json.array()
    for _, v in ipairs(a[1]) do out[#out + 1] = v end
    for _, v in ipairs(a[2]) do out[#out + 1] = v end
    return out
  end,
  ["array.slice"] = function(a)
    if not is_array(a[1]) or type(a[2]) ~= "number" or type(a[3]) ~= "number" then return nil end
    local out = json.array()
    for i = math.max(a[2], 0) + 1, math.min(a[3], #a[1]) do out[#out + 1] = a[1][i] end
    return out
  end,
  print = function() return true end,
}
M.BUILTINS = BUILTINS

-- ------------------------------------------------------------ lexer

local OPS = { ":=", "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "%", "|", "&",
              "(", ")", "[", "]", "{", "}", ",", ".", ":", ";" }

local function lex(src)
  local toks, i, line, n = {}, 1, 1, #src
  local function push(t, v) toks[#toks + 1] = { t = t, v = v, line = line } end
  while i <= n do
    local c = src:sub(i, i)
    if c == "\n" then
      push("nl"); line = line + 1; i = i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif c == "#" then
      local e = src:find("\n", i, true) or n + 1
      i = e
    elseif c == '"' then
      local buf, j = {}, i + 1
      while true do
        local d = src:sub(j, j)
        if d == "" or d == "\n" then fail("line " .. line .. ": unterminated string") end
        if d == '"' then break end
        if d == "\\" then
          local e = src:sub(j + 1, j + 1)
          local map = { n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f" }
          if map[e] then buf[#buf + 1] = map[e]; j = j + 2
          elseif e == "u" then
            local hex = src:sub(j + 2, j + 5)
            if not hex:match("^%x%x%x%x$") then fail("line " .. line .. ": bad \\u escape") end
            local dec = json.decode('"\\u' .. hex .. '"')
            buf[#buf + 1] = dec or "?"
            j = j + 6
          else fail("line " .. line .. ": bad escape \\" .. e) end
        else
          buf[#buf + 1] = d; j = j + 1
        end
      end
      push("string", table.concat(buf)); i = j + 1
    elseif c == "`" then
      local e = src:find("`", i + 1, true)
      if not e then fail("line " .. line .. ": unterminated raw string") end
      local s = src:sub(i + 1, e - 1)
      push("string", s)
      for _ in s:gmatch("\n") do line = line + 1 end
      i = e + 1
    elseif c:match("%d") then
      local s = src:match("^%d+%.?%d*[eE][%+%-]?%d+", i) or src:match("^%d+%.%d+", i) or src:match("^%d+", i)
      push("number", tonumber(s)); i = i + #s
    elseif c:match("[%a_]") then
      local s = src:match("^[%w_]+", i)
      push("name", s); i = i + #s
    else
      local found
      for _, op in ipairs(OPS) do
        if src:sub(i, i + #op - 1) == op then found = op; break end
      end
      if not found then fail("line " .. line .. ": unexpected character '" .. c .. "'") end
      push("op", found); i = i + #found
    end
  end
  push("eof")
  return toks
end

-- ------------------------------------------------------------ parser

local KEYWORDS = { ["not"] = true, some = true, every = true, ["in"] = true, ["if"] = true, contains = true,
                   default = true, ["else"] = true, with = true, import = true, package = true, as = true }

-- A recursive-descent parser as closures over the token list: each local
-- function inside is one grammar rule of a few lines; the enclosing function
-- is their shared state (the position), not one long procedure.
local function parser(toks)
  local p = { i = 1 }
  local function peek(o) return toks[p.i + (o or 0)] end
  local function line() return "line " .. peek().line .. ": " end
  local function next_tok() local t = toks[p.i]; p.i = p.i + 1; return t end
  local function is(t, v, o) local k = peek(o); return k.t == t and (v == nil or k.v == v) end
  local function accept(t, v) if is(t, v) then return next_tok() end end
  local function expect(t, v)
    if not is(t, v) then
      local k = peek()
      fail(line() .. "expected " .. (v or t) .. ", found " .. tostring(k.v or k.t))
    end
    return next_tok()
  end
  local function skip_nl() while is("nl") or is("op", ";") do next_tok() end end
  local function skip_only_nl() while is("nl") do next_tok() end end
  p.peek, p.is, p.accept, p.expect, p.skip_nl, p.next, p.line = peek, is, accept, expect, skip_nl, next_tok, line

  local expr, body

  local function call_or_ref(name)
    -- dotted built-in names (object.get), then a call or a reference
    local full = name
    local save = p.i
    while is("op", ".") and is("name", nil, 1) do
      next_tok()
      full = full .. "." .. next_tok().v
    end
    if is("op", "(") then
      next_tok()
      local args = {}
      skip_only_nl()
      if not is("op", ")") then
        repeat
          skip_only_nl()
          args[#args + 1] = expr()
          skip_only_nl()
        until not accept("op", ",")
      end
      expect("op", ")")
      return { k = "call", name = full, args = args, line = peek().line }
    end
    p.i = save
    return { k = "var", name = name }
  end

  local function collection(close, kind)
    -- after "[" or "{": literal or comprehension
    skip_only_nl()
    if accept("op", close) then
      if kind == "array" then return { k = "array", items = {} } end
      return { k = "object", pairs = {} }
    end
    local first = expr()
    skip_only_nl()
    if kind == "brace" and accept("op", ":") then
      skip_only_nl()
      local value = expr()
      skip_only_nl()
      if accept("op", "|") then
        local b = body(close)
        return { k = "ocomp", key = first, value = value, body = b }
      end
      local pairs_ = { { first, value } }
      while accept("op", ",") do
        skip_only_nl()
        if is("op", close) then break end
        local key = expr(); skip_only_nl(); expect("op", ":"); skip_only_nl()
        pairs_[#pairs_ + 1] = { key, expr() }
        skip_only_nl()
      end
      expect("op", close)
      return { k = "object", pairs = pairs_ }
    end
    if accept("op", "|") then
      local b = body(close)
      return { k = kind == "array" and "acomp" or "scomp", term = first, body = b }
    end
    local items = { first }
    while accept("op", ",") do
      skip_only_nl()
      if is("op", close) then break end
      items[#items + 1] = expr()
      skip_only_nl()
    end
    expect("op", close)
    return { k = kind == "array" and "array" or "set", items = items }
  end

  local function primary()
    local t = peek()
    if t.t == "string" or t.t == "number" then next_tok(); return { k = "lit", v = t.v } end
    if t.t == "name" then
      if t.v == "true" or t.v == "false" then next_tok(); return { k = "lit", v = t.v == "true" } end
      if t.v == "null" then next_tok(); return { k = "lit", v = NULL } end
      if KEYWORDS[t.v] and not (t.v == "contains" and is("op", "(", 1)) then
        fail(line() .. "unexpected keyword '" .. t.v .. "'")
      end
      next_tok()
      return call_or_ref(t.v)
    end
    if accept("op", "(") then
      skip_only_nl()
      local e = expr()
      skip_only_nl()
      expect("op", ")")
      return e
    end
    if accept("op", "[") then return collection("]", "array") end
    if accept("op", "{") then return collection("}", "brace") end
    if accept("op", "-") then return { k = "neg", e = primary() } end
    fail(line() .. "unexpected " .. tostring(t.v or t.t))
  end

  local function postfix()
    local e = primary()
    while true do
      if is("op", ".") and is("name", nil, 1) then
        next_tok()
        e = { k = "index", obj = e, key = { k = "lit", v = next_tok().v } }
      elseif is("op", "[") then
        next_tok()
        skip_only_nl()
        local key = expr()
        skip_only_nl()
        expect("op", "]")
        e = { k = "index", obj = e, key = key }
      else
        return e
      end
    end
  end

  local function level(ops, sub)
    return function()
      local l = sub()
      while is("op") and ops[peek().v] do
        local op = next_tok().v
        skip_only_nl()
        l = { k = "bin", op = op, l = l, r = sub() }
      end
      return l
    end
  end
  local mul = level({ ["*"] = true, ["/"] = true, ["%"] = true }, postfix)
  local add = level({ ["+"] = true, ["-"] = true }, mul)
  local function member()
    local l = add()
    while accept("name", "in") do l = { k = "in", l = l, r = add() } end
    return l
  end
  local compare = level({ ["=="] = true, ["!="] = true, ["<"] = true, ["<="] = true, [">"] = true, [">="] = true }, member)
  -- nesting is bounded so a hostile policy cannot exhaust the C stack
  local depth = 0
  expr = function()
    depth = depth + 1
    if depth > 100 then fail(line() .. "the expression is nested too deeply") end
    local e = compare()
    depth = depth - 1
    return e
  end
  p.expr = expr

  local function statement()
    if is("name", "with") then fail(line() .. "'with' is not supported") end
    if accept("name", "not") then return { k = "not", e = expr() } end
    if accept("name", "some") then
      local names = { expect("name").v }
      while accept("op", ",") do names[#names + 1] = expect("name").v end
      if accept("name", "in") then
        if #names > 2 then fail(line() .. "some takes one or two variables before 'in'") end
        local coll = expr()
        if #names == 2 then return { k = "some_in", key = names[1], val = names[2], coll = coll } end
        return { k = "some_in", val = names[1], coll = coll }
      end
      return { k = "some", names = names }
    end
    if accept("name", "every") then
      local names = { expect("name").v }
      if accept("op", ",") then names[2] = expect("name").v end
      expect("name", "in")
      local coll = expr()
      expect("op", "{")
      local b = body("}")
      if #names == 2 then return { k = "every", key = names[1], val = names[2], coll = coll, body = b } end
      return { k = "every", val = names[1], coll = coll, body = b }
    end
    local e = expr()
    if accept("op", ":=") then
      if e.k ~= "var" then fail(line() .. "only a variable may be assigned with :=") end
      return { k = "assign", name = e.name, e = expr() }
    end
    if accept("op", "=") then return { k = "unify", l = e, r = expr() } end
    if is("name", "with") then fail(line() .. "'with' is not supported") end
    return { k = "expr", e = e }
  end

  -- statements up to `close`, separated by newlines or ";"
  body = function(close)
    local stmts = {}
    skip_nl()
    while not accept("op", close) do
      stmts[#stmts + 1] = statement()
      if not (is("nl") or is("op", ";") or is("op", close)) then
        fail(line() .. "expected the end of a statement, found " .. tostring(peek().v or peek().t))
      end
      skip_nl()
    end
    return stmts
  end
  p.body = body
  return p
end

-- the body after a rule head: `if { ... }`, `if expr`, `{ ... }` or none
local function rule_body(p)
  if p.accept("name", "if") then
    if p.accept("op", "{") then return p.body("}") end
    local stmts = { { k = "expr", e = p.expr() } }
    return stmts
  end
  if p.accept("op", "{") then return p.body("}") end
  return nil
end

local function parse_module(src, name)
  local p = parser(lex(src))
  local mod = { rules = {} }
  p.skip_nl()
  if not p.accept("name", "package") then fail(name .. ": the policy must start with 'package policy'") end
  local pkg = p.expect("name").v
  while p.accept("op", ".") do pkg = pkg .. "." .. p.expect("name").v end
  if pkg ~= "policy" then fail(name .. ": the policy must be in 'package policy', not '" .. pkg .. "'") end
  p.skip_nl()
  while p.accept("name", "import") do
    local path = p.expect("name").v
    while p.accept("op", ".") do path = path .. "." .. p.expect("name").v end
    if not (path == "rego.v1" or path == "future.keywords" or path:match("^future%.keywords%.%a+$") or path == "input") then
      fail(name .. ": import " .. path .. " is not supported")
    end
    p.skip_nl()
  end
  while not p.is("eof") do
    local is_default = p.accept("name", "default") ~= nil
    local rname = p.expect("name").v
    if KEYWORDS[rname] then fail(name .. ": " .. p.line() .. "unexpected keyword '" .. rname .. "'") end
    local rule = { name = rname, line = p.peek().line }
    if p.is("op", "(") then fail(name .. ": " .. p.line() .. "user-defined functions are not supported (" .. rname .. ")") end
    if p.is("op", ".") then fail(name .. ": " .. p.line() .. "rules with dotted names are not supported") end
    if is_default then
      if not (p.accept("op", ":=") or p.accept("op", "=")) then fail(name .. ": " .. p.line() .. "default needs a value") end
      rule.kind, rule.default, rule.value = "complete", true, p.expr()
    elseif p.accept("name", "contains") then
      rule.kind, rule.key = "set", p.expr()
      rule.body = rule_body(p)
    elseif p.accept("op", "[") then
      rule.key = p.expr()
      p.expect("op", "]")
      if p.accept("op", ":=") or p.accept("op", "=") then
        rule.kind, rule.value = "object", p.expr()
      else
        rule.kind = "set"
      end
      rule.body = rule_body(p)
    elseif p.accept("op", ":=") or p.accept("op", "=") then
      rule.kind, rule.value = "complete", p.expr()
      rule.body = rule_body(p)
    else
      rule.kind, rule.value = "complete", { k = "lit", v = true }
      rule.body = rule_body(p)
      if not rule.body then fail(name .. ": " .. p.line() .. "expected a rule body after " .. rname) end
    end
    if p.is("name", "else") then fail(name .. ": " .. p.line() .. "'else' is not supported") end
    if p.is("name", "with") then fail(name .. ": " .. p.line() .. "'with' is not supported") end
    if not (p.is("nl") or p.is("eof") or p.is("op", ";")) then
      fail(name .. ": " .. p.line() .. "unexpected " .. tostring(p.peek().v or p.peek().t) .. " after the rule " .. rname)
    end
    p.skip_nl()
    mod.rules[#mod.rules + 1] = rule
  end
  return mod
end

-- every call names a supported built-in
local function check_calls(node, where)
  if type(node) ~= "table" then return end
  if node.k == "call" and not BUILTINS[node.name] then
    fail(where .. ": line " .. tostring(node.line) .. ": the function " .. node.name .. " is not supported " ..
      "(policies may use only the built-ins listed in the emulator's README; no user functions, network or system calls)")
  end
  for _, v in pairs(node) do
    if type(v) == "table" then check_calls(v, where) end
  end
end

--- Compile the sources of a policy.
-- @param sources list of {name, text} (one module each, all `package policy`)
-- @return compiled policy {rules = {name -> {definitions}}}, or nil and a message
function M.compile(sources)
  local ok, res = pcall(function()
    local rules, kinds = {}, {}
    for _, s in ipairs(sources) do
      local okp, mod = pcall(parse_module, s.text, s.name)
      if not okp then
        if type(mod) == "table" and mod.rego and mod.rego:sub(1, #s.name + 1) ~= s.name .. ":" then
          fail(s.name .. ": " .. mod.rego)
        end
        error(mod, 0)
      end
      check_calls(mod.rules, s.name)
      for _, r in ipairs(mod.rules) do
        if kinds[r.name] and kinds[r.name] ~= r.kind then
          fail(s.name .. ": the rule " .. r.name .. " is defined both as a " .. kinds[r.name] .. " and a " .. r.kind .. " rule")
        end
        kinds[r.name] = r.kind
        rules[r.name] = rules[r.name] or {}
        table.insert(rules[r.name], r)
      end
    end
    return { rules = rules, kinds = kinds }
  end)
  if ok then return res end
  if type(res) == "table" and res.rego then return nil, res.rego end
  return nil, "the policy cannot be compiled: " .. tostring(res)
end

-- ------------------------------------------------------------ evaluation

local STOP = {}

-- copy of a list (arrays are built in place and reused by backtracking)
local function copy_list(t)
  local c = {}
  for i, v in ipairs(t) do c[i] = v end
  return c
end

local function bind(env, name, v)
  if name == "_" then return env end
  return setmetatable({ [name] = v }, { __index = env })
end

-- a binary operator on two values: nil when undefined (other types, division by zero)
local function binary(op, a, b)
  if op == "==" then return equal(a, b) end
  if op == "!=" then return not equal(a, b) end
  local ta, tb = type(a), type(b)
  if ta == tb and (ta == "number" or ta == "string") and (op == "<" or op == "<=" or op == ">" or op == ">=") then
    if op == "<" then return a < b elseif op == "<=" then return a <= b elseif op == ">" then return a > b end
    return a >= b
  end
  if ta ~= "number" or tb ~= "number" then return nil end
  if op == "+" then return a + b elseif op == "-" then return a - b elseif op == "*" then return a * b end
  if op == "/" then if b ~= 0 then return a / b end return nil end
  if op == "%" then if b ~= 0 then return math.fmod(a, b) end return nil end
  return nil
end

-- The evaluator of one policy and input, as closures over their shared state
-- (step count, rule cache, cycle guard): eval dispatches on EVAL's small
-- per-kind functions, eval_body walks a rule body; each is short.
local function evaluator(policy, input)
  local steps = 0
  local cache, busy = {}, {}
  local eval, eval_body, rule_value

  local function tick()
    steps = steps + 1
    if steps > STEPS then fail("evaluation stopped after " .. STEPS .. " steps") end
  end

  -- run fn(k) and return the first value given to k, or nil
  local function first(fn)
    local got
    local ok, err = pcall(fn, function(v) got = v; error(STOP, 0) end)
    if not ok and err ~= STOP then error(err, 0) end
    return got
  end

  local function lookup(env, name)
    local v = env[name]
    if v ~= nil then return v end
    if name == "input" then return input end
    if policy.rules[name] then return rule_value(name) end
    return nil
  end

  local function unbound(env, node)
    return node.k == "var" and (node.name == "_" or (env[node.name] == nil and node.name ~= "input"
      and node.name ~= "data" and not policy.rules[node.name]))
  end

  -- one evaluator per node kind: (node, env, k) calls k(value, env) for each
  -- value the node takes (none when it is undefined)
  local EVAL = {}

  EVAL.lit = function(node, env, k)
    return k(node.v, env)
  end

  EVAL.var = function(node, env, k)
    if node.name == "data" then return k({ policy = setmetatable({}, { __index = function(_, n)
      if policy.rules[n] then return rule_value(n) end
    end }) }, env) end
    local v = lookup(env, node.name)
    if v ~= nil then return k(v, env) end
    return
  end

  EVAL.index = function(node, env, k)
    return eval(node.obj, env, function(c, env1)
      if unbound(env1, node.key) then
        for _, e in ipairs(entries(c)) do k(e[2], bind(env1, node.key.name, e[1])) end
        return
      end
      return eval(node.key, env1, function(key, env2)
        local v = index(c, key)
        if v ~= nil then return k(v, env2) end
      end)
    end)
  end

  EVAL.call = function(node, env, k)
    local args = {}
    local function arg(i, env1)
      if i > #node.args then
        local v = BUILTINS[node.name](args)
        if v ~= nil then return k(v, env1) end
        return
      end
      return eval(node.args[i], env1, function(v, env2) args[i] = v; return arg(i + 1, env2) end)
    end
    return arg(1, env)
  end

  EVAL.array = function(node, env, k)
    local kind = node.k
    local out = {}
    local function item(i, env1)
      if i > #node.items then
        if kind == "array" then return k(json.array(copy_list(out)), env1) end
        local s = new_set()
        for j = 1, #node.items do set_add(s, out[j]) end
        return k(s, env1)
      end
      return eval(node.items[i], env1, function(v, env2) out[i] = v; return item(i + 1, env2) end)
    end
    return item(1, env)
  end
  EVAL.set = EVAL.array

  EVAL.object = function(node, env, k)
    local keys, vals = {}, {}
    local function pair(i, env1)
      if i > #node.pairs then
        local o = {}
        for j = 1, #node.pairs do o[keys[j]] = vals[j] end
        return k(o, env1)
      end
      return eval(node.pairs[i][1], env1, function(kv, env2)
        keys[i] = kv
        return eval(node.pairs[i][2], env2, function(v, env3) vals[i] = v; return pair(i + 1, env3) end)
      end)
    end
    return pair(1, env)
  end

  EVAL.acomp = function(node, env, k)
    local kind = node.k
    local out = kind == "acomp" and json.array() or (kind == "scomp" and new_set() or {})
    eval_body(node.body, 1, env, function(env1)
      if kind == "ocomp" then
        eval(node.key, env1, function(kv, env2)
          eval(node.value, env2, function(v) out[kv] = v end)
        end)
      else
        eval(node.term, env1, function(v)
          if kind == "acomp" then out[#out + 1] = v else set_add(out, v) end
        end)
      end
    end)
    return k(out, env)
  end
  EVAL.scomp = EVAL.acomp
  EVAL.ocomp = EVAL.acomp

  EVAL.neg = function(node, env, k)
    return eval(node.e, env, function(v, env1) if type(v) == "number" then return k(-v, env1) end end)
  end

  EVAL["in"] = function(node, env, k)
    return eval(node.l, env, function(x, env1)
      return eval(node.r, env1, function(c, env2)
        local found = false
        if is_set(c) then
          found = c.items[encode(x)] ~= nil
        elseif is_array(c) then
          for _, v in ipairs(c) do if equal(v, x) then found = true; break end end
        else
          for _, e in ipairs(entries(c)) do if equal(e[2], x) then found = true; break end end
        end
        return k(found, env2)
      end)
    end)
  end

  EVAL.bin = function(node, env, k)
    return eval(node.l, env, function(a, env1)
      return eval(node.r, env1, function(b, env2)
        local v = binary(node.op, a, b)
        if v ~= nil then return k(v, env2) end
      end)
    end)
  end

  eval = function(node, env, k)
    tick()
    local fn = EVAL[node.k]
    if not fn then fail("cannot evaluate a " .. tostring(node.k)) end
    return fn(node, env, k)
  end

  eval_body = function(stmts, i, env, k)
    tick()
    if i > #stmts then return k(env) end
    local s = stmts[i]
    local function continue(env1) return eval_body(stmts, i + 1, env1, k) end
    if s.k == "expr" then
      return eval(s.e, env, function(v, env1) if v ~= false then return continue(env1) end end)
    elseif s.k == "not" then
      local found = first(function(stop) eval(s.e, env, function(v) if v ~= false then stop(true) end end) end)
      if not found then return continue(env) end
    elseif s.k == "assign" then
      return eval(s.e, env, function(v, env1) return continue(bind(env1, s.name, v)) end)
    elseif s.k == "unify" then
      if unbound(env, s.l) then
        return eval(s.r, env, function(v, env1) return continue(bind(env1, s.l.name, v)) end)
      elseif unbound(env, s.r) then
        return eval(s.l, env, function(v, env1) return continue(bind(env1, s.r.name, v)) end)
      end
      return eval(s.l, env, function(a, env1)
        return eval(s.r, env1, function(b, env2) if equal(a, b) then return continue(env2) end end)
      end)
    elseif s.k == "some" then
      return continue(env)
    elseif s.k == "some_in" then
      return eval(s.coll, env, function(c, env1)
        for _, e in ipairs(entries(c)) do
          local env2 = bind(env1, s.val, e[2])
          if s.key then env2 = bind(env2, s.key, e[1]) end
          continue(env2)
        end
      end)
    elseif s.k == "every" then
      return eval(s.coll, env, function(c, env1)
        for _, e in ipairs(entries(c)) do
          local env2 = bind(env1, s.val, e[2])
          if s.key then env2 = bind(env2, s.key, e[1]) end
          if not first(function(stop) eval_body(s.body, 1, env2, function() stop(true) end) end) then return end
        end
        return continue(env1)
      end)
    end
  end

  rule_value = function(name)
    if cache[name] ~= nil then return cache[name] or nil end
    if busy[name] then fail("the rule " .. name .. " depends on itself") end
    busy[name] = true
    local defs, kind = policy.rules[name], policy.kinds[name]
    local value
    if kind == "set" then
      value = new_set()
      for _, r in ipairs(defs) do
        eval_body(r.body or {}, 1, {}, function(env) eval(r.key, env, function(v) set_add(value, v) end) end)
      end
    elseif kind == "object" then
      value = {}
      for _, r in ipairs(defs) do
        eval_body(r.body or {}, 1, {}, function(env)
          eval(r.key, env, function(kv, env1) eval(r.value, env1, function(v) value[kv] = v end) end)
        end)
      end
    else
      local default
      for _, r in ipairs(defs) do
        if r.default then
          default = first(function(stop) eval(r.value, {}, function(v) stop(v) end) end)
        elseif value == nil then
          value = first(function(stop)
            eval_body(r.body or {}, 1, {}, function(env) eval(r.value, env, function(v) stop(v) end) end)
          end)
        end
      end
      if value == nil then value = default end
    end
    busy[name] = nil
    cache[name] = value == nil and false or value
    return value
  end

  return rule_value
end

--- Evaluate the `hook_result` of a compiled policy over an input document
-- (plain Lua values: emu.json arrays and null, tables as objects).
-- @return {is_passed = boolean, err_msg = string or nil, defined = boolean}
--   (`defined` false when the policy has no hook_result: it passes); on an
--   evaluation error is_passed is false and err_msg says why
function M.evaluate(policy, input)
  if not policy.rules.hook_result then return { is_passed = true, defined = false } end
  local ok, res = pcall(function() return evaluator(policy, input)("hook_result") end)
  if not ok then
    local msg = type(res) == "table" and res.rego or tostring(res)
    return { is_passed = false, defined = true, err_msg = "policy evaluation failed: " .. msg }
  end
  if res == nil then return { is_passed = true, defined = false } end
  if not is_object(res) or type(res.is_passed) ~= "boolean" then
    return { is_passed = false, defined = true, err_msg = "hook_result.is_passed is not a boolean" }
  end
  local msg = res.err_msg
  return { is_passed = res.is_passed, defined = true, err_msg = type(msg) == "string" and msg or nil }
end

--- The value of any rule (for tests and messages), or nil when undefined.
function M.rule(policy, input, name)
  local ok, res = pcall(function() return evaluator(policy, input)(name) end)
  if not ok then error(type(res) == "table" and res.rego or res, 0) end
  return res
end

return M
