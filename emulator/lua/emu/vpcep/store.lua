-- VPCEP state: endpoint services, endpoints, whitelist records and the
-- operator's public services, all in this worker's memory. Asynchronous
-- work is evaluated lazily from timestamps: `store.advance(now)` (called
-- before every operation) moves creating -> available / accepted /
-- pendingAcceptance and removes what finished deleting.

local config = require "emu.config"
local json = require "emu.json"
local util = require "emu.util"

local store = {}

local S

-- Default delays in seconds (scaled by the speed factor; `delays` in the
-- config overrides them by kind).
store.DELAYS = {
  vpcep_service_create = 3, vpcep_service_delete = 2,
  vpcep_endpoint_create = 3, vpcep_endpoint_delete = 2,
}

local function delay(kind)
  return config.delay(kind, store.DELAYS[kind])
end

local PUBLIC = {
  { id = "8f2b0d6e-1c3a-4e5f-9a7b-0c1d2e3f4a01", name = "%s.com.myhuaweicloud.v4.obsv2",
    service_type = "gateway", is_charge = false, enable_policy = true },
  { id = "8f2b0d6e-1c3a-4e5f-9a7b-0c1d2e3f4a02", name = "%s.com.myhuaweicloud.v4.dns",
    service_type = "interface", is_charge = false, enable_policy = false },
  { id = "8f2b0d6e-1c3a-4e5f-9a7b-0c1d2e3f4a03", name = "%s.com.myhuaweicloud.v4.apig",
    service_type = "interface", is_charge = true, enable_policy = false },
  { id = "8f2b0d6e-1c3a-4e5f-9a7b-0c1d2e3f4a04", name = "%s.com.myhuaweicloud.v4.sfs",
    service_type = "gateway", is_charge = false, enable_policy = true },
}
local PUBLIC_CREATED = util.timegm(2021, 6, 1, 0, 0, 0)

--- Forget everything and seed the public services.
function store.reset()
  S = { services = {}, endpoints = {}, permissions = {}, seq = 0, marker = 16777216,
        ips = 0, used_ips = {}, default_rt = {} }
  for i, p in ipairs(PUBLIC) do
    S.services[p.id] = {
      id = p.id, public = true, name_template = p.name, service_type = p.service_type,
      is_charge = p.is_charge, enable_policy = p.enable_policy, owner = "Huawei Cloud",
      status = "available", approval_enabled = false, created_at = PUBLIC_CREATED + i,
      updated_at = PUBLIC_CREATED + i, seq = i, ports = json.array({}), tags = json.array({}),
      supported_editions = json.array({ "basic" }),
    }
  end
  S.seq = #PUBLIC
end

store.reset()

--- The next creation sequence number (a tie-breaker for sorting).
function store.next_seq()
  S.seq = S.seq + 1
  return S.seq
end

--- The next packet marker id.
function store.next_marker()
  S.marker = S.marker + 1
  return S.marker
end

--- The public service name in a region.
function store.service_name(s, region)
  if s.public then return string.format(s.name_template, region or "cn-north-4") end
  return s.service_name
end

--- Reserve an IP in a subnet (nil when taken), or allocate the next free one.
function store.take_ip(subnet_id, ip)
  local used = S.used_ips[subnet_id or ""] or {}
  S.used_ips[subnet_id or ""] = used
  if ip then
    if used[ip] then return nil end
    used[ip] = true
    return ip
  end
  for _ = 1, 100000 do
    S.ips = S.ips + 1
    local cand = string.format("172.16.%d.%d", math.floor(S.ips / 250) % 256, S.ips % 250 + 2)
    if not used[cand] then used[cand] = true return cand end
  end
  error("emu.vpcep: out of addresses")
end

--- Free an endpoint's IP.
function store.release_ip(subnet_id, ip)
  local used = S.used_ips[subnet_id or ""]
  if used and ip then used[ip] = nil end
end

