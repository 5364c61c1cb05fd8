-- Every ```lua block of README.md and emulator/README.md runs as shown against
-- a real emulator, so the documentation cannot drift from the code.
--   * A plain block runs as a script from the checkout's root, the way the
--     README tells users to run one: with the variables `bin/hwcloud-emulator
--     start` exports and LUA_PATH="lua/?.lua;lua/?/init.lua;;", on Lua 5.4
--     (LUA_CPATH build/) and on LuaJIT (build-luajit/) when that is built.
--   * A block whose first line starts with "-- content_by_lua_block" runs as
--     the body of a content handler in a real nginx (spec.helpers.openresty),
--     configured by the ```nginx block before it: its `env NAME;` lines get the
--     emulator's values (IAM_USER, IAM_PASSWORD, IAM_DOMAIN: the default
--     account's user), its `lua_shared_dict` lines are kept.
-- Each block starts on a freshly reset emulator, must exit cleanly and must
-- print something.
local emu = require "spec.helpers.emulator"
local openresty = require "spec.helpers.openresty"
local core = require "hwcloud.core"

local OPENRESTY_MARK = "^%-%- content_by_lua_block"

--- The ```lua blocks of a Markdown file: {text, line, nginx = the text of the
-- last ```nginx block before it, or nil}.
local function lua_blocks(path)
  local text = assert(emu.read_file(emu.root .. "/" .. path), path .. " not found")
  local out, lang, start, buf, last_nginx = {}, nil, nil, nil, nil
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if lang then
      if line:match("^```%s*$") then
        local body = table.concat(buf, "\n")
        if lang == "lua" then out[#out + 1] = { text = body, line = start, nginx = last_nginx } end
        if lang == "nginx" then last_nginx = body end
        lang = nil
      else
        buf[#buf + 1] = line
      end
    else
      local l = line:match("^```(%w*)")
      if l then lang, start, buf = l, n, {} end
    end
  end
  assert(not lang, path .. ": code block opened at line " .. tostring(start) .. " is never closed")
  return out
end

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function write_tmp(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

--- Run a block as a script; returns the exit status and everything it printed.
local function run_script(e, block, lua, cpath)
  local file = write_tmp(block.text .. "\n")
  local cmd = table.concat({
    "cd " .. sh_quote(emu.root),
    e.exports,
    'export LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH=' .. sh_quote(cpath .. "/?.so;;"),
    "timeout 120 " .. lua .. " " .. sh_quote(file) .. " 2>&1",
  }, "\n")
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  local _, _, code = p:close()
  os.remove(file)
  return code, out
end

--- The values of the variables an nginx block passes with `env NAME;`.
local function env_values(e)
  local values = { IAM_USER = e.user_name, IAM_PASSWORD = e.password, IAM_DOMAIN = e.domain_name }
  for name, value in e.exports:gmatch("export ([%w_]+)='([^']*)'") do values[name] = value end
  return values
end

--- Run a content_by_lua block in nginx; returns the HTTP status and body.
local function run_openresty(e, block)
  local main, http = {}, {}
  local values = env_values(e)
  for line in ((block.nginx or "") .. "\n"):gmatch("([^\n]*)\n") do
    local name = line:match("^%s*env%s+([%w_]+)%s*;")
    if name then
      assert(values[name], "the nginx block names env " .. name .. ", which the spec cannot provide")
      main[#main + 1] = ("env %s=%s;"):format(name, values[name])
    end
    local dict = line:match("^%s*(lua_shared_dict%s[^;]+;)")
    if dict then http[#http + 1] = dict end
  end
  local app = openresty.start{ name = "readme_block", http = table.concat(http, "\n"),
    main = table.concat(main, "\n"),
    source = "local M = {}\nfunction M.run()\n" .. block.text .. "\nend\nreturn M\n" }
  local session = core.session{ timeout = 60 }
  local ok, res = pcall(session.send, session, { method = "GET", url = app.url .. "/run" })
  session:close()
  local log = emu.read_file(app.dir .. "/error.log") or ""
  app.stop()
  if not ok then return tostring(res.status or res), tostring(res) .. "\n" .. log end
  return res.status, (res.raw_body or "") .. (res.status == 200 and "" or "\n" .. log)
end

for _, path in ipairs({ "README.md", "emulator/README.md" }) do
  describe(path .. " Lua blocks", function()
    local blocks = lua_blocks(path)
    local e

    setup(function() e = emu.start{ speed = 0 } end)
    teardown(function() if e then e.stop() end end)

    it("are there to check", function()
      assert.is_true(#blocks >= (path == "README.md" and 10 or 1), #blocks .. " Lua blocks found in " .. path)
    end)

    for _, block in ipairs(blocks) do
      local where = path .. ":" .. block.line
      if block.text:find(OPENRESTY_MARK) then
        it("runs inside OpenResty: " .. where, function()
          if not openresty.available() then return pending("build-luajit/hwcloud/core.so missing (make luajit)") end
          e.reset()
          local status, body = run_openresty(e, block)
          assert.equal(200, status, body)
          assert.is_true(#body > 0, where .. " printed nothing")
        end)
      else
        for _, run in ipairs({ { "lua5.4", "build" }, { "luajit", "build-luajit" } }) do
          it("runs as shown on " .. run[1] .. ": " .. where, function()
            if not emu.read_file(emu.root .. "/" .. run[2] .. "/hwcloud/core.so") then
              return pending(run[2] .. "/hwcloud/core.so missing")
            end
            e.reset()
            local code, out = run_script(e, block, run[1], run[2])
            assert.equal(0, code, where .. " failed:\n" .. out)
            assert.is_true(#out > 0, where .. " printed nothing")
          end)
        end
      end
    end
  end)
end

-- README.md's credentials file example, copied as shown to ~/.huaweicloud/credentials, works
-- (issue 13, item 2): inline `;` comments after [section] and after values are comments, so the
-- region and the project id come out clean. It runs against an emulator whose default account has
-- the example's credentials (its AK/SK for [basic], its user, password and domain for [staging]),
-- so every value of the block must come out exactly as a reader expects for the calls to pass.
describe("README.md credentials file example", function()
  local S = require "spec.unit.client_support"
  local hwcloud = require "hwcloud"
  local EXAMPLE = { ak = "EXAMPLEAK00000000001", sk = "ExampleSecretKey", region = "cn-north-4",
                    project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                    user = "alice", password = "s3cret with spaces", domain = "my-account" }
  local e, home, config

  -- the ```ini block that follows "The credentials file is"
  local function ini_block()
    local text = assert(emu.read_file(emu.root .. "/README.md"))
    local at = assert(text:find("The credentials file is", 1, true), "README has no credentials file section")
    return assert(text:match("```ini\n(.-\n)```", at), "no ```ini block after the credentials file section")
  end

  setup(function()
    local cfg = emu.json.decode(assert(emu.read_file(emu.root .. "/emulator/accounts.json")))
    local a = cfg.accounts[1]
    a.access_key, a.secret_key = EXAMPLE.ak, EXAMPLE.sk
    a.user_name, a.password, a.domain_name = EXAMPLE.user, EXAMPLE.password, EXAMPLE.domain
    assert.are.equal(EXAMPLE.project_id, a.projects[1].id)
    assert.are.equal(EXAMPLE.region, a.projects[1].name)
    config = write_tmp(emu.json.encode(cfg))
    e = emu.start{ speed = 0, config = config }
    home = S.tmpdir()
    S.write(home .. "/.huaweicloud/credentials", ini_block())
  end)

  teardown(function()
    S.restore_env()
    if e then e.stop() end
    if config then os.remove(config) end
    S.rmdir(home)
  end)

  before_each(function()
    e.reset()
    S.set_env({ HOME = home, HWCLOUD_ENDPOINT = e.endpoint })
  end)

  after_each(S.restore_env)

  -- the paths of the API requests the emulator has logged (its control API left out)
  local function logged_paths()
    local _, body = e.control("GET", "/_emulator/requests")
    local out = {}
    for _, r in ipairs(body.requests or {}) do
      local path = r.path or r.uri or ""
      if not path:find("^/_emulator") then out[#out + 1] = path end
    end
    return out
  end

  it("gives [basic] with a clean region and project id, used as is on the wire", function()
    local c = hwcloud.new()
    assert.are.equal(EXAMPLE.region, c:get_region())
    assert.are.equal(EXAMPLE.project_id, c:get_project_id())
    local res = c:request{ service = "vpcep", method = "GET", path = "/v1/{project_id}/vpc-endpoints" }
    assert.are.equal(200, res.status)
    local dry = c:request{ service = "vpcep", method = "GET", path = "/v1/{project_id}/vpc-endpoints", dry_run = true }
    assert.are.equal(e.endpoint .. "/v1/" .. EXAMPLE.project_id .. "/vpc-endpoints", dry.url)
    -- the project id was given: IAM was never asked for it
    assert.same({ "/v1/" .. EXAMPLE.project_id .. "/vpc-endpoints" }, logged_paths())
  end)

  it("gives [staging] an IAM password token from the quoted password", function()
    local c = hwcloud.new{ profile = "staging", region = EXAMPLE.region }
    local body = c:vpcep():list_endpoints{ limit = 1 }
    assert.is_table(body.endpoints)
    assert.are.equal(EXAMPLE.project_id, c:get_project_id())
  end)
end)
