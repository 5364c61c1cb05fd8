-- Module calls in templates of the RFS emulator (RFS API reference,
-- private modules, https://support.huaweicloud.com/api-aos/):
-- `module "<label>" { source = "rf://rfs.{region}.myhuaweicloud.com/private/{domain_id}/{name}?version=={version}", <inputs> }`
-- loads that private module version's package (its .tf files, or one
-- .tf.json), evaluates the module as its own configuration (inputs from the
-- call, evaluated in the caller; defaults otherwise) and gives the caller
-- `module.<label>.<output>`. The module's resources join the stack with
-- module addresses (`module.net.huaweicloud_vpc.this`; their name becomes
-- `module.net.this`). Nesting is bounded (depth 3, RFS API reference, private
-- module limits).
-- Resolution happens at each run, so a deleted module or version fails the
-- next deployment or plan. Local sources (`./modules/x`) resolve inside a
-- .zip template.

local V = require("emu.rfs.values")
local E = require("emu.rfs.evaluate")
local template = require("emu.rfs.template")

local M = {}

M.MAX_DEPTH = 3
M.MAX_CALLS = 25

local META = { source = true, version = true, depends_on = true, providers = true, count = true, for_each = true }

--- Parse an rf:// private module source.
-- @return {region, domain_id, name, version} or nil, message
function M.parse_source(source)
  local region, domain, name, query = source:match("^rf://rfs%.([%w%-]+)%.myhuaweicloud%.com/private/([%w%-]+)/([^/?]+)%?(.*)$")
  if not region then return nil, "the source must look like rf://rfs.{region}.myhuaweicloud.com/private/{domain_id}/{module_name}?version=={version}" end
  local version = query:match("^version==(.+)$")
  if not version then return nil, "the source must pin an exact version with ?version==X.Y.Z (other operators are not supported)" end
  return { region = region, domain_id = domain, name = name, version = version }
end

