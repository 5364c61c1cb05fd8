-- Plausible computed values for the RFS emulator: what the provider would
-- report for attributes a template does not set, typed by the schema
-- (emu.rfs.schema): ids are UUIDs, private addresses lie inside the CIDR of
-- the subnet the resource refers to, availability zones are "<region>a",
-- data sources answer non-empty lists, JSON attributes hold JSON. Values
-- are deterministic per seed (the resource id) and attribute path, so a
-- redeployment sees the same ones. Pure Lua.

local V = require("emu.rfs.values")
local F = require("emu.rfs.functions")

local M = {}

local NULL, UNKNOWN = V.NULL, V.UNKNOWN

-- a small float-safe hash: the state after mixing text s into state h
local INIT = 2166136261
local function mix(h, s)
  for i = 1, #s do
    h = (h * 31 + s:byte(i)) % 4294967296
    h = (h + math.floor(h / 65536) * 7) % 4294967296
  end
  return h
end

-- n hex digits from a hash state, eight per step of a linear congruential generator
local function digits(h, n)
  local out = {}
  local x = h
  for i = 1, math.ceil(n / 8) do
    x = (x * 69069 + 12345 + i) % 4294967296
    out[i] = string.format("%08x", x)
  end
  return table.concat(out):sub(1, n)
end

local function uuid_of(h)
  local d = digits(h, 32)
  return d:sub(1, 8) .. "-" .. d:sub(9, 12) .. "-4" .. d:sub(14, 16) .. "-8" .. d:sub(18, 20) .. "-" .. d:sub(21, 32)
end

--- Deterministic hex digits of a text.
function M.hex(s, n) return digits(mix(INIT, s), n) end

--- A UUID-shaped id derived from a seed.
function M.uuid(seed) return uuid_of(mix(INIT, seed)) end

local function small(h, n) return tonumber(digits(h, 4), 16) % n end

-- the hint of an attribute without one, from its name
local function infer(name, ty)
  if name == "id" or name:match("_id$") or name == "ids" or name:match("_ids$") then return "uuid" end
  if name:match("availability_zone") or name == "az" or name:match("_az$") then return "az" end
  if name == "region" then return "region" end
  if name:match("public_ip") or name:match("eip_address") or name:match("^eip") then return "public_ip" end
  if name:match("ip_v6") or name:match("ipv6") then return "ipv6" end
  if name:match("address") or name:match("_ip$") or name:match("^ip_") or name:match("_ip_") or name == "ip"
    or name:match("ip_v4") or name:match("ipv4") or name:match("_ips$") then return "ip" end
  if name:match("cidr") then return "cidr" end
  if name == "mac" or name:match("mac_addr") then return "mac" end
  if name == "status" or name == "state" then return "=ACTIVE" end
  if name:match("_at$") or name:match("_time$") or name:match("^time") then return "time" end
  if name:match("^enable") or name:match("^is_") then return nil end
  if name:match("port$") and ty == "number" then return "=8080" end
  if name:match("urn$") then return "urn" end
  if name:match("url$") or name:match("endpoint$") then return "url" end
  if name:match("name$") or name:match("names$") then return "name" end
  return nil
end

-- flavor names as the services spell them, following the data source's
-- filters: ECS "s6.large.2" (family.size.memory-per-vCPU), RDS
-- "rds.mysql.n1.large.2.ha", DCS "redis.ha.xu1.large.r2.4"
local SIZES = { [1] = "medium", [2] = "large", [4] = "xlarge" }
local FAMILIES = { normal = "s6", computingv2 = "c6", computingv3 = "c7", memoryv2 = "m6", highmem = "m7",
  saving = "sn3", diskintensive = "d6", gpu = "p2s" }

local function size_name(cpu, ratio)
  if cpu == 1 and ratio < 2 then return "small" end
  return SIZES[cpu] or (math.floor(cpu / 4) .. "xlarge")
end

local function flavor(kind, config, i)
  local choices = { 2, 4, 1 }
  local cpu = tonumber(config.cpu_core_count) or tonumber(config.vcpus) or choices[(i - 1) % 3 + 1]
  local mem = tonumber(config.memory_size) or tonumber(config.memory) or cpu * 2
  local ratio = math.max(1, math.floor(mem / cpu + 0.5))
  if kind == "flavor" then
    local family = type(config.generation) == "string" and config.generation
      or FAMILIES[config.performance_type] or "s6"
    return family .. "." .. size_name(cpu, ratio) .. "." .. ratio
  end
  if kind == "rds_flavor" then
    local engines = { mysql = "mysql", postgresql = "pg", sqlserver = "mssql", mariadb = "mariadb" }
    local db = engines[string.lower(tostring(config.db_type or "mysql"))] or "mysql"
    local suffix = ({ ha = ".ha", replica = ".rr" })[config.instance_mode] or ""
    return "rds." .. db .. ".n1." .. size_name(cpu, ratio) .. "." .. ratio .. suffix
  end
  local mode = type(config.cache_mode) == "string" and config.cache_mode or "ha"
  local cap = tonumber(config.capacity) or ({ 4, 8, 2 })[(i - 1) % 3 + 1]
  return "redis." .. mode .. ".xu1.large.r2." .. V.number_text(cap)
