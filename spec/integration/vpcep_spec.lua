-- Integration specs of hwcloud.vpcep against the emulator (real HTTP, real
-- signatures, two accounts): every one of the 33 operations, every
-- iterator, every waiter, the emulator's asynchronous delays, and injected
-- faults (throttling, 5xx, a dropped connection in the middle of a wait).

local uuid = require("hwcloud.uuid")
local emu = require("spec.helpers.emulator")
local S = require("spec.helpers.services")

local collect, raised = S.collect, S.raised

describe("VPCEP against the emulator", function()
  local e, owner_client, consumer_client, owner, consumer
  local h = S.emulator(function() return e end)
  local new_client, w, speed, fault = h.client, h.w, h.speed, h.fault

  local function new_service(extra, svc)
    local args = { vpc_id = uuid.v4(), port_id = uuid.v4(), server_type = "VM",
                   ports = { { client_port = 80, server_port = 8080, protocol = "TCP" } } }
    for k, v in pairs(extra or {}) do args[k] = v end
    return (svc or owner):create_endpoint_service(args)
  end

  local function whitelist(service_id)
    owner:add_or_remove_service_permissions{ vpc_endpoint_service_id = service_id, action = "add",
      permissions = { "iam:domain::" .. e.second.domain_id } }
  end

  local function new_endpoint(service_id, extra)
    local args = { endpoint_service_id = service_id, vpc_id = uuid.v4(), subnet_id = uuid.v4() }
    for k, v in pairs(extra or {}) do args[k] = v end
    return consumer:create_endpoint(args)
  end

  setup(function()
    e = emu.start{ speed = 0 }
    owner_client = new_client(e)
    consumer_client = new_client(e.second)
    owner, consumer = owner_client:vpcep(), consumer_client:vpcep()
  end)

  teardown(function()
    if owner_client then owner_client:close() end
    if consumer_client then consumer_client:close() end
    if e then e.stop() end
  end)

  before_each(h.reset)

  it("versions", function()
    local all, r = owner:list_version_details()
    assert.equal(200, r.status)
    assert.is_true(#all.versions >= 1)
    assert.equal("v1", owner:list_specified_version_details{ version = "v1" }.version.id)
  end)

  it("endpoint services: create, wait, list, describe, update, rename, upgrade, delete", function()
    local s, r = new_service{ service_name = "svc1", approval_enabled = true, description = "first",
                              tags = { { key = "env", value = "test" } } }
    assert.equal(200, r.status)
    assert.is_string(s.id)
    local ready = owner:wait_endpoint_service(w{ vpc_endpoint_service_id = s.id })
    assert.equal("available", ready.status)
    new_service()
    new_service()

    local ids = {}
    for x in owner:each_endpoint_service{ limit = 2 } do ids[#ids + 1] = x.id end
    assert.equal(3, #ids)
    local page = owner:list_endpoint_service{ limit = 2 }
    assert.equal(2, #page.endpoint_services)
    assert.equal(3, page.total_count)
    assert.equal(s.id, owner:list_service_details{ vpc_endpoint_service_id = s.id }.id)

    local described = consumer:list_service_describe_details{ id = s.id }
    assert.equal(s.id, described.id)
    assert.equal(s.id, consumer:list_service_describe_details{ endpoint_service_name = ready.service_name }.id)

    local publics = collect(owner:each_public_service{ limit = 1 })
    local pub_page = owner:list_service_public_details()
    assert.equal(pub_page.total_count, #publics)

    local updated = owner:update_endpoint_service{ vpc_endpoint_service_id = s.id, description = "second",
                                                   approval_enabled = false }
    assert.equal("second", updated.description)
    assert.is_false(updated.approval_enabled)
    local renamed = owner:update_endpoint_service_name{ vpc_endpoint_service_id = s.id, endpoint_service_name = "svc2" }
    assert.matches("svc2", renamed.endpoint_service_name)

    local _, ru = owner:upgrade_endpoint_service{ vpc_endpoint_service_id = s.id }
    assert.equal(204, ru.status)
    local _, ra = owner:add_endpoint_service_server_resource{ vpc_endpoint_service_id = s.id,
      server_resources = { { resource_id = uuid.v4(), availability_zone_id = "cn-north-4a" } } }
    assert.equal(204, ra.status)

    local _, rd = owner:delete_endpoint_service{ vpc_endpoint_service_id = s.id }
    assert.equal(204, rd.status)
    assert.is_true(owner:wait_endpoint_service_deleted(w{ vpc_endpoint_service_id = s.id }))
    assert.equal(404, raised(owner.list_service_details, owner, { vpc_endpoint_service_id = s.id }).status)
  end)

  it("whitelist: add, batch add, list, describe, batch remove, remove", function()
    local s = new_service()
    local added, r = owner:add_or_remove_service_permissions{ vpc_endpoint_service_id = s.id, action = "add",
      permissions = { "iam:domain::" .. e.second.domain_id } }
    assert.equal(200, r.status)
    assert.is_table(added.permissions)
    local batch = owner:batch_add_endpoint_service_permissions{ vpc_endpoint_service_id = s.id,
      permissions = { { permission = "iam:domain::abc123", description = "one" },
                      { permission = "iam:domain::def456", description = "two" } } }
    assert.equal(2, #batch.permissions)
    local perms = collect(owner:each_permission{ vpc_endpoint_service_id = s.id, limit = 1 })
    assert.equal(3, #perms)
    assert.equal(3, owner:list_service_permissions_details{ vpc_endpoint_service_id = s.id }.total_count)

    local described = owner:update_endpoint_service_permission_desc{ vpc_endpoint_service_id = s.id,
      permission_id = batch.permissions[1].id, permission = { description = "changed" } }
    assert.equal("changed", described.permissions[1].description)
    owner:batch_remove_endpoint_service_permissions{ vpc_endpoint_service_id = s.id,
      permissions = { { id = batch.permissions[1].id }, { id = batch.permissions[2].id } } }
    owner:add_or_remove_service_permissions{ vpc_endpoint_service_id = s.id, action = "remove",
      permissions = { "iam:domain::" .. e.second.domain_id } }
    assert.equal(0, #collect(owner:each_permission{ vpc_endpoint_service_id = s.id }))
  end)

  it("endpoints and connections across accounts: approval, accept, reject, descriptions, updates, delete", function()
    local s = new_service{ approval_enabled = true }
    owner:wait_endpoint_service(w{ vpc_endpoint_service_id = s.id })

    -- not whitelisted yet: refused
    local err = raised(new_endpoint, s.id)
    assert.equal("EndPoint.2012", err.code)
    whitelist(s.id)

    local ep, r = new_endpoint(s.id, { description = "mine", whitelist = { "10.0.0.0/24" }, enable_whitelist = true })
    assert.equal(200, r.status)
    local pending = consumer:wait_endpoint(w{ vpc_endpoint_id = ep.id })
    assert.equal("pendingAcceptance", pending.status)

    local conns = collect(owner:each_connection{ vpc_endpoint_service_id = s.id, limit = 1 })
    assert.equal(1, #conns)
    assert.equal(ep.id, conns[1].id)
    assert.equal(e.second.domain_id, conns[1].domain_id)
    assert.equal(1, owner:list_service_connections{ vpc_endpoint_service_id = s.id, status = "pendingAcceptance" }.total_count)

    local accepted = owner:accept_or_reject_endpoint{ vpc_endpoint_service_id = s.id, action = "receive", endpoints = { ep.id } }
    assert.is_table(accepted.connections)
    local ok_ep = consumer:wait_endpoint(w{ vpc_endpoint_id = ep.id, status = "accepted" })
    assert.equal("accepted", ok_ep.status)
    assert.is_string(ok_ep.ip)

    local desc = owner:update_endpoint_connections_desc{ vpc_endpoint_service_id = s.id,
      connections = { { id = ep.id, description = "approved by the owner" } } }
    assert.equal("approved by the owner", desc.connections[1].description)

    local eps = collect(consumer:each_endpoint{ limit = 1 })
    assert.equal(1, #eps)
    assert.equal(1, consumer:list_endpoints().total_count)
    assert.equal(ep.id, consumer:list_endpoint_info_details{ vpc_endpoint_id = ep.id }.id)
    local white = consumer:update_endpoint_white{ vpc_endpoint_id = ep.id, whitelist = {}, enable_whitelist = false }
    assert.same({}, white.whitelist)

    local _, rup = consumer:upgrade_endpoint{ vpc_endpoint_id = ep.id, action = "start" }
    assert.equal(202, rup.status)

    -- a second endpoint, rejected: waiting for "accepted" raises
    local ep2 = new_endpoint(s.id)
    consumer:wait_endpoint(w{ vpc_endpoint_id = ep2.id })
    owner:accept_or_reject_endpoint{ vpc_endpoint_service_id = s.id, action = "reject", endpoints = { ep2.id } }
    err = raised(consumer.wait_endpoint, consumer, w{ vpc_endpoint_id = ep2.id, status = "accepted" })
    assert.equal("waiter", err.kind)
    assert.equal("rejected", err.code)

    for _, id in ipairs({ ep.id, ep2.id }) do
      local _, rd = consumer:delete_endpoint{ vpc_endpoint_id = id }
      assert.equal(204, rd.status)
      assert.is_true(consumer:wait_endpoint_deleted(w{ vpc_endpoint_id = id }))
    end
    owner:delete_endpoint_service{ vpc_endpoint_service_id = s.id }
    assert.is_true(owner:wait_endpoint_service_deleted(w{ vpc_endpoint_service_id = s.id }))
  end)

  it("gateway endpoints: policies and route tables", function()
    local gateway
    for pub in consumer:each_public_service() do
      if pub.service_type == "gateway" and pub.enable_policy then gateway = pub end
    end
    assert.is_table(gateway, "the emulator publishes a gateway service with policies")
    local ep = consumer:create_endpoint{ endpoint_service_id = gateway.id, vpc_id = uuid.v4() }
    assert.equal("accepted", consumer:wait_endpoint(w{ vpc_endpoint_id = ep.id }).status)

    local statement = { { Effect = "Allow", Action = { "obs:*:*" }, Resource = { "obs:*:*:*:*/*" } } }
    local with_policy = consumer:update_endpoint_policy{ vpc_endpoint_id = ep.id, policy_statement = statement }
    assert.same(statement, with_policy.policy_statement)
    local without, rd = consumer:delete_endpoint_policy{ vpc_endpoint_id = ep.id }
    assert.equal(200, rd.status)
    assert.same({}, without.policy_statement)
    local err = raised(consumer.delete_endpoint_policy, consumer, { vpc_endpoint_id = ep.id })
    assert.equal("EndPoint.2049", err.code)

    local rt = uuid.v4()
    local tables = consumer:update_endpoint_routetable{ vpc_endpoint_id = ep.id, routetables = { rt } }
    assert.same({ rt }, tables.routetables)
    consumer:delete_endpoint{ vpc_endpoint_id = ep.id }
    assert.is_true(consumer:wait_endpoint_deleted(w{ vpc_endpoint_id = ep.id }))
  end)

  it("quotas and tags", function()
    local quotas, r = owner:list_quota_details()
    assert.equal(200, r.status)
    assert.is_table(quotas.quotas.resources)
    assert.is_table(owner:list_quota_details{ type = "endpoint_service" }.quotas.resources)

    local s1, s2 = new_service(), new_service()
    local _, rt = owner:batch_add_or_remove_resource_instance{ resource_type = "endpoint_service", resource_id = s1.id,
      action = "create", tags = { { key = "env", value = "prod" } } }
    assert.equal(204, rt.status)
    owner:batch_add_or_remove_resource_instance{ resource_type = "endpoint_service", resource_id = s2.id,
      action = "create", tags = { { key = "env", value = "dev" } } }
    local tags = owner:list_query_project_resource_tags{ resource_type = "endpoint_service" }
    assert.equal("env", tags.tags[1].key)
    assert.equal(2, #tags.tags[1].values)

    local found = owner:list_resource_instances{ resource_type = "endpoint_service", action = "filter",
      tags = { { key = "env", values = { "prod" } } } }
    assert.equal(1, found.total_count)
    assert.equal(s1.id, found.resources[1].resource_id)
    assert.equal(2, owner:list_resource_instances{ resource_type = "endpoint_service", action = "count",
      tags = { { key = "env", values = {} } } }.total_count)
    assert.equal(2, #collect(owner:each_resource_instance{ resource_type = "endpoint_service", limit = 1,
      tags = { { key = "env", values = {} } } }))
    owner:batch_add_or_remove_resource_instance{ resource_type = "endpoint_service", resource_id = s1.id,
      action = "delete", tags = { { key = "env" } } }
    assert.equal(1, #collect(owner:each_resource_instance{ resource_type = "endpoint_service",
      tags = { { key = "env", values = {} } } }))
  end)

  describe("with the emulator's delays", function()
    it("waits through creating and deleting", function()
      speed(0.05)
      local states = {}
      local s = new_service{ approval_enabled = false }
      local ready = owner:wait_endpoint_service{ vpc_endpoint_service_id = s.id, interval = 0.02, timeout = 60,
        on_progress = function(info) states[info.state or "?"] = true end }
      assert.equal("available", ready.status)
      assert.is_true(states.creating)
      whitelist(s.id)
      local ep = new_endpoint(s.id)
      assert.equal("accepted", consumer:wait_endpoint(w{ vpc_endpoint_id = ep.id, interval = 0.02, timeout = 60 }).status)
      consumer:delete_endpoint{ vpc_endpoint_id = ep.id }
      states = {}
      assert.is_true(consumer:wait_endpoint_deleted{ vpc_endpoint_id = ep.id, interval = 0.02, timeout = 60,
        on_progress = function(info) states[info.state or "?"] = true end })
      assert.is_true(states.deleting)
    end)
  end)

  it("through hwcloud.safe: methods, iterators and waiters return nil, err", function()
    local sc = require("hwcloud.safe").new{ endpoint = e.endpoint, ak = e.ak, sk = e.sk,
                                            project_id = e.project_id, region = e.region }
    local svc = sc:vpcep()
    local created, resp = svc:create_endpoint_service{ vpc_id = uuid.v4(), port_id = uuid.v4(),
      server_type = "VM", ports = { { client_port = 80, server_port = 8080, protocol = "TCP" } } }
    assert.equal(200, resp.status)
    assert.equal("available", svc:wait_endpoint_service(w{ vpc_endpoint_service_id = created.id }).status)
    assert.equal(1, #collect(svc:each_endpoint_service()))
    local none, err = svc:list_service_details{ vpc_endpoint_service_id = uuid.v4() }
    assert.is_nil(none)
    assert.equal(404, err.status)
    none, err = svc:each_endpoint_service{ limit = "ten" }
    assert.is_nil(none)
    assert.equal("argument", err.kind)
    none, err = svc:wait_endpoint{ vpc_endpoint_id = uuid.v4(), interval = 0.01, on_progress = false }
    assert.is_nil(none)
    assert.equal("waiter", err.kind)
    assert.equal("GONE", err.code)
    sc:close()
  end)

  describe("with injected faults", function()
    it("retries throttled calls inside the client", function()
      fault{ method = "GET", path = "/vpc%-endpoint%-services$", count = 2, status = 429 }
      local _, response = owner:list_endpoint_service()
      assert.equal(3, response.attempts)
    end)

    it("keeps waiting through a dropped connection and a 5xx mid-wait", function()
      local fragile = new_client(e, { max_retries = 0 }):vpcep()
      speed(0.05)
      local s = fragile:create_endpoint_service{ vpc_id = uuid.v4(), port_id = uuid.v4(),
        server_type = "VM", ports = { { client_port = 80, server_port = 80 } } }
      fault{ method = "GET", path = "/vpc%-endpoint%-services/" .. s.id:gsub("%-", "%%-") .. "$", count = 1, action = "drop" }
      fault{ method = "GET", path = "/vpc%-endpoint%-services/" .. s.id:gsub("%-", "%%-") .. "$", count = 1, status = 502 }
      local transient = 0
      local ready = fragile:wait_endpoint_service{ vpc_endpoint_service_id = s.id, interval = 0.02, timeout = 60,
        on_progress = function(info) if info.error then transient = transient + 1 end end }
      assert.equal("available", ready.status)
      assert.equal(2, transient)
      fragile.client:close()
    end)
  end)
end)
