-- examples/openresty/nginx.conf, started as README's OpenResty section says
-- (issue 13, item 3): Debian's nginx with -p naming a prefix that holds the
-- checkout's lua/, build-luajit/ and examples/ (here: links to them) and a
-- logs/ directory, from another working directory, with the emulator's
-- variables in the environment. Only the port of the listen line changes (a
-- free one). GET /stacks must list the stack made beforehand; with the
-- emulator stopped, it must answer 502 with the hint that it may not run.
local core = require "hwcloud.core"
local hwcloud = require "hwcloud"
local emu = require "spec.helpers.emulator"
local server = require "spec.helpers.server"

local have_luajit_core = io.open("build-luajit/hwcloud/core.so") ~= nil
local describe_or_skip = have_luajit_core and describe or pending

local line_of = server.line_of

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

describe_or_skip("examples/openresty/nginx.conf", function()
  local root = line_of("pwd")
  local e, prefix, session, url

  setup(function()
    e = emu.start{ speed = 0 }
    prefix = line_of("mktemp -d /tmp/hwcloud-example-XXXXXX")
    for _, d in ipairs({ "lua", "build-luajit", "examples" }) do
      assert(server.sh(("ln -s %s %s"):format(q(root .. "/" .. d), q(prefix .. "/" .. d))))
    end
    assert(server.sh("mkdir " .. q(prefix .. "/logs")))
    local conf, n = assert(server.read_file(root .. "/examples/openresty/nginx.conf"))
      :gsub("listen 127%.0%.0%.1:8080;", "listen 127.0.0.1:" .. server.free_port() .. ";")
    assert.are.equal(1, n)
    local f = assert(io.open(prefix .. "/nginx.conf", "wb"))
    f:write(conf)
    f:close()
    url = "http://127.0.0.1:" .. conf:match("listen 127%.0%.0%.1:(%d+);")
    local vars = { HWCLOUD_ENDPOINT = e.endpoint, HUAWEICLOUD_SDK_AK = e.ak, HUAWEICLOUD_SDK_SK = e.sk,
                   HUAWEICLOUD_SDK_PROJECT_ID = e.project_id, HUAWEICLOUD_SDK_REGION = e.region }
    local env = { "PATH=" .. q(os.getenv("PATH")) }
    for k, v in pairs(vars) do env[#env + 1] = k .. "=" .. q(v) end
    -- from / : nothing may depend on nginx's working directory
    local ok = server.sh(("cd / && env -i %s nginx -p %s -c nginx.conf -e logs/error.log %s"):format(
      table.concat(env, " "), q(prefix), line_of("id -u") == "0" and "-g 'user root;'" or ""))
    assert(ok, "nginx did not start: " .. tostring(server.read_file(prefix .. "/logs/error.log")))
    session = core.session{ timeout = 10 }
    hwcloud.new{ endpoint = e.endpoint, ak = e.ak, sk = e.sk, project_id = e.project_id, region = e.region }
      :rfs():create_stack{ stack_name = "from-the-example", description = "listed by the example" }
  end)

  teardown(function()
    if session then session:close() end
    -- read now: the daemon writes it after the start command has returned
    local pid = prefix and (server.read_file(prefix .. "/logs/nginx.pid") or ""):match("%d+")
    if pid then
      server.sh("kill " .. pid)
      for _ = 1, 250 do
        if not server.sh("kill -0 " .. pid .. " 2>/dev/null") then break end
        os.execute("sleep 0.02")
      end
    end
    if prefix and prefix:find("^/tmp/hwcloud%-example%-") then server.sh("rm -rf " .. q(prefix)) end
    if e then e.stop() end
  end)

  -- the answer to GET /stacks, once nginx answers (5 s at most)
  local function get_stacks()
    local last
    for _ = 1, 250 do
      local ok, r = pcall(session.send, session, { method = "GET", url = url .. "/stacks" })
      if ok or (core.is_error(r) and r.kind == "http") then return ok, r end
      last = r
      os.execute("sleep 0.02")
    end
    error("the example does not answer: " .. tostring(last))
  end

  it("lists the project's stacks through the cosocket transport", function()
    local ok, r = get_stacks()
    assert.is_true(ok, tostring(r))
    assert.are.equal(200, r.status)
    assert.are.equal("application/json", r.headers["content-type"])
    assert.are.same({ stacks = { { stack_name = "from-the-example", status = "CREATION_COMPLETE" } } }, r.body)
    assert.are.equal("", (server.read_file(prefix .. "/logs/error.log") or ""):match("%[error%].*") or "")
  end)

  it("answers 502 with the hint that the emulator may not be running once it stops", function()
    e.stop()
    local ok, err = get_stacks()
    assert.is_false(ok)
    assert.are.equal(502, err.status)
    assert.are.equal("ConnectionError", err.data.code)
    assert.matches("could not connect to 127%.0%.0%.1:%d+: connection refused %(hint: HWCLOUD_ENDPOINT points at "
      .. "127%.0%.0%.1:%d+, where nothing listens: the emulator may not be running", err.data.error)
  end)
end)
