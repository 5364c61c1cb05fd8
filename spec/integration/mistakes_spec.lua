-- A new user's mistakes against the real emulator (issue 13): a misspelt
-- field of client:request, of an operation's per-call options or of a
-- helper's argument table is an argument error naming the function, the
-- unknown key and the closest valid one, raised before anything reaches the
-- emulator; a service method called with a dot says to use a colon, one
-- given an argument too many says what it takes; the correct form of the
-- same call goes through.

local emu = require "spec.helpers.emulator"
local S = require "spec.helpers.services"
local core = require "hwcloud.core"

local raised = S.raised

describe("a user's mistakes, against the emulator", function()
  local e, c
  local h = S.emulator(function() return e end)

  setup(function()
    e = emu.start{ speed = 0 }
    c = h.client(e)
  end)

  teardown(function()
    if e then e.stop() end
  end)

  before_each(function() h.reset() end)

  -- the requests the emulator has logged outside its control API
  local function api_requests()
    local _, body = e.control("GET", "/_emulator/requests")
    local n = 0
    for _, r in ipairs(body.requests or {}) do
      if not tostring(r.path or r.uri or ""):find("^/_emulator") then n = n + 1 end
    end
    return n
  end

  local function argument_error(fn, ...)
    local err = raised(fn, ...)
    assert.is_true(core.is_error(err), tostring(err))
    assert.are.equal("argument", err.kind)
    return err
  end

  describe("typos", function()
    local LIST = { service = "vpcep", method = "GET", path = "/v1/{project_id}/vpc-endpoints" }

    local function list_request(extra)
      local req = {}
      for k, v in pairs(LIST) do req[k] = v end
      for k, v in pairs(extra) do req[k] = v end
      return req
    end

    it("in client:request are refused before sending, naming the closest field", function()
      local before = api_requests()
      for typo, near in pairs({ querry = "query", hedaers = "headers", max_retires = "max_retries" }) do
        local err = argument_error(c.request, c, list_request{ [typo] = { limit = 1 } })
        assert.are.equal("client:request: unknown field req." .. typo .. " (did you mean req." .. near .. "?)",
          err.message)
      end
      assert.are.equal(before, api_requests())
      local res = c:request(list_request{ query = { limit = 1 }, headers = { ["X-Language"] = "en-us" },
                                          max_retries = 0 })
      assert.are.equal(200, res.status)
      assert.are.equal(before + 1, api_requests())
    end)

    it("in a service helper's per-call options are refused, iterators included", function()
      local vpcep = c:vpcep()
      local before = api_requests()
      local err = argument_error(vpcep.list_endpoints, vpcep, {}, { hedaers = {} })
      assert.are.equal("vpcep.list_endpoints: unknown option opts.hedaers (did you mean opts.headers?)", err.message)
      err = argument_error(vpcep.each_endpoint, vpcep, {}, { header = {} })
      assert.are.equal("vpcep.list_endpoints: unknown option opts.header (did you mean opts.headers?)", err.message)
      local rfs = c:rfs()
      err = argument_error(rfs.list_stacks, rfs, {}, { timeout = 3 })
      assert.are.equal("rfs.list_stacks: unknown option opts.timeout", err.message)
      assert.are.equal(before, api_requests())
      local body = vpcep:list_endpoints({ limit = 1 }, { headers = { ["X-Language"] = "en-us" } })
      assert.is_table(body.endpoints)
      assert.are.equal(before + 1, api_requests())
    end)

    it("in deploy_from_file and the waiters name the unknown field before a missing one", function()
      local rfs = c:rfs()
      local before = api_requests()
      local err = argument_error(rfs.deploy_from_file, rfs, { stack_name = "web", templat_file = "main.tf" })
      assert.are.equal("rfs.deploy_from_file: unknown field templat_file (did you mean template_file?)", err.message)
      assert.are.equal("templat_file", err.field)
      err = argument_error(rfs.wait_stack, rfs, { stack_nmae = "web" })
      assert.are.equal("rfs.wait_stack: unknown field stack_nmae (did you mean stack_name?)", err.message)
      err = argument_error(rfs.publish_hook_version, rfs, { hook_name = "h", hook_version = "1.0.0",
                                                            policy_flie = "p.rego" })
      assert.are.equal("rfs.publish_hook_version: unknown field policy_flie (did you mean policy_file?)",
        err.message)
      local vpcep = c:vpcep()
      err = argument_error(vpcep.wait_endpoint, vpcep, { vpc_endpoint_id = "e", intervall = 1 })
      assert.are.equal("vpcep.wait_endpoint: unknown field intervall (did you mean interval?)", err.message)
      assert.are.equal(before, api_requests())
    end)
  end)

  it("a dot for a colon says how to call the method", function()
    local rfs, vpcep = c:rfs(), c:vpcep()
    local before = api_requests()
    local err = argument_error(function() return rfs.get_stack_metadata{ stack_name = "web" } end)
    assert.are.equal("rfs.get_stack_metadata: call it as rfs:get_stack_metadata{...} (a colon, not a dot, "
      .. "on client:rfs())", err.message)
    err = argument_error(function() return vpcep.list_endpoints{} end)
    assert.are.equal("vpcep.list_endpoints: call it as vpcep:list_endpoints{...} (a colon, not a dot, "
      .. "on client:vpcep())", err.message)
    err = argument_error(function() return rfs.wait_stack{ stack_name = "web" } end)
    assert.matches("call it as rfs:wait_stack{...}", err.message, 1, true)
    assert.are.equal(before, api_requests())
    assert.is_table(vpcep:list_endpoints{}.endpoints)
    assert.is_table(rfs:list_stacks{}.stacks)
  end)

  it("options given to a waiter as a second table are refused, not ignored", function()
    local rfs = c:rfs()
    rfs:create_stack{ stack_name = "web" }
    local before = api_requests()
    local err = argument_error(rfs.wait_stack, rfs, { stack_name = "web" }, { timeout = 60 })
    assert.are.equal("rfs.wait_stack: takes 1 argument, got 2 (options go in the argument table)", err.message)
    err = argument_error(rfs.list_stacks, rfs, {}, {}, { limit = 1 })
    assert.are.equal("rfs.list_stacks: takes 2 arguments (args, opts), got 3", err.message)
    assert.are.equal(before, api_requests())
    assert.are.equal("CREATION_COMPLETE", rfs:wait_stack(h.w{ stack_name = "web" }).status)
  end)
end)
