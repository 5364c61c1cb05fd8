-- The whitelist of an endpoint service: which other accounts may connect.
-- Records hold `iam:domain::<domain_id>` (the id may use `*` wildcards),
-- `organizations:orgPath::<path>` or `*` (everyone). The owner's own
-- account is always allowed and needs no record.

local check = require "emu.vpcep.check"
local codes = require "emu.vpcep.codes"
local json = require "emu.json"
local services = require "emu.vpcep.services"
local store = require "emu.vpcep.store"
local util = require "emu.util"
local view = require "emu.vpcep.view"

local permissions = {}
local fail = codes.fail

local MAX_RECORDS = 50     -- whitelist records per service [INFERRED]
local MAX_BATCH = 50       -- items in one request [INFERRED]

--- The type of a permission string ("domainId" / "orgPath"), or nil when malformed.
function permissions.kind(p)
  if type(p) ~= "string" then return nil end
  if p == "*" then return "domainId" end
  local d = p:match("^iam:domain::(.+)$")
  if d then return (#d <= 64 and d:match("^[%w%*]+$")) and "domainId" or nil end
  local o = p:match("^organizations:orgPath::(.+)$")
  if o then return (#o <= 1024 and o:match("^[%w/%-%*%?]+$")) and "orgPath" or nil end
  return nil
end

local function glob_match(pattern, s)
  local lua_pat = "^" .. pattern:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
  return s:match(lua_pat) ~= nil
end

--- May an account (domain id) connect to a service?
function permissions.allows(s, domain_id)
  if s.public or s.domain_id == domain_id then return true end
  for _, rec in ipairs(store.permissions(s.id)) do
    local p = rec.permission
    if p == "*" then return true end
    local d = p:match("^iam:domain::(.+)$")
    if d and glob_match(d, domain_id) then return true end
  end
  return false
end

local function check_type(t)
  return check.enum(t, { "domainId", "orgPath" }, "permission_type")
end

local function validate(p, ptype)
  local kind = permissions.kind(p)
  if not kind or (ptype and kind ~= ptype) then fail("EndPoint.3002", tostring(p)) end
  return kind
end

local function find(list, permission)
  for i, rec in ipairs(list) do if rec.permission == permission then return i, rec end end
  return nil
end

-- EndPoint.3049 when adding the permissions not yet in `records` would pass MAX_RECORDS
local function check_room(records, permissions)
  local new = 0
  for _, p in ipairs(permissions) do if not find(records, p) then new = new + 1 end end
  if #records + new > MAX_RECORDS then fail("EndPoint.3049") end
end

local function add_record(list, permission, kind, description, now)
  local rec = { id = util.uuid(), permission = permission, permission_type = kind,
                description = description, created_at = now, updated_at = now, seq = store.next_seq() }
  list[#list + 1] = rec
  return rec
end

--- GET .../permissions
function permissions.list(req)
  local s = services.own(req)
  local p = check.listing(req, 500)
  local filter = check.query(req, "permission")
  local page, total = check.select(store.permissions(s.id), p, function(rec)
    return check.fuzzy(rec.permission, filter)
  end, function(rec) return view.permission(rec, false) end)
  return 200, { permissions = page, total_count = total }
end

--- POST .../permissions/action {permissions = [string], action = add|remove, permission_type?}
function permissions.action(req)
  local s = services.own(req)
  local b = check.body(req)
  local action = check.action(b, { "add", "remove" }, "EndPoint.3035")
  local list = check.batch(b, "permissions", MAX_BATCH, "EndPoint.3036")
  local ptype = check_type(check.opt(b, "permission_type", "string"))
  local kinds = {}
  for i, p in ipairs(list) do kinds[i] = validate(p, ptype) end
  local records = store.permissions(s.id)
  if action == "add" then
    check_room(records, list)
    for i, p in ipairs(list) do
      if not find(records, p) then add_record(records, p, kinds[i], "", req.now) end
    end
  else
    for _, p in ipairs(list) do
      local i = find(records, p)
      if i then table.remove(records, i) end
    end
  end
  local echo = json.array({})
  for i, p in ipairs(list) do echo[i] = p end
  return 200, { permissions = echo, permission_type = ptype or kinds[1] }
end

--- POST .../permissions/batch-create {permissions = [{permission, description}], permission_type?}
function permissions.batch_create(req)
  local s = services.own(req)
  local b = check.body(req)
  local list = check.batch(b, "permissions", MAX_BATCH, "EndPoint.3036")
  local ptype = check_type(check.opt(b, "permission_type", "string"))
  local kinds, names = {}, {}
  for i, item in ipairs(list) do
    if type(item) ~= "table" then fail("EndPoint.0002", "each permission must be an object.") end
    kinds[i] = validate(item.permission, ptype)
    if type(item.description) ~= "string" then fail("EndPoint.0002", "description is required.") end
    check.description(item.description)
    names[i] = item.permission
  end
  local records = store.permissions(s.id)
  check_room(records, names)
  local out = json.array({})
  for i, item in ipairs(list) do
    local _, rec = find(records, item.permission)
    if rec then
      rec.description, rec.updated_at = item.description, req.now
    else
      rec = add_record(records, item.permission, kinds[i], item.description, req.now)
    end
    out[#out + 1] = view.permission(rec, true)
  end
  return 200, { permissions = out }
end

--- POST .../permissions/batch-delete {permissions = [{id}]}
function permissions.batch_delete(req)
  local s = services.own(req)
  local b = check.body(req)
  local list = check.batch(b, "permissions", MAX_BATCH, "EndPoint.3036")
  local records = store.permissions(s.id)
  local index = {}
  for i, rec in ipairs(records) do index[rec.id] = i end
  for _, item in ipairs(list) do
    if type(item) ~= "table" or type(item.id) ~= "string" or #item.id < 1 or #item.id > 64 then
      fail("EndPoint.0002", "each item needs an id.")
    end
    if not index[item.id] then fail("EndPoint.0005", "No whitelist record " .. item.id .. ".") end
  end
  local drop = {}
  for _, item in ipairs(list) do drop[item.id] = true end
  local keep = {}
  for _, rec in ipairs(records) do if not drop[rec.id] then keep[#keep + 1] = rec end end
  for i = #records, 1, -1 do records[i] = nil end
  for i, rec in ipairs(keep) do records[i] = rec end
  return 200, { permissions = json.array({}) }
end

--- PUT .../permissions/{permission_id} {"permission": {"description": ...}}
function permissions.update_description(req)
  local s = services.own(req)
  local b = check.body(req)
  if type(b.permission) ~= "table" or type(b.permission.description) ~= "string" then
    fail("EndPoint.0002", "permission.description is required.")
  end
  check.description(b.permission.description)
  for _, rec in ipairs(store.permissions(s.id)) do
    if rec.id == req.params.permission_id then
      rec.description, rec.updated_at = b.permission.description, req.now
      return 200, { permissions = json.array({ view.permission(rec, true) }) }
    end
  end
  fail("EndPoint.0005")
end

return permissions
