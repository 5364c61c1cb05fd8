-- Unit specs of hwcloud.vpcep: generated methods and the waiters for
-- endpoint services and endpoints, against a fake client with an injected
-- clock and sleep.

local vpcep = require("hwcloud.vpcep")
local fake = require("spec.helpers.fake_client")
local S = require("spec.helpers.services")
local raised = S.raised

describe("hwcloud.vpcep", function()
  local client, svc, t
  before_each(function()
    client = fake.new()
    svc = vpcep.new(client)
    t = fake.clock()
  end)

  -- Serve a resource whose status walks through `statuses`, one per read;
  -- "GONE" answers 404.
  local function walk(path, statuses, extra)
    local i = 0
    client:on("GET", path, function()
      i = math.min(i + 1, #statuses)
      if statuses[i] == "GONE" then return 404, { error_code = "EndPoint.0005", error_msg = "gone" } end
      local body = { id = "x", status = statuses[i] }
      for k, v in pairs(extra or {}) do body[k] = v end
      return 200, body
    end)
  end

  local function opts(args)
    args.clock, args.sleep, args.on_progress = t.clock, t.sleep, false
    return args
  end

  it("has one method per operation", function()
    for _, op in ipairs(vpcep.operations.operations) do
      assert.is_function(svc[op.name], op.name)
    end
    assert.equal(33, #vpcep.operations.operations)
  end)

  it("sends no Client-Request-Id and the API's own body", function()
    client:on("POST", "/v1/[^/]+/vpc%-endpoint%-services/s1/connections/action",
      { body = { connections = { { id = "e1", status = "accepted" } } } })
    local body = svc:accept_or_reject_endpoint{ vpc_endpoint_service_id = "s1", action = "receive", endpoints = { "e1" } }
    assert.equal("accepted", body.connections[1].status)
    local req = client.requests[1]
    assert.equal("vpcep", req.service)
    assert.same({}, req.headers)
    assert.same({ action = "receive", endpoints = { "e1" } }, req.body)
  end)

  it("argument errors name the vpcep operation", function()
    local err = raised(svc.create_endpoint, svc, { vpc_id = "v" })
    assert.equal("vpcep.create_endpoint: endpoint_service_id is required", err.message)
  end)

  describe("wait_endpoint_service", function()
    it("waits until available", function()
      walk("/v1/[^/]+/vpc%-endpoint%-services/s1", { "creating", "creating", "available" })
      assert.equal("available", svc:wait_endpoint_service(opts{ vpc_endpoint_service_id = "s1" }).status)
      assert.same({ 1, 2 }, t.sleeps)
    end)

    it("raises on failed with the service's errors", function()
      walk("/v1/[^/]+/vpc%-endpoint%-services/s1", { "creating", "failed" },
        { error = { { code = "EndPoint.3001", message = "Failed to create a port." } } })
      local err = raised(svc.wait_endpoint_service, svc, opts{ vpc_endpoint_service_id = "s1" })
      assert.equal("waiter", err.kind)
      assert.equal("failed", err.code)
      assert.equal("vpcep.wait_endpoint_service: endpoint service s1: EndPoint.3001 Failed to create a port.",
        err.message)
      assert.equal("EndPoint.3001", err.errors[1].code)
    end)

    it("requires the id and refuses unknown fields", function()
      assert.equal("vpcep.wait_endpoint_service: vpc_endpoint_service_id is required",
        raised(svc.wait_endpoint_service, svc, {}).message)
      assert.equal("vpcep.wait_endpoint_service: unknown field status",
        raised(svc.wait_endpoint_service, svc, { vpc_endpoint_service_id = "s1", status = "x" }).message)
      assert.equal("vpcep.wait_endpoint: unknown field timout (did you mean timeout?)",
        raised(svc.wait_endpoint, svc, { vpc_endpoint_id = "e1", timout = 3 }).message)
    end)
  end)

  describe("wait_endpoint", function()
    it("by default returns on pendingAcceptance or accepted", function()
      walk("/v1/[^/]+/vpc%-endpoints/e1", { "creating", "pendingAcceptance" })
      assert.equal("pendingAcceptance", svc:wait_endpoint(opts{ vpc_endpoint_id = "e1" }).status)
    end)

    it("waits for a given status", function()
      walk("/v1/[^/]+/vpc%-endpoints/e1", { "creating", "pendingAcceptance", "pendingAcceptance", "accepted" })
      assert.equal("accepted", svc:wait_endpoint(opts{ vpc_endpoint_id = "e1", status = "accepted" }).status)
      assert.equal(4, #client.requests)
    end)

    it("raises on rejected unless waited for", function()
      walk("/v1/[^/]+/vpc%-endpoints/e1", { "pendingAcceptance", "rejected" })
      assert.equal("rejected", raised(svc.wait_endpoint, svc, opts{ vpc_endpoint_id = "e1", status = "accepted" }).code)
      walk("/v1/[^/]+/vpc%-endpoints/e2", { "pendingAcceptance", "rejected" })
      assert.equal("rejected", svc:wait_endpoint(opts{ vpc_endpoint_id = "e2", status = { "rejected" } }).status)
    end)

    it("raises on failed with the endpoint's errors", function()
      walk("/v1/[^/]+/vpc%-endpoints/e1", { "failed" }, { error = { { error_code = "EndPoint.2022", error_message = "no" } } })
      local err = raised(svc.wait_endpoint, svc, opts{ vpc_endpoint_id = "e1" })
      assert.matches("EndPoint.2022 no", err.message, 1, true)
    end)

    it("raises GONE when the endpoint disappears", function()
      walk("/v1/[^/]+/vpc%-endpoints/e1", { "creating", "GONE" })
      assert.equal("GONE", raised(svc.wait_endpoint, svc, opts{ vpc_endpoint_id = "e1" }).code)
    end)
  end)

  describe("deletion waiters", function()
    it("wait_endpoint_deleted returns true on 404", function()
      walk("/v1/[^/]+/vpc%-endpoints/e1", { "deleting", "deleting", "GONE" })
      assert.is_true(svc:wait_endpoint_deleted(opts{ vpc_endpoint_id = "e1" }))
    end)

    it("wait_endpoint_service_deleted returns true on 404 and times out otherwise", function()
      walk("/v1/[^/]+/vpc%-endpoint%-services/s1", { "deleting", "GONE" })
      assert.is_true(svc:wait_endpoint_service_deleted(opts{ vpc_endpoint_service_id = "s1" }))
      walk("/v1/[^/]+/vpc%-endpoint%-services/s2", { "deleting" })
      local err = raised(svc.wait_endpoint_service_deleted, svc, opts{ vpc_endpoint_service_id = "s2", timeout = 10 })
      assert.equal("TIMEOUT", err.code)
      assert.equal("deleting", err.state)
    end)
  end)
end)
