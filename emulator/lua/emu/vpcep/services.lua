-- Endpoint service operations of the owner: create, list, detail, update,
-- delete, rename, upgrade (v2) and add server resources (v2).

local check = require "emu.vpcep.check"
local codes = require "emu.vpcep.codes"
local config = require "emu.config"
local json = require "emu.json"
local store = require "emu.vpcep.store"
local util = require "emu.util"
local view = require "emu.vpcep.view"

local services = {}
local fail = codes.fail

local NAME_PATTERN = "^[%w_%-]*$"
local TCP_PROXY = { "close", "toa_open", "proxy_open", "open", "proxy_vni" }

--- The caller's own service by path id (404 EndPoint.0005 otherwise).
function services.own(req)
  local id = req.params.vpc_endpoint_service_id
  if #id > 64 then fail("EndPoint.3062") end
  local s = store.services()[id]
  if not s or s.public or s.project_id ~= req.project_id then fail("EndPoint.0005") end
  return s
end

local function check_name(name)
  if name == nil then return nil end
  if type(name) ~= "string" or #name > 16 or not name:match(NAME_PATTERN) then fail("EndPoint.3076") end
  return name
end

local function full_name(region, name, id)
  if name and name ~= "" then return region .. "." .. name .. "." .. id end
  return region .. "." .. id
end

-- (server_port, protocol) must be unique across services on the same port_id.
local function check_port_conflicts(port_id, ports, except_id)
  for _, s in pairs(store.services()) do
    if not s.public and s.id ~= except_id and s.port_id == port_id and s.status ~= "deleting" then
      for _, a in ipairs(s.ports) do
        for _, b in ipairs(ports) do
          if a.server_port == b.server_port and a.protocol == b.protocol then fail("EndPoint.3044") end
        end
      end
    end
  end
end

local function count_services(project_id)
  local n = 0
  for _, s in pairs(store.services()) do
    if not s.public and s.project_id == project_id then n = n + 1 end
  end
  return n
end

--- POST /v1/{project_id}/vpc-endpoint-services
function services.create(req)
  local b = check.body(req)
  local port_id = b.port_id
  if port_id == nil then fail("EndPoint.2002", "port_id is required.") end
  if not check.is_uuid(port_id) then fail("EndPoint.3003") end
  if b.vpc_id == nil then fail("EndPoint.2011") end
  if not check.is_uuid(b.vpc_id) then fail("EndPoint.0020") end
  if b.server_type == nil then fail("EndPoint.2002", "server_type is required.") end
  check.enum(b.server_type, { "VM", "VIP", "LB" }, "server_type", "EndPoint.3021")
  local ports = check.ports(b.ports)
  local name = check_name(b.service_name)
  local approval = check.bool(b, "approval_enabled")
  if approval == nil then approval = true end
  local service_type = check.opt(b, "service_type", "string") or "interface"
  check.enum(service_type, { "interface" }, "service_type (users can only create interface services)")
  local ip = check.opt(b, "ip", "string")
  if ip and not check.is_ipv4(ip) and not ip:match("^[%w%-%.]+%.[%a]+$") then fail("EndPoint.3010") end
  local tcp_proxy = check.enum(check.opt(b, "tcp_proxy", "string"), TCP_PROXY, "tcp_proxy") or "close"
  local tags = check.tags(b.tags, config.value("max_tags"))
  local description = check.description(b.description)
  local ip_version = check.enum(check.opt(b, "ip_version", "string"), { "ipv4", "ipv6" }, "ip_version") or "ipv4"
  if ip_version == "ipv6" and type(b.snat_network_id) ~= "string" then
    fail("EndPoint.0002", "snat_network_id is required when ip_version is ipv6.")
  end
  local enable_policy = check.bool(b, "enable_policy") or false
  check_port_conflicts(port_id, ports)
  if count_services(req.project_id) >= config.quota("endpoint_service") then fail("Endpoint.1018") end

  local id = util.uuid()
  local s = {
    id = id, project_id = req.project_id, domain_id = req.account.domain_id, region = req.region,
    short_name = name, service_name = full_name(req.region, name, id), port_id = port_id,
    vpc_id = b.vpc_id, pool_id = util.uuid(), server_type = b.server_type, service_type = service_type,
    approval_enabled = approval, ports = ports, tags = tags, tcp_proxy = tcp_proxy,
    description = description or "", ip = ip, ip_version = ip_version, enable_policy = enable_policy,
    supported_editions = json.array({ "basic" }), server_resources = {},
  }
  store.add_service(s, req.now)
  return 200, view.service(s, "create")
