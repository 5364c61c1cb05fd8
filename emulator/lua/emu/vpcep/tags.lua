-- Tags of endpoint services and endpoints: add/remove on one resource,
-- list every key and value used in the project, and find resources by tag
-- filters (tags / tags_any / not_tags / not_tags_any / matches).

local check = require "emu.vpcep.check"
local codes = require "emu.vpcep.codes"
local config = require "emu.config"
local json = require "emu.json"
local store = require "emu.vpcep.store"

local tags = {}
local fail = codes.fail

local TYPES = { endpoint_service = true, endpoint = true }

local function resource_type(req)
  local t = req.params.resource_type
  if not TYPES[t] then fail("EndPoint.3070") end
  return t
end

local function resources(t, project_id)
  local out = {}
  local src = t == "endpoint_service" and store.services() or store.endpoints()
  for _, r in pairs(src) do
    if not r.public and r.project_id == project_id then out[#out + 1] = r end
  end
  table.sort(out, function(a, b) return a.seq < b.seq end)
  return out
end

local function find_resource(req, t)
  local id = req.params.resource_id
  local r = (t == "endpoint_service" and store.services() or store.endpoints())[id]
  if not r or r.public or r.project_id ~= req.project_id then
    fail(t == "endpoint" and "EndPoint.2006" or "EndPoint.0005")
  end
  return r
end

local function validate_item(tag, need_value)
  if type(tag) ~= "table" or type(tag.key) ~= "string" or tag.key == "" then fail("EndPoint.3066") end
  if #tag.key > 128 then fail("EndPoint.3072") end
  if not check.tag_key_ok(tag.key) then fail("EndPoint.3068") end
  if tag.value ~= nil then
    if type(tag.value) ~= "string" then fail("EndPoint.3068") end
    if #tag.value > 255 then fail("EndPoint.3073") end
    if tag.value:find("[%c<>=*\\,|]") then fail("EndPoint.3068") end
  elseif need_value then
    fail("EndPoint.3066", "value is required to create a tag.")
  end
end

--- POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action
function tags.action(req)
  local t = resource_type(req)
  local r = find_resource(req, t)
  local b = check.body(req)
  if b.action ~= "create" and b.action ~= "delete" then fail("EndPoint.0007") end
  local list = b.tags
  if list == nil then list = {} end
  if not check.is_list(list) then fail("EndPoint.0002", "tags must be an array.") end
  local seen = {}
  for _, tag in ipairs(list) do
    validate_item(tag, b.action == "create")
    if b.action == "create" then
      if seen[tag.key] then fail("EndPoint.3067") end
      seen[tag.key] = true
    end
  end
  local current = r.tags
  if b.action == "create" then
    local index, count = {}, #current
    for i, tag in ipairs(current) do index[tag.key] = i end
    for _, tag in ipairs(list) do if not index[tag.key] then count = count + 1 end end
    if count > config.value("max_tags") then fail("EndPoint.3069") end
    for _, tag in ipairs(list) do
      if index[tag.key] then
        current[index[tag.key]].value = tag.value
      else
        current[#current + 1] = { key = tag.key, value = tag.value }
        index[tag.key] = #current
      end
    end
  else
    local keep = json.array({})
    for _, tag in ipairs(current) do
      local drop = false
      for _, d in ipairs(list) do
        if d.key == tag.key and (d.value == nil or d.value == tag.value) then drop = true end
      end
      if not drop then keep[#keep + 1] = tag end
    end
    r.tags = keep
  end
  r.updated_at = req.now
  return 204
end

--- GET /v1/{project_id}/{resource_type}/tags
function tags.list(req)
  local t = resource_type(req)
  local values, keys = {}, {}
  for _, r in ipairs(resources(t, req.project_id)) do
    for _, tag in ipairs(r.tags) do
      if not values[tag.key] then values[tag.key] = {} keys[#keys + 1] = tag.key end
      values[tag.key][tag.value] = true
    end
  end
  table.sort(keys)
  local out = json.array({})
  for i, k in ipairs(keys) do
    local vs = json.array({})
    for v in pairs(values[k]) do vs[#vs + 1] = v end
    table.sort(vs)
    out[i] = { key = k, values = vs }
  end
  return 200, { tags = out }
end

local function validate_filter(list, name)
  if list == nil then return {} end
  if not check.is_list(list) then fail("EndPoint.0002", name .. " must be an array.") end
  if #list > 10 then fail("EndPoint.0002", name .. " has more than 10 keys.") end
  local keys = {}
  for _, f in ipairs(list) do
    if type(f) ~= "table" or type(f.key) ~= "string" or f.key:match("^%s*$") then fail("EndPoint.3066") end
    if #f.key > 128 then fail("EndPoint.3072") end
    if keys[f.key] then fail("EndPoint.3067") end
    keys[f.key] = true
    if not check.is_list(f.values) then fail("EndPoint.0002", name .. ".values must be an array.") end
    if #f.values > 10 then fail("EndPoint.0002", name .. " has more than 10 values for a key.") end
    local seen = {}
    for _, v in ipairs(f.values) do
      if type(v) ~= "string" then fail("EndPoint.3068") end
      if #v > 255 then fail("EndPoint.3073") end
      if seen[v] then fail("EndPoint.3071") end
      seen[v] = true
    end
  end
  return list
end

-- does a resource carry the key with one of the values (any value when none listed)?
local function has(r, f)
  for _, tag in ipairs(r.tags) do
    if tag.key == f.key then
      if #f.values == 0 then return true end
      for _, v in ipairs(f.values) do if v == tag.value then return true end end
    end
  end
  return false
end

local function all_of(r, filters)
  for _, f in ipairs(filters) do if not has(r, f) then return false end end
  return true
end

local function any_of(r, filters)
  for _, f in ipairs(filters) do if has(r, f) then return true end end
  return false
end

local function sys_ok(filters)
  for _, f in ipairs(filters) do
    if f.key ~= "_sys_enterprise_project_id" then return false end
    local ok = #f.values == 0
    for _, v in ipairs(f.values) do if v == "0" then ok = true end end
    if not ok then return false end
  end
  return true
end

local function number_param(v, code, min, max, default)
  if v == nil then return default end
  local n = tonumber(v)
  if not n or n ~= math.floor(n) or n < min or (max and n > max) then fail(code) end
  return n
end

local function resource_name(t, r)
  local name = t == "endpoint_service" and r.service_name or nil
  if name == nil or name == "" then return r.id end
  return name
end

--- POST /v1/{project_id}/{resource_type}/resource_instances/action
function tags.instances(req)
  local t = resource_type(req)
  local b = check.body(req)
  if b.action ~= "filter" and b.action ~= "count" then fail("EndPoint.0007") end
  local without = check.bool(b, "without_any_tag") or false
  local f_all, f_any, f_not, f_not_any, f_sys = {}, {}, {}, {}, {}
  if not without then
    f_all = validate_filter(b.tags, "tags")
    f_any = validate_filter(b.tags_any, "tags_any")
    f_not = validate_filter(b.not_tags, "not_tags")
    f_not_any = validate_filter(b.not_tags_any, "not_tags_any")
    f_sys = validate_filter(b.sys_tags, "sys_tags")
  end
  local limit = number_param(b.limit, "EndPoint.0006", 1, 1000, 1000)
  local offset = number_param(b.offset, "EndPoint.0010", 0, nil, 0)
  local matches = b.matches or {}
  if not check.is_list(matches) then fail("EndPoint.0002", "matches must be an array.") end
  for _, m in ipairs(matches) do
    if type(m) ~= "table" or m.key ~= "resource_name" or type(m.value) ~= "string" or #m.value > 255 then
      fail("EndPoint.0002", "matches only supports key resource_name with a string value.")
    end
  end
  local found = {}
  local sys_pass = sys_ok(f_sys)
  for _, r in ipairs(resources(t, req.project_id)) do
    local ok
    if without then
      ok = #r.tags == 0
    else
      ok = sys_pass and all_of(r, f_all) and (#f_any == 0 or any_of(r, f_any))
        and not (#f_not > 0 and all_of(r, f_not)) and not (#f_not_any > 0 and any_of(r, f_not_any))
    end
    for _, m in ipairs(matches) do
      local name = resource_name(t, r)
      if m.value == "" then
        ok = ok and name == ""
      else
        ok = ok and check.fuzzy(name, m.value)
      end
    end
    if ok then found[#found + 1] = r end
  end
  if b.action == "count" then return 200, { total_count = #found } end
  local out = json.array({})
  for i = offset + 1, math.min(#found, offset + limit) do
    local r = found[i]
    local tl = json.array({})
    for j, tag in ipairs(r.tags) do tl[j] = { key = tag.key, value = tag.value } end
    out[#out + 1] = { resource_id = r.id, resource_name = resource_name(t, r), tags = tl }
  end
  return 200, { resources = out, total_count = #found }
end

return tags
