-- Expression evaluation for the RFS emulator: literals, "${...}" templates,
-- references (var.x, local.x, resource and data attributes, count.index,
-- each.key/value, for-expression iterators), operators, conditionals,
-- for-expressions, splats and function calls; input variables (vars_body
-- tfvars text, vars_structure strings, defaults) converted to their declared
-- types and checked by their validation blocks; output values with
-- sensitive masking. Unknown values (plans) and sensitive marks
-- (emu.rfs.values.mark) propagate. Errors are raised as
-- {eval_error = message}. Pure Lua.

local V = require("emu.rfs.values")
local F = require("emu.rfs.functions")
local hcl = require("emu.rfs.hcl")
local schema = require("emu.rfs.schema")
local reverse = require("emu.util").reverse

local M = {}

local NULL, UNKNOWN = V.NULL, V.UNKNOWN
local unmark, remark = V.unmark, V.remark

local function fail(msg) error({ eval_error = msg }, 0) end
M.fail = fail

-- count n elements of work against hcl.MAX_WORK (ctx.work is shared by one
-- run; issue 7, finding 5) and refuse strings over hcl.MAX_STRING
local function charge(ctx, n)
  local w = ctx.work
  if not w then return end
  w.n = w.n + n
  if w.n > hcl.MAX_WORK then
    fail("Too much work; the template iterates over or builds more than " .. hcl.MAX_WORK ..
      " collection elements in total, the emulator's limit")
  end
end
--- Count n elements of work against the run's budget (dynamic blocks use it).
M.charge = charge