end

--- GET /v1/{project_id}/vpc-endpoint-services
function services.list(req)
  local p = check.listing(req, 1000)
  check.enum(check.query(req, "status"), { "creating", "available", "failed", "deleting" }, "status", "EndPoint.0019")
  check.enum(check.query(req, "net_type"), { "vlan", "vxlan", "all" }, "net_type", "EndPoint.3048")
  local match = check.filters(req, { id = "id", status = "status", public_border_group = view.border_group },
    { endpoint_service_name = "service_name" })
  local page, total = check.select(store.services(), p, function(s)
    return not s.public and s.project_id == req.project_id and match(s)
  end, function(s) return view.service(s, "list") end)
  return 200, { endpoint_services = page, total_count = total }
end

--- GET /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}
function services.show(req)
  return 200, view.service(services.own(req), "detail")
end

--- PUT /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}
function services.update(req)
  local s = services.own(req)
  local b = check.body(req)
  if s.status ~= "available" then fail("EndPoint.3045") end
  if b.port_id ~= nil and b.ip ~= nil then fail("EndPoint.3052") end
  local approval = check.bool(b, "approval_enabled")
  local name = check_name(b.service_name)
  local ports = b.ports ~= nil and check.ports(b.ports) or nil
  local port_id = b.port_id
  if port_id ~= nil and not check.is_uuid(port_id) then fail("EndPoint.3003") end
  local tcp_proxy = check.enum(check.opt(b, "tcp_proxy", "string"), TCP_PROXY, "tcp_proxy")
  local description = check.description(b.description)
  local ip = check.opt(b, "ip", "string")
  if ip and not check.is_ipv4(ip) and not ip:match("^[%w%-%.]+%.[%a]+$") then fail("EndPoint.3010") end
  if ports or port_id then check_port_conflicts(port_id or s.port_id, ports or s.ports, s.id) end

  if approval ~= nil then s.approval_enabled = approval end
  if name ~= nil then s.short_name = name s.service_name = full_name(s.region, name, s.id) end
  if ports then s.ports = ports end
  if port_id then s.port_id = port_id end
  if tcp_proxy then s.tcp_proxy = tcp_proxy end
  if description then s.description = description end
  if ip then s.ip = ip end
  s.updated_at = req.now
  return 200, view.service(s, "create")
end

--- DELETE /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}
function services.delete(req)
  local s = services.own(req)
  if s.status == "deleting" then return 204 end
  if store.connection_count(s.id) > 0 then fail("EndPoint.3006") end
  store.delete_service(s, req.now)
  return 204
end

--- PUT /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/name
function services.rename(req)
  local s = services.own(req)
  local b = check.body(req)
  local name = check_name(check.opt(b, "endpoint_service_name", "string", "EndPoint.3076"))
  if s.status ~= "available" then fail("EndPoint.3045") end
  s.short_name = name or ""
  s.service_name = full_name(s.region, name, s.id)
  s.updated_at = req.now
  return 200, { endpoint_service_name = name or "" }
end

--- POST /v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade
function services.upgrade(req)
  local s = services.own(req)
  local b = check.body(req, true)
  local action = check.enum(check.opt(b, "action", "string", "EndPoint.0007"), { "upgrade", "rollback" },
    "action", "EndPoint.0007") or "upgrade"
  check.bool(b, "enable_multi_server")
  if s.status ~= "available" then fail("EndPoint.3045") end
  if action == "upgrade" then
    s.supported_editions = json.array({ "basic", "profession" })
  else
    s.supported_editions = json.array({ "basic" })
  end
  s.updated_at = req.now
  return 204
end

--- POST /v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources
function services.add_server_resources(req)
  local s = services.own(req)
  local b = check.body(req)
  local list = check.batch(b, "server_resources", 50, "EndPoint.2002", "server_resources is required.")
  for _, r in ipairs(list) do
    if type(r) ~= "table" or type(r.resource_id) ~= "string" or r.resource_id == "" then
      fail("EndPoint.0002", "each server resource needs resource_id.")
    end
    if r.availability_zone_id ~= nil and type(r.availability_zone_id) ~= "string" then
      fail("EndPoint.0002", "availability_zone_id must be a string.")
    end
  end
  if s.status ~= "available" then fail("EndPoint.3045") end
  for _, r in ipairs(list) do
    s.server_resources[#s.server_resources + 1] = { resource_id = r.resource_id, availability_zone_id = r.availability_zone_id }
  end
  s.updated_at = req.now
  return 204
end

return services