end

-- JSON documents some attributes hold
local function json_doc(hint, ctx)
  if hint == "addon_spec" then
    -- a CCE add-on template's spec: basic settings and the custom and flavor parameter sets
    return '{"basic":{"cluster_ip":"10.247.3.10","image_version":"1.30.4","platform":"linux-amd64",' ..
      '"swr_addr":"swr.' .. ctx.region .. '.myhuaweicloud.com","swr_user":"hwofficial"},' ..
      '"parameters":{"custom":{"stub_domains":{},"upstream_nameservers":[]},' ..
      '"flavor1":{"description":"Has the ability to resolve 2500 queries per second","name":2500,"replicas":2,' ..
      '"resources":[{"limitsCpu":"500m","limitsMem":"512Mi","name":"coredns","requestsCpu":"500m","requestsMem":"512Mi"}]},' ..
      '"flavor2":{"description":"Has the ability to resolve 5000 queries per second","name":5000,"replicas":2,' ..
      '"resources":[{"limitsCpu":"1000m","limitsMem":"1024Mi","name":"coredns","requestsCpu":"1000m","requestsMem":"1024Mi"}]}}}'
  end
  if hint == "kubeconfig" then
    -- a CCE cluster's kubeconfig (JSON, which yamldecode and jsondecode both read)
    local server = "https://" .. (ctx.cidr and F.cidrhost({ ctx.cidr, 100 }) or "192.168.0.100") .. ":5443"
    return '{"apiVersion":"v1","clusters":[{"cluster":{"certificate-authority-data":"' .. M.hex(ctx.seed .. "/ca", 64) ..
      '","server":"' .. server .. '"},"name":"internalCluster"}],"contexts":[{"context":{"cluster":"internalCluster",' ..
      '"user":"user"},"name":"internal"}],"current-context":"internal","kind":"Config","preferences":{},' ..
      '"users":[{"name":"user","user":{"client-certificate-data":"' .. M.hex(ctx.seed .. "/cert", 64) ..
      '","client-key-data":"' .. M.hex(ctx.seed .. "/key", 64) .. '"}}]}'
  end
  return "{}"
end

