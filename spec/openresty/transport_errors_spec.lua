-- The same failure gives the same error on both transports (issue 13, item
-- 8): the libcurl session in this process and the cosocket transport inside
-- a real nginx (spec/helpers/hostile.lua) meet a refused connection, a name
-- that does not resolve, a timeout, heads and bodies over the limits, an
-- answer cut short, no answer, an answer that is not HTTP and a failed TLS
-- handshake; every field of the error and its text must be equal, case by
-- case, from the transport itself and through a client using it, with the
-- hints a client adds to a failed connection (item 10).
-- Names that fail to resolve never leave the machine: a 64-byte label is
-- refused by the system's resolver before it sends a query, and the nginx's
-- resolver is a loopback port where none answers.
local free_port = require("spec.helpers.server").free_port

local have_luajit_core = io.open("build-luajit/hwcloud/core.so") ~= nil
local describe_or_skip = have_luajit_core and describe or pending

local MB = 1024 * 1024

describe_or_skip("errors, both transports", function()
  local h = require("spec.helpers.hostile").start()
  teardown(h.stop)
  local port = h.url:match("%d+$")
  -- a Huawei host in a region misspelt
  local unresolvable = ("s"):rep(64) .. ".cn-nort-4.myhuaweicloud.com"
  local refused = "http://127.0.0.1:" .. free_port()

  -- name, base URL, path, options (transport and client), the hint a client adds (issue 13, item 10)
  local CASES = {
    { "a refused connection", refused, "/v1/x", nil, "%(hint: the endpoint option points at 127%.0%.0%.1:%d+, "
      .. "where nothing listens: the emulator may not be running; start it with eval \"%$%(bin/hwcloud%-emulator "
      .. "start%)\" %(it sets HWCLOUD_ENDPOINT%)%)$" },
    { "a name that does not resolve", "https://" .. unresolvable, "/v1/x", nil,
      "^could not resolve host s+%.cn%-nort%-4%.myhuaweicloud%.com %(hint: cn%-nort%-4 is not a known region: "
      .. "did you mean cn%-north%-4%?%)$" },
    { "a timeout", h.url .. "/h", "/trickle?id=errors", { timeout = 0.5 } },
    { "a header line over 100 KiB", h.url .. "/h", "/line?bytes=" .. 200 * 1024 },
    { "400 KiB of headers", h.url .. "/h", "/many?count=400&size=1024" },
    { "a body over max_body_bytes", h.url .. "/h", "/length?id=errors", { max_body_bytes = MB } },
    { "an answer cut short of its Content-Length", h.url .. "/h", "/short" },
    { "no answer at all", h.url .. "/h", "/nothing" },
    { "an answer that is not HTTP", h.url .. "/h", "/garbage" },
    { "a failed TLS handshake", "https://127.0.0.1:" .. port .. "/h", "/record" },
  }

  local function same(a, b)
    local keys = {}
    for k in pairs(a) do keys[#keys + 1] = k end
    for k in pairs(b) do if a[k] == nil then keys[#keys + 1] = k end end
    table.sort(keys)
    for _, k in ipairs(keys) do
      assert.are.equal(a[k], b[k], "field " .. k .. " differs: libcurl " .. tostring(a[k])
        .. ", cosocket " .. tostring(b[k]))
    end
  end

  for _, c in ipairs(CASES) do
    it("transport: " .. c[1], function()
      local req = { method = "GET", url = c[2] .. c[3] }
      local ok1, curl = h.libcurl(req, c[4])
      local ok2, cos = h.cosocket(req, c[4])
      assert.is_false(ok1)
      assert.is_false(ok2)
      assert.is_string(curl.code, curl.text)
      same(curl, cos)
    end)

    it("client: " .. c[1], function()
      local opts = { endpoint = c[2], region = "cn-north-4", project_id = "p1", ak = "AK", sk = "SK",
                     max_retries = 1, retry_base_delay = 0.01, retry_max_delay = 0.02 }
      for k, v in pairs(c[4] or {}) do opts[k] = v end
      local what = { service = "rfs", method = "GET", path = c[3] }
      local ok1, curl = pcall(function() return require("hwcloud").new(opts):request(what) end)
      local ok2, cos = h.client(opts, what)
      assert.is_false(ok1)
      assert.is_false(ok2)
      local plain = { text = tostring(curl) }
      for k, v in pairs(curl) do if type(v) ~= "table" then plain[k] = v end end
      assert.is_string(plain.code, plain.text)
      same(plain, cos)
      if c[5] then
        assert.matches(c[5], plain.message)
      else
        assert.is_nil(plain.message:find("(hint:", 1, true), plain.message)
      end
    end)
  end

  it("client: a refused connection where HWCLOUD_ENDPOINT points says the emulator may not be running", function()
    -- a process of its own: the client reads the environment when it is made
    local p = assert(io.popen("HWCLOUD_ENDPOINT=" .. refused .. [[ lua5.4 -e '
      package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
      package.cpath = "build/?.so;" .. package.cpath
      local c = require("hwcloud").new{ region = "cn-north-4", project_id = "p", ak = "AK", sk = "SK", max_retries = 0 }
      local ok, err = pcall(c.request, c, { service = "vpcep", method = "GET", path = "/v1/x" })
      io.write(ok and "no error" or err.message)' 2>&1]]))
    local message = p:read("a")
    p:close()
    assert.are.equal("could not connect to " .. refused:sub(8) .. ": connection refused (hint: HWCLOUD_ENDPOINT points at "
      .. refused:sub(8) .. ", where nothing listens: the emulator may not be running; start it with "
      .. "eval \"$(bin/hwcloud-emulator start)\" (it sets HWCLOUD_ENDPOINT))", message)
  end)
end)
