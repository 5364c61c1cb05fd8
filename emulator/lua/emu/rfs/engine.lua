-- The template engine of the RFS emulator: runs a configuration against a
-- stack's recorded resources. Resource and data blocks are evaluated lazily in
-- dependency order (references, depends_on, count, for_each; cycles are
-- errors), each instance gets an action against the recorded state (ADD,
-- UPDATE, NONE; recorded instances no longer in the template are DELETEd),
-- generated ids, and outputs. In "plan" mode values of resources still to be
-- created are unknown; in "apply" mode they get ids. Pure Lua.

local V = require("emu.rfs.values")
local E = require("emu.rfs.evaluate")
local hcl = require("emu.rfs.hcl")
local template = require("emu.rfs.template")
local schema = require("emu.rfs.schema")
local synth = require("emu.rfs.synth")
local config = require("emu.config")

local M = {}

local UNKNOWN = V.UNKNOWN

--- Attribute names that drive the emulator's failure injection.
M.FAIL_ATTRS = { emulator_fail = true, emulator_fail_rollback = true, emulator_fail_delete = true }

--- Address of an instance: type.name, type.name[0] or type.name["key"].
function M.address(mode, rtype, name, key, key_is_number)
  local base = (mode == "DATA" and "data." or "") .. rtype .. "." .. name
  if key == nil then return base end
  if key_is_number then return base .. "[" .. key .. "]" end
  return base .. '["' .. key .. '"]'
end

-- small deterministic hash for synthetic values
local hash_hex = synth.hex
M.hash_hex = hash_hex

--- A computed value for an attribute the template did not set (the provider
-- would compute it): ids look like UUIDs, addresses like IPs, the rest like
-- "<attr>-<hex>". Deterministic per resource id and attribute name.
function M.synthesize(attr, seed)
  local h = hash_hex(seed .. "/" .. attr, 32)
  if attr == "id" or attr:match("_id$") then
    return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-4" .. h:sub(14, 16) .. "-8" .. h:sub(18, 20) .. "-" .. h:sub(21, 32)
  end
  if attr:match("address") or attr:match("_ip$") or attr == "ip" then
    local a = tonumber(h:sub(1, 2), 16) % 254 + 1
    local b = tonumber(h:sub(3, 4), 16) % 254 + 1
    return "192.168." .. a .. "." .. b
  end
  if attr:match("^enable") or attr:match("^is_") then return false end
  if attr == "status" then return "ACTIVE" end
  return attr .. "-" .. h:sub(1, 8)
end

-- meta-arguments and blocks that are not the provider's
local SCHEMA_SKIP = { count = true, for_each = true, depends_on = true, provider = true, lifecycle = true,
  provisioner = true, connection = true }
for k in pairs(M.FAIL_ATTRS) do SCHEMA_SKIP[k] = true end

-- a message prefixed with the location of the block it is about (unless it has one)
local function located_in(cfg, r, msg)
  if not (cfg.locate and r.pos) or msg:match("^[^%s:]+:%d+,%d+: ") then return msg end
  return cfg.locate(r.pos) .. ": " .. msg
end

local function strip_meta(map)
  for k in pairs(template.resource_meta) do map[k] = nil end
  return map
end

local eval_body

