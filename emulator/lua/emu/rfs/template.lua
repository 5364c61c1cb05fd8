-- Template loading for the RFS emulator: detects .tf.json versus HCL, parses
-- with emu.rfs.tfjson / emu.rfs.hcl and builds the configuration model the
-- evaluator works on (variables, locals, resources and data sources with
-- their meta-arguments, outputs, providers, module calls, required
-- providers), rejecting what the emulator does not support (unknown block
-- types, duplicates) with Terraform-like
-- messages. Also extracts the references of an expression for dependency
-- ordering. Errors are raised as {hcl_error = message}. Pure Lua.

local hcl = require("emu.rfs.hcl")
local tfjson = require("emu.rfs.tfjson")
local reverse = require("emu.util").reverse

local M = {}

local function err(msg) error({ hcl_error = msg }, 0) end

--- True when the text looks like a JSON template.
function M.is_json(text)
  local s = text:gsub("^\239\187\191", "")
  return s:match("^%s*{") ~= nil and not s:match("^%s*{%s*$")
end

local function lit_string(attr)
  if not attr then return nil end
  local e = attr.expr
  if e.k == "lit" then return e.v end
  if e.k == "null" then return nil end
  return nil
end

-- a literal boolean argument; "true"/"false" strings convert as Terraform
-- converts them (the .tf.json form writes "sensitive": "true")
local function lit_bool(attr)
  local v = lit_string(attr)
  if v == "true" then return true end
  if v == "false" then return false end
  return v
end

