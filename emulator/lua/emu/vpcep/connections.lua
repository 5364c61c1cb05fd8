-- The service owner's side of endpoints ("connections"): list them, accept
-- (`receive`) or reject one, and set descriptions. Accepting moves
-- pendingAcceptance|rejected -> accepted, rejecting pendingAcceptance|accepted
-- -> rejected (VPCEP API reference, AcceptOrRejectEndpoint,
-- https://support.huaweicloud.com/api-vpcep/).

local check = require "emu.vpcep.check"
local codes = require "emu.vpcep.codes"
local json = require "emu.json"
local services = require "emu.vpcep.services"
local store = require "emu.vpcep.store"
local view = require "emu.vpcep.view"

local connections = {}
local fail = codes.fail

local function attached(s, id)
  local ep = type(id) == "string" and store.endpoints()[id]
  if not ep or ep.endpoint_service_id ~= s.id then fail("EndPoint.2013") end
  return ep
end

--- GET .../vpc-endpoint-services/{id}/connections
function connections.list(req)
  local s = services.own(req)
  local p = check.listing(req, 1000)
  local marker = check.query(req, "marker_id")
  if marker ~= nil and not marker:match("^%d+$") then fail("EndPoint.0021") end
  check.enum(check.query(req, "status"), { "pendingAcceptance", "accepted", "rejected", "failed" }, "status", "EndPoint.0019")
  local match = check.filters(req, { id = "id", status = "status",
    marker_id = function(ep) return tostring(ep.marker_id) end })
  local page, total = check.select(store.endpoints(), p, function(ep)
    return ep.endpoint_service_id == s.id and match(ep)
  end, view.connection)
  return 200, { connections = page, total_count = total }
end

--- POST .../connections/action {action = receive|reject, endpoints = [id]}
function connections.action(req)
  local s = services.own(req)
  local b = check.body(req)
  local action = check.action(b, { "receive", "reject" }, "EndPoint.0007")
  local list = b.endpoints
  if not check.is_list(list) or #list == 0 then fail("EndPoint.2002", "endpoints is required.") end
  if #list > 1 then fail("EndPoint.2031") end -- one at a time: its own code, not the batch limit
  local ep = attached(s, list[1])
  if ep.status == "creating" then fail("EndPoint.2019") end
  if ep.status == "deleting" then fail("EndPoint.2018") end
  if ep.status == "failed" then fail("EndPoint.2047") end
  if action == "receive" then
    if ep.status == "accepted" then fail("EndPoint.2014") end
    store.connect(ep, req.now)
  else
    ep.status = "rejected"
    ep.updated_at = req.now
  end
  return 200, { connections = json.array({ view.connection(ep) }) }
end

--- PUT .../connections/description {connections = [{id, description}]}
function connections.describe(req)
  local s = services.own(req)
  local b = check.body(req)
  local list = check.batch(b, "connections", 50, "EndPoint.2002", "connections is required.")
  local eps = {}
  for i, item in ipairs(list) do
    if type(item) ~= "table" or type(item.description) ~= "string" then
      fail("EndPoint.0002", "each connection needs id and description.")
    end
    check.description(item.description)
    eps[i] = attached(s, item.id)
  end
  local out = json.array({})
  for i, item in ipairs(list) do
    eps[i].connection_description = item.description
    eps[i].updated_at = req.now
    out[i] = view.connection(eps[i])
  end
  return 200, { connections = out }
end

return connections