-- The text of a configuration made of package files: the .tf files joined,
-- or a single .tf.json. Files in sub-directories are not part of it.
-- @return text, nil, origin (emu.rfs.template.load: the member files, so
--   messages name the file and line the user wrote) | nil, message
function M.config_text(files, dir)
  local tf, json, tf_names, json_names = {}, {}, {}, {}
  local prefix = dir and (dir .. "/") or ""
  local names = {}
  for name in pairs(files) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local rest = name:sub(1, #prefix) == prefix and name:sub(#prefix + 1) or nil
    if rest and not rest:find("/", 1, true) then
      if rest:match("%.tf$") then tf[#tf + 1], tf_names[#tf_names + 1] = files[name], name
      elseif rest:match("%.tf%.json$") then json[#json + 1], json_names[#json_names + 1] = files[name], name end
    end
  end
  if #tf > 0 then
    local parts, line = {}, 1
    for i, text in ipairs(tf) do
      parts[i] = { name = tf_names[i], line = line }
      local _, nl = text:gsub("\n", "")
      line = line + nl + 1
    end
    return table.concat(tf, "\n"), nil, { name = tf_names[1], parts = parts }
  end
  if #json == 1 then return json[1], nil, { name = json_names[1] } end
  if #json > 1 then return nil, "the module has several .tf.json files; the emulator reads one" end
  return nil, "the module holds no .tf or .tf.json file"
end

--- A loader of module sources for a stack: function(source, from) ->
-- text, local files (for nested ./ sources) | raises an evaluation error.
-- @param domain_id, region the stack's account and region
-- @param files the files of a .zip template ({path -> text}) or nil
function M.loader(domain_id, region, files)
  local registry = require("emu.rfs.registry")
  return function(source, from)
    if source:match("^%.%.?/") then
      local base = from and from.dir or nil
      if not from or not from.files then
        E.fail("Module not installed; the local source \"" .. source .. "\" needs a .zip template that holds the module's files")
      end
      local dir = source:gsub("^%./", "")
      if base then dir = base .. "/" .. dir end
      -- normalise a/b/../c
      local parts = {}
      for seg in dir:gmatch("[^/]+") do
        if seg == ".." then
          if #parts == 0 then E.fail("Invalid module source \"" .. source .. "\": it leaves the template's directory") end
          parts[#parts] = nil
        elseif seg ~= "." then parts[#parts + 1] = seg end
      end
      dir = table.concat(parts, "/")
      local text, why, origin = M.config_text(from.files, dir)
      if not text then E.fail("Module not installed; the local module \"" .. source .. "\": " .. why) end
      return text, { files = from.files, dir = dir, origin = origin }
    end
    local s, why = M.parse_source(source)
    if not s then E.fail("Invalid module source \"" .. source .. "\": " .. why) end
    if s.domain_id ~= domain_id or s.region ~= region then
      E.fail("Module not found; the private module source \"" .. source .. "\" names another account or region")
    end
    local mod = registry.find("module", domain_id, region, s.name)
    if not mod then E.fail("Module not found; the private module " .. s.name .. " of \"" .. source .. "\" does not exist") end
    local v = mod.by_version[s.version]
    if not v then E.fail("Module version not found; the private module " .. s.name .. " has no version " .. s.version .. " (\"" .. source .. "\")") end
    local pkg = {}
    for _, f in ipairs(v.content.files) do pkg[f.name] = f.data end
    local text, why2, origin = M.config_text(pkg)
    if not text then E.fail("Invalid module package of \"" .. source .. "\": " .. why2) end
    return text, { files = pkg, origin = origin }
  end
end

-- The module's input variables: the call's arguments evaluated in the
-- caller's context, else the declared defaults.
local function module_inputs(c, mcfg, ctx, full)
  for _, an in ipairs(c.body.attr_order) do
    if not META[an] and not mcfg.variable_by_name[an] then
      E.fail("Unsupported argument; an argument named \"" .. an .. "\" is not expected in " .. full .. " (the module declares no such variable)")
    end
  end
  local vars = V.map()
  for _, decl in ipairs(mcfg.variables) do
    local a = c.body.attrs[decl.name]
    local ok, v
    if a then
      ok, v = pcall(E.eval_marked, a.expr, ctx)
      if not ok then E.fail("Error in " .. full .. " argument " .. decl.name .. ": " .. E.error_message(v)) end
    elseif decl.default then
      v = E.eval(decl.default, {})
    else
      E.fail("Missing required argument; the argument \"" .. decl.name .. "\" is required by " .. full)
    end
    vars[decl.name] = v
  end
  return vars
end

-- The module's recorded instances, addressed relative to the module at `path`.
local function module_state(state, path)
  local sub, plen = {}, #path + 1
  for _, r in ipairs(state or {}) do
    if r.address:sub(1, plen) == path .. "." then
      local copy = {}
      for k, x in pairs(r) do copy[k] = x end
      copy.address = r.address:sub(plen + 1)
      copy.name = (r.name or ""):gsub("^.*%.", "")
      sub[#sub + 1] = copy
    end
  end
  return sub
end

-- The module's outputs as an object (unknown in a plan when not yet known).
local function module_outputs(mcfg, result, mode, full)
  local obj = V.map()
  for _, o in ipairs(mcfg.outputs) do
    local okv, v = pcall(result.eval, o.value)
    -- a sensitive output is marked for the caller; others keep their marks
    if okv then obj[o.name] = V.remark(v, o.sensitive)
    elseif mode == "plan" then obj[o.name] = V.UNKNOWN
    else E.fail("Error in " .. full .. " output \"" .. o.name .. "\": " .. E.error_message(v)) end
  end
  return obj
end

--- Bind the module calls of a configuration to an engine run.
-- @param cfg the caller's configuration (cfg.module_calls)
-- @param ctx the caller's evaluation context
-- @param state the stack's recorded instances
-- @param opts the run options (load_module, module_path, module_depth, from)
-- @param run engine.run (for the nested configurations)
-- @param on_instances function(list) adding a module's instances to the run's order
-- @return {value = function(label) -> module object, all = function()}
function M.bind(cfg, ctx, state, opts, run, on_instances)
  local by_label, values, busy = {}, {}, {}
  for _, c in ipairs(cfg.module_calls) do by_label[c.name] = c end
  local prefix = opts.module_path or ""
  local depth = (opts.module_depth or 0) + 1
  if #cfg.module_calls > M.MAX_CALLS then E.fail("Too many module calls; at most " .. M.MAX_CALLS .. " are supported") end

  local function evaluate(c)
    if depth > M.MAX_DEPTH then E.fail("Module nesting too deep; modules may nest at most " .. M.MAX_DEPTH .. " levels (module." .. c.name .. ")") end
    if not opts.load_module then E.fail("Module not installed; module \"" .. c.name .. "\" cannot be loaded here") end
    -- path: relative to the caller (state and addresses); full: for messages
    local path, full = "module." .. c.name, prefix .. "module." .. c.name
    local text, from = opts.load_module(c.source, opts.from)
    local mcfg, perr = template.try_load(text, from and from.origin)
    if not mcfg then E.fail("Error in " .. full .. " (" .. c.source .. "): " .. perr) end
    local vars = module_inputs(c, mcfg, ctx, full)
    local sub = module_state(state, path)
    local sub_opts = {}
    for k, x in pairs(opts) do sub_opts[k] = x end
    sub_opts.module_path, sub_opts.module_depth, sub_opts.from = full .. ".", depth, from
    local ok, result = pcall(run, mcfg, vars, sub, sub_opts)
    if not ok then
      local msg = E.error_message(result)
      if not msg:find(full, 1, true) then msg = full .. ": " .. msg end
      E.fail(msg)
    end
    for _, inst in ipairs(result.instances) do
      inst.address = path .. "." .. inst.address
      inst.name = path .. "." .. inst.name
      inst.module_address = inst.module_address and (path .. "." .. inst.module_address) or path
    end
    on_instances(result.instances)
    return module_outputs(mcfg, result, opts.mode, full)
  end

  local B = {}
  function B.value(label)
    local c = by_label[label]
    if not c then return nil end
    if values[label] then return values[label] end
    if busy[label] then E.fail("Cycle: module." .. label .. " depends on itself") end
    busy[label] = true
    values[label] = evaluate(c)
    busy[label] = nil
    return values[label]
  end
  function B.all()
    for _, c in ipairs(cfg.module_calls) do B.value(c.name) end
  end
  return B
end

return M
