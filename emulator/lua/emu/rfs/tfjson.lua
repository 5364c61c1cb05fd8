-- Terraform JSON syntax (.tf.json) for the RFS emulator: a small JSON decoder
-- that keeps object key order and tells arrays from objects, and the mapping
-- of JSON values to the expression nodes emu.rfs.hcl produces (strings are
-- templates, so "${var.x}" works), giving the same body tree as HCL. Errors
-- are raised as {hcl_error = message}. Pure Lua.

local hcl = require("emu.rfs.hcl")
local V = require("emu.rfs.values")
local utf8_char = require("emu.util").utf8_char

local M = {}

local sub, byte, find = string.sub, string.byte, string.find

local function fail(name, text, pos, msg)
  local line, col = 1, 1
  for i = 1, math.min(pos - 1, #text) do
    if byte(text, i) == 10 then line = line + 1; col = 1 else col = col + 1 end
  end
  error({ hcl_error = string.format("%s:%d,%d: %s", name, line, col, msg) }, 0)
end

-- The decoder's state is a table {text, name, pos}; each reader below starts
-- at d.pos and leaves d.pos after what it read.

local function fail_at(d, pos, msg) fail(d.name, d.text, pos, msg) end

-- skip whitespace
local function ws(d)
  local _, e = find(d.text, "^[ \t\r\n]*", d.pos)
  d.pos = e + 1
end

local ESCAPES = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }

-- a backslash escape at d.pos: the characters it stands for (a \u escape
-- joins a following low surrogate)
local function read_escape(d)
  local text, pos = d.text, d.pos
  local n = sub(text, pos + 1, pos + 1)
  if ESCAPES[n] then d.pos = pos + 2; return ESCAPES[n] end
  if n ~= "u" then fail_at(d, pos, "Invalid escape sequence") end
  local hex = sub(text, pos + 2, pos + 5)
  if not hex:match("^%x%x%x%x$") then fail_at(d, pos, "Invalid \\u escape") end
  local cp = tonumber(hex, 16)
  pos = pos + 6
  if cp >= 0xD800 and cp <= 0xDBFF and sub(text, pos, pos + 1) == "\\u" then
    local lo = tonumber(sub(text, pos + 2, pos + 5), 16)
    if lo and lo >= 0xDC00 and lo <= 0xDFFF then
      cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00)
      pos = pos + 6
    end
  end
  d.pos = pos
  return utf8_char(cp)
end

