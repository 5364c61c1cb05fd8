-- VPC endpoint operations of the consumer: create (gated by the service's
-- status, whitelist and the quota), list, detail, whitelist update, route
-- tables, policy set/delete, delete and upgrade (v2).

local check = require "emu.vpcep.check"
local codes = require "emu.vpcep.codes"
local config = require "emu.config"
local json = require "emu.json"
local permissions = require "emu.vpcep.permissions"
local store = require "emu.vpcep.store"
local util = require "emu.util"
local view = require "emu.vpcep.view"

local endpoints = {}
local fail = codes.fail

local MAX_WHITELIST = 20   -- IPs/CIDRs in an endpoint's whitelist [INFERRED]

--- The caller's own endpoint by path id (404 EndPoint.2006 otherwise).
function endpoints.own(req)
  local id = req.params.vpc_endpoint_id
  if #id > 64 then fail("EndPoint.2017") end
  local ep = store.endpoints()[id]
  if not ep or ep.project_id ~= req.project_id then fail("EndPoint.2006") end
  return ep
end

local function modifiable(ep)
  if ep.status == "failed" then fail("EndPoint.2047") end
  if ep.status == "creating" then fail("EndPoint.2019") end
  if ep.status == "deleting" then fail("EndPoint.2018") end
end

local function whitelist(list)
  if list == nil then return nil end
  if not check.is_list(list) then fail("EndPoint.2044") end
  if #list > MAX_WHITELIST then fail("EndPoint.2045") end
  local out = json.array({})
  for i, w in ipairs(list) do
    if not check.is_ipv4_or_cidr(w) then fail("EndPoint.2044", tostring(w)) end
    out[i] = w
  end
  return out
end

local function routetables(list, service_id, except_id)
  if not check.is_list(list) then fail("EndPoint.1019") end
  local out = json.array({})
  for i, rt in ipairs(list) do
    if not check.is_uuid(rt) then fail("EndPoint.1019", tostring(rt)) end
    out[i] = rt
  end
  for _, other in pairs(store.endpoints()) do
    if other.id ~= except_id and other.endpoint_service_id == service_id and other.status ~= "deleting" then
      for _, a in ipairs(other.routetables or {}) do
        for _, b in ipairs(out) do if a == b then fail("EndPoint.2039", b) end end
      end
    end
  end
  return out
end

local function policy_statements(list)
  if not check.is_list(list) then fail("EndPoint.2048") end
  local out = json.array({})
  for i, st in ipairs(list) do
    if type(st) ~= "table" or (st.Effect ~= "Allow" and st.Effect ~= "Deny") then fail("EndPoint.2048") end
    for _, f in ipairs({ "Action", "Resource" }) do
      if not check.is_list(st[f]) or #st[f] == 0 then fail("EndPoint.2048", f .. " must be a non-empty array.") end
      for _, x in ipairs(st[f]) do if type(x) ~= "string" then fail("EndPoint.2048") end end
    end
    if st.Condition ~= nil and type(st.Condition) ~= "table" then fail("EndPoint.2048") end
    if st.Sid ~= nil and type(st.Sid) ~= "string" then fail("EndPoint.2048") end
    out[i] = util.deepcopy(st)
  end
  return out
end

local function count_endpoints(project_id)
  local n = 0
  for _, ep in pairs(store.endpoints()) do if ep.project_id == project_id then n = n + 1 end end
  return n
end

--- POST /v1/{project_id}/vpc-endpoints
function endpoints.create(req)
  local b = check.body(req)
  local sid = b.endpoint_service_id
  if sid == nil or sid == "" then fail("EndPoint.2029") end
  if type(sid) ~= "string" or #sid > 64 then fail("EndPoint.3062") end
  local s = store.services()[sid]
  if not s or s.status == "deleting" or (not s.public and s.region ~= req.region) then fail("EndPoint.2003") end
  if b.vpc_id == nil or b.vpc_id == "" then fail("EndPoint.2011") end
  if not check.is_uuid(b.vpc_id) then fail("EndPoint.0020") end
  local interface = s.service_type == "interface"
  if interface then
    if b.subnet_id == nil or b.subnet_id == "" then fail("EndPoint.2010") end
    if not check.is_uuid(b.subnet_id) then fail("EndPoint.0023") end
  elseif b.subnet_id ~= nil and not check.is_uuid(b.subnet_id) then
    fail("EndPoint.0023")
  end
  local port_ip = check.opt(b, "port_ip", "string", "EndPoint.2041")
  if port_ip and not check.is_ipv4(port_ip) then fail("EndPoint.2041") end
  if port_ip and interface and store.ip_in_use(b.subnet_id, port_ip) then fail("EndPoint.2042") end
  local enable_dns = check.bool(b, "enable_dns", "EndPoint.2033") or false
  local tags = check.tags(b.tags, config.value("max_tags"))
  local wl = interface and whitelist(b.whitelist) or json.array({})
  local enable_whitelist = check.bool(b, "enable_whitelist") or false
  local description = check.description(b.description)
  local rts
  if not interface then
    rts = b.routetables ~= nil and routetables(b.routetables, s.id)
      or json.array({ store.default_routetable(b.vpc_id) })
  end
  local statements, document = json.array({}), nil
  if b.policy_statement ~= nil or b.policy_document ~= nil then
    if not s.enable_policy then fail("EndPoint.2048", "The endpoint service does not support policies.") end
    if b.policy_statement ~= nil then statements = policy_statements(b.policy_statement) end
    document = check.opt(b, "policy_document", "object", "EndPoint.2048")
  end
  check.enum(check.opt(b, "ip_version", "string"), { "ipv4", "dualstack" }, "ip_version")
  local ipv6 = check.opt(b, "ipv6_address", "string")
  if s.status ~= "available" then fail("EndPoint.2004") end
  if not permissions.allows(s, req.account.domain_id) then fail("EndPoint.2012") end
  if count_endpoints(req.project_id) >= config.quota("endpoint") then fail("Endpoint.1018") end

  local id = util.uuid()
  local ep = {
    id = id, project_id = req.project_id, domain_id = req.account.domain_id, region = req.region,
    endpoint_service_id = s.id, endpoint_service_name = store.service_name(s, req.region),
    service_type = s.service_type, vpc_id = b.vpc_id, subnet_id = b.subnet_id, port_ip = port_ip,
    enable_dns = enable_dns, tags = tags, whitelist = wl, enable_whitelist = enable_whitelist,
    routetables = rts, description = description or "", policy_statement = statements,
    policy_document = document and util.deepcopy(document) or nil, marker_id = store.next_marker(),
    specification_name = "default", ipv6_address = ipv6,
  }
  if enable_dns and interface then
    ep.dns_names = json.array({ id .. "." .. req.region .. ".vpcep.huaweicloud.internal" })
  end
  if interface then ep.reserved_ip = store.take_ip(b.subnet_id, port_ip) end
  store.add_endpoint(ep, req.now)
  return 200, view.endpoint(ep, "create")
