-- VPCEP tags in the emulator: tag actions on one resource, the project's
-- tag listing, and resource_instances filters (tags, tags_any, not_tags,
-- not_tags_any, matches, without_any_tag, count, paging).
local emu = require "spec.helpers.emulator"
local F = require "spec.emulator.vpcep_fixtures"

describe("VPCEP tags", function()
  local e, P
  setup(function()
    e = emu.start{ speed = 0 }
    P = "/v1/" .. e.project_id
  end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  local fails = F.fails
  local function tag(rtype, id, action, tags)
    return e.call("POST", P .. "/" .. rtype .. "/" .. id .. "/tags/action", { action = action, tags = tags })
  end
  local function tags_of(id)
    local t = {}
    for _, x in ipairs(e.call("GET", P .. "/vpc-endpoint-services/" .. id).body.tags) do t[x.key] = x.value end
    return t
  end
  local function instances(body, rtype)
    return e.call("POST", P .. "/" .. (rtype or "endpoint_service") .. "/resource_instances/action", body)
  end

  describe("BatchAddOrRemoveResourceInstance", function()
    it("creates (upserts) and deletes tags, 204", function()
      local s = F.service(e, { tags = { { key = "a", value = "1" } } })
      local res = tag("endpoint_service", s.id, "create", { { key = "b", value = "2" }, { key = "a", value = "9" } })
      assert.equal(204, res.status)
      assert.same({ a = "9", b = "2" }, tags_of(s.id))
      assert.equal(204, tag("endpoint_service", s.id, "delete", { { key = "a", value = "1" } }).status)
      assert.same({ a = "9", b = "2" }, tags_of(s.id))   -- value did not match
      tag("endpoint_service", s.id, "delete", { { key = "a" } })
      assert.same({ b = "2" }, tags_of(s.id))
    end)

    it("tags endpoints too", function()
      local s = F.service(e)
      local ep = F.endpoint(e, s.id)
      assert.equal(204, tag("endpoint", ep.id, "create", { { key = "k", value = "v" } }).status)
      local got = e.call("GET", P .. "/vpc-endpoints/" .. ep.id).body.tags
      assert.same({ { key = "k", value = "v" } }, got)
      fails(tag("endpoint", F.uuid(), "create", { { key = "k", value = "v" } }), 404, "EndPoint.2006")
    end)

    it("validates resource type, action and tags", function()
      local s = F.service(e)
      fails(tag("vpc", s.id, "create", {}), 400, "EndPoint.3070")
      fails(tag("endpoint_service", s.id, "update", {}), 400, "EndPoint.0007")
      fails(tag("endpoint_service", s.id, "create", { { key = "a", value = "1" }, { key = "a", value = "2" } }),
        400, "EndPoint.3067")
      fails(tag("endpoint_service", s.id, "create", { { key = "a" } }), 400, "EndPoint.3066")
      fails(tag("endpoint_service", s.id, "create", { { key = "a", value = string.rep("v", 256) } }), 400, "EndPoint.3073")
      fails(tag("endpoint_service", s.id, "create", { { key = "a=b", value = "1" } }), 400, "EndPoint.3068")
      fails(tag("endpoint_service", F.uuid(), "create", {}), 404, "EndPoint.0005")
      local many = {}
      for i = 1, 21 do many[i] = { key = "k" .. i, value = "v" } end
      fails(tag("endpoint_service", s.id, "create", many), 400, "EndPoint.3069")
    end)
  end)

  describe("ListQueryProjectResourceTags", function()
    it("lists every key with all its values", function()
      F.service(e, { tags = { { key = "env", value = "prod" }, { key = "team", value = "a" } } })
      F.service(e, { tags = { { key = "env", value = "dev" } } })
      local res = e.call("GET", P .. "/endpoint_service/tags")
      assert.equal(200, res.status)
      assert.same({ { key = "env", values = { "dev", "prod" } }, { key = "team", values = { "a" } } }, res.body.tags)
      assert.same({}, e.call("GET", P .. "/endpoint/tags").body.tags)
      fails(e.call("GET", P .. "/router/tags"), 400, "EndPoint.3070")
    end)
  end)

  describe("ListResourceInstances", function()
    local prod, dev, bare
    before_each(function()
      prod = F.service(e, { service_name = "prod", tags = { { key = "env", value = "prod" }, { key = "team", value = "a" } } })
      dev = F.service(e, { service_name = "dev", tags = { { key = "env", value = "dev" } } })
      bare = F.service(e, { service_name = "bare" })
    end)
    local function ids(res)
      local out = {}
      for _, r in ipairs(res.body.resources) do out[#out + 1] = r.resource_id end
      table.sort(out)
      return out
    end
    local function sorted(t) table.sort(t) return t end

    it("filters by tags (all), tags_any, not_tags and not_tags_any", function()
      local res = instances{ action = "filter", tags = { { key = "env", values = {} } } }
      assert.equal(200, res.status)
      assert.equal(2, res.body.total_count)
      assert.same(sorted{ prod.id, dev.id }, ids(res))
      res = instances{ action = "filter", tags = { { key = "env", values = { "prod" } }, { key = "team", values = {} } } }
      assert.same({ prod.id }, ids(res))
      assert.equal(prod.service_name, res.body.resources[1].resource_name)
      assert.equal(2, #res.body.resources[1].tags)
      res = instances{ action = "filter", tags_any = { { key = "team", values = {} }, { key = "env", values = { "dev" } } } }
      assert.same(sorted{ prod.id, dev.id }, ids(res))
      res = instances{ action = "filter", not_tags = { { key = "env", values = { "dev" } } } }
      assert.same(sorted{ prod.id, bare.id }, ids(res))
      res = instances{ action = "filter", not_tags_any = { { key = "team", values = {} }, { key = "env", values = { "dev" } } } }
      assert.same({ bare.id }, ids(res))
    end)

    it("finds untagged resources, matches names, counts and pages", function()
      assert.same({ bare.id }, ids(instances{ action = "filter", without_any_tag = true }))
      assert.same({ dev.id }, ids(instances{ action = "filter", matches = { { key = "resource_name", value = "DEV" } } }))
      local res = instances{ action = "count", tags = { { key = "env", values = {} } } }
      assert.same({ total_count = 2 }, res.body)
      res = instances{ action = "filter", limit = "1", offset = "1" }
      assert.equal(3, res.body.total_count)
      assert.equal(1, #res.body.resources)
      assert.equal(0, instances({ action = "count" }, "endpoint").body.total_count)
    end)

    it("validates the body", function()
      fails(instances{ action = "list" }, 400, "EndPoint.0007")
      fails(instances{ action = "filter", limit = "0" }, 400, "EndPoint.0006")
      fails(instances{ action = "filter", offset = "-1" }, 400, "EndPoint.0010")
      fails(instances{ action = "filter", tags = { { key = "a", values = {} }, { key = "a", values = {} } } },
        400, "EndPoint.3067")
      fails(instances{ action = "filter", tags = { { key = "a", values = { "x", "x" } } } }, 400, "EndPoint.3071")
      fails(instances{ action = "filter", tags = { { key = " ", values = {} } } }, 400, "EndPoint.3066")
      fails(instances{ action = "filter", matches = { { key = "id", value = "x" } } }, 400, "EndPoint.0002")
      fails(instances({ action = "filter" }, "vpc"), 400, "EndPoint.3070")
    end)
  end)
end)