-- collect "type.name" / "data.type.name" / "var.x" / "local.x" references
local function walk_refs(e, out)
  if type(e) ~= "table" then return end
  local k = e.k
  if k == "attr" or k == "index" or k == "var" or k == "splat" then
    -- flatten the traversal to its root
    local chain = {}
    local n = e
    while n do
      if n.k == "attr" then
        chain[#chain + 1] = n.name; n = n.obj
      elseif n.k == "index" then
        walk_refs(n.key, out)
        chain[#chain + 1] = false; n = n.obj
      elseif n.k == "splat" then
        walk_refs(n.each, out)
        chain[#chain + 1] = false; n = n.obj
      elseif n.k == "var" then
        chain[#chain + 1] = n.name; n = nil
      else
        walk_refs(n, out); n = nil; chain = nil
      end
    end
    if chain then reverse(chain) end
    if chain and chain[1] then
      local root = chain[1]
      if root == "var" or root == "local" then
        if chain[2] then out[#out + 1] = root .. "." .. chain[2] end
      elseif root == "data" then
        if chain[2] and chain[3] then out[#out + 1] = "data." .. chain[2] .. "." .. chain[3] end
      elseif root ~= "count" and root ~= "each" and root ~= "path" and root ~= "terraform" and root ~= "self" then
        if chain[2] then out[#out + 1] = root .. "." .. chain[2] end
      end
    end
    return
  end
  for key, v in pairs(e) do
    if key ~= "pos" and type(v) == "table" then
      if v.k then walk_refs(v, out)
      else
        for _, x in pairs(v) do
          if type(x) == "table" then
            if x.k then walk_refs(x, out)
            elseif x.key or x.value then walk_refs(x.key, out); walk_refs(x.value, out) end
          end
        end
      end
    end
  end
end

--- References (strings such as "var.x", "huaweicloud_vpc.main") in an expression.
function M.refs(e)
  local out = {}
  walk_refs(e, out)
  return out
end

-- references of a whole body (attributes and nested blocks)
local function body_refs(body, out)
  for _, a in pairs(body.attrs) do walk_refs(a.expr, out) end
  for _, b in ipairs(body.blocks) do body_refs(b.body, out) end
  return out
end
M.body_refs = body_refs

local resource_meta = { count = true, for_each = true, depends_on = true, provider = true, lifecycle = true }
M.resource_meta = resource_meta

--- The parts of a dynamic block: label, for_each expression, iterator name
-- and content body (https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks).
-- @raise {hcl_error} when the block is malformed
function M.dynamic_parts(b, where)
  where = where or "main.tf"
  if #b.labels ~= 1 then err(where .. ": Missing dynamic block type; a dynamic block needs one label, the type of the blocks it generates") end
  local a = b.body.attrs
  local iterator = b.labels[1]
  if a.iterator then
    if a.iterator.expr.k ~= "var" then err(where .. ": Invalid dynamic iterator name; dynamic iterator must be a single variable name") end
    iterator = a.iterator.expr.name
  end
  for n in pairs(a) do
    if n ~= "for_each" and n ~= "iterator" and n ~= "labels" then
      err(where .. ": Unsupported argument; an argument named \"" .. n .. "\" is not expected in a dynamic block")
    end
  end
  if not a.for_each then err(where .. ": Missing required argument; the argument \"for_each\" is required in dynamic \"" .. b.labels[1] .. "\"") end
  local content
  for _, nb in ipairs(b.body.blocks) do
    if nb.type ~= "content" then err(where .. ": Unsupported block type; blocks of type \"" .. nb.type .. "\" are not expected in a dynamic block") end
    if content then err(where .. ": Duplicate content block; only one content block is allowed in dynamic \"" .. b.labels[1] .. "\"") end
    content = nb.body
  end
  if not content then err(where .. ": Missing content block; a dynamic block needs a content block") end
  return { label = b.labels[1], for_each = a.for_each.expr, iterator = iterator, content = content }
end

-- check every dynamic block of a body, nested ones included
local function check_dynamic(body, name, addr)
  for _, nb in ipairs(body.blocks) do
    if nb.type == "dynamic" then
      check_dynamic(M.dynamic_parts(nb, name .. " (" .. addr .. ")").content, name, addr)
    else
      check_dynamic(nb.body, name, addr)
    end
  end
end

-- The lifecycle settings of a resource block (HCL block or .tf.json
-- object), https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle:
-- prevent_destroy and create_before_destroy are literal booleans,
-- ignore_changes a list of attribute names or "all"; precondition and
-- postcondition blocks are kept as {condition, error_message}.
local function lifecycle(body, where, name)
  local out = { ignore_changes = {}, conditions = {} }
  local attrs, blocks = {}, {}
  for _, b in ipairs(body.blocks) do
    if b.type == "lifecycle" then
      for k, v in pairs(b.body.attrs) do attrs[k] = v.expr end
      for _, nb in ipairs(b.body.blocks) do blocks[#blocks + 1] = nb end
    end
  end
  local ja = body.attrs.lifecycle and body.attrs.lifecycle.expr
  if ja and ja.k == "obj" then
    for _, it in ipairs(ja.items) do
      local key = it.key.v or it.key.name
      if key == "precondition" or key == "postcondition" then
        local list = it.value.k == "list" and it.value.items or { it.value }
        for _, c in ipairs(list) do
          local cb = { attrs = {} }
          for _, ci in ipairs(c.items or {}) do
            local ck = ci.key.v or ci.key.name
            local cv = ci.value
            if ck == "condition" and cv.k == "lit" and type(cv.v) == "string" then cv = hcl.parse_expr(cv.v, name) end
            cb.attrs[ck] = { expr = cv }
          end
          blocks[#blocks + 1] = { type = key, body = cb }
        end
      else
        attrs[key] = it.value
      end
    end
  end
  for k, e in pairs(attrs) do
    if k == "prevent_destroy" or k == "create_before_destroy" then
      local v
      if e.k == "lit" then v = e.v end
      if v == "true" then v = true elseif v == "false" then v = false end
      if type(v) ~= "boolean" then err(where .. ": Invalid " .. k .. " value; a literal boolean (true or false) is required here") end
      out[k] = v
    elseif k == "ignore_changes" then
      if e.k == "var" and e.name == "all" or (e.k == "lit" and e.v == "all") then
        out.ignore_all = true
      elseif e.k == "list" then
        for _, it in ipairs(e.items) do
          local n = it.k == "var" and it.name or (it.k == "lit" and type(it.v) == "string" and it.v:match("^[%w_]+")) or
            (it.k == "attr" or it.k == "index") and hcl.render(it):match("^[%w_]+")
          if not n then err(where .. ": Invalid ignore_changes; a list of attribute names is required") end
          out.ignore_changes[#out.ignore_changes + 1] = n
        end
      else
        err(where .. ": Invalid ignore_changes; a list of attribute names or all is required")
      end
    elseif k ~= "replace_triggered_by" then
      err(where .. ": Unsupported argument; an argument named \"" .. k .. "\" is not expected in a lifecycle block")
    end
  end
  for _, nb in ipairs(blocks) do
    if nb.type == "precondition" or nb.type == "postcondition" then
      if not nb.body.attrs.condition then err(where .. ": Missing required argument; a " .. nb.type .. " needs a condition") end
      out.conditions[#out.conditions + 1] = { kind = nb.type, condition = nb.body.attrs.condition.expr,
        error_message = nb.body.attrs.error_message and nb.body.attrs.error_message.expr or { k = "lit", v = "condition failed" } }
    else
      err(where .. ": Unsupported block type; blocks of type \"" .. nb.type .. "\" are not expected in a lifecycle block")
    end
  end
  return out
end

local function want_labels(b, n, what, name)
  if #b.labels ~= n then
    err(string.format("%s: Missing name for %s; all %s blocks must have %d label%s", name, what, what, n, n == 1 and "" or "s"))
  end
end

-- The top-level blocks of a configuration, each recording what it declares
-- into cfg: BLOCK[type](cfg, block, name, type)
-- (https://developer.hashicorp.com/terraform/language/syntax/configuration).
local BLOCK = {}

-- the validation blocks of a variable
local function validations(b, vname, name)
  local out = {}
  for _, vb in ipairs(b.body.blocks) do
    if vb.type == "validation" then
      local va = vb.body.attrs
      if not va.condition then err(name .. ": Missing required argument; validation of variable \"" .. vname .. "\" needs a condition") end
      out[#out + 1] = {
        condition = va.condition.expr, pos = va.condition.pos,
        error_message = va.error_message and va.error_message.expr or { k = "lit", v = "Invalid value for variable" },
      }
    end
  end
  return out
end

function BLOCK.variable(cfg, b, name)
  want_labels(b, 1, "variable", name)
  local vname = b.labels[1]
  if cfg.variable_by_name[vname] then
    err(name .. ": Duplicate variable declaration; a variable named \"" .. vname .. "\" was already declared")
  end
  local a = b.body.attrs
  local v = {
    name = vname,
    type_expr = a.type and a.type.expr or nil,
    type_text = a.type and hcl.render(a.type.expr) or nil,
    default = a.default and a.default.expr or nil,
    description = lit_string(a.description),
    sensitive = lit_bool(a.sensitive) == true,
    nullable = lit_bool(a.nullable) ~= false,
    validations = validations(b, vname, name),
  }
  cfg.variables[#cfg.variables + 1] = v
  cfg.variable_by_name[vname] = v
end

function BLOCK.locals(cfg, b, name)
  for _, ln in ipairs(b.body.attr_order) do
    if cfg.locals[ln] then err(name .. ": Duplicate local value definition; a local value named \"" .. ln .. "\" was already defined") end
    cfg.locals[ln] = b.body.attrs[ln].expr
    cfg.local_order[#cfg.local_order + 1] = ln
  end
end

-- the references a resource's depends_on lists
local function depends_on(a, addr, name)
  local deps = {}
  if a.depends_on then
    if a.depends_on.expr.k ~= "list" then err(name .. ": Invalid depends_on in " .. addr .. "; a list of references is required") end
    for _, it in ipairs(a.depends_on.expr.items) do
      for _, x in ipairs(M.refs(it)) do deps[#deps + 1] = x end
    end
  end
  return deps
end

function BLOCK.resource(cfg, b, name, t)
  want_labels(b, 2, t, name)
  local mode = t == "data" and "DATA" or "RESOURCE"
  local addr = (t == "data" and "data." or "") .. b.labels[1] .. "." .. b.labels[2]
  if cfg.resource_by_addr[addr] then
    err(name .. ": Duplicate " .. t .. " \"" .. b.labels[1] .. "\" configuration; a " .. t .. " named \"" .. b.labels[2] .. "\" was already declared")
  end
  local a = b.body.attrs
  if a.count and a.for_each then
    err(name .. ": Invalid combination of \"count\" and \"for_each\" in " .. addr)
  end
  check_dynamic(b.body, name, addr)
  local deps = depends_on(a, addr, name)
  local provider = a.provider and hcl.render(a.provider.expr) or nil
  local ptype = b.labels[1]:match("^([^_]+)") or b.labels[1]
  local r = {
    mode = mode, type = b.labels[1], name = b.labels[2], addr = addr, body = b.body, pos = b.pos,
    count = a.count and a.count.expr or nil, for_each = a.for_each and a.for_each.expr or nil,
    depends_on = deps, provider = provider or ptype, provider_type = ptype,
    lifecycle = lifecycle(b.body, name .. ": " .. addr, name),
  }
  cfg.resources[#cfg.resources + 1] = r
  cfg.resource_by_addr[addr] = r
end
BLOCK.data = BLOCK.resource

function BLOCK.output(cfg, b, name)
  want_labels(b, 1, "output", name)
  local oname = b.labels[1]
  if cfg.output_by_name[oname] then err(name .. ": Duplicate output definition; an output named \"" .. oname .. "\" was already defined") end
  local a = b.body.attrs
  if not a.value then err(name .. ": Missing required argument; the argument \"value\" is required in output \"" .. oname .. "\"") end
  local o = {
    name = oname, value = a.value.expr, description = lit_string(a.description),
    sensitive = lit_bool(a.sensitive) == true,
  }
  cfg.outputs[#cfg.outputs + 1] = o
  cfg.output_by_name[oname] = o
end

function BLOCK.provider(cfg, b, name)
  want_labels(b, 1, "provider", name)
  cfg.providers[#cfg.providers + 1] = { name = b.labels[1], body = b.body }
end

-- required_providers (checked by emu.rfs.providers); backend: nothing to do
function BLOCK.terraform(cfg, b)
  for _, rb in ipairs(b.body.blocks) do
    if rb.type == "required_providers" then
      for _, pn in ipairs(rb.body.attr_order) do
        cfg.required_providers[#cfg.required_providers + 1] = { name = pn, expr = rb.body.attrs[pn].expr }
      end
    end
  end
end

-- moved, removed and import blocks
-- (https://developer.hashicorp.com/terraform/language/modules/develop/refactoring,
-- .../resources/syntax#removing-resources, .../import): an address argument
-- (a reference, or a string holding one) as its normalized text
local function address_arg(a, n, t, name)
  if not a[n] then err(name .. ": Missing required argument; the argument \"" .. n .. "\" is required in a " .. t .. " block") end
  local e = a[n].expr
  if e.k == "lit" and type(e.v) == "string" then e = hcl.parse_expr(e.v, name) end
  return hcl.render(e):gsub('%[(")', "[%1")
end

function BLOCK.moved(cfg, b, name, t)
  local a = b.body.attrs
  cfg.moved[#cfg.moved + 1] = { from = address_arg(a, "from", t, name), to = address_arg(a, "to", t, name) }
end

-- removed: lifecycle { destroy = false } forgets the instances instead
function BLOCK.removed(cfg, b, name, t)
  local a = b.body.attrs
  local destroy = true
  for _, nb in ipairs(b.body.blocks) do
    if nb.type == "lifecycle" and nb.body.attrs.destroy then destroy = lit_bool(nb.body.attrs.destroy) ~= false end
  end
  local jl = a.lifecycle and a.lifecycle.expr
  if jl and jl.k == "obj" then
    for _, it in ipairs(jl.items) do
      if (it.key.v or it.key.name) == "destroy" and it.value.k == "lit" then destroy = it.value.v ~= false and it.value.v ~= "false" end
    end
  end
  cfg.removed[#cfg.removed + 1] = { from = address_arg(a, "from", t, name), destroy = destroy }
end

function BLOCK.import(cfg, b, name, t)
  local a = b.body.attrs
  if not a.id then err(name .. ": Missing required argument; the argument \"id\" is required in an import block") end
  cfg.imports[#cfg.imports + 1] = { to = address_arg(a, "to", t, name), id = a.id.expr }
end

function BLOCK.check(cfg, b, name)
  want_labels(b, 1, "check", name)
  local asserts = {}
  for _, nb in ipairs(b.body.blocks) do
    if nb.type == "assert" then
      if not nb.body.attrs.condition then err(name .. ": Missing required argument; an assert block needs a condition") end
      asserts[#asserts + 1] = { condition = nb.body.attrs.condition.expr,
        error_message = nb.body.attrs.error_message and nb.body.attrs.error_message.expr or { k = "lit", v = "assertion failed" } }
    elseif nb.type ~= "data" then
      err(name .. ": Unsupported block type; blocks of type \"" .. nb.type .. "\" are not expected in a check block")
    end
  end
  cfg.checks[#cfg.checks + 1] = { name = b.labels[1], asserts = asserts }
end

-- module calls are resolved by emu.rfs.modules at each run
function BLOCK.module(cfg, b, name)
  want_labels(b, 1, "module", name)
  local mname, a = b.labels[1], b.body.attrs
  if cfg.module_by_name[mname] then err(name .. ": Duplicate module call; a module call named \"" .. mname .. "\" was already defined") end
  local source = lit_string(a.source)
  if type(source) ~= "string" or source == "" then
    err(name .. ": Missing required argument; the argument \"source\" (a literal string) is required in module \"" .. mname .. "\"")
  end
  if a.count or a.for_each then err(name .. ": count and for_each on module calls are not supported by the emulator (module \"" .. mname .. "\")") end
  local call = { name = mname, source = source, body = b.body }
  cfg.module_calls[#cfg.module_calls + 1] = call
  cfg.module_by_name[mname] = call
end

-- a body tree (emu.rfs.hcl.parse, emu.rfs.tfjson.parse) as a configuration
local function build(body, name)
  local cfg = {
    variables = {}, variable_by_name = {}, locals = {}, local_order = {},
    resources = {}, resource_by_addr = {}, outputs = {}, output_by_name = {},
    providers = {}, module_calls = {}, module_by_name = {}, required_providers = {},
    moved = {}, removed = {}, imports = {}, checks = {},
  }
  for _, b in ipairs(body.blocks) do
    local handler = BLOCK[b.type]
    if not handler then
      err(name .. ": Unsupported block type; blocks of type \"" .. b.type .. "\" are not expected here")
    end
    handler(cfg, b, name, b.type)
  end
  if #body.attr_order > 0 then
    err(name .. ": Unsupported argument; an argument named \"" .. body.attr_order[1] .. "\" is not expected here")
  end
  return cfg
end

-- "name:line" of a line of the text: the file the user gave, or, in the
-- root .tf files of a .zip template joined into one text, the member
-- holding that line (parts: {name, line = first line in the joined text})
local function place(name, parts, line)
  if not parts then return name, line end
  local at = parts[1]
  for _, p in ipairs(parts) do
    if p.line <= line then at = p end
  end
  return at.name, line - at.line + 1
end

-- rewrite "name:line,col" places of a parser message to the member files
local function relocate(msg, name, parts)
  if not parts or type(msg) ~= "string" then return msg end
  local pat = name:gsub("%p", "%%%0") .. ":(%d+),(%d+)"
  return (msg:gsub(pat, function(l, c)
    local n, ln = place(name, parts, tonumber(l))
    return n .. ":" .. ln .. "," .. c
  end))
end

--- Parse a template text (HCL or .tf.json) into the configuration model.
-- Messages name the file the user gave (origin.name: the last segment of a
-- template_uri, the member of a .zip template), else main.tf / main.tf.json.
-- @param text template source
-- @param origin optional {name, parts} (parts: emu.rfs.modules.config_text)
-- @return cfg {variables, variable_by_name, locals, local_order, resources,
--   resource_by_addr, outputs, output_by_name, providers, format}
-- @raise {hcl_error = message}
function M.load(text, origin)
  local json = type(text) == "string" and M.is_json(text)
  local name = origin and origin.name or (json and "main.tf.json" or "main.tf")
  local parts = origin and origin.parts
  if type(text) ~= "string" then err(name .. ": template is empty") end
  local ok, cfg = pcall(function()
    if json then return build(tfjson.parse(text, name), name) end
    return build(hcl.parse(text, name), name)
  end)
  if not ok then
    if type(cfg) == "table" and cfg.hcl_error then err(relocate(cfg.hcl_error, name, parts)) end
    error(cfg, 0)
  end
  cfg.format = json and "json" or "hcl"
  if not json then cfg.locate = M.locator(text, name, parts) end
  return cfg
end

--- A function turning a byte offset of text into "name:line,column".
-- @param parts optional member files of a joined text (see M.load)
function M.locator(text, name, parts)
  local starts = { 1 }
  for nl in text:gmatch("()\n") do starts[#starts + 1] = nl + 1 end
  return function(pos)
    if type(pos) ~= "number" then return nil end
    local lo, hi = 1, #starts
    while lo < hi do
      local mid = math.floor((lo + hi + 1) / 2)
      if starts[mid] <= pos then lo = mid else hi = mid - 1 end
    end
    local n, ln = place(name, parts, lo)
    return string.format("%s:%d,%d", n, ln, pos - starts[lo] + 1)
  end
end

--- Like load, but returns nil, message instead of raising.
function M.try_load(text, origin)
  local ok, r = pcall(M.load, text, origin)
  if ok then return r end
  if type(r) == "table" and r.hcl_error then return nil, r.hcl_error end
  return nil, hcl.internal_message(r)
end

--- The origin (see M.load) of the file behind a template_uri: its last
-- path segment when it is a plain file name, else nil (main.tf).
function M.origin_of_uri(uri)
  local last = type(uri) == "string" and uri:gsub("[?#].*$", ""):match("([^/]+)$")
  if last and last:match("^[%w_%.%-]+$") and last:match("%.tf") then return { name = last } end
  return nil
end

--- File name to serve a template under (main.tf.json or main.tf).
function M.file_name(text)
  return M.is_json(text or "") and "main.tf.json" or "main.tf"
end

return M