end

--- GET /v1/{project_id}/vpc-endpoints
function endpoints.list(req)
  local p = check.listing(req, 1000)
  local match = check.filters(req, { vpc_id = "vpc_id", id = "id", public_border_group = view.border_group },
    { endpoint_service_name = "endpoint_service_name" })
  local page, total = check.select(store.endpoints(), p, function(ep)
    return ep.project_id == req.project_id and match(ep)
  end, function(ep) return view.endpoint(ep, "list") end)
  return 200, { endpoints = page, total_count = total }
end

--- GET /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}
function endpoints.show(req)
  return 200, view.endpoint(endpoints.own(req), "detail")
end

--- PUT /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id} (whitelist)
function endpoints.update_whitelist(req)
  local ep = endpoints.own(req)
  local b = check.body(req)
  modifiable(ep)
  if ep.service_type ~= "interface" then fail("EndPoint.0002", "Only interface endpoints have a whitelist.") end
  local wl = whitelist(b.whitelist)
  local enable = check.bool(b, "enable_whitelist")
  if wl then ep.whitelist = wl end
  if enable ~= nil then ep.enable_whitelist = enable end
  ep.updated_at = req.now
  return 200, view.endpoint(ep, "white")
end

--- PUT /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/routetables
function endpoints.update_routetables(req)
  local ep = endpoints.own(req)
  local b = check.body(req)
  modifiable(ep)
  if ep.service_type ~= "gateway" then fail("EndPoint.2040") end
  if b.routetables == nil then fail("EndPoint.2002", "routetables is required.") end
  ep.routetables = routetables(b.routetables, ep.endpoint_service_id, ep.id)
  ep.updated_at = req.now
  return 200, { routetables = util.deepcopy(ep.routetables), error = json.array({}) }
end

--- PUT /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy
function endpoints.update_policy(req)
  local ep = endpoints.own(req)
  local b = check.body(req)
  modifiable(ep)
  local s = store.services()[ep.endpoint_service_id]
  if not s or not s.enable_policy then fail("EndPoint.2048", "The endpoint service does not support policies.") end
  if b.policy_statement == nil and b.policy_document == nil then
    fail("EndPoint.0002", "Give policy_statement or policy_document.")
  end
  local statements = b.policy_statement ~= nil and policy_statements(b.policy_statement) or nil
  local document = check.opt(b, "policy_document", "object", "EndPoint.2048")
  if statements then ep.policy_statement = statements end
  if document then ep.policy_document = util.deepcopy(document) end
  ep.updated_at = req.now
  return 200, view.endpoint(ep, "policy")
end

--- DELETE /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy
function endpoints.delete_policy(req)
  local ep = endpoints.own(req)
  modifiable(ep)
  if #ep.policy_statement == 0 and ep.policy_document == nil then fail("EndPoint.2049") end
  ep.policy_statement = json.array({})
  ep.policy_document = nil
  ep.updated_at = req.now
  return 200, view.endpoint(ep, "policy")
end

--- DELETE /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}
function endpoints.delete(req)
  local ep = endpoints.own(req)
  if ep.status ~= "deleting" then store.delete_endpoint(ep, req.now) end
  return 204
end

--- POST /v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade {"action": "start"}
function endpoints.upgrade(req)
  local ep = endpoints.own(req)
  local b = check.body(req)
  if b.action == nil then fail("EndPoint.2002", "action is required.") end
  if b.action ~= "start" then fail("EndPoint.0007") end
  modifiable(ep)
  ep.specification_name = "profession"
  ep.updated_at = req.now
  return 202
end

return endpoints
