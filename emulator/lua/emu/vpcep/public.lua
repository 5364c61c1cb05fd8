-- Services seen from outside their owner's project: the operator's public
-- services (ListServicePublicDetails) and describe-by-name-or-id
-- (ListServiceDescribeDetails), which consumers use before connecting.

local check = require "emu.vpcep.check"
local codes = require "emu.vpcep.codes"
local store = require "emu.vpcep.store"
local view = require "emu.vpcep.view"

local public = {}

--- GET /v1/{project_id}/vpc-endpoint-services/public
function public.list(req)
  local p = check.listing(req, 1000)
  local name = check.query(req, "endpoint_service_name")
  local id = check.query(req, "id")
  local page, total = check.select(store.services(), p, function(s)
    return s.public and check.fuzzy(store.service_name(s, req.region), name) and (id == nil or s.id == id)
  end, function(s) return view.public(s, req.region) end)
  return 200, { endpoint_services = page, total_count = total }
end

--- GET /v1/{project_id}/vpc-endpoint-services/describe?endpoint_service_name=|id=
function public.describe(req)
  local name = check.query(req, "endpoint_service_name")
  local id = check.query(req, "id")
  if (name == nil) == (id == nil) then
    codes.fail("EndPoint.0002", "Give exactly one of endpoint_service_name and id.")
  end
  if (name and (#name < 1 or #name > 128)) or (id and (#id < 1 or #id > 64)) then codes.fail("EndPoint.0002") end
  for _, s in pairs(store.services()) do
    if s.status ~= "deleting" and (s.public or s.region == req.region) then
      local full = store.service_name(s, req.region)
      if (id and s.id == id) or (name and (full == name or (s.short_name and s.short_name ~= "" and s.short_name == name))) then
        return 200, view.describe(s, req.region)
      end
    end
  end
  codes.fail("EndPoint.0005")
end

return public