--- True when the IP is taken in the subnet.
function store.ip_in_use(subnet_id, ip)
  local used = S.used_ips[subnet_id or ""]
  return used ~= nil and used[ip] == true
end

--- The default route table id of a VPC (made up once per VPC).
function store.default_routetable(vpc_id)
  S.default_rt[vpc_id] = S.default_rt[vpc_id] or util.uuid()
  return S.default_rt[vpc_id]
end

--- Maps of services and endpoints by id.
function store.services() return S.services end
function store.endpoints() return S.endpoints end

--- Whitelist records of a service (list, created on demand).
function store.permissions(service_id)
  S.permissions[service_id] = S.permissions[service_id] or {}
  return S.permissions[service_id]
end

-- An endpoint finished creating: wait for approval or connect.
local function endpoint_created(ep, at)
  local svc = S.services[ep.endpoint_service_id]
  ep.updated_at = at
  if not svc or svc.status ~= "available" then
    ep.status = "failed"
    ep.error = json.array({ { error_code = "EndPoint.2004", error_message = "The endpoint service is unavailable." } })
  elseif svc.approval_enabled then
    ep.status = "pendingAcceptance"
  else
    store.connect(ep, at)
  end
end

--- Mark an endpoint accepted (allocating its IP for interface endpoints).
function store.connect(ep, at)
  ep.status = "accepted"
  ep.updated_at = at
  ep.was_accepted = true
  if ep.service_type == "interface" and not ep.ip then
    ep.ip = ep.reserved_ip
  end
end

--- Move every asynchronous operation forward to `now`.
function store.advance(now)
  for id, s in pairs(S.services) do
    if s.status == "creating" and now >= s.ready_at then
      s.status = "available"
      s.updated_at = s.ready_at
    elseif s.status == "deleting" and now >= s.gone_at then
      S.services[id] = nil
      S.permissions[id] = nil
    end
  end
  for id, ep in pairs(S.endpoints) do
    if ep.status == "creating" and now >= ep.ready_at then
      endpoint_created(ep, ep.ready_at)
    elseif ep.status == "deleting" and now >= ep.gone_at then
      store.release_ip(ep.subnet_id, ep.reserved_ip)
      S.endpoints[id] = nil
    end
    if S.endpoints[id] and not S.services[ep.endpoint_service_id]
       and (ep.status == "pendingAcceptance" or ep.status == "rejected") then
      ep.status = "failed"
      ep.updated_at = now
      ep.error = json.array({ { error_code = "EndPoint.2003", error_message = "The endpoint service does not exist." } })
    end
  end
end

-- Start the asynchronous creation of a record of `map`: creating until
-- the `kind` delay (vpcep_service_create, vpcep_endpoint_create) is over.
local function add(map, r, kind, now)
  r.seq = store.next_seq()
  r.status = "creating"
  r.created_at, r.updated_at = now, now
  r.ready_at = now + delay(kind)
  map[r.id] = r
end

-- Start deleting a record: deleting until the `kind` delay is over.
local function delete(r, kind, now)
  r.status = "deleting"
  r.updated_at = now
  r.gone_at = now + delay(kind)
end

--- Start the asynchronous creation of a service.
function store.add_service(s, now) add(S.services, s, "vpcep_service_create", now) end

--- Start deleting a service.
function store.delete_service(s, now) delete(s, "vpcep_service_delete", now) end

--- Start the asynchronous creation of an endpoint.
function store.add_endpoint(ep, now) add(S.endpoints, ep, "vpcep_endpoint_create", now) end

--- Start deleting an endpoint.
function store.delete_endpoint(ep, now) delete(ep, "vpcep_endpoint_delete", now) end

--- Number of a service's endpoints in creating or accepted.
function store.connection_count(service_id)
  local n = 0
  for _, ep in pairs(S.endpoints) do
    if ep.endpoint_service_id == service_id and (ep.status == "creating" or ep.status == "accepted") then
      n = n + 1
    end
  end
  return n
end

return store
