-- Stack contents of the RFS emulator: ListStackEvents (S10),
-- ListStackResources (S11: attributes only in terminal states, values
-- stringified) and ListStackOutputs (S12: empty while in progress, sensitive
-- outputs masked as <sensitive>).

local json = require("emu.json")
local U = require("emu.rfs.util")
local V = require("emu.rfs.values")
local stacks = require("emu.rfs.stacks")
local machine = require("emu.rfs.machine")
local events = require("emu.rfs.events")

local M = {}

local function list_events(req)
  local s = stacks.get(req)
  return 200, events.list(req, s)
end

local function resource_view(r, with_attributes)
  local v = {
    physical_resource_id = r.physical_id, physical_resource_name = r.physical_name,
    logical_resource_name = r.name, logical_resource_type = r.type, index_key = r.index_key,
    resource_status = r.resource_status, status_message = r.status_message,
  }
  if with_attributes and r.attributes then
    local attrs = json.array()
    for _, k in ipairs(V.keys(r.attributes)) do
      attrs[#attrs + 1] = { key = k, value = V.to_text(r.attributes[k]) }
    end
    v.resource_attributes = attrs
  end
  return v
end

local function list_resources(req)
  local s = stacks.get(req)
  local terminal = not machine.busy(s)
  local out, info = U.page(req, s.resources, function(r) return r.address end, function(r) return resource_view(r, terminal) end)
  return 200, { stack_resources = out, page_info = info }
end

local function list_outputs(req)
  local s = stacks.get(req)
  local items = {}
  if not machine.busy(s) then items = s.outputs or {} end
  local page, info = U.paginate(req, items, function(o) return o.name end)
  local out = json.array()
  for _, o in ipairs(page) do
    out[#out + 1] = { name = o.name, description = o.description, type = o.type, value = o.value, sensitive = o.sensitive == true }
  end
  return 200, { outputs = out, page_info = info }
end

local P = "/v1/{project_id}/stacks/{stack_name}"
M.routes = {
  { method = "GET", path = P .. "/events", handler = list_events },
  { method = "GET", path = P .. "/resources", handler = list_resources },
  { method = "GET", path = P .. "/outputs", handler = list_outputs },
}

return M
