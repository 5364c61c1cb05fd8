-- Hostile input against both transports, over real sockets (issue 7): the
-- libcurl session in this process and the cosocket transport inside a real
-- nginx face the same misbehaving server (spec/openresty/hostile_server.lua)
-- and must behave alike: CR/LF/NUL refused before anything is written,
-- header lines and heads capped like libcurl caps them, bodies without a
-- length / chunked / with a huge Content-Length stopped at max_body_bytes
-- (the server records how much it could send), a cycling marker ends in an
-- error, and the URL of a raised error keeps no secret.
local core = require "hwcloud.core"
local socket = require "socket"

local have_luajit_core = io.open("build-luajit/hwcloud/core.so") ~= nil
local describe_or_skip = have_luajit_core and describe or pending

local MB = 1024 * 1024

describe_or_skip("hostile input, both transports", function()
  local h = require("spec.helpers.hostile").start()
  teardown(h.stop)

  -- what the server could send of an endless answer before the client stopped
  local function sent(id)
    local deadline = socket.gettime() + 10
    repeat
      local n = h.get("/h/sent?id=" .. id).sent
      if n ~= core.null and n ~= nil then return n end
      socket.sleep(0.05)
    until socket.gettime() > deadline
    error("the server never finished sending " .. id)
  end

  local SMUGGLE = {
    { "CR/LF in a header value", { headers = { { "X-Auth-Token",
      "t\r\nContent-Length: 0\r\n\r\nDELETE /h/record?smuggled HTTP/1.1\r\nHost: x" } } } },
    { "a NUL in a header value", { headers = { { "X-A", "a\0b" } } } },
    { "CR/LF in the request target", { path = "/h/record?a HTTP/1.1\r\nHost: x\r\n\r\nDELETE /h/record?smuggled" } },
    { "a NUL in the URL", { path = "/h/record?a=\0" } },
    { "CR/LF in the method", { method = "DELETE /h/record?smuggled HTTP/1.1\r\n\r\nGET" } },
    { "a Content-Length that leaves a request in the body", { method = "POST", headers = { { "Content-Length", "0" } },
      body = "DELETE /h/record?smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" } },
  }

  for _, t in ipairs({ "libcurl", "cosocket" }) do
    describe(t, function()
      local send = function(...) return h[t](...) end

      for _, case in ipairs(SMUGGLE) do
        it("refuses " .. case[1] .. " before writing anything", function()
          h.get("/h/log") -- empties it
          local req = { method = case[2].method or "GET", url = h.url .. (case[2].path or "/h/record"),
                        headers = case[2].headers or {}, body = case[2].body }
          local ok, err = send(req)
          assert.is_false(ok)
          assert.are.equal("argument", err.kind)
          local _, lib = pcall(core.check_request, req)
          assert.are.equal((lib.message:gsub("^%S+: ", "")), (err.message:gsub("^%S+: ", "")))
          -- the connection still works, and nothing else ever arrived
          assert.is_true((send({ method = "GET", url = h.url .. "/h/record?after" })))
          assert.are.same({ "GET /h/record?after" }, h.get("/h/log").log)
        end)
      end

      it("reads a 90 KiB header line and 250 KiB of headers", function()
        local ok, r = send({ method = "GET", url = h.url .. "/h/line?bytes=" .. 90 * 1024 })
        assert.is_true(ok, r.message)
        assert.are.equal(200, r.status)
        ok, r = send({ method = "GET", url = h.url .. "/h/many?count=250&size=1024" })
        assert.is_true(ok, r.message)
      end)

      it("refuses a 200 KiB header line and 400 KiB of headers as network errors", function()
        for _, path in ipairs({ "/h/line?bytes=" .. 200 * 1024, "/h/many?count=400&size=1024" }) do
          local ok, err = send({ method = "GET", url = h.url .. path })
          assert.is_false(ok)
          assert.are.equal("network", err.kind)
          assert.is_true(err.retryable)
          if t == "cosocket" then
            assert.are.equal("HeadersTooLarge", err.code)
          end
        end
      end)

      it("keeps a header value with 30,000 spaces inside, trimmed at the ends", function()
        local ok, r = send({ method = "GET", url = h.url .. "/h/spaces?spaces=30000" })
        assert.is_true(ok, r.message)
        local pad = (" "):rep(30000)
        assert.are.equal("1" .. pad .. "2", r.headers["x-s"])
      end)

      it("reads a body without a length up to the close", function()
        local ok, r = send({ method = "GET", url = h.url .. "/h/close?bytes=100000" })
        assert.is_true(ok, r.message)
        assert.are.equal(100000, r.body_len or #r.raw_body)
      end)

      it("times out an answer that trickles a byte at a time", function()
        local id = t .. "-trickle-" .. math.random(1e9)
        local ok, err = send({ method = "GET", url = h.url .. "/h/trickle?id=" .. id }, { timeout = 1 })
        assert.is_false(ok)
        assert.are.equal("timeout", err.kind)
        assert.are.equal(28, err.curl_code)
        assert.is_true(sent(id) < 40, "the client read on: " .. sent(id))
      end)

      for _, kind in ipairs({ "endless", "chunked", "length" }) do
        it("stops reading a " .. kind .. " body at max_body_bytes", function()
          local id = t .. "-" .. kind .. "-" .. math.random(1e9)
          local ok, err = send({ method = "GET", url = h.url .. "/h/" .. kind .. "?id=" .. id },
                               { max_body_bytes = MB })
          assert.is_false(ok)
          assert.are.equal("network", err.kind)
          assert.are.equal("BodyTooLarge", err.code)
          assert.are.equal(23, err.curl_code)
          assert.is_false(err.retryable)
          assert.matches("max_body_bytes", err.message)
          -- the server offers 64 MiB; socket buffers hold a few
          assert.is_true(sent(id) < 32 * MB, "the client read on: " .. sent(id))
        end)
      end
    end)
  end

  it("cosocket: counts its timeout from the call, not from nginx's cached time", function()
    local ok, r = h.cosocket({ method = "GET", url = h.url .. "/h/record?late" }, { timeout = 0.5 }, 1)
    assert.is_true(ok, r.message)
    assert.are.equal(200, r.status)
  end)

  -- the client on each transport
  local function client_run(t, opts, what)
    opts.region, opts.project_id, opts.ak, opts.sk = "cn-north-4", "p1", "AK", "SK"
    opts.max_retries = 0
    if t == "cosocket" then return h.client(opts, what) end
    local c = require("hwcloud").new(opts)
    return pcall(function()
      if what ~= "list" then return c:request(what) end
      local names = {}
      for s in c:rfs():each_stack() do names[#names + 1] = s.stack_name end
      return names
    end)
  end

  it("a client on libcurl keeps a proxy password out of errors (libcurl names the proxy URL)", function()
    local ok, err = client_run("libcurl", { endpoint = h.url .. "/h", proxy = "http://user:p@ss-SECRET@proxy.invalid:3128" },
      { service = "rfs", method = "GET", path = "/v1/missing" })
    assert.is_false(ok)
    assert.are.equal("network", err.kind)
    assert.is_nil(tostring(err):find("SECRET", 1, true), tostring(err))
    assert.is_nil(err.message:find("SECRET", 1, true))
  end)

  for _, t in ipairs({ "libcurl", "cosocket" }) do
    it("a client on " .. t .. " stops a cycling marker listing with an error", function()
      local ok, err = client_run(t, { endpoint = h.url .. "/h" }, "list")
      assert.is_false(ok)
      assert.are.equal("MarkerRepeated", err.code)
      assert.are.equal("decode", err.kind)
    end)

    it("a client on " .. t .. " raises errors whose url and text keep no secret", function()
      local ok, err = client_run(t, { endpoint = h.url .. "/h" },
        { service = "rfs", method = "GET", path = "/v1/missing", query = { token = "TOKEN-SECRET", a = "1" } })
      assert.is_false(ok)
      assert.are.equal(404, err.status)
      assert.are.equal(h.url .. "/h/v1/missing?a=1&token=REDACTED", err.url)
      assert.is_nil((err.text or tostring(err)):find("TOKEN-SECRET", 1, true))
    end)
  end
end)