local function bounded(v)
  if type(v) == "string" and #v > hcl.MAX_STRING then
    fail("Value too long; the template builds a string of " .. #v .. " bytes, more than the emulator's limit of " .. hcl.MAX_STRING)
  end
  return v
end

--- Message of an error raised by the parser or the evaluator.
function M.error_message(e)
  if type(e) == "table" then return e.eval_error or e.hcl_error or tostring(e.message or e) end
  return hcl.internal_message(e)
end

local eval
local MARKING -- functions that see their argument's marks (call)

local function truthy(v, what)
  if v == true or v == "true" then return true end
  if v == false or v == "false" then return false end
  if v == UNKNOWN then return UNKNOWN end
  fail("Incorrect condition type; " .. (what or "condition") .. " must be a bool, got " .. V.type_name(v))
end

local function tonum(v, op)
  if V.is_number(v) then return v end
  local n = type(v) == "string" and V.parse_number(v)
  if n then return n end
  fail("Invalid operand; unsuitable value for operator " .. op .. ": a number is required, got " .. V.type_name(v))
end

local function template_text(v)
  if type(v) == "string" then return v end
  if V.is_number(v) then return V.number_text(v) end
  if type(v) == "boolean" then return tostring(v) end
  if v == NULL then fail("Invalid template interpolation value; the expression result is null") end
  fail("Invalid template interpolation value; cannot include a " .. V.type_name(v) .. " value in a string template")
end

local function attr_of(obj, name, ctx)
  if obj == UNKNOWN then return UNKNOWN end
  if V.is_map(obj) then
    local v = obj[name]
    if v ~= nil then return v end
    if ctx.missing_attr then
      local r = ctx.missing_attr(obj, name)
      if r ~= nil then return r end
    end
    fail("Unsupported attribute; this object does not have an attribute named \"" .. name .. "\"")
  end
  if obj == NULL then fail("Attempt to get attribute from null value; this value is null, so it does not have any attributes") end
  fail("Unsupported attribute; can't access attributes on a " .. V.type_name(obj) .. " value")
end

local function index_of(obj, key)
  if obj == UNKNOWN or key == UNKNOWN then return UNKNOWN end
  if V.is_list(obj) then
    local i = tonumber(key)
    if not i or i ~= math.floor(i) then fail("Invalid index; the given key does not identify an element in this collection value: a number is required") end
    local v = obj[i + 1]
    if v == nil then fail("Invalid index; the given key does not identify an element in this collection value: index " .. V.number_text(i) .. " out of range for list of length " .. #obj) end
    return v
  end
  if V.is_map(obj) then
    local v = obj[template_text(key)]
    if v == nil then fail("Invalid index; the given key does not identify an element in this collection value: \"" .. template_text(key) .. "\"") end
    return v
  end
  if obj == NULL then fail("Attempt to index null value; this value is null, so it does not have any indices") end
  fail("Invalid index; this value does not have any indices")
end

-- Marks of resource objects (M.mark_object): an attribute is sensitive when
-- its argument was set from a marked value (the marked value is answered, so
-- its own unmarked parts stay unmarked) or when the provider's schema marks
-- it; nested blocks answer for their own attributes.
local function object_attr(ctx, obj, name, v)
  local marks = ctx.object_marks
  local info = marks and marks[obj]
  if not info then return v end
  local path = {}
  for i, n in ipairs(info.path) do path[i] = n end
  path[#path + 1] = name
  local function register(x)
    if V.is_map(x) and not marks[x] then marks[x] = { mode = info.mode, rtype = info.rtype, path = path, config = {} } end
  end
  if V.is_list(v) then for _, x in ipairs(v) do register(x) end else register(v) end
  local c = info.config[name]
  if c ~= nil and V.has_mark(c) then
    local plain = V.unmark_deep(c)
    if V.equal(plain, v) then return c end
    return V.mark(v)
  end
  return remark(v, schema.sensitive_path(info.mode, info.rtype, path))
end

--- Register the marks of a resource object for the references to it: the
-- arguments its configuration set from sensitive values (config: the body's
-- marked values) and the attributes the provider's schema marks sensitive.
-- The object itself stays unmarked (it is what the state records).
function M.mark_object(ctx, obj, mode, rtype, config)
  local marks = rawget(ctx, "object_marks")
  if not marks then
    marks = setmetatable({}, { __mode = "k" })
    rawset(ctx, "object_marks", marks)
  end
  marks[obj] = { mode = mode, rtype = rtype, path = {}, config = config }
end

-- whether v holds a resource object with a sensitive attribute (a whole
-- object in an output exposes its attributes)
local function object_has_mark(ctx, v, depth)
  if type(v) ~= "table" or depth > 8 then return false end
  local info = ctx.object_marks and ctx.object_marks[v]
  if info then
    for k, x in pairs(v) do
      if V.has_mark(object_attr(ctx, v, k, x)) then return true end
    end
  end
  if V.is_list(v) or V.is_map(v) then
    for _, x in pairs(v) do if object_has_mark(ctx, x, depth + 1) then return true end end
  end
  return false
end

-- attribute and index access: the mark of the collection (and of the key)
-- carries to the element
local function get_attr(obj, name, ctx)
  local o, m = unmark(obj)
  local v = attr_of(o, name, ctx)
  if o ~= UNKNOWN then v = object_attr(ctx, o, name, v) end
  return remark(v, m)
end

local function get_index(obj, key)
  local o, m1 = unmark(obj)
  local k, m2 = unmark(key)
  return remark(index_of(o, k), m1 or m2)
end

-- resolve the root of a traversal chain
local function flatten(node)
  local steps = {}
  local n = node
  while n.k == "attr" or n.k == "index" do
    steps[#steps + 1] = n
    n = n.obj
  end
  return n, reverse(steps)
end

local function apply_steps(v, steps, from, ctx)
  for i = from, #steps do
    local s = steps[i]
    if s.k == "attr" then v = get_attr(v, s.name, ctx)
    else v = get_index(v, eval(s.key, ctx)) end
  end
  return v
end

local function step_name(s)
  if s and s.k == "attr" then return s.name end
  return nil
end

local function traversal(node, ctx)
  local root, steps = flatten(node)
  if root.k ~= "var" then
    return apply_steps(eval(root, ctx), steps, 1, ctx)
  end
  local name = root.name
  if ctx.scope and ctx.scope[name] ~= nil then
    return apply_steps(ctx.scope[name], steps, 1, ctx)
  end
  if ctx.template_vars then
    -- a template of templatefile / templatestring sees only its vars
    fail("Invalid function argument; " .. ctx.template_vars .. ": vars map does not contain key \"" .. name .. "\"")
  end
  if name == "var" then
    local vn = step_name(steps[1])
    if not vn then fail("Invalid reference; the \"var\" object cannot be accessed directly") end
    local v = ctx.vars and ctx.vars[vn]
    if v == nil then fail("Reference to undeclared input variable; an input variable with the name \"" .. vn .. "\" has not been declared") end
    return apply_steps(v, steps, 2, ctx)
  elseif name == "local" then
    local ln = step_name(steps[1])
    if not ln then fail("Invalid reference; the \"local\" object cannot be accessed directly") end
    if not ctx.get_local then fail("Reference to undeclared local value \"" .. ln .. "\"") end
    return apply_steps(ctx.get_local(ln), steps, 2, ctx)
  elseif name == "count" then
    if step_name(steps[1]) ~= "index" then fail("Invalid reference; the \"count\" object has only the attribute \"index\"") end
    if ctx.count_index == nil then fail("Reference to \"count\" in non-counted context; count.index is only available in blocks that set \"count\"") end
    return apply_steps(ctx.count_index, steps, 2, ctx)
  elseif name == "each" then
    local a = step_name(steps[1])
    if ctx.each_key == nil then fail("Reference to \"each\" in context without for_each; each.key and each.value are only available in blocks that set \"for_each\"") end
    if a == "key" then return apply_steps(ctx.each_key, steps, 2, ctx) end
    if a == "value" then return apply_steps(ctx.each_value, steps, 2, ctx) end
    fail("Invalid reference; the \"each\" object has only the attributes \"key\" and \"value\"")
  elseif name == "path" then
    -- path.module: the module's folder in a .zip template (emu.rfs.modules)
    return apply_steps(V.map({ module = ctx.module_dir or ".", root = ".", cwd = "." }), steps, 1, ctx)
  elseif name == "terraform" then
    return apply_steps(V.map({ workspace = "default" }), steps, 1, ctx)
  elseif name == "self" then
    fail("Invalid \"self\" reference; \"self\" is only allowed in provisioner and connection blocks, which the emulator does not support")
  elseif name == "data" then
    local t, n = step_name(steps[1]), step_name(steps[2])
    if not (t and n) then fail("Invalid data source reference; a data source reference needs a type and a name, like data.type.name") end
    local v = ctx.resource and ctx.resource("DATA", t, n)
    if v == nil then fail("Reference to undeclared resource; a data resource \"" .. t .. "\" \"" .. n .. "\" has not been declared") end
    return apply_steps(v, steps, 3, ctx)
  end
  local rn = step_name(steps[1])
  if not rn then
    if #steps == 0 then fail("Invalid reference; a reference to a resource type must be followed by at least one attribute access, specifying the resource name (\"" .. name .. "\")") end
    fail("Invalid reference; unknown symbol \"" .. name .. "\"")
  end
  local v = ctx.resource and ctx.resource("RESOURCE", name, rn)
  if v == nil then fail("Reference to undeclared resource; a managed resource \"" .. name .. "\" \"" .. rn .. "\" has not been declared") end
  return apply_steps(v, steps, 2, ctx)
end

local function compare(op, a, b)
  local ma, mb
  a, ma = V.unmark_deep(a)
  b, mb = V.unmark_deep(b)
  if ma or mb then return V.mark(compare(op, a, b)) end
  if a == UNKNOWN or b == UNKNOWN then return UNKNOWN end
  if op == "==" then return V.equal(a, b) or (a == NULL and b == nil) end
  if op == "!=" then return not V.equal(a, b) end
  local c = V.compare_numbers(tonum(a, op), tonum(b, op))
  if op == "<" then return c < 0 end
  if op == ">" then return c > 0 end
  if op == "<=" then return c <= 0 end
  return c >= 0
end

-- a template text rendered with the attributes of vars as its only variables
-- (functions stay available; files too, but not templatefile itself)
local function render(text, vars, ctx, what)
  local mv
  vars, mv = unmark(vars)
  if vars == UNKNOWN then return remark(UNKNOWN, mv) end
  if not V.is_map(vars) then fail("Invalid function argument; " .. what .. ": the variables must be an object, got " .. V.type_name(vars)) end
  local ok, tmpl = pcall(hcl.parse_template, text, what)
  if not ok then fail("Invalid template; " .. M.error_message(tmpl)) end
  local scope = {}
  for k, v in pairs(vars) do scope[k] = v end
  local v, m = unmark(eval(tmpl, { scope = scope, work = ctx.work, files = ctx.files, module_dir = ctx.module_dir,
    in_templatefile = ctx.in_templatefile or what ~= "templatestring", template_vars = what }))
  return remark(template_text(v), m or mv)
end

-- templatefile(path, vars): a file of a .zip template rendered as a template
-- (https://developer.hashicorp.com/terraform/language/functions/templatefile)
local function templatefile(node, ctx)
  if #node.args ~= 2 then fail("Invalid function argument; templatefile needs two arguments: a path and an object of variables") end
  if ctx.in_templatefile then
    fail("Error in function call; call to function \"templatefile\" failed: cannot recursively call templatefile from inside another template function")
  end
  local path, mp = unmark(eval(node.args[1], ctx))
  if path == UNKNOWN then return remark(UNKNOWN, mp) end
  if type(path) ~= "string" then fail("Invalid function argument; templatefile: the path must be a string, got " .. V.type_name(path)) end
  local ok, text = pcall(F.file, { path }, ctx)
  if not ok then
    local msg = type(text) == "table" and text.eval_error or hcl.internal_message(text)
    fail("Error in function call; call to function \"templatefile\" failed: " .. msg:gsub("^Invalid function argument; file: ", ""))
  end
  return remark(render(text, eval(node.args[2], ctx), ctx, path), mp)
end

-- templatestring(ref, vars): the referenced string rendered as a template
-- whose only variables are the attributes of vars
-- (https://developer.hashicorp.com/terraform/language/functions/templatestring)
local function templatestring(node, ctx)
  if #node.args ~= 2 then fail("Invalid function argument; templatestring needs two arguments: a template and an object of variables") end
  local r = node.args[1]
  if r.k ~= "var" and r.k ~= "attr" and r.k ~= "index" then
    fail("Invalid template argument; the templatestring function's first argument must be a reference to a string value, not a template or other expression")
  end
  local text, mt = unmark(eval(r, ctx))
  if text == UNKNOWN then return remark(UNKNOWN, mt) end
  if type(text) ~= "string" then fail("Invalid template argument; the template must be a string, got " .. V.type_name(text)) end
  return remark(render(text, eval(node.args[2], ctx), ctx, "templatestring"), mt)
end

-- Functions and marks, as Terraform's functions (cty's function calls)
-- handle them (https://developer.hashicorp.com/terraform/language/functions/sensitive,
-- .../nonsensitive, .../issensitive): sensitive adds the mark, nonsensitive
-- removes the value's own mark (Terraform >= 1.6 no longer refuses a value
-- that is not sensitive), issensitive tells whether the value itself is
-- marked.
local function one_arg(node, ctx)
  if #node.args ~= 1 or node.expand then fail("Invalid function argument; " .. node.name .. " takes exactly one argument") end
  return eval(node.args[1], ctx)
end
MARKING = {
  sensitive = function(node, ctx) return V.mark(one_arg(node, ctx)) end,
  nonsensitive = function(node, ctx) return (unmark(one_arg(node, ctx))) end,
  issensitive = function(node, ctx) return V.is_marked(one_arg(node, ctx)) end,
}
-- The other functions see unmarked arguments and a mark anywhere in them
-- marks the result, except these (their parameters allow marks in cty):
-- "own" ones answer with the arguments' own marks only (the length of a
-- list of sensitive strings, the keys of a map whose values are sensitive
-- are not sensitive); "elements" ones also pass the elements they pick on
-- with their marks.
local OWN_MARKS = { length = "own", keys = "own", element = "elements", lookup = "elements",
  merge = "elements", reverse = "elements" }

local function call(node, ctx)
  local name = node.name
  if name == "templatestring" then return templatestring(node, ctx) end
  if name == "templatefile" then return templatefile(node, ctx) end
  if name == "try" then
    for _, a in ipairs(node.args) do
      local ok, v = pcall(eval, a, ctx)
      if ok then return v end
    end
    fail("Error in function call; try: no expression succeeded")
  elseif name == "can" then
    local ok = pcall(eval, node.args[1], ctx)
    return ok
  end
  local marking = MARKING[name]
  if marking then return marking(node, ctx) end
  local fn = F[name]
  if type(fn) ~= "function" or name == "str" or name == "num" or name == "from_json_node" then
    fail("Call to unknown function; there is no function named \"" .. name .. "\"")
  end
  local args, marked = {}, false
  for i, a in ipairs(node.args) do args[i] = eval(a, ctx) end
  if node.expand then
    local last, m = unmark(table.remove(args))
    marked = m
    if not V.is_list(last) then fail("Invalid expanding argument value; the expanding argument (indicated by ...) must be of a tuple, list, or set type") end
    for _, x in ipairs(last) do args[#args + 1] = x end
  end
  local own = OWN_MARKS[name]
  for i, a in ipairs(args) do
    local m
    if own then
      args[i], m = unmark(a)
      if own == "own" then args[i] = V.unmark_deep(args[i]) end
    else
      args[i], m = V.unmark_deep(a)
    end
    marked = marked or m
  end
  for _, a in ipairs(args) do
    if V.has_unknown(a) and name ~= "length" then return remark(UNKNOWN, marked) end
  end
  local ok, r = pcall(fn, args, ctx)
  if ok and type(r) == "table" then charge(ctx, #r) end
  if ok then bounded(r) end
  if not ok then
    if type(r) == "table" and r.eval_error then
      r.eval_error = "Error in function call; call to function \"" .. name .. "\" failed: " .. r.eval_error:gsub("^Invalid function argument; ", "")
      error(r, 0)
    end
    if type(r) == "table" then error(r, 0) end
    fail("Error in function call; call to function \"" .. name .. "\" failed: " .. hcl.internal_message(r))
  end
  if r == nil then r = NULL end
  return remark(r, marked)
end

-- for expressions: the marks of the collection, of a key or of the
-- condition mark the whole result (as hcl's for expressions do); the marks
-- of the elements stay on them
local function for_expr(node, ctx)
  local c, marked = unmark(eval(node.coll, ctx))
  if c == UNKNOWN then return remark(UNKNOWN, marked) end
  local pairs_list = {}
  if V.is_list(c) then
    for i, x in ipairs(c) do pairs_list[#pairs_list + 1] = { i - 1, x } end
  elseif V.is_map(c) then
    for _, k in ipairs(V.keys(c)) do pairs_list[#pairs_list + 1] = { k, c[k] } end
  else
    fail("Iteration over non-iterable value; a value of type " .. V.type_name(c) .. " cannot be used as the collection in a 'for' expression")
  end
  charge(ctx, #pairs_list)
  local out = node.is_map and V.map() or V.list()
  local scope = setmetatable({}, { __index = ctx.scope })
  local sub = setmetatable({ scope = scope }, { __index = ctx })
  for _, kv in ipairs(pairs_list) do
    if node.key_var then scope[node.key_var] = kv[1] end
    scope[node.val_var] = kv[2]
    local keep = true
    if node.cond then
      local cv, m = unmark(eval(node.cond, sub))
      marked = marked or m
      local t = truthy(cv, "the 'for' condition")
      if t == UNKNOWN then return remark(UNKNOWN, marked) end
      keep = t
    end
    if keep then
      if node.is_map then
        local k, m = unmark(eval(node.key, sub))
        marked = marked or m
        if k == UNKNOWN then return remark(UNKNOWN, marked) end
        k = template_text(k)
        local v = eval(node.value, sub)
        if node.group then
          out[k] = out[k] or V.list()
          out[k][#out[k] + 1] = v
        else
          if out[k] ~= nil then fail("Duplicate object key; two different items produced the key \"" .. k .. "\" in this 'for' expression") end
          out[k] = v
        end
      else
        out[#out + 1] = eval(node.value, sub)
      end
    end
  end
  return remark(out, marked)
end

-- the text of template parts (strings and expressions)
-- (a marked part marks the text)
local function parts_text(parts, ctx)
  local out, marked = {}, false
  for _, p in ipairs(parts) do
    if type(p) == "string" then out[#out + 1] = p
    else
      local v, m = unmark(eval(p, ctx))
      marked = marked or m
      if V.has_unknown(v) then return remark(UNKNOWN, marked) end
      out[#out + 1] = template_text(v)
    end
  end
  return remark(bounded(table.concat(out)), marked)
end

-- %{ if } / %{ for } template directives
local function directive(node, ctx)
  if node.k == "tmpl_if" then
    local cv, mc = unmark(eval(node.cond, ctx))
    local c = truthy(cv, "the if directive condition")
    if c == UNKNOWN then return remark(UNKNOWN, mc) end
    return remark(parts_text(c and node.a or node.b, ctx), mc)
  end
  local c, marked = unmark(eval(node.coll, ctx))
  if c == UNKNOWN then return remark(UNKNOWN, marked) end
  local items = {}
  if V.is_list(c) then
    for i, x in ipairs(c) do items[i] = { i - 1, x } end
  elseif V.is_map(c) then
    for _, key in ipairs(V.keys(c)) do items[#items + 1] = { key, c[key] } end
  else
    fail("Iteration over non-iterable value; a value of type " .. V.type_name(c) .. " cannot be used as the collection in a 'for' directive")
  end
  charge(ctx, #items)
  local scope = setmetatable({}, { __index = ctx.scope })
  local sub = setmetatable({ scope = scope }, { __index = ctx })
  local out = {}
  for _, kv in ipairs(items) do
    if node.key_var then scope[node.key_var] = kv[1] end
    scope[node.val_var] = kv[2]
    local t, m = unmark(parts_text(node.body, sub))
    marked = marked or m
    if t == UNKNOWN then return remark(UNKNOWN, marked) end
    out[#out + 1] = t
  end
  return remark(bounded(table.concat(out)), marked)
end

eval = function(node, ctx)
  local k = node.k
  if k == "lit" then return node.v end
  if k == "null" then return NULL end
  if k == "paren" then return eval(node.e, ctx) end
  if k == "tmpl" then
    local parts = node.parts
    if #parts == 1 and type(parts[1]) ~= "string" then
      return eval(parts[1], ctx) -- "${x}" yields x itself
    end
    return parts_text(parts, ctx)
  end
  if k == "tmpl_if" or k == "tmpl_for" then return directive(node, ctx) end
  if k == "var" or k == "attr" or k == "index" then return traversal(node, ctx) end
  if k == "splat" then
    local base, m = unmark(eval(node.obj, ctx))
    if base == UNKNOWN then return remark(UNKNOWN, m) end
    if base == NULL then return remark(V.list(), m) end
    local items = V.is_list(base) and base or V.list({ base })
    charge(ctx, #items)
    local r = V.list()
    local scope = setmetatable({}, { __index = ctx.scope })
    local sub = setmetatable({ scope = scope }, { __index = ctx })
    for i, x in ipairs(items) do
      scope[" splat"] = x
      r[i] = eval(node.each, sub)
    end
    return remark(r, m)
  end
  if k == "splat_item" then return ctx.scope[" splat"] end
  if k == "list" then
    local r = V.list()
    for i, it in ipairs(node.items) do r[i] = eval(it, ctx) end
    return r
  end
  if k == "obj" then
    -- a marked key marks the whole object (keys themselves carry no marks)
    local r, marked = V.map(), false
    for _, it in ipairs(node.items) do
      local key
      if it.key.k == "var" and not (ctx.scope and ctx.scope[it.key.name] ~= nil) then
        key = it.key.name -- bare identifiers are literal keys
      else
        local m
        key, m = unmark(eval(it.key, ctx))
        marked = marked or m
        if key == UNKNOWN then return remark(UNKNOWN, marked) end
        key = template_text(key)
      end
      r[key] = eval(it.value, ctx)
    end
    return remark(r, marked)
  end
  if k == "un" then
    local a, m = unmark(eval(node.a, ctx))
    if a == UNKNOWN then return remark(UNKNOWN, m) end
    if node.op == "-" then return remark(V.arith("-", 0, tonum(a, "-")), m) end
    local t = truthy(a, "operand of !")
    return remark(not t, m)
  end
  if k == "bin" then
    local op = node.op
    local a, b = eval(node.a, ctx), eval(node.b, ctx)
    if op == "==" or op == "!=" or op == "<" or op == ">" or op == "<=" or op == ">=" then
      return compare(op, a, b)
    end
    -- a marked operand marks the result
    local ma, mb
    a, ma = unmark(a)
    b, mb = unmark(b)
    local m = ma or mb
    if op == "&&" or op == "||" then
      a, b = truthy(a, "operand of " .. op), truthy(b, "operand of " .. op)
      if a == UNKNOWN or b == UNKNOWN then return remark(UNKNOWN, m) end
      if op == "&&" then return remark(a and b, m) end
      return remark(a or b, m)
    end
    if a == UNKNOWN or b == UNKNOWN then return remark(UNKNOWN, m) end
    local x, y = tonum(a, op), tonum(b, op)
    if op == "/" and V.equal(y, 0) then fail("Operation failed; error while attempting to divide by zero") end
    if op == "%" and V.equal(y, 0) then fail("Operation failed; error while attempting to compute modulo of zero") end
    return remark(V.arith(op, x, y), m)
  end
  if k == "cond" then
    -- the condition's mark carries to the result; only the chosen branch's
    -- own marks come with it (hcl's conditional expressions)
    local cv, m = unmark(eval(node.cond, ctx))
    local c = truthy(cv, "the condition")
    if c == UNKNOWN then return remark(UNKNOWN, m) end
    if c then return remark(eval(node.a, ctx), m) end
    return remark(eval(node.b, ctx), m)
  end
  if k == "call" then return call(node, ctx) end
  if k == "for" then return for_expr(node, ctx) end
  fail("Invalid expression")
end

--- Evaluate an expression node.
-- @param node expression from emu.rfs.hcl
-- @param ctx {vars, get_local, resource(mode, type, name), count_index,
--   each_key, each_value, scope, missing_attr(obj, name)}
-- @return the value without marks (M.eval_marked keeps them)
function M.eval(node, ctx)
  return (V.unmark_deep(M.eval_marked(node, ctx)))
end

--- Evaluate an expression node to a value that keeps its sensitive marks
-- (emu.rfs.values.mark), for the evaluations whose result other
-- expressions see (locals, resource arguments, module inputs and outputs).
function M.eval_marked(node, ctx)
  ctx = ctx or {}
  if ctx.work == nil then ctx.work = { n = 0 } end
  return eval(node, ctx)
end

-- ------------------------------------------------------------ type conversion

local convert

local function type_desc(te)
  return hcl.render(te)
end

convert = function(v, te, what)
  if te == nil or v == UNKNOWN then return v end
  if v == NULL or v == nil then return NULL end
  local k = te.k
  if k == "var" then
    local t = te.name
    if t == "any" then return v end
    if t == "string" then
      if type(v) == "string" then return v end
      if V.is_number(v) then return V.number_text(v) end
      if type(v) == "boolean" then return tostring(v) end
    elseif t == "number" then
      if V.is_number(v) then return v end
      if type(v) == "string" and V.parse_number(v) then return V.parse_number(v) end
    elseif t == "bool" then
      if type(v) == "boolean" then return v end
      if v == "true" then return true end
      if v == "false" then return false end
    else
      fail("Invalid type specification; the keyword \"" .. t .. "\" is not a valid type specification")
    end
    fail("Invalid value for " .. what .. ": " .. t .. " required, got " .. V.type_name(v))
  end
  if k == "call" then
    local t, arg = te.name, te.args[1]
    if t == "list" or t == "set" then
      if not V.is_list(v) then fail("Invalid value for " .. what .. ": " .. type_desc(te) .. " required, got " .. V.type_name(v)) end
      local r = V.list()
      for i, x in ipairs(v) do r[i] = convert(x, arg, what) end
      if t == "set" then r = F.toset({ r }) end
      return r
    elseif t == "map" then
      if not V.is_map(v) then fail("Invalid value for " .. what .. ": " .. type_desc(te) .. " required, got " .. V.type_name(v)) end
      local r = V.map()
      for key, x in pairs(v) do r[key] = convert(x, arg, what) end
      return r
    elseif t == "object" then
      if not V.is_map(v) then fail("Invalid value for " .. what .. ": object required, got " .. V.type_name(v)) end
      if not arg or arg.k ~= "obj" then fail("Invalid type specification; object() needs an attribute map") end
      local r = V.map()
      for _, it in ipairs(arg.items) do
        local key = it.key.k == "var" and it.key.name or tostring(it.key.v)
        local at = it.value
        local optional = at.k == "call" and at.name == "optional"
        local x = v[key]
        if x == nil then
          if optional then
            x = at.args[2] and eval(at.args[2], {}) or NULL
          else
            fail("Invalid value for " .. what .. ": attribute \"" .. key .. "\" is required")
          end
        end
        r[key] = convert(x, optional and at.args[1] or at, what)
      end
      return r
    elseif t == "tuple" then
      if not V.is_list(v) then fail("Invalid value for " .. what .. ": tuple required, got " .. V.type_name(v)) end
      local r = V.list()
      local types = arg and arg.items or {}
      if #types ~= #v then fail("Invalid value for " .. what .. ": tuple of " .. #types .. " elements required") end
      for i, x in ipairs(v) do r[i] = convert(x, types[i], what) end
      return r
    elseif t == "optional" then
      return convert(v, arg, what)
    end
  end
  fail("Invalid type specification; " .. type_desc(te) .. " is not a valid type")
end

--- Convert v to the type written as expression te (nil = any).
function M.convert(v, te, what) return convert(v, te, what or "value") end

local function is_primitive_type(te)
  return te and te.k == "var" and (te.name == "string" or te.name == "number" or te.name == "bool")
end

-- ------------------------------------------------------------ variables

--- Parse tfvars text: constant attributes only.
-- @return map name -> value, ordered names
-- @raise {hcl_error} / {eval_error}
function M.parse_tfvars(text, name)
  local body = hcl.parse(text, name or "terraform.tfvars")
  if #body.blocks > 0 then
    fail((name or "terraform.tfvars") .. ": Unexpected \"" .. body.blocks[1].type .. "\" block; blocks are not allowed in variables files")
  end
  local out = {}
  for _, n in ipairs(body.attr_order) do
    local ok, v = pcall(M.eval, body.attrs[n].expr, {})
    if not ok then
      fail((name or "terraform.tfvars") .. ": Variables not allowed; variables may not be used here (" .. n .. "): " .. M.error_message(v))
    end
    out[n] = v
  end
  return out, body.attr_order
end

--- Resolve input variables of a configuration.
-- @param cfg configuration from emu.rfs.template.load
-- @param inputs {vars_body = tfvars text, vars_structure = {{var_key, var_value}}, vars_uri_content = text}
-- @return map name -> value, map name -> true for sensitive ones
-- @raise {eval_error}
function M.variables(cfg, inputs)
  inputs = inputs or {}
  local given = {}
  if inputs.vars_uri_content and inputs.vars_uri_content ~= "" then
    local vals = M.parse_tfvars(inputs.vars_uri_content, "vars_uri")
    for k, v in pairs(vals) do given[k] = { v = v, raw = false } end
  end
  if inputs.vars_body and inputs.vars_body ~= "" then
    local vals = M.parse_tfvars(inputs.vars_body, "vars_body")
    for k, v in pairs(vals) do given[k] = { v = v, raw = false } end
  end
  for _, s in ipairs(inputs.vars_structure or {}) do
    given[s.var_key] = { v = s.var_value, raw = true }
  end
  local vars, sensitive = V.map(), {}
  for _, decl in ipairs(cfg.variables) do
    local what = "input variable \"" .. decl.name .. "\""
    local g = given[decl.name]
    local value
    if g then
      value = g.v
      if g.raw and type(value) == "string" and decl.type_expr and not is_primitive_type(decl.type_expr)
        and not (decl.type_expr.k == "var" and decl.type_expr.name == "any") then
        -- complex values given as strings are HCL expressions (like -var)
        local ok, e = pcall(hcl.parse_expr, value, "vars_structure")
        if not ok then fail("Invalid value for " .. what .. ": " .. M.error_message(e)) end
        value = M.eval(e, {})
      end
    elseif decl.default then
      value = M.eval(decl.default, {})
    else
      fail("No value for required variable; the root module input variable \"" .. decl.name ..
        "\" is not set, and has no default value. Use vars_body or vars_structure to provide a value for this variable.")
    end
    if (value == NULL or value == nil) and not decl.nullable and decl.default then
      -- nullable = false: an explicit null takes the default
      value = M.eval(decl.default, {})
    end
    value = convert(value, decl.type_expr, what)
    if value == NULL and not decl.nullable then
      fail("Required variable not set; the given value is not suitable for " .. what .. ": required variable may not be set to null")
    end
    vars[decl.name] = value
    if decl.sensitive then sensitive[decl.name] = true end
  end
  -- validation blocks may refer to other input variables (Terraform >= 1.9)
  local ctx = { vars = vars }
  for _, decl in ipairs(cfg.variables) do
    for _, val in ipairs(decl.validations) do
      local ok, r = pcall(M.eval, val.condition, ctx)
      if not ok then fail("Invalid value for variable; validation of \"" .. decl.name .. "\" failed: " .. M.error_message(r)) end
      if r ~= true then
        local okm, msg = pcall(M.eval, val.error_message, ctx)
        fail("Invalid value for variable; " .. (okm and type(msg) == "string" and msg or "the value is not valid") ..
          " This was checked by the validation rule at " ..
          (cfg.locate and val.pos and cfg.locate(val.pos) or ("var." .. decl.name)) .. ".")
      end
    end
  end
  return vars, sensitive
end

--- Names given by the inputs, for the "declared twice" check (400).
-- @return name of a variable present in more than one source, or nil
function M.duplicate_input(inputs)
  local seen = {}
  local function mark(src, names)
    for _, n in ipairs(names) do
      if seen[n] and seen[n] ~= src then return n end
      seen[n] = src
    end
  end
  local dup
  if inputs.vars_body and inputs.vars_body ~= "" then
    local ok, _, order = pcall(M.parse_tfvars, inputs.vars_body, "vars_body")
    if ok then dup = dup or mark("body", order) end
  end
  if inputs.vars_uri_content and inputs.vars_uri_content ~= "" then
    local ok, _, order = pcall(M.parse_tfvars, inputs.vars_uri_content, "vars_uri")
    if ok then dup = dup or mark("uri", order) end
  end
  local names = {}
  for _, s in ipairs(inputs.vars_structure or {}) do names[#names + 1] = s.var_key end
  local inner = {}
  for _, n in ipairs(names) do
    if inner[n] then return n end
    inner[n] = true
  end
  dup = dup or mark("structure", names)
  return dup
end

-- ------------------------------------------------------------ sensitivity

--- The input variables as the configuration's expressions see them: those
-- declared sensitive marked
-- (https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output);
-- values given by a module call keep the marks they had in the caller.
-- @return a new map (vars is left as it is)
function M.mark_variables(cfg, vars)
  local out = V.map()
  for k, v in pairs(vars or {}) do
    local d = cfg.variable_by_name and cfg.variable_by_name[k]
    out[k] = remark(v, d and d.sensitive)
  end
  return out
end

--- The for_each value of a resource block, unmarked: a marked collection
-- fails as in Terraform (a set with a sensitive element is a sensitive set;
-- a map whose values only are sensitive is accepted, each.value keeping
-- their marks: Terraform 0.14.3 changelog, #27247).
-- @raise {eval_error}
function M.for_each_value(fe, addr)
  local v, m = unmark(fe)
  if not m and V.is_list(v) then
    for _, x in ipairs(v) do m = m or V.is_marked(x) end
  end
  if m then
    fail("Invalid for_each argument in " .. addr .. "; Sensitive values, or values derived from sensitive values," ..
      " cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.")
  end
  return v
end

local OUTPUT_SENSITIVE = "To reduce the risk of accidentally exporting" ..
  " sensitive data that was intended to be only internal, Terraform requires that any root module output" ..
  " containing sensitive data be explicitly marked as sensitive, to confirm your intent. If you do intend to" ..
  " export this data, annotate the output value as sensitive by adding the following argument: sensitive = true"

-- whether an output's value carries a sensitive mark anywhere (or holds a
-- resource object with a sensitive attribute)
local function exposes_marks(v, ctx)
  return V.has_mark(v) or object_has_mark(ctx, V.unmark_deep(v), 0)
end

--- Fail as Terraform does when a root output exposes a value marked
-- sensitive anywhere inside it without sensitive = true
-- (https://developer.hashicorp.com/terraform/language/values/outputs#sensitive-suppressing-values-in-cli-output).
-- Outputs whose evaluation fails are left to M.outputs.
function M.check_sensitive_outputs(cfg, ctx)
  for _, o in ipairs(cfg.outputs) do
    if not o.sensitive then
      local ok, v = pcall(M.eval_marked, o.value, ctx)
      if ok and exposes_marks(v, ctx) then
        fail("Output refers to sensitive values; output \"" .. o.name .. "\": " .. OUTPUT_SENSITIVE)
      end
    end
  end
end

--- Evaluate the outputs of a configuration in ctx.
-- @return list of {name, description, type, value, sensitive} as ListStackOutputs shows them
function M.outputs(cfg, ctx)
  local out = {}
  for _, o in ipairs(cfg.outputs) do
    local ok, v = pcall(M.eval, o.value, ctx)
    if not ok then fail("Error in output \"" .. o.name .. "\": " .. M.error_message(v)) end
    local item = { name = o.name, description = o.description, sensitive = o.sensitive }
    if o.sensitive then
      item.type, item.value = "<sensitive>", "<sensitive>"
    else
      item.type, item.value = V.type_name(v), V.to_json(v)
    end
    out[#out + 1] = item
  end
  return out
end

return M