-- a string at d.pos (its opening quote): its decoded text
local function read_string(d)
  local text = d.text
  d.pos = d.pos + 1
  local buf = {}
  while true do
    local c = sub(text, d.pos, d.pos)
    if c == "" then fail_at(d, d.pos, "Unterminated string") end
    if c == '"' then d.pos = d.pos + 1; break end
    if c == "\\" then
      buf[#buf + 1] = read_escape(d)
    elseif byte(c) < 32 then
      fail_at(d, d.pos, "Invalid control character in string")
    else
      local s, e = find(text, '^[^"\\%c]+', d.pos)
      buf[#buf + 1] = sub(text, s, e); d.pos = e + 1
    end
  end
  return table.concat(buf)
end

local read_value

-- after a member or an item: the closing character, or a comma to go on
local function closes(d, close, what)
  ws(d)
  local s = sub(d.text, d.pos, d.pos)
  d.pos = d.pos + 1
  if s == close then return true end
  if s ~= "," then fail_at(d, d.pos - 1, "Expected ',' or '" .. close .. "' in " .. what) end
  return false
end

-- an object at d.pos: keys in order, duplicates refused
local function read_object(d, depth)
  local text = d.text
  d.pos = d.pos + 1
  local node = { j = "obj", keys = {}, vals = {}, pos = d.pos }
  ws(d)
  if sub(text, d.pos, d.pos) == "}" then d.pos = d.pos + 1; return node end
  repeat
    ws(d)
    if sub(text, d.pos, d.pos) ~= '"' then fail_at(d, d.pos, "Expected a property name") end
    local k = read_string(d)
    ws(d)
    if sub(text, d.pos, d.pos) ~= ":" then fail_at(d, d.pos, "Expected ':' after property name") end
    d.pos = d.pos + 1
    local v = read_value(d, depth + 1)
    if node.vals[k] ~= nil then fail_at(d, d.pos, "Duplicate property \"" .. k .. "\"") end
    node.keys[#node.keys + 1] = k
    node.vals[k] = v
  until closes(d, "}", "object")
  return node
end

-- an array at d.pos
local function read_array(d, depth)
  d.pos = d.pos + 1
  local node = { j = "arr", items = {}, pos = d.pos }
  ws(d)
  if sub(d.text, d.pos, d.pos) == "]" then d.pos = d.pos + 1; return node end
  repeat
    node.items[#node.items + 1] = read_value(d, depth + 1)
  until closes(d, "]", "array")
  return node
end

-- true, false, null or a number at d.pos
local function read_scalar(d)
  local text, pos = d.text, d.pos
  if sub(text, pos, pos + 3) == "true" then d.pos = pos + 4; return { j = "bool", v = true } end
  if sub(text, pos, pos + 4) == "false" then d.pos = pos + 5; return { j = "bool", v = false } end
  if sub(text, pos, pos + 3) == "null" then d.pos = pos + 4; return { j = "null" } end
  local s, e = find(text, "^-?%d+%.?%d*[eE]?[%+%-]?%d*", pos)
  if not s then fail_at(d, pos, "Invalid JSON value") end
  local n = V.parse_number(sub(text, s, e))
  if not n then fail_at(d, pos, "Invalid number") end
  d.pos = e + 1
  return { j = "num", v = n }
end

-- any value at d.pos (after whitespace), at most hcl.MAX_NESTING deep
read_value = function(d, depth)
  ws(d)
  if depth > hcl.MAX_NESTING then
    fail_at(d, d.pos, "Nesting too deep; JSON values may nest at most " .. hcl.MAX_NESTING .. " levels")
  end
  local c = sub(d.text, d.pos, d.pos)
  if c == "{" then return read_object(d, depth) end
  if c == "[" then return read_array(d, depth) end
  if c == '"' then
    local p = d.pos
    return { j = "str", v = read_string(d), pos = p }
  end
  return read_scalar(d)
end

--- Decode JSON text into ordered nodes: {j="obj", keys={...}, vals={k=v}},
-- {j="arr", items}, {j="str", v}, {j="num", v}, {j="bool", v}, {j="null"}.
function M.decode(text, name)
  name = name or "main.tf.json"
  if sub(text, 1, 3) == "\239\187\191" then
    fail(name, text, 1, "JSON template must not start with a UTF-8 byte order mark")
  end
  local d = { text = text, name = name, pos = 1 }
  local v = read_value(d, 1)
  ws(d)
  if d.pos <= #text then fail_at(d, d.pos, "Extra characters after the JSON value") end
  return v
end

--- Convert a decoded JSON node into an expression node (strings are templates).
function M.to_expr(node, name)
  local j = node.j
  if j == "str" then
    local ok, e = pcall(hcl.parse_template, node.v, name)
    if not ok then error(e, 0) end
    return e
  elseif j == "num" or j == "bool" then
    return { k = "lit", v = node.v }
  elseif j == "null" then
    return { k = "null" }
  elseif j == "arr" then
    local items = {}
    for i, it in ipairs(node.items) do items[i] = M.to_expr(it, name) end
    return { k = "list", items = items }
  else
    local items = {}
    for _, k in ipairs(node.keys) do
      items[#items + 1] = { key = { k = "lit", v = k }, value = M.to_expr(node.vals[k], name) }
    end
    return { k = "obj", items = items }
  end
end

-- an empty body of the tree emu.rfs.hcl.parse returns, marked as JSON syntax
local function empty_body() return { attrs = {}, attr_order = {}, blocks = {}, json = true } end

-- a body from an object node: every property is an attribute
local function attrs_body(node, name, expr_keys, skip)
  local body = empty_body()
  for _, k in ipairs(node.keys) do
    local v = node.vals[k]
    local e
    if (skip and skip[k]) or k == "//" then
      -- handled by the caller, or a comment property of a block
    elseif expr_keys and expr_keys[k] and v.j == "str" then
      -- e.g. variable "type": "list(string)" is an expression, not a string
      local ok, r = pcall(hcl.parse_expr, v.v, name)
      if not ok then error(r, 0) end
      e = r
    else
      e = M.to_expr(v, name)
    end
    if e then
      body.attrs[k] = { expr = e, name = k }
      body.attr_order[#body.attr_order + 1] = k
    end
  end
  return body
end

local function need_obj(node, name, what)
  if node.j ~= "obj" then
    error({ hcl_error = name .. ": " .. what .. " must be a JSON object" }, 0)
  end
end

-- objects given as an array of objects are merged in order (tf.json allows both)
local function each_obj(node, name, what, fn)
  if node.j == "arr" then
    for _, it in ipairs(node.items) do need_obj(it, name, what); fn(it) end
  else
    need_obj(node, name, what)
    fn(node)
  end
end

-- A resource or data body: properties are attributes, except "dynamic",
-- whose {label: {for_each, iterator, content}} objects become dynamic blocks
-- (https://developer.hashicorp.com/terraform/language/syntax/json#dynamic-blocks).
local resource_body
resource_body = function(node, name)
  local body = attrs_body(node, name, nil, { dynamic = true })
  local dyn = node.vals.dynamic
  if not dyn then return body end
  need_obj(dyn, name, "dynamic")
  for _, label in ipairs(dyn.keys) do
    each_obj(dyn.vals[label], name, "dynamic \"" .. label .. "\"", function(d)
      local db = empty_body()
      for _, k in ipairs(d.keys) do
        local v = d.vals[k]
        if k == "content" then
          need_obj(v, name, "content of dynamic \"" .. label .. "\"")
          db.blocks[#db.blocks + 1] = { type = "content", labels = {}, body = resource_body(v, name) }
        else
          local e
          if k == "iterator" and v.j == "str" then e = { k = "var", name = v.v } else e = M.to_expr(v, name) end
          db.attrs[k] = { expr = e, name = k }
          db.attr_order[#db.attr_order + 1] = k
        end
      end
      body.blocks[#body.blocks + 1] = { type = "dynamic", labels = { label }, body = db }
    end)
  end
  return body
end

-- depends_on entries are references written as strings
local function depends_on_refs(b, name)
  local dep = b.attrs.depends_on
  if not (dep and dep.expr.k == "list") then return end
  for i, it in ipairs(dep.expr.items) do
    if it.k == "lit" and type(it.v) == "string" then
      local ok, r = pcall(hcl.parse_expr, it.v, name)
      if ok then dep.expr.items[i] = r end
    end
  end
end

-- validation (variable) or assert (check) blocks, an object or an array of
-- objects: each condition string is an expression written as a template
local function add_condition_blocks(body, btype, node, name)
  each_obj(node, name, btype, function(o)
    local b = attrs_body(o, name)
    local c = o.vals.condition
    if c and c.j == "str" then
      local ok, r = pcall(hcl.parse_template, c.v, name)
      if not ok then error(r, 0) end
      b.attrs.condition.expr = r
    end
    body.blocks[#body.blocks + 1] = { type = btype, labels = {}, body = b }
  end)
end

-- The top-level properties of a .tf.json template, each adding its blocks
-- through add(type, labels, body)
-- (https://developer.hashicorp.com/terraform/language/syntax/json).
local TOP = {}

TOP["//"] = function() end -- a comment property

function TOP.resource(node, name, add, top)
  each_obj(node, name, top, function(o)
    for _, rtype in ipairs(o.keys) do
      local byname = o.vals[rtype]
      need_obj(byname, name, top .. " \"" .. rtype .. "\"")
      for _, rname in ipairs(byname.keys) do
        each_obj(byname.vals[rname], name, rtype .. "." .. rname, function(def)
          local b = resource_body(def, name)
          depends_on_refs(b, name)
          add(top, { rtype, rname }, b)
        end)
      end
    end
  end)
end
TOP.data = TOP.resource

function TOP.variable(node, name, add)
  each_obj(node, name, "variable", function(o)
    for _, vname in ipairs(o.keys) do
      local def = o.vals[vname]
      need_obj(def, name, "variable \"" .. vname .. "\"")
      local b = attrs_body(def, name, { type = true })
      if b.attrs.validation then
        b.attrs.validation = nil
        for i, n in ipairs(b.attr_order) do if n == "validation" then table.remove(b.attr_order, i); break end end
        add_condition_blocks(b, "validation", def.vals.validation, name)
      end
      add("variable", { vname }, b)
    end
  end)
end

function TOP.output(node, name, add)
  each_obj(node, name, "output", function(o)
    for _, oname in ipairs(o.keys) do
      need_obj(o.vals[oname], name, "output \"" .. oname .. "\"")
      add("output", { oname }, attrs_body(o.vals[oname], name))
    end
  end)
end

function TOP.locals(node, name, add)
  each_obj(node, name, "locals", function(o) add("locals", {}, attrs_body(o, name)) end)
end

-- provider and module: {label: object or array of objects}
local function labelled(btype)
  return function(node, name, add)
    each_obj(node, name, btype, function(o)
      for _, label in ipairs(o.keys) do
        each_obj(o.vals[label], name, btype .. " \"" .. label .. "\"", function(def)
          add(btype, { label }, attrs_body(def, name))
        end)
      end
    end)
  end
end
TOP.provider = labelled("provider")
TOP.module = labelled("module")

-- required_providers: an object or (Huawei's sample) an array of objects
function TOP.terraform(node, name, add)
  local tb = empty_body()
  each_obj(node, name, "terraform", function(o)
    if o.vals.required_providers then
      each_obj(o.vals.required_providers, name, "required_providers", function(r)
        tb.blocks[#tb.blocks + 1] = { type = "required_providers", labels = {}, body = attrs_body(r, name) }
      end)
    end
  end)
  add("terraform", {}, tb)
end

-- moved, removed and import: unlabelled blocks of attributes
local function unlabelled(node, name, add, top)
  each_obj(node, name, top, function(o) add(top, {}, attrs_body(o, name)) end)
end
TOP.moved, TOP.removed, TOP.import = unlabelled, unlabelled, unlabelled

function TOP.check(node, name, add)
  each_obj(node, name, "check", function(o)
    for _, cname in ipairs(o.keys) do
      local def = o.vals[cname]
      need_obj(def, name, "check \"" .. cname .. "\"")
      local cb = empty_body()
      if def.vals.assert then add_condition_blocks(cb, "assert", def.vals.assert, name) end
      add("check", { cname }, cb)
    end
  end)
end

--- Parse .tf.json text into the body tree shape emu.rfs.hcl.parse returns.
-- @raise {hcl_error = message}
function M.parse(text, name)
  name = name or "main.tf.json"
  local root = M.decode(text, name)
  need_obj(root, name, "the root of a JSON template")
  local body = empty_body()
  local function add(btype, labels, b)
    body.blocks[#body.blocks + 1] = { type = btype, labels = labels, body = b }
  end
  for _, top in ipairs(root.keys) do
    local handler = TOP[top]
    if not handler then
      error({ hcl_error = name .. ": Unsupported block type; blocks of type \"" .. top .. "\" are not expected here" }, 0)
    end
    handler(root.vals[top], name, add, top)
  end
  return body
end

return M
