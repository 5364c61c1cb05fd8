-- Stack events of the RFS emulator: recording them during deployments
-- (with their deployment_id) and ListStackEvents (S10) with deployment_id,
-- filter, field projection and marker pagination (RFS API reference,
-- ListStackEvents, https://support.huaweicloud.com/api-aos/).

local fail = require("emu.errors").raise
local json = require("emu.json")
local U = require("emu.rfs.util")
local util = require("emu.util")
local store = require("emu.rfs.store")
local filter = require("emu.rfs.filter")

local M = {}

--- Record an event on a stack at time t.
-- @param fields {event_type, event_message, deployment_id, resource_type,
--   resource_name, resource_key, resource_id_key, resource_id_value, elapsed_seconds}
function M.add(stack, t, fields)
  fields.t = t
  fields.seq = store.next_seq()
  stack.events[#stack.events + 1] = fields
  return fields
end

--- Event fired for a resource instance (type, name, key, id when known).
function M.resource(stack, t, dep_id, r, event_type, message, elapsed)
  return M.add(stack, t, {
    event_type = event_type, event_message = message, deployment_id = dep_id,
    resource_type = r.type, resource_name = r.name, resource_key = r.index_key,
    resource_id_key = r.physical_id and "id" or nil, resource_id_value = r.physical_id,
    elapsed_seconds = elapsed,
  })
end

local SELECTABLE = {
  event_type = true, event_message = true, elapsed_seconds = true, resource_id_key = true,
  resource_id_value = true, resource_key = true, resource_type = true, resource_name = true,
  time = true, timestamp = true,
}

local function view(e)
  return {
    event_type = e.event_type, event_message = e.event_message, time = util.iso(e.t),
    resource_type = e.resource_type, resource_name = e.resource_name, resource_key = e.resource_key,
    resource_id_key = e.resource_id_key, resource_id_value = e.resource_id_value,
    elapsed_seconds = e.elapsed_seconds,
  }
end

--- S10 ListStackEvents body for a stack (already advanced).
function M.list(req, stack)
  local dep = U.query(req, "deployment_id")
  if dep ~= nil then
    require("emu.rfs.validate").id(dep, "deployment_id")
    if not stack.deployments[dep] then
      fail(404, "RF.10013030", "the deployment " .. dep .. " does not exist in stack " .. stack.stack_name)
    end
  end
  local f = filter.parse(U.query(req, "filter"), { event_type = true, resource_type = true, resource_name = true })
  local fields
  local fq = U.query(req, "field")
  if fq ~= nil and fq ~= "" then
    if #fq > 128 then fail(400, "RF.10011005", "field must be at most 128 characters long") end
    fields = { event_type = true }
    for name in (fq .. ","):gmatch("([^,]*),") do
      if not name:match("^[%w_]+$") then fail(400, "RF.10011089", "field must be a comma-separated list of attribute names") end
      if not SELECTABLE[name] then fail(400, "RF.10011087", "field names an unknown attribute: " .. name) end
      fields[name == "timestamp" and "time" or name] = true
    end
  end
  local items = {}
  for _, e in ipairs(stack.events) do
    if (dep == nil or e.deployment_id == dep) and filter.match(f, e) then items[#items + 1] = e end
  end
  util.sort_by_time(items, "t", "seq")
  local page, info = U.paginate(req, items, function(e) return tostring(e.seq) end)
  local out = json.array()
  for _, e in ipairs(page) do
    local v = view(e)
    if fields then
      for k in pairs(v) do if not fields[k] then v[k] = nil end end
    end
    out[#out + 1] = v
  end
  return { stack_events = out, page_info = info }
end

return M
