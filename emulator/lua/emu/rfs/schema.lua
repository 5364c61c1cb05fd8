-- Provider schemas of the RFS emulator: which huaweicloud resource types and
-- data sources exist, and for each its arguments and attributes with their
-- Terraform types, required / optional / computed, and nested blocks. The
-- facts live as data in emu/rfs/schema/*.lua (one file per service group,
-- written from the provider's docs/resources and docs/data-sources pages);
-- this module reads that data, checks a resource block against it the way
-- Terraform does before planning (unknown resource type, unsupported
-- argument or block, missing required argument, wrong type) and converts
-- evaluated arguments to their schema types. Errors are raised as
-- {eval_error = message} with Terraform's summary first. Pure Lua.
--
-- Data format, per type:  name = { a = { attr = "FLAGS TYPE [HINT]" }, b = { block = BLOCK } }
--   FLAGS: r required, o optional, c computed, oc optional+computed; s: sensitive
--          (the provider marks the value, so outputs exposing it need sensitive = true)
--   TYPE:  string | number | bool | list(T) | set(T) | map(T)
--   HINT:  how a computed value looks (see emu.rfs.synth): uuid, ip, cidr, az, json, ...,
--          or "=a,b,c": fixed values (the n-th item of a list takes the n-th)
--   BLOCK: { "FLAGS list|set [min] [max]", a = {...}, b = {...} }; "c list" is a
--          computed list of objects (read-only, like a data source's results).
--   prepaid = true adds the billing arguments (charging_mode, period_unit, ...);
--   open = true on a block: its content is taken as written (not described here).

local V = require("emu.rfs.values")

local M = {}

local GROUPS = { "network", "compute", "cce", "database", "storage", "platform", "data_sources", "provider" }

local function fail(msg) error({ eval_error = msg }, 0) end

-- "list(set(string))" -> { k = "list", e = { k = "set", e = { k = "string" } } }
local function parse_type(s)
  local outer, inner = s:match("^(%a+)%((.*)%)$")
  if outer then return { k = outer, e = parse_type(inner) } end
  return { k = s }
end

local function type_text(t)
  if t.e then return t.k .. "(" .. type_text(t.e) .. ")" end
  return t.k
end
M.type_text = type_text

-- "oc list(string) az" -> { required, optional, computed, type, hint }
local function parse_attr(spec)
  local flags, ty, hint = spec:match("^(%a+)%s+(%S+)%s*(.*)$")
  assert(flags, "bad schema attribute spec " .. spec)
  return {
    required = flags:find("r") ~= nil, optional = flags:find("o") ~= nil,
    computed = flags:find("c") ~= nil, sensitive = flags:find("s") ~= nil,
    type = parse_type(ty), hint = hint ~= "" and hint or nil,
  }
end

-- the billing arguments of every resource that can be prepaid
-- (charging_mode prePaid/postPaid, period_unit month/year, period, auto_renew, auto_pay)
local PREPAID = { charging_mode = "oc string", period_unit = "o string", period = "o number",
  auto_renew = "o string", auto_pay = "o string" }

local function parse_block(def)
  local out = { attrs = {}, blocks = {}, open = def.open }
  local head = def[1]
  if head then
    local flags, nesting, min, max = head:match("^(%a+)%s+(%a+)%s*(%d*)%s*(%d*)$")
    assert(flags, "bad schema block spec " .. head)
    out.required = flags:find("r") ~= nil
    out.computed = flags == "c"
    out.optional_computed = flags == "oc"
    out.nesting = nesting
    out.min = tonumber(min) or (out.required and 1 or 0)
    out.max = tonumber(max)
  end
  for name, spec in pairs(def.a or {}) do out.attrs[name] = parse_attr(spec) end
  if def.prepaid then
    for name, spec in pairs(PREPAID) do out.attrs[name] = out.attrs[name] or parse_attr(spec) end
  end
  for name, b in pairs(def.b or {}) do out.blocks[name] = parse_block(b) end
  return out
end

local loaded
local function load()
  if loaded then return loaded end
  loaded = { RESOURCE = {}, DATA = {}, PROVIDER = {}, raw = { RESOURCE = {}, DATA = {}, PROVIDER = {} } }
  for _, g in ipairs(GROUPS) do
    local data = require("emu.rfs.schema." .. g)
    for name, def in pairs(data.resources or {}) do loaded.raw.RESOURCE[name] = def end
    for name, def in pairs(data.data_sources or {}) do loaded.raw.DATA[name] = def end
    for name, def in pairs(data.provider or {}) do loaded.raw.PROVIDER[name] = def end
  end
  return loaded
end

--- Schema of a resource type or data source, or nil when the emulator has none.
-- @param mode "RESOURCE", "DATA" or "PROVIDER" (the provider block)
function M.lookup(mode, rtype)
  local l = load()
  local s = l[mode][rtype]
  if s == nil and l.raw[mode][rtype] then
    s = parse_block(l.raw[mode][rtype])
    -- every resource and data source has an id
    if mode ~= "PROVIDER" then s.attrs.id = s.attrs.id or parse_attr("c string uuid") end
    l[mode][rtype] = s
  end
  return s
end

--- Whether the attribute a reference path names is sensitive in the schema.
-- @param mode "RESOURCE" or "DATA"
-- @param names attribute names after the resource name (indexes left out)
function M.sensitive_path(mode, rtype, names)
  local s = M.lookup(mode, rtype)
  for _, n in ipairs(names) do
    if not s then return false end
    local a = s.attrs[n]
    if a then return a.sensitive end
    s = s.blocks[n]
  end
  return false
end

--- Names of every type with a schema (sorted).
function M.names(mode)
  local out = {}
  for name in pairs(load().raw[mode]) do out[#out + 1] = name end
  table.sort(out)
  return out
end

-- Levenshtein distance, bounded (names are short)
local function distance(a, b)
  if math.abs(#a - #b) > 3 then return 99 end
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

--- The closest name within a small edit distance, or nil.
function M.suggest(name, candidates)
  local best, bd
  for _, c in ipairs(candidates) do
    local d = distance(name, c)
    if d <= 2 and (not bd or d < bd) then best, bd = c, d end
  end
  return best
end

local function names_of(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function did_you_mean(name, candidates)
  local s = M.suggest(name, candidates)
  return s and (" Did you mean \"" .. s .. "\"?") or ""
end

--- A resource type or data source of the huaweicloud provider the emulator
-- does not know but that is one typo away from one it knows: raise as
-- Terraform does; otherwise return quietly.
function M.check_type(mode, rtype, where)
  if M.lookup(mode, rtype) then return end
  local near = M.suggest(rtype, M.names(mode))
  if not near then return end
  if mode == "DATA" then
    fail(where .. ": Invalid data source; The provider huaweicloud/huaweicloud does not support data source \"" .. rtype .. "\". Did you mean \"" .. near .. "\"?")
  end
  fail(where .. ": Invalid resource type; The provider huaweicloud/huaweicloud does not support resource type \"" .. rtype .. "\". Did you mean \"" .. near .. "\"?")
end

--- Check a block body against a schema before evaluation: every argument and
-- nested block must exist and be configurable, required ones must be there.
-- @param s schema (M.lookup) or nested block schema
-- @param body parsed body {attrs, blocks}
-- @param where text naming the block in messages ("huaweicloud_vpc.main")
-- @param skip set of names not to check (meta-arguments)
function M.check_body(s, body, where, skip, locate)
  local function at(pos)
    local l = locate and locate(pos)
    return l and (l .. ": ") or ""
  end
  local candidates = names_of(s.attrs)
  for _, n in ipairs(names_of(s.blocks)) do candidates[#candidates + 1] = n end
  for _, n in ipairs(body.attr_order or {}) do
    if not (skip and skip[n]) then
      local a, b = s.attrs[n], s.blocks[n]
      if not a and not b then
        fail(at(body.attrs[n].pos) .. where .. ": Unsupported argument; An argument named \"" .. n .. "\" is not expected here." .. did_you_mean(n, candidates))
      end
      -- in native syntax a nested block is written as a block; .tf.json
      -- bodies (json = true) give every property as an attribute
      if b and not a and not body.json and not b.computed then
        fail(at(body.attrs[n].pos) .. where .. ": Unsupported argument; An argument named \"" .. n .. "\" is not expected here. Did you mean to define a block of type \"" .. n .. "\"?")
      end
      if a and a.computed and not a.optional and not a.required then
        fail(at(body.attrs[n].pos) .. where .. ": Value for unconfigurable attribute; Can't configure a value for \"" .. n .. "\": its value will be decided automatically based on the result of applying this configuration.")
      end
    end
  end
  local seen = {}
  for _, nb in ipairs(body.blocks or {}) do
    local bt = nb.type == "dynamic" and nb.labels[1] or nb.type
    if not (skip and skip[bt]) then
      local b = s.blocks[bt]
      if not b or b.computed then
        if s.attrs[bt] then
          fail(at(nb.pos) .. where .. ": Unsupported block type; Blocks of type \"" .. bt .. "\" are not expected here. Did you mean to define argument \"" .. bt .. "\"? If so, use the equals sign to assign it a value.")
        end
        fail(at(nb.pos) .. where .. ": Unsupported block type; Blocks of type \"" .. bt .. "\" are not expected here." .. did_you_mean(bt, candidates))
      end
      seen[bt] = true
      if not b.open then
        local content = nb.body
        if nb.type == "dynamic" then
          content = nil
          for _, cb in ipairs(nb.body.blocks) do if cb.type == "content" then content = cb.body end end
        end
        if content then M.check_body(b, content, where .. "." .. bt, nil, locate) end
      end
    end
  end
  for _, n in ipairs(names_of(s.attrs)) do
    local a = s.attrs[n]
    if a.required and not (body.attrs and body.attrs[n]) then
      fail(where .. ": Missing required argument; The argument \"" .. n .. "\" is required, but no definition was found.")
    end
  end
  for _, n in ipairs(names_of(s.blocks)) do
    local b = s.blocks[n]
    if b.required and not seen[n] and not (body.attrs and body.attrs[n]) then
      fail(where .. ": Insufficient " .. n .. " blocks; At least " .. b.min .. " \"" .. n .. "\" blocks are required.")
    end
  end
end

-- convert one value to a schema type, as Terraform converts arguments
local convert
convert = function(v, t, what)
  if v == nil or v == V.NULL or v == V.UNKNOWN then return v end
  local k = t.k
  local function bad()
    local want = t.e and (k .. " of " .. type_text(t.e)) or k
    fail("Incorrect attribute value type; Inappropriate value for attribute \"" .. what .. "\": " .. want .. " required.")
  end
  if k == "string" then
    if type(v) == "string" then return v end
    if type(v) == "number" then return V.number_text(v) end
    if type(v) == "boolean" then return tostring(v) end
    bad()
  elseif k == "number" then
    if type(v) == "number" then return v end
    if type(v) == "string" and tonumber(v) then return tonumber(v) end
    bad()
  elseif k == "bool" then
    if type(v) == "boolean" then return v end
    if v == "true" then return true end
    if v == "false" then return false end
    bad()
  elseif k == "list" or k == "set" then
    if not V.is_list(v) then bad() end
    local r = k == "set" and V.set() or V.list()
    for i, x in ipairs(v) do r[i] = convert(x, t.e, what) end
    return r
  elseif k == "map" then
    if not V.is_map(v) then bad() end
    local r = V.map()
    for key, x in pairs(v) do r[key] = convert(x, t.e, what) end
    return r
  end
  return v
end

--- Convert evaluated arguments to their schema types; a nested block given
-- as one object (.tf.json) becomes a list of one; checks block counts.
-- @return the converted map (a new table)
function M.conform(s, config, where)
  local out = V.map()
  for k, v in pairs(config) do
    local a, b = s.attrs[k], s.blocks[k]
    if a then
      out[k] = convert(v, a.type, k)
    elseif b then
      if V.is_map(v) then v = V.list({ v }) end
      if V.is_list(v) then
        local l = V.list()
        for i, x in ipairs(v) do
          if not V.is_map(x) then fail(where .. ": Incorrect attribute value type; Inappropriate value for attribute \"" .. k .. "\": list of object required.") end
          l[i] = b.open and x or M.conform(b, x, where .. "." .. k)
        end
        if b.max and #l > b.max then
          fail(where .. ": Too many " .. k .. " blocks; No more than " .. b.max .. " \"" .. k .. "\" blocks are allowed.")
        end
        v = l
      end
      out[k] = v
    else
      out[k] = v
    end
  end
  return out
end

return M
