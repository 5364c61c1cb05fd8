-- VPC Endpoint (VPCEP) in the emulator: the 33 operations of the VPCEP API
-- reference (https://support.huaweicloud.com/api-vpcep/) as routes for the
-- frame. Every handler first moves asynchronous work forward (store.advance),
-- so state changes with time without timers.

local connections = require "emu.vpcep.connections"
local endpoints = require "emu.vpcep.endpoints"
local permissions = require "emu.vpcep.permissions"
local public = require "emu.vpcep.public"
local quotas = require "emu.vpcep.quotas"
local services = require "emu.vpcep.services"
local store = require "emu.vpcep.store"
local tags = require "emu.vpcep.tags"
local versions = require "emu.vpcep.versions"

local S = "/v1/{project_id}/vpc-endpoint-services"
local S2 = "/v2/{project_id}/vpc-endpoint-services"
local SID = S .. "/{vpc_endpoint_service_id}"
local E = "/v1/{project_id}/vpc-endpoints"
local EID = E .. "/{vpc_endpoint_id}"

local function advancing(handler)
  return function(req)
    store.advance(req.now)
    return handler(req)
  end
end

local table_ = {
  { "GET", "/", versions.list, false },
  { "GET", "/{version}", versions.show, false },
  { "POST", S, services.create },
  { "GET", S, services.list },
  { "GET", SID, services.show },
  { "PUT", SID, services.update },
  { "DELETE", SID, services.delete },
  { "GET", S .. "/public", public.list },
  { "GET", S .. "/describe", public.describe },
  { "PUT", SID .. "/name", services.rename },
  { "POST", S2 .. "/{vpc_endpoint_service_id}/upgrade", services.upgrade },
  { "POST", S2 .. "/{vpc_endpoint_service_id}/add-server-resources", services.add_server_resources },
  { "GET", SID .. "/connections", connections.list },
  { "POST", SID .. "/connections/action", connections.action },
  { "PUT", SID .. "/connections/description", connections.describe },
  { "GET", SID .. "/permissions", permissions.list },
  { "POST", SID .. "/permissions/action", permissions.action },
  { "POST", SID .. "/permissions/batch-create", permissions.batch_create },
  { "POST", SID .. "/permissions/batch-delete", permissions.batch_delete },
  { "PUT", SID .. "/permissions/{permission_id}", permissions.update_description },
  { "POST", E, endpoints.create },
  { "GET", E, endpoints.list },
  { "GET", EID, endpoints.show },
  { "PUT", EID, endpoints.update_whitelist },
  { "PUT", EID .. "/routetables", endpoints.update_routetables },
  { "PUT", EID .. "/policy", endpoints.update_policy },
  { "DELETE", EID .. "/policy", endpoints.delete_policy },
  { "DELETE", EID, endpoints.delete },
  { "POST", "/v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade", endpoints.upgrade },
  { "GET", "/v1/{project_id}/quotas", quotas.list },
  { "POST", "/v1/{project_id}/{resource_type}/{resource_id}/tags/action", tags.action },
  { "GET", "/v1/{project_id}/{resource_type}/tags", tags.list },
  { "POST", "/v1/{project_id}/{resource_type}/resource_instances/action", tags.instances },
}

local routes = {}
for i, r in ipairs(table_) do
  routes[i] = { method = r[1], path = r[2], handler = advancing(r[3]), auth = r[4] ~= false }
end

return {
  routes = routes,
  reset = store.reset,
  frame_errors = {
    project = { 400, "EndPoint.0014", "Invalid project ID." },
    bad_json = { 400, "EndPoint.0002", "Parameter error." },
  },
}
