-- How VPCEP renders its objects: endpoint services, public services,
-- endpoints, connections and whitelist records, each with the field set the
-- SDK models for that operation (VPCEP API reference,
-- https://support.huaweicloud.com/api-vpcep/, the response objects of those
-- operations).

local json = require "emu.json"
local store = require "emu.vpcep.store"
local util = require "emu.util"

local view = {}

local function arr(t)
  local out = json.array({})
  for i, v in ipairs(t or {}) do out[i] = util.deepcopy(v) end
  return out
end

local SERVICE_FIELDS = {
  create = { "id", "port_id", "service_name", "server_type", "vpc_id", "pool_id", "approval_enabled",
    "status", "service_type", "created_at", "updated_at", "project_id", "ip", "ports", "tcp_proxy",
    "tags", "description", "enable_policy", "ip_version" },
  detail = { "id", "port_id", "service_name", "server_type", "vpc_id", "approval_enabled", "status",
    "service_type", "supported_editions", "created_at", "updated_at", "project_id", "cidr_type", "ip",
    "ports", "tcp_proxy", "tags", "error", "enable_policy", "description" },
  list = { "id", "port_id", "service_name", "server_type", "vpc_id", "approval_enabled", "status",
    "service_type", "created_at", "updated_at", "project_id", "domain_id", "ports", "ip", "tags",
    "connection_count", "tcp_proxy", "error", "description", "supported_editions",
    "public_border_group", "enable_policy" },
}

--- A service's or endpoint's public_border_group ("center" when unset).
function view.border_group(r)
  return r.public_border_group or "center"
end

local function service_value(s, f)
  if f == "created_at" or f == "updated_at" then return util.iso(s[f]) end
  if f == "ports" or f == "tags" or f == "supported_editions" then return arr(s[f]) end
  if f == "connection_count" then return store.connection_count(s.id) end
  if f == "cidr_type" then return s.cidr_type or "internal" end
  if f == "public_border_group" then return view.border_group(s) end
  if f == "error" then return s.error and arr(s.error) or nil end
  return s[f]
end

-- the fields of `record` named in `fields`, each through value(record, field)
local function pick(record, fields, value)
  local out = {}
  for _, f in ipairs(fields) do out[f] = value(record, f) end
  return out
end

--- A service in the field set of an operation ("create", "detail" or "list").
function view.service(s, set)
  return pick(s, SERVICE_FIELDS[set], service_value)
end

--- A public service (ListServicePublicDetails item).
function view.public(s, region)
  return {
    id = s.id, owner = s.owner, service_name = store.service_name(s, region), service_type = s.service_type,
    created_at = util.iso(s.created_at), is_charge = s.is_charge, enable_policy = s.enable_policy,
  }
end

--- The describe (op 9) view of any service.
function view.describe(s, region)
  return {
    id = s.id, service_name = store.service_name(s, region), service_type = s.service_type,
    created_at = util.iso(s.created_at), is_charge = s.is_charge or false,
    public_border_group = view.border_group(s), enable_policy = s.enable_policy or false,
  }
end

local ENDPOINT_ALL = { "id", "service_type", "status", "active_status", "enable_status", "specification_name",
  "endpoint_service_name", "marker_id", "endpoint_service_id", "enable_dns", "dns_names", "ip", "vpc_id",
  "subnet_id", "created_at", "updated_at", "project_id", "tags", "error", "whitelist", "enable_whitelist",
  "routetables", "description", "policy_statement", "policy_document", "endpoint_pool_id",
  "public_border_group", "ipv6_address" }

local function without(list, drop)
  local d, out = {}, {}
  for _, f in ipairs(drop) do d[f] = true end
  for _, f in ipairs(list) do if not d[f] then out[#out + 1] = f end end
  return out
end

local ENDPOINT_FIELDS = {
  detail = ENDPOINT_ALL,
  create = without(ENDPOINT_ALL, { "dns_names", "error" }),
  list = without(ENDPOINT_ALL, { "enable_status", "specification_name", "ipv6_address" }),
  white = { "id", "service_type", "status", "ip", "active_status", "endpoint_service_name", "marker_id",
    "endpoint_service_id", "enable_dns", "dns_names", "subnet_id", "vpc_id", "created_at", "updated_at",
    "project_id", "tags", "whitelist", "enable_whitelist", "policy_statement", "policy_document" },
  policy = without(without(ENDPOINT_ALL, { "enable_status", "specification_name", "ipv6_address" }),
    { "enable_dns", "dns_names", "subnet_id" }),
}

local function endpoint_value(ep, f)
  local interface = ep.service_type == "interface"
  if f == "created_at" or f == "updated_at" then return util.iso(ep[f]) end
  if f == "active_status" then return json.array({ "active" }) end
  if f == "enable_status" then return "enable" end
  if f == "specification_name" then return ep.specification_name or "default" end
  if f == "tags" then return arr(ep.tags) end
  if f == "error" then return ep.status == "failed" and arr(ep.error) or nil end
  if f == "dns_names" then return ep.enable_dns and arr(ep.dns_names) or nil end
  if f == "ip" then return interface and ep.ip or nil end
  if f == "whitelist" then return interface and arr(ep.whitelist) or nil end
  if f == "enable_whitelist" then if interface then return ep.enable_whitelist or false end return nil end
  if f == "routetables" then return (not interface) and arr(ep.routetables) or nil end
  if f == "policy_statement" then return arr(ep.policy_statement) end
  if f == "policy_document" then return ep.policy_document and util.deepcopy(ep.policy_document) or nil end
  if f == "endpoint_pool_id" or f == "public_border_group" then return ep[f] end
  return ep[f]
end

--- An endpoint in the field set of an operation ("create", "detail", "list", "white", "policy").
function view.endpoint(ep, set)
  return pick(ep, ENDPOINT_FIELDS[set], endpoint_value)
end

--- A connection (the service owner's view of an endpoint).
function view.connection(ep)
  return {
    id = ep.id, marker_id = ep.marker_id, created_at = util.iso(ep.created_at),
    updated_at = util.iso(ep.updated_at), domain_id = ep.domain_id, status = ep.status,
    description = ep.connection_description or "",
    error = ep.status == "failed" and arr(ep.error) or nil,
  }
end

--- A whitelist record; `with_description` for EpsPermission (batch/update responses).
function view.permission(p, with_description)
  -- list items are PermissionObject, which has no description in any SDK model
  -- (VPCEP API reference, ListServicePermissionsDetails); the batch and update
  -- answers are EpsPermission
  return {
    id = p.id, permission = p.permission, permission_type = p.permission_type,
    created_at = util.iso(p.created_at),
    description = with_description and (p.description or "") or nil,
  }
end

return view
