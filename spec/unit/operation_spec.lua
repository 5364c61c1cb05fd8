-- Unit specs of hwcloud.operation (the generic executor) and of the
-- operation data in hwcloud.ops.rfs / hwcloud.ops.vpcep, with a fake client.

local core = require("hwcloud.core")
local operation = require("hwcloud.operation")
local fake = require("spec.helpers.fake_client")
local S = require("spec.helpers.services")
local raised = S.raised

local rfs_ops = operation.compile(require("hwcloud.ops.rfs"))
local vpcep_ops = operation.compile(require("hwcloud.ops.vpcep"))

local function snake(name)
  return (name:gsub("(%l)(%u)", "%1_%2"):gsub("(%u)(%u%l)", "%1_%2"):lower())
end

-- The operation index of an API reference: {sdk name, method, path, status}.
local function doc_index(file, row_pattern)
  local f = io.open("../shared/api/" .. file) -- next to the repository (busted runs from its root)
  if not f then return nil end
  local out = {}
  for line in f:lines() do
    local sdk, method, path, status = line:match(row_pattern)
    if sdk then
      out[#out + 1] = { sdk = sdk, method = method, path = path, status = tonumber(status) }
    end
  end
  f:close()
  return out
end

describe("operation data", function()
  local cases = {
    { "rfs", rfs_ops, 75, { "rfs.md", "rfs-private.md" },
      "^| %w+ | [%w ]+ | (%a+) / [%w_]+[^|]*| (%u+)[^|]*| `([^`]+)` | (%d+)" },
    { "vpcep", vpcep_ops, 33, { "vpcep.md" },
      "^| %d+ | (%a+)[^|]*| (%u+) | `([^`]+)` | (%d+)" },
  }
  for _, case in ipairs(cases) do
    local service, compiled, count, files, pattern = case[1], case[2], case[3], case[4], case[5]

    it(service .. " has all " .. count .. " operations with unique names", function()
      assert.equal(count, #compiled.operations)
      local names = {}
      for _, op in ipairs(compiled.operations) do
        assert.is_nil(names[op.name], op.name)
        names[op.name] = true
        assert.matches("^[a-z_]+$", op.name)
        assert.matches("^/", op.path)
        assert.is_true(({ GET = 1, POST = 1, PUT = 1, PATCH = 1, DELETE = 1 })[op.method] ~= nil)
        assert.is_number(op.status)
        assert.equal(service .. "." .. op.name, op.full_name)
      end
    end)

    it(service .. " matches the operation index of " .. table.concat(files, " and ") .. " (name, method, path, status)", function()
      local index = {}
      for _, file in ipairs(files) do
        local rows = doc_index(file, pattern)
        if not rows then return pending(file .. " not found") end
        for _, row in ipairs(rows) do index[#index + 1] = row end
      end
      assert.equal(count, #index)
      for _, row in ipairs(index) do
        local op = compiled.by_name[snake(row.sdk)]
        assert.is_table(op, "no operation for " .. row.sdk .. " (" .. snake(row.sdk) .. ")")
        assert.equal(row.method, op.method, row.sdk)
        assert.equal(row.path, op.path, row.sdk)
        assert.equal(row.status, op.status, row.sdk)
      end
    end)
  end

  it("names operations in snake_case of the SDK name", function()
    assert.equal("list_stacks", snake("ListStacks"))
    assert.equal("create_endpoint_service", snake("CreateEndpointService"))
    assert.equal("accept_or_reject_endpoint", snake("AcceptOrRejectEndpoint"))
    assert.is_table(vpcep_ops.by_name.accept_or_reject_endpoint)
    assert.is_table(rfs_ops.by_name.delete_stack_instance_deprecated)
  end)

  it("makes every path placeholder but project_id a required string field", function()
    for _, compiled in ipairs({ rfs_ops, vpcep_ops }) do
      for _, op in ipairs(compiled.operations) do
        for _, name in ipairs(op.path_params) do
          if name ~= "project_id" then
            assert.same({ where = "path", type = "string", required = true }, op.fields[name])
          end
        end
      end
    end
  end)

  it("knows the required body fields", function()
    assert.is_true(rfs_ops.by_name.create_stack.fields.stack_name.required)
    assert.equal("body", rfs_ops.by_name.create_stack.fields.stack_name.where)
    assert.same({ "deployment_targets", "stack_set_name" }, rfs_ops.by_name.deploy_stack_set.required)
    assert.same({ "port_id", "ports", "server_type", "vpc_id" }, vpcep_ops.by_name.create_endpoint_service.required)
    assert.same({ "action", "endpoints", "vpc_endpoint_service_id" },
      vpcep_ops.by_name.accept_or_reject_endpoint.required)
  end)

  it("marks the list operations with their items and iterator", function()
    local function lists(compiled)
      local out = {}
      for _, op in ipairs(compiled.operations) do
        if op.each then out[#out + 1] = op.each end
      end
      table.sort(out)
      return out
    end
    assert.same({ "each_execution_plan", "each_private_hook", "each_private_hook_version", "each_private_module",
      "each_private_module_version", "each_private_provider", "each_private_provider_version", "each_stack",
      "each_stack_event", "each_stack_instance", "each_stack_output", "each_stack_resource", "each_stack_set",
      "each_stack_set_operation", "each_template", "each_template_version" }, lists(rfs_ops))
    assert.same({ "each_connection", "each_endpoint", "each_endpoint_service", "each_permission",
      "each_public_service", "each_resource_instance" }, lists(vpcep_ops))
  end)
end)

describe("operation.call", function()
  local client
  before_each(function()
    client = fake.new()
    client:on("POST", "/v1/[^/]+/stacks", function() return 201, { stack_id = "sid", deployment_id = "did" } end)
  end)

  it("sends the request and returns the body and the whole response", function()
    local body, response = operation.call(client, rfs_ops.by_name.create_stack,
      { stack_name = "web", template_body = "x", enable_auto_rollback = true })
    assert.same({ stack_id = "sid", deployment_id = "did" }, body)
    assert.equal(201, response.status)
    local req = client.requests[1]
    assert.equal("rfs", req.service)
    assert.equal("rfs.create_stack", req.operation)
    assert.equal("POST", req.method)
    assert.equal("/v1/" .. client.project_id .. "/stacks", req.path)
    assert.same({ stack_name = "web", template_body = "x", enable_auto_rollback = true }, req.body)
    assert.same({}, req.query)
  end)

  it("raises an argument error naming the operation and a missing required field", function()
    local err = raised(operation.call, client, rfs_ops.by_name.create_stack, { template_body = "x" })
    assert.is_true(core.is_error(err))
    assert.equal("argument", err.kind)
    assert.equal("stack_name", err.field)
    assert.equal("rfs.create_stack: stack_name is required", err.message)
    assert.equal(0, #client.requests)
  end)

  it("checks path fields too and refuses empty ones", function()
    local err = raised(operation.call, client, rfs_ops.by_name.get_stack_metadata, {})
    assert.equal("rfs.get_stack_metadata: stack_name is required", err.message)
    err = raised(operation.call, client, rfs_ops.by_name.get_stack_metadata, { stack_name = "" })
    assert.equal("rfs.get_stack_metadata: stack_name must not be empty", err.message)
  end)

  it("checks obvious types", function()
    local function msg(op, args) return raised(operation.call, client, op, args).message end
    local create = rfs_ops.by_name.create_stack
    assert.equal("rfs.create_stack: enable_auto_rollback must be a boolean, got string",
      msg(create, { stack_name = "a", enable_auto_rollback = "yes" }))
    assert.equal("rfs.create_stack: stack_name must be a string, got integer", msg(create, { stack_name = 5 }))
    assert.equal("rfs.create_stack: vars_structure must be an array, got table",
      msg(create, { stack_name = "a", vars_structure = { var_key = "x" } }))
    assert.equal("rfs.list_stacks: limit must be an integer, got number",
      msg(rfs_ops.by_name.list_stacks, { limit = 1.5 }))
    assert.equal("rfs.deploy_stack_set: deployment_targets must be an object, got array",
      msg(rfs_ops.by_name.deploy_stack_set, { stack_set_name = "s", deployment_targets = { "r" } }))
    assert.equal("vpcep.accept_or_reject_endpoint: endpoints must be an array of strings, got array",
      msg(vpcep_ops.by_name.accept_or_reject_endpoint,
        { vpc_endpoint_service_id = "s", action = "receive", endpoints = { 1 } }))
    assert.equal("rfs.list_stacks: argument table expected, got string",
      msg(rfs_ops.by_name.list_stacks, "x"))
  end)

  it("refuses unknown fields (typos)", function()
    local err = raised(operation.call, client, rfs_ops.by_name.create_stack, { stack_name = "a", stack_nmae = "b" })
    assert.equal("rfs.create_stack: unknown field stack_nmae (did you mean stack_name?)", err.message)
    assert.equal("stack_nmae", err.field)
    -- project_id and the request id names are accepted names too
    assert.equal("rfs.list_stacks: unknown field projectid (did you mean project_id?)",
      raised(operation.call, client, rfs_ops.by_name.list_stacks, { projectid = "p" }).message)
    assert.equal("rfs.list_stacks: unknown field zzz",
      raised(operation.call, client, rfs_ops.by_name.list_stacks, { zzz = 1 }).message)
  end)

  it("refuses unknown per-call options before anything is sent", function()
    local n = #client.requests
    local err = raised(operation.call, client, vpcep_ops.by_name.list_endpoints, {}, { hedaers = {} })
    assert.equal("vpcep.list_endpoints: unknown option opts.hedaers (did you mean opts.headers?)", err.message)
    assert.equal("argument", err.kind)
    assert.equal("vpcep.list_endpoints: opts must be a table, got string",
      raised(operation.call, client, vpcep_ops.by_name.list_endpoints, {}, "x").message)
    assert.equal("vpcep.list_endpoints: opts.headers must be a table, got string",
      raised(operation.call, client, vpcep_ops.by_name.list_endpoints, {}, { headers = "x" }).message)
    assert.equal(n, #client.requests)
  end)

  it("enforces exactly one / at most one of the template fields", function()
    local deploy = rfs_ops.by_name.deploy_stack
    assert.equal("rfs.deploy_stack: exactly one of template_body, template_uri is required",
      raised(operation.call, client, deploy, { stack_name = "a" }).message)
    assert.equal("rfs.deploy_stack: exactly one of template_body, template_uri is required",
      raised(operation.call, client, deploy, { stack_name = "a", template_body = "x", template_uri = "y" }).message)
    assert.equal("rfs.create_stack: at most one of template_body, template_uri may be given",
      raised(operation.call, client, rfs_ops.by_name.create_stack,
        { stack_name = "a", template_body = "x", template_uri = "y" }).message)
    assert.equal("vpcep.list_service_describe_details: exactly one of endpoint_service_name, id is required",
      raised(operation.call, client, vpcep_ops.by_name.list_service_describe_details, {}).message)
  end)

  it("substitutes and percent-encodes path fields", function()
    local req = operation.build(client, rfs_ops.by_name.show_stack_instance,
      { stack_set_name = "my set", stack_instance_addr = "ap-southeast-1/0a1b" })
    assert.equal("/v1/stack-sets/my%20set/stack-instances/ap-southeast-1%2F0a1b", req.path)
    req = operation.build(client, vpcep_ops.by_name.list_specified_version_details, { version = "v1" })
    assert.equal("/v1", req.path)
    assert.equal("a-b.c_d~e%21%2A%28%29", operation.encode_segment("a-b.c_d~e!*()"))
  end)

  it("takes the project id from client:get_project_id, client.project_id or the arguments", function()
    local op = rfs_ops.by_name.list_stacks
    local c = { get_project_id = function(self, service) return "p-" .. service end }
    assert.equal("/v1/p-rfs/stacks", operation.build(c, op).path)
    assert.equal("/v1/r/stacks", operation.build({ project_id = "r" }, op).path)
    assert.equal("/v1/given/stacks", operation.build({ project_id = "r" }, op, { project_id = "given" }).path)
    local err = raised(operation.build, {}, op)
    assert.equal("argument", err.kind)
    assert.matches("^rfs%.list_stacks: no project id", err.message)
    -- stack sets have no project id: none is needed
    assert.equal("/v1/stack-sets", operation.build({}, rfs_ops.by_name.list_stack_sets).path)
  end)

  it("turns query values into strings and keeps lists as lists", function()
    local req = operation.build(client, rfs_ops.by_name.list_stack_sets,
      { limit = 10.0, sort_key = { "create_time" }, sort_dir = { "asc" }, filter = "permission_model==SELF_MANAGED" })
    assert.same({ limit = "10", sort_key = { "create_time" }, sort_dir = { "asc" },
      filter = "permission_model==SELF_MANAGED" }, req.query)
    assert.is_nil(req.body)
  end)

  it("encodes empty arrays as [] and integral numbers as integers", function()
    local req = operation.build(client, vpcep_ops.by_name.update_endpoint_white,
      { vpc_endpoint_id = "e", whitelist = {}, enable_whitelist = false })
    assert.matches('"whitelist":%[%]', core.encode(req.body))
    assert.is_true(core.is_array(core.decode(core.encode(req.body)).whitelist))
    req = operation.build(client, vpcep_ops.by_name.create_endpoint_service, {
      port_id = "p", vpc_id = "v", server_type = "VM", ports = { { client_port = 80.0, server_port = 8080 } } })
    assert.matches('"client_port":80[,}]', core.encode(req.body))
  end)

  it("does not change the caller's arrays", function()
    local list = { "10.0.0.0/8" }
    operation.build(client, vpcep_ops.by_name.update_endpoint_white, { vpc_endpoint_id = "e", whitelist = list })
    assert.is_nil(getmetatable(list))
  end)

  it("sends {} for a body operation called without body fields, unless the body is optional", function()
    client:on("POST", ".*", function() return 202, { deployment_id = "d" } end)
    operation.call(client, rfs_ops.by_name.continue_deploy_stack, { stack_name = "s" })
    assert.equal("{}", client.requests[1].json)
    local req = operation.build(client, vpcep_ops.by_name.upgrade_endpoint_service, { vpc_endpoint_service_id = "s" })
    assert.is_nil(req.body)
    req = operation.build(client, vpcep_ops.by_name.upgrade_endpoint_service,
      { vpc_endpoint_service_id = "s", action = "upgrade" })
    assert.same({ action = "upgrade" }, req.body)
  end)

  it("sends limit/offset of ListResourceInstances as strings", function()
    local req = operation.build(client, vpcep_ops.by_name.list_resource_instances,
      { resource_type = "endpoint", action = "filter", limit = 5, offset = "10" })
    assert.same({ action = "filter", limit = "5", offset = "10" }, req.body)
    assert.is_true(req.idempotent)
    assert.is_nil(operation.build(client, vpcep_ops.by_name.create_endpoint,
      { endpoint_service_id = "s", vpc_id = "v" }).idempotent)
  end)

  it("gives every RFS call a fresh UUID v4 Client-Request-Id unless one is given", function()
    local op = rfs_ops.by_name.list_stacks
    local a = operation.build(client, op).headers["Client-Request-Id"]
    local b = operation.build(client, op).headers["Client-Request-Id"]
    assert.matches("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$", a)
    assert.not_equal(a, b)
    local given = string.rep("c", 36)
    assert.equal(given, operation.build(client, op, { ["Client-Request-Id"] = given }).headers["Client-Request-Id"])
    assert.equal(given, operation.build(client, op, { client_request_id = given }).headers["Client-Request-Id"])
    -- not a query or body field
    local req = operation.build(client, op, { client_request_id = given })
    assert.same({}, req.query)
    -- VPCEP has no such header
    assert.same({}, operation.build(client, vpcep_ops.by_name.list_quota_details).headers)
  end)

  it("merges extra headers from opts", function()
    local req = operation.build(client, vpcep_ops.by_name.list_quota_details, {}, { headers = { ["X-Language"] = "en-us" } })
    assert.same({ ["X-Language"] = "en-us" }, req.headers)
  end)

  it("returns an empty table for an empty body", function()
    client:on("DELETE", ".*", function() return 204, nil end)
    local body, response = operation.call(client, vpcep_ops.by_name.delete_endpoint, { vpc_endpoint_id = "e" })
    assert.same({}, body)
    assert.equal(204, response.status)
  end)

  it("returns the Location of a redirect operation as body.location", function()
    client:on("GET", ".*/templates", function() return 307, nil, { Location = "http://x/t.tf" } end)
    local body, response = operation.call(client, rfs_ops.by_name.get_stack_template, { stack_name = "s" })
    assert.equal("http://x/t.tf", body.location)
    assert.equal(307, response.status)
  end)

  it("lets API errors through untouched", function()
    client:on("GET", ".*/metadata", function() return 404, { error_code = "RF.10013001", error_msg = "no" } end)
    local err = raised(operation.call, client, rfs_ops.by_name.get_stack_metadata, { stack_name = "s" })
    assert.equal("http", err.kind)
    assert.equal(404, err.status)
    assert.equal("RF.10013001", err.code)
  end)

  it("makes UUIDs that look random", function()
    local seen = {}
    for _ = 1, 200 do
      local u = require("hwcloud.uuid").v4()
      assert.is_nil(seen[u])
      seen[u] = true
    end
  end)
end)
