-- VPCEP endpoint services in the emulator: create (validation, quota,
-- creating -> available), list (filters, paging, sorting), detail, update,
-- rename, delete (deleting -> gone, refused while connected), the v2
-- upgrade and add-server-resources, public services, describe, versions.
local emu = require "spec.helpers.emulator"
local socket = require "socket"
local F = require "spec.emulator.vpcep_fixtures"

describe("VPCEP endpoint services", function()
  local e, P, S
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
    S = P .. "/vpc-endpoint-services"
  end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  local function create(over) return e.call("POST", S, F.service_body(over)) end
  local fails = F.fails

  describe("CreateEndpointService", function()
    it("creates a service in creating, then available", function()
      local res = create{ service_name = "demo_svc-1", tags = { { key = "env", value = "test" } }, description = "d" }
      assert.equal(200, res.status)
      local s = res.body
      assert.equal("creating", s.status)
      assert.equal("cn-north-4.demo_svc-1." .. s.id, s.service_name)
      assert.equal("interface", s.service_type)
      assert.equal("close", s.tcp_proxy)
      assert.equal(e.project_id, s.project_id)
      assert.equal(8080, s.ports[1].server_port)
      assert.equal("env", s.tags[1].key)
      assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", s.created_at)
      assert.is_false(s.approval_enabled)
      local got = e.call("GET", S .. "/" .. s.id)
      assert.equal("available", got.body.status)
      assert.same({ "basic" }, got.body.supported_editions)
    end)

    it("defaults approval to true and names without a name as region.id", function()
      local b = F.service_body()
      b.approval_enabled = nil
      local res = e.call("POST", S, b)
      assert.is_true(res.body.approval_enabled)
      assert.equal("cn-north-4." .. res.body.id, res.body.service_name)
    end)

    it("takes the configured delay to become available", function()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_service_create = 60 } })
      local s = create().body
      assert.equal("creating", e.call("GET", S .. "/" .. s.id).body.status)
      e.advance(50)
      assert.equal("creating", e.call("GET", S .. "/" .. s.id).body.status)
      e.advance(11)
      assert.equal("available", e.call("GET", S .. "/" .. s.id).body.status)
    end)

    it("becomes available after the configured delay on the wall clock (real-time smoke test)", function()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_service_create = 0.3 } })
      local t0 = socket.gettime()
      local s = create().body
      local status
      for _ = 1, 250 do -- at most ~5 s
        status = e.call("GET", S .. "/" .. s.id).body.status
        if status ~= "creating" then break end
        socket.sleep(0.02)
      end
      assert.equal("available", status)
      assert.is_true(socket.gettime() - t0 >= 0.3)
    end)

    it("validates the body", function()
      fails(e.call("POST", S, "[]"), 400, "EndPoint.0002")
      fails(create{ port_id = "not-a-uuid" }, 400, "EndPoint.3003")
      fails(create{ vpc_id = "vpc" }, 400, "EndPoint.0020")
      fails(create{ server_type = "PC" }, 400, "EndPoint.3021")
      fails(create{ ports = {} }, 400, "EndPoint.2028")
      fails(create{ ports = { { client_port = 0, server_port = 80 } } }, 400, "EndPoint.3043")
      fails(create{ ports = { { client_port = 80, server_port = 80, protocol = "UDP" } } }, 400, "EndPoint.3075")
      fails(create{ ports = { { client_port = 80, server_port = 80 }, { client_port = 80, server_port = 81 } } },
        400, "EndPoint.3043")
      local many = {}
      for i = 1, 201 do many[i] = { client_port = i, server_port = i } end
      fails(create{ ports = many }, 400, "EndPoint.3074")
      fails(create{ service_name = "far-too-long-name-here" }, 400, "EndPoint.3076")
      fails(create{ service_name = "bad name" }, 400, "EndPoint.3076")
      fails(create{ approval_enabled = "yes" }, 400, "EndPoint.0002")
      fails(create{ service_type = "gateway" }, 400, "EndPoint.0002")
      fails(create{ tcp_proxy = "maybe" }, 400, "EndPoint.0002")
      fails(create{ description = "<b>" }, 400, "EndPoint.0002")
      fails(create{ tags = { { key = "a", value = "1" }, { key = "a", value = "2" } } }, 400, "EndPoint.3067")
      fails(create{ tags = { { key = "", value = "1" } } }, 400, "EndPoint.3066")
      fails(create{ tags = { { key = string.rep("k", 129), value = "1" } } }, 400, "EndPoint.3072")
      fails(create{ ip_version = "ipv6" }, 400, "EndPoint.0002")
    end)

    it("refuses a server port already used on the same backend port", function()
      local port_id = F.uuid()
      create{ port_id = port_id }
      fails(create{ port_id = port_id, ports = { { client_port = 90, server_port = 8080 } } }, 400, "EndPoint.3044")
      assert.equal(200, create{ port_id = port_id, ports = { { client_port = 90, server_port = 9090 } } }.status)
    end)

    it("enforces the endpoint_service quota", function()
      e.control("POST", "/_emulator/config", { quotas = { endpoint_service = 2 } })
      create() create()
      fails(create(), 400, "Endpoint.1018")
      local q = e.call("GET", P .. "/quotas?type=endpoint_service").body.quotas.resources
      assert.same({ { type = "endpoint_service", used = 2, quota = 2 } }, q)
    end)
  end)

  describe("ListEndpointService", function()
    it("filters, pages and sorts, with total_count", function()
      local ids = {}
      for i = 1, 5 do
        ids[i] = F.service(e, { service_name = "svc" .. i }).id
      end
      local res = e.call("GET", S .. "?limit=2&offset=1&sort_dir=asc")
      assert.equal(5, res.body.total_count)
      assert.equal(2, #res.body.endpoint_services)
      assert.equal(ids[2], res.body.endpoint_services[1].id)
      assert.equal(ids[3], res.body.endpoint_services[2].id)
      res = e.call("GET", S)
      assert.equal(ids[5], res.body.endpoint_services[1].id)   -- newest first by default
      assert.equal(0, res.body.endpoint_services[1].connection_count)
      assert.equal(e.domain_id, res.body.endpoint_services[1].domain_id)
      res = e.call("GET", S .. "?endpoint_service_name=SVC3")
      assert.equal(1, res.body.total_count)
      res = e.call("GET", S .. "?id=" .. ids[4] .. "&status=available")
      assert.equal(1, res.body.total_count)
      assert.equal(ids[4], res.body.endpoint_services[1].id)
      assert.equal(5, e.call("GET", S .. "?public_border_group=center").body.total_count)
      assert.equal(0, e.call("GET", S .. "?public_border_group=edge-1").body.total_count)
      fails(e.call("GET", S .. "?id=a&id=b"), 400, "EndPoint.0002")
      res = e.call("GET", S .. "?status=creating&sort_key=update_at")
      assert.equal(0, res.body.total_count)
      assert.same({}, res.body.endpoint_services)
      assert.equal("[]", res.raw_body:match('"endpoint_services":(%[%])'))
      res = e.call("GET", S .. "?offset=10")
      assert.equal(5, res.body.total_count)
      assert.equal(0, #res.body.endpoint_services)
    end)

    it("rejects bad list parameters", function()
      fails(e.call("GET", S .. "?limit=0"), 400, "EndPoint.0006")
      fails(e.call("GET", S .. "?limit=1001"), 400, "EndPoint.0006")
      fails(e.call("GET", S .. "?offset=-1"), 400, "EndPoint.0010")
      fails(e.call("GET", S .. "?sort_key=name"), 400, "EndPoint.0017")
      fails(e.call("GET", S .. "?sort_dir=up"), 400, "EndPoint.0018")
      fails(e.call("GET", S .. "?status=gone"), 400, "EndPoint.0019")
      fails(e.call("GET", S .. "?net_type=wifi"), 400, "EndPoint.3048")
    end)

    it("shows only the caller's project", function()
      F.service(e)
      local other = e.call("GET", "/v1/" .. e.second.project_id .. "/vpc-endpoint-services", nil, { as = e.second })
      assert.equal(0, other.body.total_count)
    end)
  end)

  describe("ListServiceDetails", function()
    it("returns the detail field set", function()
      local s = F.service(e)
      local d = e.call("GET", S .. "/" .. s.id).body
      assert.equal("internal", d.cidr_type)
      assert.is_nil(d.pool_id)
      assert.is_nil(d.connection_count)
    end)

    it("answers an unknown or foreign id with 404 EndPoint.0005", function()
      fails(e.call("GET", S .. "/" .. F.uuid()), 404, "EndPoint.0005")
      local theirs = F.service(e, nil, e.second)
      fails(e.call("GET", S .. "/" .. theirs.id), 404, "EndPoint.0005")
    end)
  end)

  describe("UpdateEndpointService", function()
    it("updates approval, name, ports and description", function()
      local s = F.service(e)
      e.call("GET", S .. "/" .. s.id)
      local res = e.call("PUT", S .. "/" .. s.id, { approval_enabled = true, service_name = "renamed",
        ports = { { client_port = 443, server_port = 8443 } }, description = "new", tcp_proxy = "toa_open" })
      assert.equal(200, res.status)
      assert.is_true(res.body.approval_enabled)
      assert.equal("cn-north-4.renamed." .. s.id, res.body.service_name)
      assert.equal(443, res.body.ports[1].client_port)
      assert.equal("toa_open", res.body.tcp_proxy)
    end)

    it("refuses changes while creating, and port_id with ip", function()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_service_create = 30 } })
      local s = F.service(e)
      fails(e.call("PUT", S .. "/" .. s.id, { description = "x" }), 400, "EndPoint.3045")
      e.control("POST", "/_emulator/config", { speed = 0 })
      s = F.service(e)
      e.call("GET", S .. "/" .. s.id)
      fails(e.call("PUT", S .. "/" .. s.id, { port_id = F.uuid(), ip = "10.0.0.1" }), 400, "EndPoint.3052")
      fails(e.call("PUT", S .. "/" .. s.id, { ports = {} }), 400, "EndPoint.2028")
      fails(e.call("PUT", S .. "/" .. F.uuid(), { description = "x" }), 404, "EndPoint.0005")
    end)
  end)

  describe("UpdateEndpointServiceName", function()
    it("renames and echoes the name", function()
      local s = F.service(e)
      e.call("GET", S .. "/" .. s.id)
      local res = e.call("PUT", S .. "/" .. s.id .. "/name", { endpoint_service_name = "newname" })
      assert.equal(200, res.status)
      assert.same({ endpoint_service_name = "newname" }, res.body)
      assert.equal("cn-north-4.newname." .. s.id, e.call("GET", S .. "/" .. s.id).body.service_name)
      fails(e.call("PUT", S .. "/" .. s.id .. "/name", { endpoint_service_name = "no spaces" }), 400, "EndPoint.3076")
    end)
  end)

  describe("DeleteEndpointService", function()
    it("deletes: 204, deleting, then gone", function()
      e.control("POST", "/_emulator/config", { speed = 1, delays = { vpcep_service_create = 0, vpcep_service_delete = 30 } })
      local s = F.service(e)
      local res = e.call("DELETE", S .. "/" .. s.id)
      assert.equal(204, res.status)
      assert.is_nil(res.body)
      assert.equal("deleting", e.call("GET", S .. "/" .. s.id).body.status)
      assert.equal(204, e.call("DELETE", S .. "/" .. s.id).status)
      e.advance(29)
      assert.equal("deleting", e.call("GET", S .. "/" .. s.id).body.status)
      e.advance(2)
      fails(e.call("GET", S .. "/" .. s.id), 404, "EndPoint.0005")
    end)

    it("refuses while an endpoint is connected", function()
      local s = F.service(e)
      local ep = F.endpoint(e, s.id)
      fails(e.call("DELETE", S .. "/" .. s.id), 400, "EndPoint.3006")
      e.call("DELETE", P .. "/vpc-endpoints/" .. ep.id)
      e.call("GET", P .. "/vpc-endpoints")
      assert.equal(204, e.call("DELETE", S .. "/" .. s.id).status)
    end)
  end)

  describe("v2 operations", function()
    it("upgrades and rolls back a service (204)", function()
      local s = F.service(e)
      e.call("GET", S .. "/" .. s.id)
      local V2 = "/v2/" .. e.project_id .. "/vpc-endpoint-services/" .. s.id
      assert.equal(204, e.call("POST", V2 .. "/upgrade").status)
      assert.same({ "basic", "profession" }, e.call("GET", S .. "/" .. s.id).body.supported_editions)
      assert.equal(204, e.call("POST", V2 .. "/upgrade", { action = "rollback" }).status)
      assert.same({ "basic" }, e.call("GET", S .. "/" .. s.id).body.supported_editions)
      fails(e.call("POST", V2 .. "/upgrade", { action = "sideways" }), 400, "EndPoint.0007")
    end)

    it("adds server resources (204) and validates them", function()
      local s = F.service(e)
      e.call("GET", S .. "/" .. s.id)
      local V2 = "/v2/" .. e.project_id .. "/vpc-endpoint-services/" .. s.id
      assert.equal(204, e.call("POST", V2 .. "/add-server-resources",
        { server_resources = { { resource_id = F.uuid(), availability_zone_id = "cn-north-4a" } } }).status)
      fails(e.call("POST", V2 .. "/add-server-resources", { server_resources = {} }), 400, "EndPoint.2002")
      fails(e.call("POST", V2 .. "/add-server-resources", { server_resources = { { } } }), 400, "EndPoint.0002")
    end)
  end)

  describe("public services and describe", function()
    it("lists the seeded public services with paging", function()
      local res = e.call("GET", S .. "/public")
      assert.equal(200, res.status)
      assert.is_true(res.body.total_count >= 3)
      local first = res.body.endpoint_services[1]
      assert.truthy(first.owner and first.service_name:match("^cn%-north%-4%."))
      assert.is_boolean(first.is_charge)
      res = e.call("GET", S .. "/public?limit=1&endpoint_service_name=OBS")
      assert.equal(1, #res.body.endpoint_services)
      assert.equal("gateway", res.body.endpoint_services[1].service_type)
      fails(e.call("GET", S .. "/public?limit=5000"), 400, "EndPoint.0006")
    end)

    it("describes any visible service by full name, short name or id", function()
      local s = F.service(e, { service_name = "shared" }, e.second)
      local res = e.call("GET", S .. "/describe?endpoint_service_name=" .. s.service_name)
      assert.equal(200, res.status)
      assert.equal(s.id, res.body.id)
      assert.is_nil(res.body.port_id)
      assert.equal(s.id, e.call("GET", S .. "/describe?id=" .. s.id).body.id)
      assert.equal(s.id, e.call("GET", S .. "/describe?endpoint_service_name=shared").body.id)
      assert.equal(F.OBS, e.call("GET", S .. "/describe?id=" .. F.OBS).body.id)
    end)

    it("needs exactly one of name and id, and a known service", function()
      fails(e.call("GET", S .. "/describe"), 400, "EndPoint.0002")
      fails(e.call("GET", S .. "/describe?id=a&endpoint_service_name=b"), 400, "EndPoint.0002")
      fails(e.call("GET", S .. "/describe?id=" .. F.uuid()), 404, "EndPoint.0005")
    end)
  end)

  describe("ListQuotaDetails", function()
    it("reports usage and quota per type", function()
      F.service(e)
      local res = e.call("GET", P .. "/quotas")
      assert.equal(200, res.status)
      local by = {}
      for _, r in ipairs(res.body.quotas.resources) do by[r.type] = r end
      assert.same({ type = "endpoint_service", used = 1, quota = 20 }, by.endpoint_service)
      assert.same({ type = "endpoint", used = 0, quota = 50 }, by.endpoint)
      fails(e.call("GET", P .. "/quotas?type=vpn"), 400, "EndPoint.0002")
    end)
  end)
end)