-- one string value for a hint
local function string_value(hint, name, seed, ctx, i)
  local key = mix(seed, "/" .. name .. "/" .. (i or 1))
  if hint and hint:sub(1, 1) == "=" then
    local choices = {}
    for c in hint:sub(2):gmatch("[^,]+") do choices[#choices + 1] = c end
    return choices[((i or 1) - 1) % #choices + 1]
  end
  if hint == "uuid" then return uuid_of(key) end
  if hint == "az" then return ctx.region .. string.char(96 + ((i or 1) - 1) % 4 + 1) end
  if hint == "region" then return ctx.region end
  if hint == "ip" then
    local cidr = ctx.cidr or "192.168.0.0/24"
    local ok, ip = pcall(F.cidrhost, { cidr, 10 + small(key, 200) })
    return ok and ip or "192.168.0." .. (10 + small(key, 200))
  end
  if hint == "public_ip" then return "121.36." .. small(mix(key, "a"), 254) + 1 .. "." .. small(mix(key, "b"), 254) + 1 end
  if hint == "ipv6" then return "2407:c080:1200:" .. digits(key, 4) .. "::" .. small(key, 250) + 2 end
  if hint == "cidr" then return ctx.cidr or ("192.168." .. small(key, 250) .. ".0/24") end
  if hint == "mac" then
    local h = digits(key, 6)
    return "fa:16:3e:" .. h:sub(1, 2) .. ":" .. h:sub(3, 4) .. ":" .. h:sub(5, 6)
  end
  if hint == "time" then return "2026-01-01T00:00:00Z" end
  if hint == "json" or hint == "addon_spec" or hint == "kubeconfig" then return json_doc(hint, ctx) end
  if hint == "flavor" or hint == "rds_flavor" or hint == "dcs_flavor" then return flavor(hint, ctx.config or {}, i or 1) end
  if hint == "urn" then return "urn:fss:" .. ctx.region .. ":" .. digits(key, 32) .. ":function:default:" .. name end
  if hint == "url" then return "https://" .. digits(key, 8) .. "." .. ctx.region .. ".myhuaweicloud.com" end
  if hint == "name" then return name:gsub("s$", "") .. "-" .. digits(key, 6) end
  return name .. "-" .. digits(key, 8)
end

local function scalar(ty, hint, name, seed, ctx, i)
  if ty.k == "string" then return string_value(hint, name, seed, ctx, i) end
  if ty.k == "number" then
    if hint and hint:sub(1, 1) == "=" then return tonumber(string_value(hint, name, seed, ctx, i)) end
    return 1
  end
  if ty.k == "bool" then return hint == "=true" end
  return NULL
end

-- inferred hints by attribute, cached on the schema's attribute record
-- (names and types never change once a schema is loaded)
local function hint_of(a, name)
  if a.hint then return a.hint end
  if a.inferred == nil then a.inferred = infer(name, a.type.k) or false end
  return a.inferred or nil
end

local function value(a, name, seed, ctx)
  local ty, hint = a.type, hint_of(a, name)
  if ty.k == "list" or ty.k == "set" then
    -- data sources answer several items (a region has four availability zones)
    local n = ctx.data and (hint == "az" and 4 or 3) or 1
    if hint and hint:sub(1, 1) == "=" then
      n = 0
      for _ in hint:gmatch("[^,]+") do n = n + 1 end
    end
    local r = V.list()
    for i = 1, n do r[i] = scalar(ty.e, hint, name, seed, ctx, i) end
    return r
  end
  if ty.k == "map" then return V.map() end
  return scalar(ty, hint, name, seed, ctx, ctx.item_index)
end

-- the CIDR of the network a block refers to (its own cidr, or the cidr of
-- an object whose id one of its string values holds)
local function find_cidr(config, ctx)
  if type(config.cidr) == "string" then return config.cidr end
  for _, k in ipairs(V.keys(config)) do
    local v = config[k]
    if type(v) == "string" and ctx.by_id then
      local o = ctx.by_id(v)
      if o and type(o.cidr) == "string" then return o.cidr end
    end
  end
  return nil
end

--- Fill an object with the schema's attributes: computed ones the template
-- did not set get plausible values (UNKNOWN when ctx.unknown), optional
-- ones stay null, absent nested blocks are empty lists, computed nested
-- blocks get one item (three for data sources). Works in place.
-- @param s schema (emu.rfs.schema.lookup) or nested block schema
-- @param obj map of the evaluated arguments
-- @param ctx {seed, region, data = bool, unknown = bool, by_id = function(id) -> object, cidr,
--   config = the block's arguments (data source filters shape the values)}
function M.fill(s, obj, ctx, path)
  path = path or ""
  -- the seed's hash state, mixed once per instance
  if not ctx.seed_h then ctx.seed_h = mix(INIT, ctx.seed) end
  local base = path == "" and ctx.seed_h or mix(ctx.seed_h, path)
  local cidr = find_cidr(obj, ctx)
  local sub = ctx
  if cidr and cidr ~= ctx.cidr then sub = setmetatable({ cidr = cidr }, { __index = ctx }) end
  for name, a in pairs(s.attrs) do
    if obj[name] == nil then
      if a.computed then
        obj[name] = ctx.unknown and UNKNOWN or value(a, name, base, sub)
      else
        obj[name] = NULL
      end
    end
  end
  for name, b in pairs(s.blocks) do
    local v = obj[name]
    if V.is_list(v) then
      for i, item in ipairs(v) do
        if V.is_map(item) then M.fill(b, item, sub, path .. "/" .. name .. "/" .. i) end
      end
    elseif v == nil then
      if b.computed or b.optional_computed then
        if ctx.unknown then
          obj[name] = UNKNOWN
        else
          local l = V.list()
          for i = 1, (ctx.data and 3 or 1) do
            local item = V.map()
            -- a data source's results match its filters (name, status, vpc_id, ...)
            if ctx.data and path == "" then
              for an in pairs(b.attrs) do
                local f = obj[an]
                if an ~= "id" and (type(f) == "string" or type(f) == "number" or type(f) == "boolean") then item[an] = f end
              end
            end
            M.fill(b, item, setmetatable({ item_index = i }, { __index = sub }), path .. "/" .. name .. "/" .. i)
            l[i] = item
          end
          obj[name] = l
        end
      else
        obj[name] = V.list()
      end
    end
  end
  return obj
end

return M
