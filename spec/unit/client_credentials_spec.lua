-- The credential chain (options, environment, profile file), the "nothing
-- found" error, ready tokens, IAM password tokens (caching and refresh on a
-- fake clock) and project id resolution through IAM, all over an injected
-- transport.

local core = require "hwcloud.core"
local S = require "spec.unit.client_support"
local hwcloud = require "hwcloud"
local credentials = require "hwcloud.credentials"

local PID = "0123456789abcdef0123456789abcdef"

local function access(req)
  return (S.header(req.headers, "Authorization") or ""):match("Access=([^,]+)")
end

local function get(c)
  return c:request({ service = "rfs", method = "GET", path = "/v1/{project_id}/stacks" })
end

describe("credentials chain", function()
  local dir
  before_each(function()
    dir = S.tmpdir()
    S.set_env({ HOME = dir })
  end)
  after_each(function()
    S.restore_env()
    S.rmdir(dir)
  end)

  it("uses explicit options first", function()
    S.set_env({ HOME = dir, HUAWEICLOUD_SDK_AK = "ENVAK", HUAWEICLOUD_SDK_SK = "ENVSK",
                HUAWEICLOUD_SDK_REGION = "cn-east-3" })
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ ak = "OPTAK", sk = "OPTSK", project_id = PID, transport = t })
    get(c)
    assert.are.equal("OPTAK", access(t.requests[1]))
    -- the region still comes from the environment when the options have none
    assert.matches("^https://rfs%.cn%-east%-3%.", t.requests[1].url)
  end)

  it("refuses an incomplete set of options at new", function()
    for _, opts in ipairs({ { ak = "A" }, { sk = "S" }, { user = "u", password = "p" },
                            { password = "p", domain = "d" } }) do
      local ok, err = pcall(hwcloud.new, opts)
      assert.is_false(ok)
      assert.are.equal("argument", err.kind)
      assert.matches("^hwcloud.new: opts%.%w+ is set but opts%.%w+ is not", err.message)
    end
  end)

  it("reads HUAWEICLOUD_SDK_* when the options have no credentials", function()
    S.set_env({ HOME = dir, HUAWEICLOUD_SDK_AK = "ENVAK", HUAWEICLOUD_SDK_SK = "ENVSK",
                HUAWEICLOUD_SDK_SECURITY_TOKEN = "ENVSTS", HUAWEICLOUD_SDK_PROJECT_ID = "envpid",
                HUAWEICLOUD_SDK_DOMAIN_ID = "envdom", HUAWEICLOUD_SDK_REGION = "ap-southeast-1" })
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ transport = t })
    -- the environment is read at new: later changes do not matter
    S.set_env({ HOME = dir })
    get(c)
    local req = t.requests[1]
    assert.are.equal("ENVAK", access(req))
    assert.are.equal("ENVSTS", S.header(req.headers, "X-Security-Token"))
    assert.are.equal("envpid", S.header(req.headers, "X-Project-Id"))
    assert.are.equal("https://rfs.ap-southeast-1.myhuaweicloud.com/v1/envpid/stacks", req.url)
    assert.are.equal("envdom", c:get_domain_id())
  end)

  it("treats empty environment variables as unset", function()
    S.set_env({ HOME = dir, HUAWEICLOUD_SDK_AK = "", HUAWEICLOUD_SDK_SK = "" })
    local c = hwcloud.new({ transport = S.transport({ S.ok({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
  end)

  it("reports an AK without SK in the environment", function()
    S.set_env({ HOME = dir, HUAWEICLOUD_SDK_AK = "ENVAK" })
    local ok, err = pcall(hwcloud.new, { transport = S.transport({ S.ok({}) }) })
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not", err.message, 1, true)
  end)

  it("reads ~/.huaweicloud/credentials on first use, not at new", function()
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ transport = t })
    S.write(dir .. "/.huaweicloud/credentials", table.concat({
      "# Huawei Cloud credentials",
      "; another comment",
      "[basic]",
      "ak = FILEAK",
      "sk = \"FILE SK\"",
      "project_id=" .. PID,
      "Region = cn-north-4",
      "",
    }, "\n"))
    get(c)
    assert.are.equal("FILEAK", access(t.requests[1]))
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/" .. PID .. "/stacks",
      t.requests[1].url)
  end)

  it("uses HUAWEICLOUD_SDK_CREDENTIALS_FILE and HUAWEICLOUD_SDK_PROFILE", function()
    local path = dir .. "/elsewhere.ini"
    S.write(path, "[basic]\nak=B\nsk=B\n\n[staging]\r\nak = STAGEAK\r\nsk = STAGESK\r\n"
      .. "project_id = p-stage\r\nregion = la-south-2\r\n")
    S.set_env({ HOME = dir, HUAWEICLOUD_SDK_CREDENTIALS_FILE = path,
                HUAWEICLOUD_SDK_PROFILE = "staging" })
    local t = S.transport({ S.ok({}) })
    get(hwcloud.new({ transport = t }))
    assert.are.equal("STAGEAK", access(t.requests[1]))
    assert.matches("^https://rfs%.la%-south%-2%..*/v1/p%-stage/stacks$", t.requests[1].url)
  end)

  it("takes the file and section from options too", function()
    local path = dir .. "/creds"
    S.write(path, "[global]\nak = GAK\nsk = GSK\ndomain_id = gdom\n[other]\nak=OAK\nsk=OSK\n")
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ credentials_file = path, profile = "other", region = "cn-north-4",
                            project_id = PID, transport = t })
    get(c)
    assert.are.equal("OAK", access(t.requests[1]))
  end)

  it("falls back to [global] when there is no [basic]", function()
    S.write(dir .. "/.huaweicloud/credentials", "[global]\nak = GAK\nsk = GSK\ndomain_id = gdom\n")
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ region = "cn-north-4", project_id = PID, transport = t })
    get(c)
    assert.are.equal("GAK", access(t.requests[1]))
    assert.are.equal("gdom", c:get_domain_id())
  end)

  it("reports a missing explicit section or file", function()
    S.write(dir .. "/.huaweicloud/credentials", "[basic]\nak = A\nsk = S\n")
    local c = hwcloud.new({ profile = "nope", region = "cn-north-4", project_id = PID,
                            transport = S.transport({ S.ok({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("has no [nope] section", err.message, 1, true)
    c = hwcloud.new({ credentials_file = dir .. "/missing", transport = S.transport({ S.ok({}) }) })
    ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.matches("credentials file " .. dir .. "/missing cannot be read", err.message, 1, true)
  end)

  it("reports a malformed file with its line number", function()
    S.write(dir .. "/.huaweicloud/credentials", "[basic]\nak = A\nthis is not a key\n")
    local c = hwcloud.new({ transport = S.transport({ S.ok({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches(":3: expected [section] or key = value", err.message, 1, true)
  end)

  it("says what it looked for when it finds nothing", function()
    local c = hwcloud.new({ transport = S.transport({ S.ok({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.is_true(core.is_error(err))
    assert.are.equal(core.Error, getmetatable(err))
    assert.are.equal("auth", err.kind)
    for _, what in ipairs({ "options", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                            dir .. "/.huaweicloud/credentials (not found)" }) do
      assert.matches(what, err.message, 1, true)
    end
    assert.matches("^hwcloud auth error", tostring(err))
  end)

  it("parses profile text", function()
    local sections = assert(credentials.parse_profile("[a]\nK = 'v 1'\n[b]\nx: y\n"))
    assert.are.same({ a = { k = "v 1" }, b = { x = "y" } }, sections)
    local none, why = credentials.parse_profile("k = v\n", "f")
    assert.is_nil(none)
    assert.are.equal("f:1: key k outside any [section]", why)
  end)

  it("takes inline comments as AWS's profile files do (issue 13, item 2)", function()
    -- value as written -> value parsed
    local cases = {
      { "cn-north-4   ; optional", "cn-north-4" },
      { "cn-north-4\t# optional", "cn-north-4" },
      { "a;b", "a;b" },                          -- no white space before: part of the value
      { "a#b ;c", "a#b" },
      { "; only a comment", "" },
      { "", "" },
      { "\"s3cret with spaces\"", "s3cret with spaces" },
      { "\"a ; b # c\"  ; comment", "a ; b # c" }, -- quoted: comment marks inside stay
      { "'x' #c", "x" },
      { "\"a\"b\" #c", "a\"b" },                 -- not one quoted string: cut at the comment, quotes removed
      { "\"unclosed ; c", "\"unclosed" },
    }
    for _, case in ipairs(cases) do
      local sections = assert(credentials.parse_profile("[s]\nk = " .. case[1] .. "\n"))
      assert.are.equal(case[2], sections.s.k, case[1])
    end
    local sections = assert(credentials.parse_profile(
      "[basic]   ; the default\n[b]# x\n[c];y\n  ; indented comment\n[ d ]\n"))
    assert.are.same({ basic = {}, b = {}, c = {}, d = {} }, sections)
    local none, why = credentials.parse_profile("[a] b\n", "f")
    assert.is_nil(none)
    assert.are.equal("f:1: only a comment (# or ;) may follow [section]", why)
  end)
end)

describe("token authentication", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  it("sends a ready token as X-Auth-Token and does not sign", function()
    local t = S.transport({ S.ok({}) })
    local c = hwcloud.new({ token = "MIIready", region = "cn-north-4", project_id = PID,
                            transport = t })
    get(c)
    local req = t.requests[1]
    assert.are.equal("MIIready", S.header(req.headers, "X-Auth-Token"))
    assert.is_nil(S.header(req.headers, "Authorization"))
    assert.is_nil(S.header(req.headers, "X-Sdk-Date"))
  end)

  local function token_body(project_id, issued, expires)
    return {
      token = {
        issued_at = issued, expires_at = expires, methods = { "password" },
        project = { id = project_id, name = "cn-north-4", domain = { id = "dom-1", name = "acct" } },
        user = { id = "u1", name = "alice", domain = { id = "dom-1", name = "acct" } },
      },
    }
  end

  local function password_client(extra)
    local clock = S.clock(1700000000)
    local n = 0
    local t = S.transport({ function(req)
      if req.url:find("/v3/auth/tokens", 1, true) then
        n = n + 1
        return S.ok(token_body("proj-from-token", "2023-11-14T22:13:20.000000Z",
                               "2023-11-15T22:13:20.000000Z"), 201,
                    { ["X-Subject-Token"] = "TOKEN-" .. n })
      end
      return S.ok({ ok = true })
    end })
    local opts = { user = "alice", password = "s3cret", domain = "acct", region = "cn-north-4",
                   transport = t, clock = clock.clock, sleep = clock.sleep }
    for k, v in pairs(extra or {}) do opts[k] = v end
    return hwcloud.new(opts), t, clock
  end

  it("gets a project-scoped token from IAM with the password", function()
    local c, t = password_client()
    get(c)
    assert.are.equal(2, #t.requests)
    local treq = t.requests[1]
    assert.are.equal("POST", treq.method)
    assert.are.equal("https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens?nocatalog=true", treq.url)
    assert.is_nil(S.header(treq.headers, "Authorization"))
    assert.is_nil(S.header(treq.headers, "X-Auth-Token"))
    assert.are.equal("application/json", S.header(treq.headers, "Content-Type"))
    local body = S.json(treq.body)
    assert.are.same({ "password" }, body.auth.identity.methods)
    assert.are.same({ name = "alice", password = "s3cret", domain = { name = "acct" } },
      body.auth.identity.password.user)
    assert.are.same({ project = { name = "cn-north-4" } }, body.auth.scope)
    local req = t.requests[2]
    assert.are.equal("TOKEN-1", S.header(req.headers, "X-Auth-Token"))
    -- the project id comes from the token: no project lookup
    assert.are.equal("https://rfs.cn-north-4.myhuaweicloud.com/v1/proj-from-token/stacks", req.url)
    assert.are.equal("dom-1", c:get_domain_id())
  end)

  it("scopes the token by project id when it knows it", function()
    local c, t = password_client({ project_id = PID })
    get(c)
    assert.are.same({ project = { id = PID } }, S.json(t.requests[1].body).auth.scope)
    assert.matches("/v1/" .. PID .. "/stacks$", t.requests[2].url)
  end)

  it("caches the token and renews it before it expires", function()
    local c, t, clock = password_client({ token_refresh_margin = 3600 })
    get(c)
    get(c)
    assert.are.equal(3, #t.requests) -- one token, two calls
    clock.now = clock.now + 86400 - 3600 - 1
    get(c)
    assert.are.equal(4, #t.requests)
    assert.are.equal("TOKEN-1", S.header(t.requests[4].headers, "X-Auth-Token"))
    clock.now = clock.now + 2
    get(c)
    assert.are.equal(6, #t.requests)
    assert.matches("/v3/auth/tokens", t.requests[5].url, 1, true)
    assert.are.equal("TOKEN-2", S.header(t.requests[6].headers, "X-Auth-Token"))
  end)

  it("gets a new token once when a call is answered 401", function()
    local clock = S.clock()
    local n, calls = 0, 0
    local t = S.transport({ function(req)
      if req.url:find("/v3/auth/tokens", 1, true) then
        n = n + 1
        return S.ok(token_body("p1", nil, "2099-01-01T00:00:00Z"), 201,
                    { ["X-Subject-Token"] = "TOKEN-" .. n })
      end
      calls = calls + 1
      if S.header(req.headers, "X-Auth-Token") == "TOKEN-1" then
        return S.http_error(401, "APIGW.0307")
      end
      return S.ok({})
    end })
    local c = hwcloud.new({ user = "u", password = "p", domain = "d", region = "cn-north-4",
                            transport = t, clock = clock.clock, sleep = clock.sleep })
    local resp = get(c)
    assert.are.equal(200, resp.status)
    assert.are.equal(2, n)
    assert.are.equal(2, calls)
    assert.are.equal(2, resp.attempts)
  end)

  it("raises IAM's error when the password is wrong", function()
    local t = S.transport({ S.http_error(401, nil, {}, { message = "The username or password is wrong." }) })
    local c = hwcloud.new({ user = "u", password = "bad", domain = "d", region = "cn-north-4",
                            transport = t, sleep = function() end })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal(401, err.status)
    assert.are.equal(1, #t.requests)
    assert.not_matches("bad", tostring(err), 1, true)
  end)

  it("needs a region or project id to scope a password token", function()
    local c = hwcloud.new({ user = "u", password = "p", domain = "d",
                            endpoint = "http://127.0.0.1:9", transport = S.transport({ S.ok({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("region or a project_id", err.message, 1, true)
  end)
end)

describe("project id resolution", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  local function projects(list)
    local items = {}
    for i, id in ipairs(list) do
      items[i] = { id = id, name = "cn-north-4", domain_id = "d", enabled = true }
    end
    return S.ok({ projects = items, links = {} }, 200, { ["X-IAM-Trace-Id"] = "trace-1" })
  end

  it("asks IAM for the project named after the region, once", function()
    local t = S.transport({ function(req)
      if req.url:find("/v3/projects", 1, true) then return projects({ "resolved-pid" }) end
      return S.ok({})
    end })
    local c = hwcloud.new({ ak = "AK", sk = "SK", region = "cn-north-4", domain_id = "dom",
                            transport = t })
    get(c)
    get(c)
    assert.are.equal(3, #t.requests)
    local q = t.requests[1]
    assert.are.equal("GET", q.method)
    assert.are.equal("https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4", q.url)
    assert.matches("^SDK%-HMAC%-SHA256 Access=AK", S.header(q.headers, "Authorization"))
    assert.is_nil(S.header(q.headers, "X-Project-Id"))
    assert.are.equal("dom", S.header(q.headers, "X-Domain-Id"))
    assert.are.equal("resolved-pid", S.header(t.requests[2].headers, "X-Project-Id"))
    assert.matches("/v1/resolved%-pid/stacks$", t.requests[3].url)
  end)

  it("resolves with a ready token too", function()
    local t = S.transport({ projects({ "tp" }), S.ok({}) })
    local c = hwcloud.new({ token = "TK", region = "cn-north-4", transport = t })
    assert.are.equal("tp", c:get_project_id())
    assert.are.equal("TK", S.header(t.requests[1].headers, "X-Auth-Token"))
  end)

  it("raises an auth error when IAM has no such project", function()
    local c = hwcloud.new({ ak = "AK", sk = "SK", region = "xx-nowhere-1",
                            transport = S.transport({ projects({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("no project named xx-nowhere-1", err.message, 1, true)
    assert.matches("trace-1", err.message, 1, true)
  end)

  it("raises an auth error listing the ids when there are several", function()
    local c = hwcloud.new({ ak = "AK", sk = "SK", region = "cn-north-4",
                            transport = S.transport({ projects({ "p1", "p2" }) }) })
    local ok, err = pcall(c.get_project_id, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("p1, p2", err.message, 1, true)
  end)

  it("raises an auth error without region and project id", function()
    local c = hwcloud.new({ ak = "AK", sk = "SK", endpoint = "http://127.0.0.1:9",
                            transport = S.transport({ S.ok({}) }) })
    local ok, err = pcall(get, c)
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("no project_id and no region", err.message, 1, true)
  end)
end)
