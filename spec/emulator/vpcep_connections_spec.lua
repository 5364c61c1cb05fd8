-- VPCEP connections and whitelists across accounts: an endpoint from
-- another domain is refused unless the service whitelists that domain (or
-- `*`); the owner lists connections, accepts or rejects them and sets
-- their descriptions; whitelist records are listed, added, removed and described.
local emu = require "spec.helpers.emulator"
local F = require "spec.emulator.vpcep_fixtures"

describe("VPCEP connections and whitelists", function()
  local e, P, S
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
    S = P .. "/vpc-endpoint-services"
  end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  local fails = F.fails
  local function ready_service(over) return F.ready_service(e, over) end
  local function perm(sid, action, list)
    return e.call("POST", S .. "/" .. sid .. "/permissions/action", { action = action, permissions = list })
  end
  local function their_endpoint(sid)
    return F.create_endpoint(e, sid, nil, e.second)
  end
  local function status_of(ep_id)
    return e.call("GET", "/v1/" .. e.second.project_id .. "/vpc-endpoints/" .. ep_id, nil, { as = e.second }).body.status
  end

  describe("whitelist gate", function()
    it("refuses another account without a whitelist record", function()
      local s = ready_service()
      fails(their_endpoint(s.id), 400, "EndPoint.2012")
    end)

    it("admits the whitelisted domain only", function()
      local s = ready_service()
      perm(s.id, "add", { "iam:domain::" .. e.second.domain_id })
      assert.equal(200, their_endpoint(s.id).status)
      local s2 = ready_service()
      perm(s2.id, "add", { "iam:domain::ffffffffffffffffffffffffffffffff" })
      fails(their_endpoint(s2.id), 400, "EndPoint.2012")
    end)

    it("admits everyone with * and domain wildcards", function()
      local s = ready_service()
      perm(s.id, "add", { "*" })
      assert.equal(200, their_endpoint(s.id).status)
      local s2 = ready_service()
      perm(s2.id, "add", { "iam:domain::" .. e.second.domain_id:sub(1, 8) .. "*" })
      assert.equal(200, their_endpoint(s2.id).status)
    end)

    it("stops admitting once the record is removed", function()
      local s = ready_service()
      perm(s.id, "add", { "*" })
      perm(s.id, "remove", { "*" })
      fails(their_endpoint(s.id), 400, "EndPoint.2012")
    end)
  end)

  describe("ListServicePermissionsDetails and AddOrRemoveServicePermissions", function()
    it("adds, lists, filters and removes records", function()
      local s = ready_service()
      local res = perm(s.id, "add", { "iam:domain::" .. e.second.domain_id, "*" })
      assert.equal(200, res.status)
      assert.equal("domainId", res.body.permission_type)
      assert.equal(2, #res.body.permissions)
      perm(s.id, "add", { "*" })   -- already there: no duplicate
      local list = e.call("GET", S .. "/" .. s.id .. "/permissions")
      assert.equal(2, list.body.total_count)
      assert.truthy(list.body.permissions[1].id and list.body.permissions[1].created_at)
      list = e.call("GET", S .. "/" .. s.id .. "/permissions?permission=iam&limit=1")
      assert.equal(1, list.body.total_count)
      perm(s.id, "remove", { "*" })
      assert.equal(1, e.call("GET", S .. "/" .. s.id .. "/permissions").body.total_count)
      fails(e.call("GET", S .. "/" .. s.id .. "/permissions?limit=501"), 400, "EndPoint.0006")
    end)

    it("validates action, list and permission strings", function()
      local s = ready_service()
      fails(perm(s.id, "grant", { "*" }), 400, "EndPoint.3035")
      fails(perm(s.id, "add", {}), 400, "EndPoint.3036")
      fails(perm(s.id, "add", { "domain:everyone" }), 400, "EndPoint.3002")
      fails(perm(s.id, "add", { "iam:domain::" .. string.rep("a", 65) }), 400, "EndPoint.3002")
      fails(e.call("POST", S .. "/" .. s.id .. "/permissions/action",
        { action = "add", permissions = { "*" }, permission_type = "orgPath" }), 400, "EndPoint.3002")
      assert.equal(200, e.call("POST", S .. "/" .. s.id .. "/permissions/action",
        { action = "add", permissions = { "organizations:orgPath::o-abc/r-def/ou-ghi" }, permission_type = "orgPath" }).status)
    end)

    it("caps the number of records", function()
      local s = ready_service()
      local list = {}
      for i = 1, 50 do list[i] = string.format("iam:domain::%032d", i) end
      assert.equal(200, perm(s.id, "add", list).status)
      fails(perm(s.id, "add", { "*" }), 400, "EndPoint.3049")
    end)
  end)

  describe("batch whitelist operations", function()
    it("batch-creates, describes and batch-deletes records", function()
      local s = ready_service()
      local res = e.call("POST", S .. "/" .. s.id .. "/permissions/batch-create", { permissions = {
        { permission = "iam:domain::" .. e.second.domain_id, description = "partner" },
        { permission = "*", description = "all" } } })
      assert.equal(200, res.status)
      assert.equal(2, #res.body.permissions)
      local rec = res.body.permissions[1]
      assert.equal("partner", rec.description)
      assert.equal("domainId", rec.permission_type)
      res = e.call("PUT", S .. "/" .. s.id .. "/permissions/" .. rec.id, { permission = { description = "renamed" } })
      assert.equal(200, res.status)
      assert.equal("renamed", res.body.permissions[1].description)
      -- ListServicePermissionsDetails items are PermissionObject: only the SDK model's fields
      local listed = e.call("GET", S .. "/" .. s.id .. "/permissions").body.permissions
      assert.equal(2, #listed)
      for _, item in ipairs(listed) do
        local keys = {}
        for k in pairs(item) do keys[#keys + 1] = k end
        table.sort(keys)
        assert.same({ "created_at", "id", "permission", "permission_type" }, keys)
      end
      fails(e.call("PUT", S .. "/" .. s.id .. "/permissions/" .. rec.id, { description = "flat" }), 400, "EndPoint.0002")
      fails(e.call("PUT", S .. "/" .. s.id .. "/permissions/" .. F.uuid(), { permission = { description = "x" } }),
        404, "EndPoint.0005")
      res = e.call("POST", S .. "/" .. s.id .. "/permissions/batch-delete", { permissions = { { id = rec.id } } })
      assert.equal(200, res.status)
      assert.same({}, res.body.permissions)
      assert.equal(1, e.call("GET", S .. "/" .. s.id .. "/permissions").body.total_count)
      fails(e.call("POST", S .. "/" .. s.id .. "/permissions/batch-delete", { permissions = { { id = rec.id } } }),
        404, "EndPoint.0005")
      fails(e.call("POST", S .. "/" .. s.id .. "/permissions/batch-create",
        { permissions = { { permission = "*" } } }), 400, "EndPoint.0002")
    end)
  end)

  describe("connections", function()
    local s, ep
    before_each(function()
      s = ready_service{ approval_enabled = true }
      perm(s.id, "add", { "*" })
      ep = their_endpoint(s.id).body
      assert.equal("pendingAcceptance", status_of(ep.id))
    end)

    local function act(action, ids)
      return e.call("POST", S .. "/" .. s.id .. "/connections/action", { action = action, endpoints = ids })
    end

    it("lists the connections of the owner's service", function()
      local res = e.call("GET", S .. "/" .. s.id .. "/connections")
      assert.equal(200, res.status)
      assert.equal(1, res.body.total_count)
      local c = res.body.connections[1]
      assert.equal(ep.id, c.id)
      assert.equal(e.second.domain_id, c.domain_id)
      assert.equal("pendingAcceptance", c.status)
      assert.equal(ep.marker_id, c.marker_id)
      res = e.call("GET", S .. "/" .. s.id .. "/connections?status=accepted")
      assert.equal(0, res.body.total_count)
      res = e.call("GET", S .. "/" .. s.id .. "/connections?marker_id=" .. ep.marker_id)
      assert.equal(1, res.body.total_count)
      fails(e.call("GET", S .. "/" .. s.id .. "/connections?marker_id=abc"), 400, "EndPoint.0021")
      fails(e.call("GET", S .. "/" .. s.id .. "/connections?status=creating"), 400, "EndPoint.0019")
    end)

    it("accepts, rejects and re-accepts an endpoint", function()
      local res = act("receive", { ep.id })
      assert.equal(200, res.status)
      assert.equal("accepted", res.body.connections[1].status)
      assert.equal("accepted", status_of(ep.id))
      fails(act("receive", { ep.id }), 400, "EndPoint.2014")
      res = act("reject", { ep.id })
      assert.equal("rejected", res.body.connections[1].status)
      assert.equal("rejected", status_of(ep.id))
      assert.equal("rejected", act("reject", { ep.id }).body.connections[1].status)
      assert.equal("accepted", act("receive", { ep.id }).body.connections[1].status)
      assert.equal(1, e.call("GET", S .. "/" .. s.id).body.status == "available" and 1 or 0)
      assert.equal(1, e.call("GET", S .. "?id=" .. s.id).body.endpoint_services[1].connection_count)
    end)

    it("rejects a pending endpoint", function()
      assert.equal("rejected", act("reject", { ep.id }).body.connections[1].status)
    end)

    it("validates the action", function()
      fails(act("approve", { ep.id }), 400, "EndPoint.0007")
      fails(act("receive", {}), 400, "EndPoint.2002")
      fails(act("receive", { ep.id, F.uuid() }), 400, "EndPoint.2031")
      fails(act("receive", { F.uuid() }), 400, "EndPoint.2013")
      fails(e.call("POST", "/v1/" .. e.second.project_id .. "/vpc-endpoint-services/" .. s.id .. "/connections/action",
        { action = "receive", endpoints = { ep.id } }, { as = e.second }), 404, "EndPoint.0005")
    end)

    it("sets connection descriptions", function()
      local res = e.call("PUT", S .. "/" .. s.id .. "/connections/description",
        { connections = { { id = ep.id, description = "partner link" } } })
      assert.equal(200, res.status)
      assert.equal("partner link", res.body.connections[1].description)
      assert.equal("partner link", e.call("GET", S .. "/" .. s.id .. "/connections").body.connections[1].description)
      fails(e.call("PUT", S .. "/" .. s.id .. "/connections/description",
        { connections = { { id = F.uuid(), description = "x" } } }), 400, "EndPoint.2013")
      fails(e.call("PUT", S .. "/" .. s.id .. "/connections/description",
        { connections = { { id = ep.id, description = "<x>" } } }), 400, "EndPoint.0002")
    end)
  end)
end)