-- A dynamic "label" block: one "label" block per element of for_each, its
-- content evaluated with the iterator (label.key, label.value) in scope
-- (https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks).
local function expand_dynamic(b, ctx, out)
  local d = template.dynamic_parts(b)
  local blocks = out[d.label]
  if not V.is_list(blocks) then blocks = V.list(); out[d.label] = blocks end
  local fe = E.eval(d.for_each, ctx)
  if V.has_unknown(fe) then out[d.label] = UNKNOWN; return end
  local items = {}
  if V.is_list(fe) then
    for i, x in ipairs(fe) do items[i] = { i - 1, x } end
  elseif V.is_map(fe) then
    for _, k in ipairs(V.keys(fe)) do items[#items + 1] = { k, fe[k] } end
  elseif fe == V.NULL then
    E.fail("Invalid dynamic for_each value; Cannot use a null value in for_each.")
  else
    E.fail("Invalid dynamic for_each value; Cannot use a " .. V.type_name(fe) .. " value in for_each. An iterable collection is required.")
  end
  E.charge(ctx, #items * (1 + #d.content.attr_order + #d.content.blocks))
  local scope = setmetatable({}, { __index = ctx.scope })
  local sub = setmetatable({ scope = scope }, { __index = ctx })
  for _, kv in ipairs(items) do
    scope[d.iterator] = V.map({ key = kv[1], value = kv[2] })
    blocks[#blocks + 1] = eval_body(d.content, sub, false)
  end
end

-- evaluate a block body (attributes and nested blocks) into a map
eval_body = function(body, ctx, top)
  local out = V.map()
  for _, n in ipairs(body.attr_order) do
    if not (top and template.resource_meta[n]) then
      out[n] = E.eval_marked(body.attrs[n].expr, ctx)
    end
  end
  for _, b in ipairs(body.blocks) do
    if b.type == "dynamic" then
      expand_dynamic(b, ctx, out)
    elseif not (top and (b.type == "lifecycle" or b.type == "provisioner" or b.type == "connection")) then
      local l = out[b.type]
      if not V.is_list(l) then l = V.list(); out[b.type] = l end
      l[#l + 1] = eval_body(b.body, ctx, false)
    end
  end
  if top then strip_meta(out) end
  return out
end

-- An engine run is a table of the run's state, built by new_run and passed to
-- the steps below: cfg, ctx (the evaluation context), plan, the recorded
-- instances by address, the blocks evaluated so far (done, busy, values) and
-- the desired instances in dependency order (order).

-- moved blocks: recorded instances answer to their new addresses
-- @return recorded (address -> recorded instance), moves (instance -> new address)
local function recorded_by_address(cfg, state)
  local recorded, moves = {}, {}
  for _, r in ipairs(state or {}) do
    local addr = r.address
    for _, mv in ipairs(cfg.moved or {}) do
      if addr == mv.from or addr:sub(1, #mv.from + 1) == mv.from .. "[" then
        addr = mv.to .. addr:sub(#mv.from + 1)
        moves[r] = addr
      end
    end
    recorded[addr] = r
  end
  return recorded, moves
end

-- the region of the huaweicloud provider block when it evaluates to a string
local function provider_region(cfg, ctx, region)
  for _, p in ipairs(cfg.providers) do
    local ra = p.name == "huaweicloud" and p.body.attrs.region
    if ra then
      local ok, v = pcall(E.eval, ra.expr, ctx)
      if ok and type(v) == "string" and v ~= "" then region = v end
    end
  end
  return region
end

local function new_run(cfg, vars, state, opts)
  local recorded, moves = recorded_by_address(cfg, state)
  -- import blocks: the given id becomes the instance's id
  local imports = {}
  for _, im in ipairs(cfg.imports or {}) do imports[im.to] = im end
  -- removed blocks without destroy: the recorded instances are forgotten, not deleted
  local forget = {}
  for _, rm in ipairs(cfg.removed or {}) do if not rm.destroy then forget[rm.from] = true end end
  local run = {
    cfg = cfg, state = state, opts = opts, plan = opts.mode == "plan",
    new_id = opts.new_id or function() return hash_hex(tostring(math.random()), 32) end,
    recorded = recorded, moves = moves, imports = imports, forget = forget,
    done = {}, busy = {}, values = {}, order = {},
    -- limits (emu.config, issue 7 finding 5): checked before any instance is made
    max_count = config.value("rfs_max_count"), max_instances = config.value("rfs_max_instances"),
    total = 0, depth = 0,
    objects = setmetatable({}, { __mode = "k" }), -- resource object -> instance
    local_cache = {}, local_busy = {},
    by_id = {}, -- id -> object, for values that depend on another resource (IPs in a subnet)
    -- files and the module's folder of a .zip template (file functions, path.module)
    ctx = { vars = E.mark_variables(cfg, vars), work = { n = 0 }, files = opts.from and opts.from.files, module_dir = opts.from and opts.from.dir },
  }
  -- before the context can reach locals and resources, as it always was
  run.region = provider_region(cfg, run.ctx, opts.region or "cn-north-4")
  return run
end

-- count n more instances of the block at addr against the limits
local function reserve(run, addr, n, what)
  if n > run.max_count then
    E.fail("Invalid " .. what .. " argument in " .. addr .. "; the emulator allows at most " .. run.max_count ..
      " instances per resource block (setting rfs_max_count), got " .. V.number_text(n))
  end
  run.total = run.total + n
  if run.total > run.max_instances then
    E.fail("Too many resource instances; the emulator allows at most " .. run.max_instances ..
      " instances per stack (setting rfs_max_instances), " .. addr .. " brings the template to " .. V.number_text(run.total))
  end
end

-- reference chains (local -> local, resource -> resource) nest evaluations
local function deeper(run, what)
  run.depth = run.depth + 1
  if run.depth > hcl.MAX_REFERENCE_DEPTH then
    E.fail("Nesting too deep; references may chain at most " .. hcl.MAX_REFERENCE_DEPTH .. " levels (" .. what .. ")")
  end
end

-- an attribute the template did not set, asked of a resource object without a schema
local function missing_attr(run, obj, name)
  local inst = run.objects[obj]
  if not inst or inst.block.schema then return nil end
  if run.plan and inst.action ~= "NONE" and inst.action ~= "READ" then return UNKNOWN end
  local v = M.synthesize(name, inst.physical_id or inst.address)
  inst.computed[name] = v
  obj[name] = v
  return v
end

-- local.<name>, evaluated once (cycles and undeclared names are errors)
local function get_local(run, name)
  local e = run.cfg.locals[name]
  if not e then E.fail("Reference to undeclared local value; a local value with the name \"" .. name .. "\" has not been declared") end
  if run.local_cache[name] ~= nil then return run.local_cache[name] end
  if run.local_busy[name] then E.fail("Cycle: local." .. name) end
  deeper(run, "local." .. name)
  run.local_busy[name] = true
  local ok, v = pcall(E.eval_marked, e, run.ctx)
  run.local_busy[name] = nil
  run.depth = run.depth - 1
  if not ok then
    local msg = E.error_message(v)
    if not msg:match("^Error in ") then msg = "Error in local." .. name .. ": " .. msg end
    E.fail(msg)
  end
  run.local_cache[name] = v
  return v
end

-- lifecycle preconditions / postconditions: a false condition fails the
-- plan with its error_message; an unknown one is checked at apply
local function check_conditions(lc, kind, cctx, address)
  for _, c in ipairs(lc.conditions) do
    if c.kind == kind then
      local okc, v = pcall(E.eval, c.condition, cctx)
      if not okc then E.fail("Error in " .. address .. " " .. kind .. ": " .. E.error_message(v)) end
      if v ~= true and v ~= UNKNOWN and not V.has_unknown(v) then
        local okm, msg = pcall(E.eval, c.error_message, cctx)
        E.fail((kind == "precondition" and "Resource precondition failed" or "Resource postcondition failed") ..
          " in " .. address .. "; " .. (okm and type(msg) == "string" and msg or "the condition is false"))
      end
    end
  end
end

-- the instance's arguments: its body evaluated, then conformed to the schema
-- (and the body's values with their sensitive marks, emu.rfs.evaluate.mark_object)
local function instance_config(r, inst, ictx)
  local ok, marked = pcall(eval_body, r.body, ictx, true)
  if not ok then
    E.fail("Error in " .. inst.address .. ": " .. E.error_message(marked))
  end
  local cfgv = V.unmark_deep(marked)
  if r.schema then
    local okc, conv = pcall(schema.conform, r.schema, cfgv, inst.address)
    if not okc then E.fail("Error in " .. inst.address .. ": " .. E.error_message(conv)) end
    cfgv = conv
  end
  return cfgv, marked
end

-- the instance's action against the recorded state (READ, NONE, UPDATE, ADD),
-- its physical id and its final config (lifecycle.ignore_changes applied)
local function decide_action(run, r, inst, lc, cfgv)
  local prev = run.recorded[inst.address]
  inst.config = cfgv
  if r.mode == "DATA" then
    inst.action = "READ"
    inst.physical_id = type(cfgv.id) == "string" and cfgv.id or synth.uuid(inst.address)
  elseif prev and not prev.failed then
    inst.prev = prev
    inst.physical_id = prev.physical_id
    -- lifecycle.ignore_changes: the recorded values stay
    if lc.ignore_all then
      cfgv = V.copy(prev.config)
    else
      for _, n in ipairs(lc.ignore_changes) do cfgv[n] = V.copy(prev.config[n]) end
    end
    inst.config = cfgv
    inst.action = V.equal(prev.config, cfgv) and "NONE" or "UPDATE"
    for k, v in pairs(prev.attributes or {}) do
      if prev.config[k] == nil and k ~= "id" then inst.computed[k] = v end
    end
  elseif run.imports[inst.address] then
    local okid, id = pcall(E.eval, run.imports[inst.address].id, run.ctx)
    if not okid or type(id) ~= "string" then E.fail("Invalid import id for " .. inst.address .. "; a string is required") end
    inst.action = "ADD"
    inst.imported = true
    inst.physical_id = id
  else
    inst.prev = prev
    inst.action = "ADD"
    if not run.plan then inst.physical_id = run.new_id() end
  end
end

-- the object other expressions see: config, computed and synthesized values
local function instance_object(run, r, inst)
  local sch, cfgv = r.schema, inst.config
  local obj = V.map()
  for k, v in pairs(inst.computed) do obj[k] = v end
  for k, v in pairs(cfgv) do obj[k] = sch and V.copy(v) or v end
  obj.id = inst.physical_id or UNKNOWN
  if sch then
    synth.fill(sch, obj, { seed = inst.physical_id or inst.address, region = run.region, data = r.mode == "DATA",
      unknown = run.plan and inst.action == "ADD", by_id = function(id) return run.by_id[id] end, config = cfgv })
    for k, v in pairs(obj) do
      if cfgv[k] == nil and k ~= "id" and v ~= V.NULL and v ~= UNKNOWN then inst.computed[k] = v end
    end
  end
  if inst.physical_id then run.by_id[inst.physical_id] = obj end
  if run.plan and inst.action == "UPDATE" then
    for k in pairs(inst.computed) do obj[k] = UNKNOWN end
  end
  return obj
end

-- one instance of block r (key: count.index or each.key)
local function make_instance(run, r, key, key_is_number, each_value)
  local inst = {
    mode = r.mode, type = r.type, name = r.name, block = r,
    index_key = key ~= nil and tostring(key) or nil,
    address = M.address(r.mode, r.type, r.name, key, key_is_number),
    provider = r.provider, provider_type = r.provider_type, computed = V.map(),
  }
  local ictx = setmetatable({}, { __index = run.ctx })
  if key_is_number then ictx.count_index = key
  elseif key ~= nil then ictx.each_key = key; ictx.each_value = each_value end
  local lc = r.lifecycle or { ignore_changes = {}, conditions = {} }
  inst.prevent_destroy = lc.prevent_destroy
  check_conditions(lc, "precondition", ictx, inst.address)
  local cfgv, marked = instance_config(r, inst, ictx)
  decide_action(run, r, inst, lc, cfgv)
  local obj = instance_object(run, r, inst)
  E.mark_object(run.ctx, obj, r.mode, r.type, marked)
  inst.object = obj
  run.objects[obj] = inst
  local sctx = setmetatable({ scope = setmetatable({ self = obj }, { __index = ictx.scope }) }, { __index = ictx })
  check_conditions(lc, "postcondition", sctx, inst.address)
  return inst
end

-- count = n: instances 0..n-1, the block's value a list of their objects
local function count_instances(run, r, key_ctx)
  local ok, n = pcall(E.eval, r.count, key_ctx)
  if not ok then E.fail("Error in " .. r.addr .. " count: " .. E.error_message(n)) end
  if n == UNKNOWN then E.fail("Invalid count argument in " .. r.addr .. "; the \"count\" value depends on resource attributes that cannot be determined until apply") end
  n = tonumber(n)
  if not n or n < 0 or n ~= math.floor(n) then E.fail("Invalid count argument in " .. r.addr .. "; the given \"count\" argument value is unsuitable: must be a whole number >= 0") end
  reserve(run, r.addr, n, "count")
  local insts, value = {}, V.list()
  for i = 0, n - 1 do
    local inst = make_instance(run, r, i, true)
    insts[#insts + 1] = inst
    value[#value + 1] = inst.object
  end
  return insts, value
end

-- the {key, value} pairs of a for_each value: a map, or a set of strings
local function for_each_items(r, fe)
  local items = {}
  if V.is_map(fe) then
    for _, k in ipairs(V.keys(fe)) do items[#items + 1] = { k, fe[k] } end
  elseif V.is_list(fe) then
    if not V.is_set(fe) and #fe > 0 then
      E.fail("Invalid for_each argument in " .. r.addr .. "; the given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type " .. V.type_name(fe) .. ".")
    end
    for _, x in ipairs(fe) do
      if type(x) ~= "string" then E.fail("Invalid for_each argument in " .. r.addr .. "; a set of strings is required") end
      items[#items + 1] = { x, x }
    end
  else
    E.fail("Invalid for_each argument in " .. r.addr .. "; the given \"for_each\" argument value is unsuitable: a map, or set of strings is required")
  end
  return items
end

-- for_each: one instance per key, the block's value a map of their objects
local function for_each_instances(run, r, key_ctx)
  local ok, fe = pcall(E.eval_marked, r.for_each, key_ctx)
  if not ok then E.fail("Error in " .. r.addr .. " for_each: " .. E.error_message(fe)) end
  fe = E.for_each_value(fe, r.addr)
  if V.has_unknown(fe) then E.fail("Invalid for_each argument in " .. r.addr .. "; the \"for_each\" value depends on resource attributes that cannot be determined until apply") end
  local items = for_each_items(r, fe)
  reserve(run, r.addr, #items, "for_each")
  local insts, value = {}, V.map()
  for _, kv in ipairs(items) do
    local inst = make_instance(run, r, kv[1], false, kv[2])
    insts[#insts + 1] = inst
    value[kv[1]] = inst.object
  end
  return insts, value
end

local ensure

-- the instances of block r and its value, after the blocks it refers to
local function evaluate_block(run, r)
  -- dependencies first (so the order list is topological)
  local refs = template.body_refs(r.body, {})
  for _, d in ipairs(r.depends_on) do refs[#refs + 1] = d end
  for _, ref in ipairs(refs) do
    if run.cfg.resource_by_addr[ref] then ensure(run, ref) end
  end
  local key_ctx = setmetatable({}, { __index = run.ctx })
  if r.count then return count_instances(run, r, key_ctx) end
  if r.for_each then return for_each_instances(run, r, key_ctx) end
  reserve(run, r.addr, 1, "resource")
  local inst = make_instance(run, r)
  return { inst }, inst.object
end

-- evaluate the block at addr once; its instances join the order
ensure = function(run, addr)
  if run.done[addr] then return end
  if run.busy[addr] then E.fail("Cycle: " .. addr .. " depends on itself through its references") end
  deeper(run, addr)
  run.busy[addr] = true
  local r = run.cfg.resource_by_addr[addr]
  local okb, insts, value = pcall(evaluate_block, run, r)
  if not okb then E.fail(located_in(run.cfg, r, E.error_message(insts))) end
  run.busy[addr] = nil
  run.depth = run.depth - 1
  run.done[addr] = true
  run.values[addr] = value
  for _, i in ipairs(insts) do run.order[#run.order + 1] = i end
end

-- the context's lookups of locals, resources, modules and computed attributes
local function bind_context(run)
  local cfg, ctx = run.cfg, run.ctx
  ctx.missing_attr = function(obj, name) return missing_attr(run, obj, name) end
  ctx.get_local = function(name) return get_local(run, name) end
  -- module calls (emu.rfs.modules): module.<label> values; their instances join the order
  if cfg.module_calls and #cfg.module_calls > 0 then
    run.modules = require("emu.rfs.modules").bind(cfg, ctx, run.state, run.opts, M.run, function(list)
      for _, i in ipairs(list) do run.order[#run.order + 1] = i end
    end)
  end
  ctx.resource = function(mode, rtype, name)
    if run.modules and mode == "RESOURCE" and rtype == "module" then return run.modules.value(name) end
    local addr = (mode == "DATA" and "data." or "") .. rtype .. "." .. name
    if not cfg.resource_by_addr[addr] then return nil end
    ensure(run, addr)
    return run.values[addr]
  end
end

-- the provider's schema: unknown types, arguments and blocks fail first
local function check_schemas(cfg)
  -- the provider block's own arguments (alias and version are meta-arguments)
  for _, p in ipairs(cfg.providers) do
    local ps = schema.lookup("PROVIDER", p.name)
    if ps then
      local okp, e = pcall(schema.check_body, ps, p.body, 'provider["' .. p.name .. '"]', { alias = true, version = true }, cfg.locate)
      if not okp then E.fail(E.error_message(e)) end
    end
  end
  for _, r in ipairs(cfg.resources) do
    r.schema = nil
    if r.provider_type == "huaweicloud" then
      local okt, e = pcall(schema.check_type, r.mode, r.type, r.addr)
      if not okt then E.fail(located_in(cfg, r, E.error_message(e))) end
      r.schema = schema.lookup(r.mode, r.type)
      if r.schema then
        local okb, e2 = pcall(schema.check_body, r.schema, r.body, r.addr, SCHEMA_SKIP, cfg.locate)
        if not okb then E.fail(located_in(cfg, r, E.error_message(e2))) end
      end
    end
  end
end

-- every block, module call and local, so errors surface even when unused
local function evaluate_all(run)
  local cfg = run.cfg
  for _, r in ipairs(cfg.resources) do ensure(run, r.addr) end
  if run.modules then run.modules.all() end
  -- root outputs exposing sensitive values (the resources' marks are known
  -- now); a module's outputs pass their marks on (Terraform PR #28472)
  if not run.opts.module_path then E.check_sensitive_outputs(cfg, run.ctx) end
  for _, ln in ipairs(cfg.local_order) do run.ctx.get_local(ln) end
end

-- the managed instances of the order, and the data sources read
local function split_order(order)
  local instances, data = {}, {}
  for _, inst in ipairs(order) do
    if inst.mode == "RESOURCE" then instances[#instances + 1] = inst end
  end
  for _, inst in ipairs(order) do
    if inst.mode == "DATA" then data[#data + 1] = inst end
  end
  return instances, data
end

-- recorded instances no longer desired (nor forgotten by a removed block), last first
local function deletions(run, instances)
  local desired = {}
  for _, inst in ipairs(instances) do desired[inst.address] = true end
  local state, deletes = run.state, {}
  for i = #(state or {}), 1, -1 do
    local r = state[i]
    local addr = run.moves[r] or r.address
    local base = addr:gsub("%[.*$", "")
    if not desired[addr] and not r.failed and not run.forget[addr] and not run.forget[base] then deletes[#deletes + 1] = r end
  end
  return deletes
end

-- check blocks: a failed assertion is a warning, not an error
local function check_warnings(cfg, ctx)
  local warnings = {}
  for _, c in ipairs(cfg.checks or {}) do
    for _, a in ipairs(c.asserts) do
      local okc, v = pcall(E.eval, a.condition, ctx)
      if okc and v ~= true and v ~= UNKNOWN then
        local okm, msg = pcall(E.eval, a.error_message, ctx)
        warnings[#warnings + 1] = "Warning: Check block assertion failed (check." .. c.name .. "): " ..
          (okm and type(msg) == "string" and msg or "the condition is false")
      elseif not okc then
        warnings[#warnings + 1] = "Warning: Check block assertion failed (check." .. c.name .. "): " .. E.error_message(v)
      end
    end
  end
  return warnings
end

-- final attributes of each instance: computed values, then the config, then the id
local function final_attributes(instances)
  for _, inst in ipairs(instances) do
    local attrs = V.map()
    for k, v in pairs(inst.computed) do attrs[k] = v end
    for k, v in pairs(inst.config) do attrs[k] = v end
    attrs.id = inst.physical_id or UNKNOWN
    inst.attributes = attrs
    inst.physical_name = type(inst.config.name) == "string" and inst.config.name or nil
  end
end

--- Run a configuration.
-- @param cfg configuration (emu.rfs.template.load)
-- @param vars input variable values (emu.rfs.evaluate.variables)
-- @param state list of recorded instances {address, mode, type, name,
--   index_key, config, attributes, physical_id, failed}
-- @param opts {mode = "plan"|"apply", new_id = function() -> string}
-- @return result {instances = ordered desired instances, deletes = recorded
--   instances to delete, outputs = list (apply mode)}
-- @raise {eval_error}
function M.run(cfg, vars, state, opts)
  opts = opts or {}
  local run = new_run(cfg, vars, state, opts)
  local ctx = run.ctx
  bind_context(run)
  check_schemas(cfg)
  evaluate_all(run)
  local instances, data = split_order(run.order)
  local result = { instances = instances, deletes = deletions(run, instances), data = data,
                   eval = function(expr) return E.eval_marked(expr, ctx) end, moves = run.moves }
  -- outputs are evaluated with the final values
  local ok, outs = pcall(E.outputs, cfg, ctx)
  if ok then result.outputs = outs
  elseif not run.plan then error(outs, 0) end
  result.warnings = check_warnings(cfg, ctx)
  final_attributes(instances)
  return result
end

--- Plan items (ExecutionPlanItem objects of GetExecutionPlan, RFS API
-- reference, https://support.huaweicloud.com/api-aos/) for a run result.
function M.plan_items(result)
  local items = {}
  local function attr_list(prev, target)
    local names, seen = {}, {}
    for _, m in ipairs({ prev or {}, target or {} }) do
      for k in pairs(m) do if not seen[k] then seen[k] = true; names[#names + 1] = k end end
    end
    table.sort(names)
    local out = {}
    for _, n in ipairs(names) do
      local a, b = prev and prev[n], target and target[n]
      if not (prev and target and V.equal(a, b)) then
        local it = { name = n }
        if prev and a ~= nil then it.previous_value = V.to_text(a) end
        if target and b ~= nil then it.target_value = V.to_text(b) end
        out[#out + 1] = it
      end
    end
    return out
  end
  for _, inst in ipairs(result.instances) do
    if inst.action == "ADD" or inst.action == "UPDATE" then
      local target = V.map()
      for k, v in pairs(inst.config) do target[k] = v end
      if inst.action == "ADD" then
        target.id = UNKNOWN
        -- attributes the provider computes are known after apply
        for k, v in pairs(inst.object or {}) do
          if v == UNKNOWN and target[k] == nil then target[k] = UNKNOWN end
        end
      end
      items[#items + 1] = {
        resource_type = inst.type, resource_name = inst.name, index = inst.index_key,
        action = inst.action, action_reason = inst.action == "ADD" and "the resource is declared in the template but not yet created"
          or "the resource's template arguments changed",
        provider_name = inst.provider_type, mode = "RESOURCE", drifted = false, imported = inst.imported == true,
        resource_id = inst.physical_id,
        attributes = attr_list(inst.action == "UPDATE" and inst.prev.config or nil, target),
      }
    end
  end
  for _, r in ipairs(result.deletes) do
    items[#items + 1] = {
      resource_type = r.type, resource_name = r.name, index = r.index_key, action = "DELETE",
      action_reason = "the resource is no longer declared in the template",
      provider_name = r.provider_type, mode = "RESOURCE", drifted = false, imported = false,
      resource_id = r.physical_id, attributes = attr_list(r.config, nil),
    }
  end
  return items
end

--- Summary counts {resource_add, resource_update, resource_delete, resource_import}.
function M.summary(result)
  local s = { resource_add = 0, resource_update = 0, resource_delete = #result.deletes, resource_import = 0 }
  for _, inst in ipairs(result.instances) do
    if inst.imported then s.resource_import = s.resource_import + 1
    elseif inst.action == "ADD" then s.resource_add = s.resource_add + 1
    elseif inst.action == "UPDATE" then s.resource_update = s.resource_update + 1 end
  end
  return s
end

return M
