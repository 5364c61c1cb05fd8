-- Shared fixtures of the VPCEP emulator specs: ids shaped like the real
-- ones and one-call creation of services and endpoints.
local F = {}

local n = 0
--- A fresh UUID-shaped id.
function F.uuid()
  n = n + 1
  return string.format("0f3c1b2a-1111-4222-8333-%012d", n)
end

F.VPC = "0f3c1b2a-aaaa-4222-8333-000000000001"
F.SUBNET = "0f3c1b2a-aaaa-4222-8333-000000000002"
F.OBS = "8f2b0d6e-1c3a-4e5f-9a7b-0c1d2e3f4a01"   -- seeded public gateway service (policies on)
F.DNS = "8f2b0d6e-1c3a-4e5f-9a7b-0c1d2e3f4a02"   -- seeded public interface service

--- A valid CreateEndpointService body, with overrides.
function F.service_body(over)
  local b = { port_id = F.uuid(), vpc_id = F.VPC, server_type = "LB",
              ports = { { client_port = 80, server_port = 8080, protocol = "TCP" } }, approval_enabled = false }
  for k, v in pairs(over or {}) do b[k] = v end
  return b
end

--- Create a service (as e, or opts.as) and return its body; asserts 200.
function F.service(e, over, as)
  local acct = as or e
  local res = e.call("POST", "/v1/" .. acct.project_id .. "/vpc-endpoint-services", F.service_body(over), { as = acct })
  assert(res.status == 200, "create service: " .. tostring(res.status) .. " " .. tostring(res.code) .. " " .. tostring(res.message))
  return res.body
end

--- A valid CreateEndpoint body for a service id, with overrides.
function F.endpoint_body(sid, over)
  local b = { endpoint_service_id = sid, vpc_id = F.VPC, subnet_id = F.SUBNET }
  for k, v in pairs(over or {}) do b[k] = v end
  return b
end

--- Create an endpoint; returns the raw result (status, body, code).
function F.create_endpoint(e, sid, over, as)
  local acct = as or e
  return e.call("POST", "/v1/" .. acct.project_id .. "/vpc-endpoints", F.endpoint_body(sid, over), { as = acct })
end

--- Create an endpoint and return its body; asserts 200.
function F.endpoint(e, sid, over, as)
  local res = F.create_endpoint(e, sid, over, as)
  assert(res.status == 200, "create endpoint: " .. tostring(res.status) .. " " .. tostring(res.code) .. " " .. tostring(res.message))
  return res.body
end

--- Create a service and read it once (so it is `available` at speed 0).
function F.ready_service(e, over)
  local s = F.service(e, over)
  e.call("GET", "/v1/" .. e.project_id .. "/vpc-endpoint-services/" .. s.id)
  return s
end

--- Assert a documented error: status, code and a shape A body with error_msg.
function F.fails(res, status, code)
  local assert = require "luassert"
  assert.equal(status, res.status)
  assert.equal(code, res.code)
  assert.is_string(res.body.error_msg)
end

return F
