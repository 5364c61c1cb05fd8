-- Runs the examples (examples/deploy_stack.lua, examples/publish_service.lua,
-- examples/private_registry.lua)
-- as a user would, in a child process with the emulator's environment, and
-- checks their exit status and what they print; also a failing run (the
-- example must clean up and exit non-zero) and examples/demo.sh itself.

local emu = require("spec.helpers.emulator")

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Run a command with extra environment variables; returns ok, output.
local function run(env, cmd)
  local parts = {}
  for k, v in pairs(env) do parts[#parts + 1] = k .. "=" .. sh_quote(v) end
  local p = assert(io.popen("env " .. table.concat(parts, " ") .. " " .. cmd .. " 2>&1"))
  local out = p:read("*a")
  local ok, _, code = p:close()
  return ok == true or code == 0, out
end

describe("examples' command line", function()
  -- --help prints the usage (never taken as a stack name); anything else
  -- unexpected is refused before a request is sent
  for script, max in pairs({ ["examples/deploy_stack.lua"] = 1, ["examples/private_registry.lua"] = 1,
                             ["examples/publish_service.lua"] = 0 }) do
    it(script .. " --help prints its usage", function()
      for _, flag in ipairs({ "--help", "-h" }) do
        local ok, out = run({}, "lua5.4 " .. script .. " " .. flag)
        assert.is_true(ok, out)
        assert.matches("Usage: lua5.4 " .. script, out, 1, true)
        assert.is_nil(out:find("==", 1, true), out)   -- no step ran
      end
      local ok, out = run({}, "lua5.4 " .. script .. " --frobnicate")
      assert.is_false(ok)
      assert.matches("unknown option '--frobnicate'", out, 1, true)
      ok, out = run({}, "lua5.4 " .. script .. string.rep(" extra", max + 1))
      assert.is_false(ok)
      assert.matches("takes " .. (max == 0 and "no arguments" or "at most " .. max), out, 1, true)
    end)
  end
end)

describe("examples against the emulator", function()
  local e, env

  setup(function()
    e = emu.start{ speed = 0 }
    env = {
      HWCLOUD_ENDPOINT = e.endpoint, HUAWEICLOUD_SDK_AK = e.ak, HUAWEICLOUD_SDK_SK = e.sk,
      HUAWEICLOUD_SDK_PROJECT_ID = e.project_id, HUAWEICLOUD_SDK_REGION = e.region,
      HUAWEICLOUD_SDK_DOMAIN_ID = e.domain_id,
      HWCLOUD_SECOND_AK = e.second.ak, HWCLOUD_SECOND_SK = e.second.sk,
      HWCLOUD_SECOND_PROJECT_ID = e.second.project_id, HWCLOUD_SECOND_DOMAIN_ID = e.second.domain_id,
    }
  end)

  teardown(function()
    if e then e.stop() end
  end)

  before_each(function() e.reset() end)

  local function stacks_left()
    local res = e.call("GET", "/v1/" .. e.project_id .. "/stacks", nil,
      { headers = { { "Client-Request-Id", "00000000-0000-4000-8000-000000000000" } } })
    return #(res.body.stacks or {})
  end

  it("deploy_stack.lua creates, streams, plans, applies and deletes a stack", function()
    local ok, out = run(env, "lua5.4 examples/deploy_stack.lua spec-example")
    assert.is_true(ok, out)
    assert.matches("== creating stack spec%-example", out)
    assert.matches("CREATION_COMPLETE", out)     -- streamed resource events
    assert.matches("status: DEPLOYMENT_COMPLETE", out)
    assert.matches("vpc_id%s+= ", out)
    assert.matches("plan AVAILABLE: 1 to add", out)
    assert.matches("ADD%s+huaweicloud_vpc_subnet%.web%[1%]", out)
    assert.matches("subnet_cidrs%s+= %[\"10%.20%.0%.0/24\",\"10%.20%.1%.0/24\"%]", out)
    assert.matches("deploy_stack: OK", out)
    assert.equal(0, stacks_left())
  end)

  it("publish_service.lua publishes, whitelists, connects, accepts and cleans up", function()
    local ok, out = run(env, "lua5.4 examples/publish_service.lua")
    assert.is_true(ok, out)
    assert.matches("owner: publishing", out)
    assert.matches("iam:domain::" .. e.second.domain_id, out, 1, true)
    assert.matches("is pendingAcceptance", out)
    assert.matches("is accepted, ip %d+%.%d+%.%d+%.%d+", out)
    assert.matches("deleted endpoint service", out)
    assert.matches("publish_service: OK", out)
    local res = e.call("GET", "/v1/" .. e.project_id .. "/vpc-endpoint-services")
    assert.equal(0, res.body.total_count)
  end)

  it("publish_service.lua says what is missing without the second account", function()
    local partial = {}
    for k, v in pairs(env) do if not k:match("^HWCLOUD_SECOND") then partial[k] = v end end
    local ok, out = run(partial, "env -u HWCLOUD_SECOND_AK lua5.4 examples/publish_service.lua")
    assert.is_false(ok)
    assert.matches("set HWCLOUD_SECOND_AK", out)
  end)

  it("a failing deployment makes deploy_stack.lua exit non-zero after deleting the stack", function()
    local status = e.control("POST", "/_emulator/config", { rfs_fail_types = { "huaweicloud_vpc_subnet" } })
    assert.is_true(status == 200 or status == 204)
    local ok, out = run(env, "lua5.4 examples/deploy_stack.lua spec-failing")
    e.control("POST", "/_emulator/config", { rfs_fail_types = {} })
    assert.is_false(ok, out)
    assert.matches("DEPLOYMENT_FAILED", out)
    assert.matches("deleted", out)
    assert.matches("deploy_stack: FAILED", out)
    assert.equal(0, stacks_left())
  end)

  it("private_registry.lua publishes a module and a hook, deploys, and the hook blocks a public IP", function()
    local ok, out = run(env, "lua5.4 examples/private_registry.lua spec-registry")
    assert.is_true(ok, out)
    assert.matches("source: rf://rfs%.[%w%-]+%.myhuaweicloud%.com/private/" .. e.domain_id .. "/demo_net%?version==1%.0%.0", out)
    assert.matches("status: DEPLOYMENT_COMPLETE", out)
    assert.matches("module%.net%.huaweicloud_vpc%.this: Creation complete", out)
    assert.matches("blocked: The private hook no%-public%-ip%-hook .* public IPs are not allowed here: huaweicloud_vpc_eip%.public", out)
    assert.matches("the stack still has 2 resources", out)
    assert.matches("private_registry: OK", out)
    assert.equal(0, stacks_left())
    local hooks = e.call("GET", "/v1/private-hooks", nil,
      { headers = { { "Client-Request-Id", "00000000-0000-4000-8000-000000000000" } } })
    assert.equal(0, #hooks.body.hooks)
  end)

  it("runs on LuaJIT too", function()
    local f = io.open("build-luajit/hwcloud/core.so")
    if not f then return pending("build-luajit/hwcloud/core.so not built (make luajit)") end
    f:close()
    local ok, out = run(env, "luajit examples/deploy_stack.lua spec-luajit")
    assert.is_true(ok, out)
    assert.matches("deploy_stack: OK", out)
  end)
end)

describe("make demo (examples/demo.sh)", function()
  it("builds, starts the emulator, runs both examples, stops it and exits 0", function()
    local ok, out = run({ DEMO_SPEED = "0" }, "make demo")
    assert.is_true(ok, out)
    assert.is_nil(out:find("Entering directory", 1, true), out)   -- no make noise
    assert.matches("deploy_stack: OK", out)
    assert.matches("publish_service: OK", out)
    assert.matches("private_registry: OK", out)
    assert.matches("demo: all examples passed", out)
    assert.matches("stopping the emulator", out)
    assert.not_matches("EmulatorDemoSecretKey", out)
  end)
end)
