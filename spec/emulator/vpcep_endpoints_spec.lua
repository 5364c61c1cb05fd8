-- VPCEP endpoints in the emulator: create (validation, service state,
-- quota), creating -> accepted | pendingAcceptance, list and detail,
-- whitelist, route tables, policies, delete (deleting -> gone), v2 upgrade.
local emu = require "spec.helpers.emulator"
local F = require "spec.emulator.vpcep_fixtures"

describe("VPCEP endpoints", function()
  local e, P, E
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
    E = P .. "/vpc-endpoints"
  end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  local fails = F.fails
  local function get(id) return e.call("GET", E .. "/" .. id) end
  local function ready_service(over) return F.ready_service(e, over) end

  describe("CreateEndpoint", function()
    it("creates an interface endpoint: creating, then accepted with an ip", function()
      local s = ready_service()
      local res = F.create_endpoint(e, s.id, { enable_dns = true, description = "mine",
        tags = { { key = "team", value = "a" } }, whitelist = { "10.0.0.0/24" }, enable_whitelist = true })
      assert.equal(200, res.status)
      local ep = res.body
      assert.equal("creating", ep.status)
      assert.equal(s.service_name, ep.endpoint_service_name)
      assert.equal("interface", ep.service_type)
      assert.same({ "active" }, ep.active_status)
      assert.equal("default", ep.specification_name)
      assert.is_number(ep.marker_id)
      assert.is_nil(ep.ip)
      assert.is_nil(ep.routetables)
      assert.same({ "10.0.0.0/24" }, ep.whitelist)
      local d = get(ep.id).body
      assert.equal("accepted", d.status)
      assert.matches("^%d+%.%d+%.%d+%.%d+$", d.ip)
      assert.equal(1, #d.dns_names)
    end)

    it("waits in pendingAcceptance when the service requires approval", function()
      local s = ready_service{ approval_enabled = true }
      local ep = F.endpoint(e, s.id)
      assert.equal("pendingAcceptance", get(ep.id).body.status)
      assert.is_nil(get(ep.id).body.ip)
    end)

    it("takes the configured delay to leave creating", function()
      local s = ready_service()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_endpoint_create = 60 } })
      local ep = F.endpoint(e, s.id)
      assert.equal("creating", get(ep.id).body.status)
      e.advance(50)
      assert.equal("creating", get(ep.id).body.status)
      e.advance(11)
      assert.equal("accepted", get(ep.id).body.status)
    end)

    it("uses a requested port_ip and refuses one in use", function()
      local s = ready_service()
      local ep = F.endpoint(e, s.id, { port_ip = "172.31.0.10" })
      assert.equal("172.31.0.10", get(ep.id).body.ip)
      fails(F.create_endpoint(e, s.id, { port_ip = "172.31.0.10" }), 400, "EndPoint.2042")
      fails(F.create_endpoint(e, s.id, { port_ip = "172.31.0.300" }), 400, "EndPoint.2041")
    end)

    it("connects a gateway endpoint to a public service with route tables", function()
      local ep = F.endpoint(e, F.OBS, { subnet_id = nil })
      assert.equal("gateway", ep.service_type)
      assert.equal(1, #ep.routetables)
      assert.is_nil(ep.whitelist)
      local rt = F.uuid()
      local ep2 = F.endpoint(e, F.OBS, { vpc_id = F.uuid(), routetables = { rt } })
      assert.same({ rt }, ep2.routetables)
      assert.equal("accepted", get(ep2.id).body.status)
      fails(F.create_endpoint(e, F.OBS, { routetables = { rt } }), 400, "EndPoint.2039")
      fails(F.create_endpoint(e, F.OBS, { routetables = { "rtb-1" } }), 400, "EndPoint.1019")
    end)

    it("validates the body", function()
      local s = ready_service()
      fails(F.create_endpoint(e, nil), 400, "EndPoint.2029")
      fails(F.create_endpoint(e, F.uuid()), 400, "EndPoint.2003")
      fails(F.create_endpoint(e, s.id, { vpc_id = "" }), 400, "EndPoint.2011")
      fails(F.create_endpoint(e, s.id, { vpc_id = "vpc-1" }), 400, "EndPoint.0020")
      fails(F.create_endpoint(e, s.id, { subnet_id = "" }), 400, "EndPoint.2010")
      fails(F.create_endpoint(e, s.id, { subnet_id = "net" }), 400, "EndPoint.0023")
      fails(F.create_endpoint(e, s.id, { enable_dns = "yes" }), 400, "EndPoint.2033")
      fails(F.create_endpoint(e, s.id, { whitelist = { "10.0.0.0/33" } }), 400, "EndPoint.2044")
      fails(F.create_endpoint(e, s.id, { description = "a<b" }), 400, "EndPoint.0002")
      fails(F.create_endpoint(e, s.id, { tags = { { key = "_sys_x", value = "1" } } }), 400, "EndPoint.3068")
      fails(F.create_endpoint(e, s.id, { policy_statement = { { Effect = "Allow", Action = { "*" }, Resource = { "*" } } } }),
        400, "EndPoint.2048")
    end)

    it("refuses a service that is not available yet", function()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_service_create = 30 } })
      local s = F.service(e)
      fails(F.create_endpoint(e, s.id), 400, "EndPoint.2004")
    end)

    it("enforces the endpoint quota", function()
      local s = ready_service()
      e.control("POST", "/_emulator/config", { quotas = { endpoint = 1 } })
      F.endpoint(e, s.id)
      fails(F.create_endpoint(e, s.id), 400, "Endpoint.1018")
    end)
  end)

  describe("ListEndpoints and ListEndpointInfoDetails", function()
    it("filters, pages and sorts, with total_count", function()
      local s = ready_service{ service_name = "alpha" }
      local ids = {}
      for i = 1, 3 do ids[i] = F.endpoint(e, s.id).id end
      local other = F.endpoint(e, F.DNS, { vpc_id = F.uuid() })
      local res = e.call("GET", E)
      assert.equal(4, res.body.total_count)
      assert.equal(other.id, res.body.endpoints[1].id)
      assert.is_nil(res.body.endpoints[1].specification_name)
      res = e.call("GET", E .. "?endpoint_service_name=alpha&limit=2&sort_dir=asc")
      assert.equal(3, res.body.total_count)
      assert.same({ ids[1], ids[2] }, { res.body.endpoints[1].id, res.body.endpoints[2].id })
      res = e.call("GET", E .. "?vpc_id=" .. F.VPC .. "&id=" .. ids[3])
      assert.equal(ids[3], res.body.endpoints[1].id)
      fails(e.call("GET", E .. "?limit=abc"), 400, "EndPoint.0006")
      fails(e.call("GET", E .. "?sort_key=id"), 400, "EndPoint.0017")
    end)

    it("answers an unknown or foreign endpoint with 404 EndPoint.2006", function()
      fails(get(F.uuid()), 404, "EndPoint.2006")
      local s = ready_service()
      e.call("POST", P .. "/vpc-endpoint-services/" .. s.id .. "/permissions/action",
        { action = "add", permissions = { "*" } })
      local theirs = F.endpoint(e, s.id, nil, e.second)
      fails(get(theirs.id), 404, "EndPoint.2006")
    end)
  end)

  describe("UpdateEndpointWhite", function()
    it("replaces, enables and clears the whitelist", function()
      local ep = F.endpoint(e, ready_service().id)
      get(ep.id)
      local res = e.call("PUT", E .. "/" .. ep.id, { whitelist = { "192.168.1.1", "10.0.0.0/8" }, enable_whitelist = true })
      assert.equal(200, res.status)
      assert.same({ "192.168.1.1", "10.0.0.0/8" }, res.body.whitelist)
      assert.is_true(res.body.enable_whitelist)
      res = e.call("PUT", E .. "/" .. ep.id, { whitelist = {} })
      assert.same({}, res.body.whitelist)
      fails(e.call("PUT", E .. "/" .. ep.id, { whitelist = { "nope" } }), 400, "EndPoint.2044")
      local many = {}
      for i = 1, 21 do many[i] = "10.0.0." .. i end
      fails(e.call("PUT", E .. "/" .. ep.id, { whitelist = many }), 400, "EndPoint.2045")
    end)

    it("refuses changes while creating", function()
      local s = ready_service()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_endpoint_create = 30 } })
      local ep = F.endpoint(e, s.id)
      fails(e.call("PUT", E .. "/" .. ep.id, { whitelist = {} }), 400, "EndPoint.2019")
    end)
  end)

  describe("UpdateEndpointRoutetable", function()
    it("sets the route tables of a gateway endpoint", function()
      local ep = F.endpoint(e, F.OBS)
      get(ep.id)
      local rts = { F.uuid(), F.uuid() }
      local res = e.call("PUT", E .. "/" .. ep.id .. "/routetables", { routetables = rts })
      assert.equal(200, res.status)
      assert.same(rts, res.body.routetables)
      assert.same({}, res.body.error)
      assert.same(rts, get(ep.id).body.routetables)
      fails(e.call("PUT", E .. "/" .. ep.id .. "/routetables", { routetables = { "x" } }), 400, "EndPoint.1019")
    end)

    it("refuses an interface endpoint", function()
      local ep = F.endpoint(e, ready_service().id)
      get(ep.id)
      fails(e.call("PUT", E .. "/" .. ep.id .. "/routetables", { routetables = {} }), 400, "EndPoint.2040")
    end)
  end)

  describe("endpoint policies", function()
    local statement = { { Effect = "Allow", Action = { "obs:*:*" }, Resource = { "obs:*:*:*:*/*" } } }

    it("sets and deletes a policy on a policy-enabled service", function()
      local ep = F.endpoint(e, F.OBS)
      get(ep.id)
      local res = e.call("PUT", E .. "/" .. ep.id .. "/policy", { policy_statement = statement })
      assert.equal(200, res.status)
      assert.equal("Allow", res.body.policy_statement[1].Effect)
      assert.is_nil(res.body.subnet_id)
      res = e.call("DELETE", E .. "/" .. ep.id .. "/policy")
      assert.equal(200, res.status)
      assert.same({}, res.body.policy_statement)
      fails(e.call("DELETE", E .. "/" .. ep.id .. "/policy"), 400, "EndPoint.2049")
    end)

    it("refuses invalid policies and services without policy support", function()
      local ep = F.endpoint(e, F.OBS)
      get(ep.id)
      fails(e.call("PUT", E .. "/" .. ep.id .. "/policy", { policy_statement = { { Effect = "Maybe" } } }),
        400, "EndPoint.2048")
      fails(e.call("PUT", E .. "/" .. ep.id .. "/policy", {}), 400, "EndPoint.0002")
      local plain = F.endpoint(e, ready_service().id)
      get(plain.id)
      fails(e.call("PUT", E .. "/" .. plain.id .. "/policy", { policy_statement = statement }), 400, "EndPoint.2048")
    end)
  end)

  describe("DeleteEndpoint", function()
    it("deletes: 204, deleting, then gone", function()
      local s = ready_service()
      local ep = F.endpoint(e, s.id)
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_endpoint_delete = 30 } })
      local res = e.call("DELETE", E .. "/" .. ep.id)
      assert.equal(204, res.status)
      assert.equal("deleting", get(ep.id).body.status)
      fails(e.call("PUT", E .. "/" .. ep.id, { whitelist = {} }), 400, "EndPoint.2018")
      e.advance(29)
      assert.equal("deleting", get(ep.id).body.status)
      e.advance(2)
      fails(get(ep.id), 404, "EndPoint.2006")
      fails(e.call("DELETE", E .. "/" .. ep.id), 404, "EndPoint.2006")
    end)
  end)

  describe("UpgradeEndpoint", function()
    it("accepts action start with 202", function()
      local ep = F.endpoint(e, ready_service().id)
      get(ep.id)
      local V2 = "/v2/" .. e.project_id .. "/vpc-endpoints/" .. ep.id .. "/upgrade"
      local res = e.call("POST", V2, { action = "start" })
      assert.equal(202, res.status)
      assert.equal("profession", get(ep.id).body.specification_name)
      fails(e.call("POST", V2, { action = "stop" }), 400, "EndPoint.0007")
      fails(e.call("POST", V2, {}), 400, "EndPoint.2002")
    end)
  end)
end)
