-- The client against the real emulator over real libcurl: AK/SK (options,
-- environment, profile file, temporary credentials), IAM password and ready
-- tokens, project id resolution, a signature the emulator rejects, dry_run
-- output that the emulator accepts, retries on injected 429/503 faults and
-- dropped or refused connections (and which of them a POST may repeat), a
-- stalled answer hitting the timeout, a fresh signature (own X-Sdk-Date) per
-- attempt, and hooks, errors and tostring that show no secret (AK/SK,
-- security token, IAM token, password), nested fields included.

local emu = require "spec.helpers.emulator"
local core = require "hwcloud.core"
local hwcloud = require "hwcloud"
local safe = require "hwcloud.safe"

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

describe("client against the emulator", function()
  local e

  setup(function()
    e = emu.start({ speed = 0 })
  end)

  teardown(function()
    if e then e.stop() end
  end)

  before_each(function()
    e.reset()
  end)

  -- a client for the default account; opts override
  local function client(opts)
    local o = { ak = e.ak, sk = e.sk, region = e.region, endpoint = e.endpoint,
                retry_base_delay = 0.01, retry_max_delay = 0.05 }
    for k, v in pairs(opts or {}) do o[k] = v end
    for k, v in pairs(o) do
      if v == false then o[k] = nil end
    end
    return hwcloud.new(o)
  end

  local function fault(spec)
    local status = e.control("POST", "/_emulator/faults", spec)
    assert(status == 200 or status == 201 or status == 204, "fault not accepted: " .. tostring(status))
  end

  -- how many requests for a path the emulator has logged
  local function logged(method, path)
    local _, body = e.control("GET", "/_emulator/requests")
    local n = 0
    for _, r in ipairs(body.requests or {}) do
      if r.method == method and (r.path == path or (r.uri or ""):find(path, 1, true) == 1) then
        n = n + 1
      end
    end
    return n
  end

  local function projects(c)
    return c:request({ service = "iam", method = "GET", path = "/v3/auth/projects" })
  end

  it("resolves the project id from the region through IAM", function()
    local c = client()
    assert.are.equal(e.project_id, c:get_project_id())
    -- once: the second ask is answered from the cache
    assert.are.equal(e.project_id, c:get_project_id())
    assert.are.equal(1, logged("GET", "/v3/projects"))
  end)

  it("calls an API signed with AK/SK", function()
    local resp = projects(client({ project_id = e.project_id }))
    assert.are.equal(200, resp.status)
    assert.matches("^%x+$", resp.request_id)
    assert.are.equal(1, resp.attempts)
    assert.is_table(resp.body.projects)
    local found = false
    for _, p in ipairs(resp.body.projects) do
      if p.id == e.project_id then found = true end
    end
    assert.is_true(found)
  end)

  it("calls a project service with X-Project-Id and an escaped query", function()
    local c = client()
    local resp = c:request({ service = "vpcep", method = "GET", path = "/v1/{project_id}/vpc-endpoints",
                             query = { limit = 5, endpoint_service_name = "a b+c/é" } })
    assert.are.equal(200, resp.status)
    assert.are.equal(0, resp.body.total_count)
    local _, log = e.control("GET", "/_emulator/requests")
    local last = log.requests[#log.requests]
    assert.are.equal(e.project_id, last.headers["x-project-id"])
    assert.matches("endpoint_service_name=a%20b%2Bc%2F%C3%A9&limit=5", last.uri, 1, true)
  end)

  it("gets APIGW.0301 from a project service for a bad signature", function()
    local c = client({ sk = "not-the-secret-key", project_id = e.project_id })
    local ok, err = pcall(c.request, c, { service = "vpcep", method = "GET",
                                          path = "/v1/{project_id}/vpc-endpoints" })
    assert.is_false(ok)
    assert.are.equal(401, err.status)
    assert.are.equal("APIGW.0301", err.code)
    assert.are.equal(1, err.attempts)
  end)

  it("calls a project service with a password token", function()
    local c = client({ ak = false, sk = false, user = e.user_name, password = e.password,
                       domain = e.domain_name })
    local resp = c:request({ service = "vpcep", method = "GET", path = "/v1/{project_id}/vpc-endpoints" })
    assert.are.equal(200, resp.status)
  end)

  it("reads HWCLOUD_ENDPOINT and HUAWEICLOUD_SDK_* like a script does", function()
    local script = [[
      package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
      package.cpath = "build/?.so;" .. package.cpath
      local c = require("hwcloud").new()
      local resp = c:request({ service = "iam", method = "GET", path = "/v3/auth/projects" })
      io.write(resp.status, " ", c:get_project_id())
    ]]
    local cmd = table.concat({
      "env -i PATH=/usr/bin:/bin",
      "HWCLOUD_ENDPOINT=" .. sh_quote(e.endpoint),
      "HUAWEICLOUD_SDK_AK=" .. sh_quote(e.ak),
      "HUAWEICLOUD_SDK_SK=" .. sh_quote(e.sk),
      "HUAWEICLOUD_SDK_REGION=" .. sh_quote(e.region),
      "lua5.4 -e " .. sh_quote(script),
    }, " ")
    local p = io.popen(cmd .. " 2>&1")
    local out = p:read("*a")
    p:close()
    assert.are.equal("200 " .. e.project_id, out)
  end)

  it("reads a profile file", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write("[basic]\nak = " .. e.ak .. "\nsk = " .. e.sk .. "\nregion = " .. e.region .. "\n")
    f:close()
    local ok, resp = pcall(function()
      return projects(client({ ak = false, sk = false, region = false, credentials_file = path }))
    end)
    os.remove(path)
    assert(ok, tostring(resp))
    assert.are.equal(200, resp.status)
  end)

  it("signs with temporary credentials and their security token", function()
    local tmp = e.config.temporary_credentials[1]
    local resp = projects(client({ ak = tmp.access_key, sk = tmp.secret_key,
                                   security_token = tmp.security_token }))
    assert.are.equal(200, resp.status)
  end)

  it("authenticates with an IAM user password and caches the token", function()
    local c = client({ ak = false, sk = false, user = e.user_name, password = e.password,
                       domain = e.domain_name })
    assert.are.equal(200, projects(c).status)
    assert.are.equal(200, projects(c).status)
    assert.are.equal(e.project_id, c:get_project_id())
    assert.are.equal(1, logged("POST", "/v3/auth/tokens"))
  end)

  it("reports a wrong password as IAM's 401", function()
    local c = client({ ak = false, sk = false, user = e.user_name, password = "Xyzzy-Not-It-42",
                       domain = e.domain_name })
    local ok, err = pcall(projects, c)
    assert.is_false(ok)
    assert.are.equal("http", err.kind)
    assert.are.equal(401, err.status)
    assert.not_matches("Xyzzy", tostring(err), 1, true)
  end)

  it("uses a ready token", function()
    local c = client({ ak = false, sk = false, token = e.token(), project_id = e.project_id })
    assert.are.equal(200, projects(c).status)
  end)

  it("raises the emulator's rejection of a bad signature", function()
    local c = client({ sk = "not-the-secret-key", project_id = e.project_id })
    local ok, err = pcall(projects, c)
    assert.is_false(ok)
    assert.is_true(hwcloud.is_error(err))
    assert.are.equal("http", err.kind)
    assert.are.equal(401, err.status)
    assert.are.equal("ClientRequestException", err.class)
    assert.matches("signature", err.message:lower(), 1, true)
    assert.are.equal(1, err.attempts)
    assert.matches("^%x+$", err.request_id)
    assert.not_matches("not-the-secret-key", tostring(err), 1, true)
  end)

  it("returns nil, err in safe mode", function()
    local c = safe.new({ ak = e.ak, sk = "bad", region = e.region, endpoint = e.endpoint,
                         project_id = e.project_id })
    local resp, err = c:request({ service = "iam", method = "GET", path = "/v3/auth/projects" })
    assert.is_nil(resp)
    assert.are.equal(401, err.status)
  end)

  it("produces a dry-run request the emulator accepts as is", function()
    local c = client({ project_id = e.project_id })
    local dr = c:request({ service = "iam", method = "GET", path = "/v3/auth/projects",
                           query = { enabled = true }, dry_run = true })
    assert.are.equal(0, logged("GET", "/v3/auth/projects"))
    local s = core.session()
    local resp = s:send({ method = dr.method, url = dr.url, headers = dr.headers, body = dr.body })
    s:close()
    assert.are.equal(200, resp.status)
  end)

  it("retries injected 503 and 429 answers on a GET", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, status = 503 })
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, status = 429,
            headers = { ["Retry-After"] = "0" } })
    local resp = projects(client({ project_id = e.project_id }))
    assert.are.equal(200, resp.status)
    assert.are.equal(3, resp.attempts)
    assert.are.equal(3, logged("GET", "/v3/auth/projects"))
  end)

  it("gives up after max_retries with attempts on the error", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 5, status = 503 })
    local ok, err = pcall(projects, client({ project_id = e.project_id, max_retries = 2 }))
    assert.is_false(ok)
    assert.are.equal(503, err.status)
    assert.are.equal("APIGW.0201", err.code)
    assert.are.equal(3, err.attempts)
  end)

  it("retries a dropped connection on a GET", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, action = "drop" })
    local resp = projects(client({ project_id = e.project_id }))
    assert.are.equal(200, resp.status)
    assert.are.equal(2, resp.attempts)
  end)

  describe("a POST", function()
    local PATH = "/v3.0/OS-CREDENTIAL/securitytokens"
    local function post(c)
      return c:request({ service = "iam", method = "POST", path = PATH, body = {
        auth = { identity = { methods = hwcloud.array({ "token" }), token = { duration_seconds = 900 } } },
      } })
    end
    local function user_client(opts)
      local o = { ak = false, sk = false, user = e.user_name, password = e.password,
                  domain = e.domain_name }
      for k, v in pairs(opts or {}) do o[k] = v end
      return client(o)
    end

    it("is retried after throttling", function()
      fault({ method = "POST", path = PATH, count = 2, status = 429 })
      local resp = post(user_client())
      assert.are.equal(201, resp.status)
      assert.are.equal(3, resp.attempts)
    end)

    it("is not repeated after a 503", function()
      fault({ method = "POST", path = PATH, count = 1, status = 503 })
      local ok, err = pcall(post, user_client())
      assert.is_false(ok)
      assert.are.equal(503, err.status)
      assert.are.equal(1, err.attempts)
      assert.are.equal(1, logged("POST", PATH))
    end)

    it("is not repeated after a dropped connection", function()
      -- a ready token: the POST is the first request of a fresh connection
      -- (libcurl itself re-sends once on a reused connection that closes
      -- before any answer, taking it for a stale keep-alive)
      local c = client({ ak = false, sk = false, token = e.token(), project_id = e.project_id })
      fault({ method = "POST", path = PATH, count = 1, action = "drop" })
      local ok, err = pcall(post, c)
      assert.is_false(ok)
      assert.are.equal("network", err.kind)
      assert.are.equal(1, err.attempts)
      assert.are.equal(1, logged("POST", PATH))
    end)

    it("is retried when the connection is refused", function()
      local port = require("spec.helpers.server").free_port()
      local sleeps = 0
      local c = client({ endpoint = "http://127.0.0.1:" .. port, project_id = e.project_id,
                         sleep = function() sleeps = sleeps + 1 end })
      local ok, err = pcall(post, c)
      assert.is_false(ok)
      assert.are.equal("network", err.kind)
      assert.are.equal(7, err.curl_code)
      assert.are.equal(4, err.attempts)
      assert.are.equal(3, sleeps)
    end)
  end)

  it("times out on a stalled answer and retries a GET", function()
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, action = "stall", delay = 2 })
    local resp = projects(client({ project_id = e.project_id, timeout = 0.5 }))
    assert.are.equal(200, resp.status)
    assert.are.equal(2, resp.attempts)
  end)

  it("signs every attempt afresh: each carries its own X-Sdk-Date, the last passes the check", function()
    -- Retry-After 1.1 s makes the second attempt start in a later second
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, status = 503,
            headers = { ["Retry-After"] = "1.1" } })
    local resp = projects(client({ project_id = e.project_id }))
    assert.are.equal(200, resp.status)
    assert.are.equal(2, resp.attempts)
    local _, body = e.control("GET", "/_emulator/requests")
    local dates = {}
    for _, r in ipairs(body.requests or {}) do
      if r.path == "/v3/auth/projects" then
        dates[#dates + 1] = r.headers["x-sdk-date"]
        assert.matches("Signature=", r.headers.authorization, 1, true)
      end
    end
    assert.are.equal(2, #dates)
    assert.matches("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$", dates[1])
    assert.matches("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$", dates[2])
    assert.are_not.equal(dates[1], dates[2])
  end)

  it("shows no secret anywhere in hook payloads, errors or tostring (AK/SK, token, password)", function()
    -- everything reachable from a value as text, nested tables and
    -- tostring() of tables with a metatable (errors) included
    local function dump(v, out, seen)
      out, seen = out or {}, seen or {}
      if type(v) ~= "table" then
        out[#out + 1] = tostring(v)
      elseif not seen[v] then
        seen[v] = true
        if getmetatable(v) then out[#out + 1] = tostring(v) end
        for k, x in pairs(v) do
          dump(k, out, seen)
          dump(x, out, seen)
        end
      end
      return out
    end
    local payloads = {}
    local function keep(r) payloads[#payloads + 1] = table.concat(dump(r), "\n") end
    local hooks = { on_request = keep, on_response = keep }
    -- a transport that remembers every secret on its way to and from libcurl
    local real = require("hwcloud.transport.curl").new({})
    local secrets = { e.password, e.sk }
    local spy_transport = { send = function(_, req)
      for _, h in ipairs(req.headers) do
        local name = h[1]:lower()
        if name == "x-auth-token" or name == "x-security-token" then
          secrets[#secrets + 1] = h[2]
        elseif name == "authorization" then
          secrets[#secrets + 1] = h[2]
          secrets[#secrets + 1] = h[2]:match("Signature=(%x+)")
        end
      end
      return real:send(req)
    end }

    -- 1. a password user gets temporary credentials: the request carries
    --    the token, the answer a secret and a security token (nested)
    local pc = client({ ak = false, sk = false, user = e.user_name, password = e.password,
                        domain = e.domain_name, transport = spy_transport, hooks = hooks })
    local tmp = pc:request({ service = "iam", method = "POST", path = "/v3.0/OS-CREDENTIAL/securitytokens",
      body = { auth = { identity = { methods = hwcloud.array({ "token" }),
                                     token = { duration_seconds = 900 } } } } }).body.credential
    assert.is_string(tmp.secret)
    assert.is_string(tmp.securitytoken)
    secrets[#secrets + 1] = tmp.secret
    secrets[#secrets + 1] = tmp.securitytoken

    -- 2. AK/SK with the security token: a retried call and a failing call
    local tc = client({ ak = tmp.access, sk = tmp.secret, security_token = tmp.securitytoken,
                        project_id = e.project_id, transport = spy_transport, hooks = hooks })
    fault({ method = "GET", path = "/v3/auth/projects", count = 1, status = 503 })
    assert.are.equal(2, projects(tc).attempts)
    local ok, err = pcall(tc.request, tc, { service = "iam", method = "GET", path = "/v3/no-such-api" })
    assert.is_false(ok)
    assert.are.equal(404, err.status)
    -- 3. a plain AK/SK client whose signature the emulator refuses
    local bad = client({ sk = e.sk .. "x", project_id = e.project_id, transport = spy_transport,
                         hooks = hooks })
    secrets[#secrets + 1] = e.sk .. "x"
    local ok2, err2 = pcall(projects, bad)
    assert.is_false(ok2)
    assert.are.equal(401, err2.status)
    real:close()

    local texts = {
      hooks = table.concat(payloads, "\n"),
      errors = table.concat(dump(err), "\n") .. "\n" .. table.concat(dump(err2), "\n"),
      tostring = tostring(err) .. "\n" .. tostring(err2) .. "\n" .. tostring(pc) .. "\n"
        .. tostring(tc) .. "\n" .. tostring(bad) .. "\n" .. table.concat(dump(tc), "\n"),
    }
    -- 1 POST + 2 GET attempts + 1 failing GET + 1 refused GET (+ IAM token
    -- request), each seen by both hooks
    assert.is_true(#payloads >= 10, "hooks ran " .. #payloads .. " times")
    assert.matches("REDACTED", texts.hooks, 1, true)
    assert.is_true(#secrets >= 8, "only " .. #secrets .. " secrets captured")
    for name, text in pairs(texts) do
      for _, secret in ipairs(secrets) do
        assert(#secret >= 8, "secret too short to search for")
        assert.is_nil(text:find(secret, 1, true), name .. " shows a secret: " .. secret:sub(1, 4) .. "...")
      end
    end
  end)

  it("gives hooks no secret over real traffic", function()
    local seen = {}
    local function keep(r)
      local out = {}
      for k, v in pairs(r) do
        out[k] = (k == "error") and tostring(v) or v
      end
      seen[#seen + 1] = hwcloud.encode(out)
    end
    -- a transport that remembers the real token on its way to libcurl
    local real = require("hwcloud.transport.curl").new({})
    local tokens = {}
    local spy_transport = { send = function(_, req)
      for _, h in ipairs(req.headers) do
        if h[1]:lower() == "x-auth-token" then tokens[#tokens + 1] = h[2] end
      end
      return real:send(req)
    end }
    local c = client({ ak = false, sk = false, user = e.user_name, password = e.password,
                       domain = e.domain_name, transport = spy_transport,
                       hooks = { on_request = keep, on_response = keep } })
    projects(c)
    real:close()
    local text = table.concat(seen, "\n")
    assert.are.equal(4, #seen)
    assert.matches("REDACTED", text, 1, true)
    assert.not_matches(e.password, text, 1, true)
    assert.are.equal(1, #tokens)
    assert.not_matches(tokens[1], text, 1, true)
  end)
end)
