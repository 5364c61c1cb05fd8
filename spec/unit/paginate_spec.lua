-- Unit specs of hwcloud.paginate: marker paging (RFS) and offset paging
-- (VPCEP), against a fake client.

local rfs = require("hwcloud.rfs")
local vpcep = require("hwcloud.vpcep")
local fake = require("spec.helpers.fake_client")
local S = require("spec.helpers.services")
local collect = S.collect

describe("marker iterators (RFS)", function()
  local client, svc
  before_each(function()
    client = fake.new()
    svc = rfs.new(client)
  end)

  it("follows page_info.next_marker until it is absent", function()
    local pages = {
      [""] = { stacks = { { stack_name = "a" }, { stack_name = "b" } }, page_info = { next_marker = "m1", current_count = 2 } },
      m1 = { stacks = { { stack_name = "c" } }, page_info = { next_marker = "m2", current_count = 1 } },
      m2 = { stacks = { { stack_name = "d" } }, page_info = { current_count = 1 } },
    }
    client:on("GET", "/v1/[^/]+/stacks", function(req) return 200, pages[req.query.marker or ""] end)
    local names = {}
    for stack in svc:each_stack{ limit = 2 } do names[#names + 1] = stack.stack_name end
    assert.same({ "a", "b", "c", "d" }, names)
    assert.equal(3, #client.requests)
    assert.same({ limit = "2" }, client.requests[1].query)
    assert.same({ limit = "2", marker = "m1" }, client.requests[2].query)
    assert.same({ limit = "2", marker = "m2" }, client.requests[3].query)
  end)

  it("fetches pages lazily", function()
    client:on("GET", "/v1/[^/]+/stacks", function(req)
      return 200, { stacks = { { stack_name = req.query.marker or "first" } }, page_info = { next_marker = "more" .. #client.requests } }
    end)
    local iter = svc:each_stack()
    assert.equal(0, #client.requests)
    assert.equal("first", iter().stack_name)
    assert.equal(1, #client.requests)
    assert.equal("more1", iter().stack_name)
    assert.equal(2, #client.requests)
  end)

  it("takes a response without page_info as the only page (older servers)", function()
    client:on("GET", "/v1/[^/]+/templates", function() return 200, { templates = { { template_name = "t" } } } end)
    assert.equal(1, #collect(svc:each_template()))
    assert.equal(1, #client.requests)
  end)

  it("stops on an empty page", function()
    client:on("GET", "/v1/[^/]+/stacks", function() return 200, { stacks = {}, page_info = { next_marker = "x" } } end)
    assert.same({}, collect(svc:each_stack()))
    assert.equal(1, #client.requests)
  end)

  it("raises when a marker comes back instead of looping forever", function()
    -- a -> b -> a: every page has items, the cycle never ends on its own
    local cycle = { [""] = "a", a = "b", b = "a" }
    client:on("GET", "/v1/[^/]+/stacks", function(req)
      local m = req.query.marker or ""
      return 200, { stacks = { { stack_name = "s-" .. m } }, page_info = { next_marker = cycle[m] } }
    end)
    local seen = {}
    local ok, err = pcall(function()
      for s in svc:each_stack() do seen[#seen + 1] = s.stack_name end
    end)
    assert.is_false(ok)
    assert.equal("decode", err.kind)
    assert.equal("MarkerRepeated", err.code)
    assert.matches('rfs.list_stacks: page_info.next_marker "a" came back after 3 pages', err.message, 1, true)
    assert.same({ "s-", "s-a", "s-b" }, seen)
    assert.equal(3, #client.requests)
    -- the marker the caller started from counts too
    client:on("GET", "/v1/[^/]+/templates", function()
      return 200, { templates = { { template_name = "t" } }, page_info = { next_marker = "same" } }
    end)
    ok, err = pcall(collect, svc:each_template{ marker = "same" })
    assert.is_false(ok)
    assert.equal("MarkerRepeated", err.code)
  end)

  it("passes the other query fields on every page", function()
    client:on("GET", "/v1/[^/]+/stacks/web/events", function(req)
      if req.query.marker then return 200, { stack_events = { { event_type = "LOG" } } } end
      return 200, { stack_events = { { event_type = "ERROR" } }, page_info = { next_marker = "n" } }
    end)
    local events = collect(svc:each_stack_event{ stack_name = "web", deployment_id = "d1", filter = "event_type==ERROR" })
    assert.equal(2, #events)
    for _, req in ipairs(client.requests) do
      assert.equal("d1", req.query.deployment_id)
      assert.equal("event_type==ERROR", req.query.filter)
      assert.equal("/v1/" .. client.project_id .. "/stacks/web/events", req.path)
    end
  end)

  it("raises argument errors when the iterator is made, before any request", function()
    local ok, err = pcall(svc.each_stack_event, svc, {})
    assert.is_false(ok)
    assert.equal("rfs.list_stack_events: stack_name is required", err.message)
    assert.equal(0, #client.requests)
  end)

  it("has one iterator per list operation on each service", function()
    for _, name in ipairs({ "each_stack", "each_stack_event", "each_stack_resource", "each_stack_output",
                            "each_execution_plan", "each_template", "each_template_version", "each_stack_set",
                            "each_stack_set_operation", "each_stack_instance" }) do
      assert.is_function(svc[name], name)
    end
  end)

  it("reads stack sets and instances without a project id", function()
    client:on("GET", "/v1/stack%-sets/s/stack%-instances", function()
      return 200, { stack_instances = { { region = "r1" }, { region = "r2" } } }
    end)
    assert.equal(2, #collect(svc:each_stack_instance{ stack_set_name = "s", sort_key = { "create_time" }, sort_dir = { "asc" } }))
    assert.same({ "create_time" }, client.requests[1].query.sort_key)
  end)
end)

describe("offset iterators (VPCEP)", function()
  local client, svc
  before_each(function()
    client = fake.new()
    svc = vpcep.new(client)
  end)

  local function serve(path, key, total, opts)
    opts = opts or {}
    client:on("GET", path, function(req)
      local offset, limit = tonumber(req.query.offset), tonumber(req.query.limit)
      local items = {}
      for i = offset + 1, math.min(offset + limit, total) do items[#items + 1] = { id = "id" .. i } end
      return 200, { [key] = items, total_count = (not opts.no_total) and total or nil }
    end)
  end

  it("pages with offset/limit until total_count", function()
    serve("/v1/[^/]+/vpc%-endpoints", "endpoints", 7)
    local ids = {}
    for e in svc:each_endpoint{ limit = 3 } do ids[#ids + 1] = e.id end
    assert.same({ "id1", "id2", "id3", "id4", "id5", "id6", "id7" }, ids)
    assert.equal(3, #client.requests)
    assert.same({ limit = "3", offset = "0" }, client.requests[1].query)
    assert.same({ limit = "3", offset = "6" }, client.requests[3].query)
  end)

  it("asks for 100 per page unless told otherwise", function()
    serve("/v1/[^/]+/vpc%-endpoint%-services", "endpoint_services", 150)
    assert.equal(150, #collect(svc:each_endpoint_service()))
    assert.equal(2, #client.requests)
    assert.equal("100", client.requests[1].query.limit)
  end)

  it("stops on a short page when total_count is missing", function()
    serve("/v1/[^/]+/vpc%-endpoint%-services/s1/connections", "connections", 5, { no_total = true })
    assert.equal(5, #collect(svc:each_connection{ vpc_endpoint_service_id = "s1", limit = 2 }))
    assert.equal(3, #client.requests)
  end)

  it("stops on an empty page", function()
    client:on("GET", "/v1/[^/]+/vpc%-endpoint%-services/s1/permissions", function()
      return 200, { permissions = {}, total_count = 99 }
    end)
    assert.same({}, collect(svc:each_permission{ vpc_endpoint_service_id = "s1" }))
    assert.equal(1, #client.requests)
  end)

  it("raises when the server ignores the offset and repeats its page", function()
    client:on("GET", "/v1/[^/]+/vpc%-endpoint%-services/s1/connections", function()
      return 200, { connections = { { id = "c1" }, { id = "c2" } } } -- no total_count, full pages
    end)
    local ids = {}
    local ok, err = pcall(function()
      for c in svc:each_connection{ vpc_endpoint_service_id = "s1", limit = 2 } do ids[#ids + 1] = c.id end
    end)
    assert.is_false(ok)
    assert.equal("PageRepeated", err.code)
    assert.equal("decode", err.kind)
    assert.matches("vpcep.list_service_connections: the page at offset 2 repeats", err.message, 1, true)
    assert.same({ "c1", "c2" }, ids)
    assert.equal(2, #client.requests)
  end)

  it("starts at a given offset", function()
    serve("/v1/[^/]+/vpc%-endpoint%-services/public", "endpoint_services", 4)
    assert.equal(2, #collect(svc:each_public_service{ offset = 2 }))
  end)

  it("pages ListResourceInstances through its body, with string limit/offset and action=filter", function()
    client:on("POST", "/v1/[^/]+/endpoint/resource_instances/action", function(req)
      local offset = tonumber(req.body.offset)
      local items = {}
      for i = offset + 1, math.min(offset + tonumber(req.body.limit), 3) do
        items[#items + 1] = { resource_id = "r" .. i }
      end
      return 200, { resources = items, total_count = 3 }
    end)
    local got = collect(svc:each_resource_instance{ resource_type = "endpoint", limit = 2,
                                                   tags = { { key = "env", values = { "prod" } } } })
    assert.equal(3, #got)
    assert.equal(2, #client.requests)
    assert.same({ action = "filter", limit = "2", offset = "0", tags = { { key = "env", values = { "prod" } } } },
      client.requests[1].body)
    assert.equal("2", client.requests[2].body.offset)
  end)

  it("has one iterator per paged list operation", function()
    for _, name in ipairs({ "each_endpoint_service", "each_public_service", "each_connection",
                            "each_permission", "each_endpoint", "each_resource_instance" }) do
      assert.is_function(svc[name], name)
    end
  end)
end)
