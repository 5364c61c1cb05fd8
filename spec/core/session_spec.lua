-- The session over real libcurl, talking to the test server (nginx) on
-- loopback: bodies, statuses, error shapes, gzip, chunked, size limits,
-- timeouts, dropped and refused connections, TLS, reuse, and the signature as
-- it arrived on the wire.
local core = require "hwcloud.core"
local server_helper = require "spec.helpers.server"

local support = require "spec.core.support"
local raises = support.raises

describe("core.session", function()
  local server, s

  setup(function()
    server = server_helper.start()
    s = core.session{ timeout = 5, connect_timeout = 2 }
  end)
  teardown(function()
    if s then s:close() end
    if server then server.stop() end
  end)

  local function get(path, extra)
    local req = { method = "GET", url = server.url .. path, headers = {} }
    for k, v in pairs(extra or {}) do req[k] = v end
    return s:send(req)
  end

  it("decodes a JSON body: integers, floats, arrays, empty arrays, null", function()
    local r = get("/json")
    assert.are.equal(200, r.status)
    assert.are.equal(1, r.body.a)
    assert.are.equal(math.type and "integer" or nil, math.type and math.type(r.body.a))
    assert.are.equal(1.5, r.body.f)
    assert.are.equal(12345678901, r.body.n)
    assert.are.same({ 1, 2 }, r.body.b)
    assert.is_true(core.is_array(r.body.b))
    assert.is_true(core.is_array(r.body.c))
    assert.are.equal(0, #r.body.c)
    assert.is_false(core.is_array(r.body.e.z))
    assert.are.equal(core.null, r.body.d)
    assert.are.equal('café "q"', r.body.s)
    assert.are.equal("req-0123456789abcdef", r.request_id)
    assert.is_string(r.raw_body)
    assert.is_number(r.total_time)
    -- re-encodes with [] and {} where they were
    local again = core.decode(core.encode(r.body))
    assert.is_true(core.is_array(again.c))
    assert.matches('"c":%[%]', core.encode(r.body))
    assert.matches('"z":{}', core.encode(r.body))
  end)

  it("returns text bodies as strings and looks headers up case-insensitively", function()
    local r = get("/text")
    assert.are.equal("hello, text", r.body)
    assert.are.equal("text/plain", r.headers["Content-Type"])
    assert.are.equal("text/plain", r.headers["content-type"])
    assert.are.equal("text/plain", r.headers["CONTENT-TYPE"])
  end)

  it("keeps repeated headers", function()
    local r = get("/repeat")
    assert.are.equal("one, two", r.headers["x-multi"])
    local seen = {}
    for _, h in ipairs(r.header_list) do
      if h[1]:lower() == "x-multi" then seen[#seen + 1] = h[2] end
    end
    assert.are.same({ "one", "two" }, seen)
  end)

  it("keeps every header name as sent, also the usual ones in another case (src/hwc_response.c)", function()
    local r = get("/names")
    local sent = {}
    for _, h in ipairs(r.header_list) do sent[#sent + 1] = h[1] .. "=" .. h[2] end
    local text = table.concat(sent, " ") .. " "
    for _, h in ipairs({ "Content-Type=application/json", "pragma=no-cache", "X-FRAME-OPTIONS=DENY",
                         "Retry-After=1", "Retry-After=2" }) do
      assert.matches(" " .. h:gsub("%-", "%%-") .. " ", " " .. text)
    end
    assert.are.equal("no-cache", r.headers.Pragma)
    assert.are.equal("DENY", r.headers["x-frame-options"])
    assert.are.equal("1, 2", r.headers["retry-after"])
    assert.is_nil(rawget(r.headers, "Pragma"))
  end)

  it("returns nil body on 204", function()
    local r = get("/empty")
    assert.are.equal(204, r.status)
    assert.is_nil(r.body)
    assert.is_nil(r.raw_body)
  end)

  it("returns a 307 with its Location and does not follow it", function()
    local r = get("/redirect")
    assert.are.equal(307, r.status)
    assert.are.equal("http://127.0.0.1/json?from=redirect", r.headers.location)
  end)

  it("decodes gzip and chunked responses", function()
    local r = get("/gzip")
    assert.matches("gzip", r.headers["content-encoding"] or "")
    assert.are.equal(1, r.body.a)
    local c = get("/chunked")
    assert.matches("chunked", c.headers["transfer-encoding"] or "")
    assert.are.same({ 1, 2, 3, 4, 5 }, c.body.parts)
  end)

  it("reads a 10 MB body", function()
    local r = get("/big")
    assert.are.equal(10 * 1024 * 1024, #r.body)
    assert.are.equal("0123456789abcdef", r.body:sub(-16))
  end)

  it("reads bodies of every size in turn on one session (its buffer is sized from Content-Length and kept)", function()
    for _, path in ipairs({ "/sized?bytes=3000000", "/sized?bytes=100", "/big", "/sized?bytes=9000000",
                            "/gzip", "/sized?bytes=3000001" }) do
      local r = get(path)
      local n = tonumber(path:match("bytes=(%d+)"))
      if n then
        assert.are.equal(n, #r.raw_body, path)
        assert.are.equal(n - 8, #r.body.s, path)
        assert.are.equal(r.headers["content-length"], tostring(n), path)
      elseif path == "/big" then
        assert.are.equal(10 * 1024 * 1024, #r.body)
      else
        assert.are.equal(1, r.body.a)
      end
    end
  end)

  it("refuses a body over max_body_bytes, announced or not", function()
    local small = core.session{ max_body_bytes = 1024 * 1024 }
    local err = raises(small.send, small, { method = "GET", url = server.url .. "/sized?bytes=2000000" })
    assert.are.same({ "network", "BodyTooLarge" }, { err.kind, err.code })
    assert.are.equal(1000, #small:send{ method = "GET", url = server.url .. "/sized?bytes=1000" }.raw_body)
    small:close()
  end)

  it("refuses a body over max_body_bytes", function()
    local small = core.session{ max_body_bytes = 1024 * 1024 }
    local err = raises(small.send, small, { method = "GET", url = server.url .. "/big" })
    small:close()
    assert.are.equal("network", err.kind)
    assert.are.equal("BodyTooLarge", err.code)
    assert.is_false(err.retryable)
  end)

  local shapes = {
    { "A", 404, "EndPoint.0002", "The service does not exist." },
    { "B", 400, "EndPoint.0005", "Invalid parameter.", "ENC123" },
    { "C", 401, "401", "The username or password is wrong." },
    { "D", 400, "VPN.0001", "invalid request" },
    { "E", 403, "AOM.0403", "forbidden" },
    { "AB", 409, "RF.0001", "top wins" },
    { "details", 400, "N.1", "nested pair" },
    { "invalid", 400, "400", '{"invalid_key":"x"}' },
    { "text", 502, "502", "upstream exploded" },
    { "broken", 500, "500", '{"error_code": "RF.0' },
    { "empty", 503, "503", "HTTP 503 with an empty body" },
  }
  for _, case in ipairs(shapes) do
    it("reads error shape " .. case[1] .. " into code and message", function()
      local err = raises(get, "/error/" .. case[1] .. "?status=" .. case[2])
      assert.are.equal("http", err.kind)
      assert.are.equal(case[2], err.status)
      assert.are.equal(case[3], err.code)
      assert.are.equal(case[4], (err.message:gsub("\n$", "")))
      assert.are.equal(case[2] >= 500 and "ServerResponseException" or "ClientRequestException", err.class)
      assert.are.equal("req-0123456789abcdef", err.request_id)
      assert.are.equal("GET", err.method)
      assert.are.equal(case[5], err.encoded_authorization_message)
      assert.are.equal(case[2] >= 500, err.retryable)
      assert.matches("^hwcloud http error " .. case[2], tostring(err))
    end)
  end

  it("keeps a non-JSON error body raw and marks 429 retryable with its headers", function()
    local err = raises(get, "/error/text?status=429&retry_after=3")
    assert.are.equal("upstream exploded", err.body)
    assert.is_true(err.retryable)
    assert.are.equal("3", err.headers["retry-after"])
  end)

  it("raises kind=timeout on a slow answer", function()
    local quick = core.session{ timeout = 0.3 }
    local err = raises(quick.send, quick, { method = "GET", url = server.url .. "/slow?seconds=2" })
    quick:close()
    assert.are.equal("timeout", err.kind)
    assert.are.equal("RequestTimeoutException", err.class)
    assert.are.equal(28, err.curl_code)
    assert.is_true(err.retryable)
  end)

  it("gives up a request in flight at once on Ctrl-C, so the interpreter's 'interrupted!' comes now", function()
    -- a child of this interpreter and this build waits for an answer 20 s
    -- away and is sent SIGINT by pid: libcurl's progress callback sees the
    -- interpreter's hook and ends the transfer (a cancelled error, never
    -- retried), and the hook raises at the next Lua instruction
    local out, took = support.interrupt(("local core = require 'hwcloud.core'; local s = core.session{ timeout = 30 }; "
      .. "io.write('sending\\n'); io.flush(); "
      .. "local ok, e = pcall(s.send, s, { method = 'GET', url = %q }); "
      .. "print('after', ok, e.kind, e.code, e.retryable)"):format(server.url .. "/slow?seconds=20"), "sending")
    assert.matches("interrupted!", out)
    assert.not_matches("after", out)
    assert.is_true(took < 3, string.format("took %.2f s to stop", took))
  end)

  it("raises kind=network on a dropped connection and on a refused port", function()
    local err = raises(get, "/drop")
    assert.are.equal("network", err.kind)
    assert.are.equal("ConnectionException", err.class)
    assert.are.equal(52, err.curl_code) -- empty reply
    local err2 = raises(s.send, s, { method = "GET", url = server.refused_url .. "/x" })
    assert.are.equal("network", err2.kind)
    assert.are.equal(7, err2.curl_code)
    assert.is_true(err2.retryable)
  end)

  it("never puts URL credentials in an error", function()
    local err = raises(s.send, s, { method = "GET", url = "http://user:secret@" .. server.refused_url:sub(8) .. "/x" })
    assert.is_nil(err.url:find("secret", 1, true))
    assert.is_nil(tostring(err):find("secret", 1, true))
  end)

  it("fails TLS verification of a self-signed certificate, and passes with ca_file", function()
    local strict = core.session{}
    local err = raises(strict.send, strict, { method = "GET", url = server.tls_url .. "/json" })
    strict:close()
    assert.are.equal("tls", err.kind)
    assert.is_false(err.retryable)
    local trusting = core.session{ ca_file = server.ca_file }
    local r = trusting:send{ method = "GET", url = server.tls_url .. "/json" }
    trusting:close()
    assert.are.equal(200, r.status)
  end)

  it("reuses the connection from the second call", function()
    local fresh = core.session{}
    local r1 = fresh:send{ method = "GET", url = server.url .. "/text" }
    local r2 = fresh:send{ method = "GET", url = server.url .. "/text" }
    fresh:close()
    assert.is_false(r1.reused)
    assert.is_true(r2.reused)
  end)

  it("sends exactly the signed headers, and the signature verifies over what arrived", function()
    local body = core.encode({ stack_name = "my stack", n = 1, list = core.array{} })
    local url = server.url .. "/echo?b=2&a=1&x=a%20b"
    local signed = core.sign{ method = "POST", url = url, body = body, ak = "AK1", sk = "SK1",
      headers = { { "Content-Type", "application/json" }, { "X-Project-Id", "p1" }, { "User-Agent", "ua/1" } } }
    local r = s:send{ method = "POST", url = url, headers = signed.headers, body = body }
    local arrived = {}
    for _, h in ipairs(r.body.headers) do
      assert.is_nil(arrived[h[1]:lower()], "header arrived twice: " .. h[1])
      arrived[h[1]:lower()] = h[2]
    end
    assert.is_nil(arrived.expect)
    assert.are.equal(body, r.body.body)
    assert.are.equal("POST", r.body.method)
    -- recompute from the wire
    local auth = arrived.authorization
    local names = auth:match("SignedHeaders=([^,]+)")
    local headers = {}
    for name in names:gmatch("[^;]+") do
      if name ~= "x-sdk-date" then headers[#headers + 1] = { name, assert(arrived[name], name .. " missing") } end
    end
    local again = core.sign{ method = r.body.method, url = "http://" .. arrived.host .. r.body.uri,
      headers = headers, body = r.body.body, ak = "AK1", sk = "SK1", date = arrived["x-sdk-date"] }
    assert.are.equal(auth, again.authorization)
    assert.are.equal("content-type;host;user-agent;x-project-id;x-sdk-date", names)
  end)

  it("sends no header it was not given: no Expect, no form Content-Type, whatever the method and body size", function()
    local bodies = { false, "", "{}", ("x"):rep(1023), ("x"):rep(1024), ("x"):rep(5000), ("x"):rep(1536 * 1024) }
    for _, m in ipairs({ "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }) do
      for _, body in ipairs(bodies) do
        local r = s:send{ method = m, url = server.url .. "/echo", body = body or nil }
        local what = m .. " with " .. (body and #body .. " bytes" or "no body")
        assert.are.equal(200, r.status, what)
        for _, h in ipairs(r.body.headers) do
          assert.is_nil(({ expect = true, ["content-type"] = true })[h[1]:lower()], what .. ": " .. h[1])
        end
        if body then assert.are.equal(#body, #(r.body.body == core.null and "" or r.body.body), what) end
      end
    end
  end)

  it("asks for gzip answers only, and sends one User-Agent: the request's, else the session's option, else its own", function()
    local function seen(r, name)
      local got = {}
      for _, h in ipairs(r.body.headers) do if h[1]:lower() == name then got[#got + 1] = h[2] end end
      return got
    end
    local r = s:send{ method = "GET", url = server.url .. "/echo" }
    assert.are.same({ "gzip" }, seen(r, "accept-encoding"))
    assert.are.same({ "lua-hwcloud/" .. core.version }, seen(r, "user-agent"))
    local own = core.session{ user_agent = "tool/2" }
    for _ = 1, 2 do -- the second one on the reused handle and list
      assert.are.same({ "tool/2" }, seen(own:send{ method = "GET", url = server.url .. "/echo" }, "user-agent"))
      local req = { method = "POST", url = server.url .. "/echo", body = "{}", headers = { { "User-Agent", "req/3" } } }
      assert.are.same({ "req/3" }, seen(own:send(req), "user-agent"))
      assert.are.same({ "req/3" }, seen(s:send(req), "user-agent"))
    end
    own:close()
    -- the option goes into a header line of every request: no line breaks
    for _, bad in ipairs({ "a\r\nX-Evil: 1", "a\nb", "a\0b" }) do
      local err = raises(core.session, { user_agent = bad })
      assert.are.equal("argument", err.kind)
      assert.matches("user_agent", err.message)
    end
  end)

  it("sends PUT, PATCH and DELETE with and without bodies", function()
    for _, m in ipairs({ "PUT", "PATCH", "DELETE", "HEAD" }) do
      local r = s:send{ method = m, url = server.url .. "/echo", body = m ~= "HEAD" and "{}" or nil }
      assert.are.equal(200, r.status)
      if m ~= "HEAD" then
        assert.are.equal(m, r.body.method)
        assert.are.equal("{}", r.body.body)
      end
    end
    local r = s:send{ method = "DELETE", url = server.url .. "/echo" }
    assert.are.equal(core.null, r.body.body)
  end)

  -- the session sets what every transfer shares once and the method's options per request
  it("sends each request as given whatever the one before it was", function()
    local requests = {
      { method = "GET" }, { method = "HEAD" }, { method = "POST", body = '{"a":1}' }, { method = "POST" },
      { method = "PUT", body = "{}" }, { method = "PUT" }, { method = "PATCH", body = "[]" },
      { method = "DELETE" }, { method = "DELETE", body = "{}" }, { method = "OPTIONS" },
    }
    local t = core.session{}
    for _, first in ipairs(requests) do
      for _, second in ipairs(requests) do
        t:send{ method = first.method, url = server.url .. "/echo", body = first.body }
        local r = t:send{ method = second.method, url = server.url .. "/echo", body = second.body }
        assert.are.equal(200, r.status)
        if second.method ~= "HEAD" then
          local what = first.method .. " then " .. second.method
          assert.are.equal(second.method, r.body.method, what)
          local sent = second.body or ((second.method == "POST" or second.method == "PUT") and "" or nil)
          assert.are.equal(sent == nil and "" or sent, r.body.body == core.null and "" or r.body.body, what)
          local length
          for _, h in ipairs(r.body.headers) do
            if h[1]:lower() == "content-length" then length = h[2] end
          end
          assert.are.equal(sent and tostring(#sent) or nil, length, what)
        end
      end
    end
    t:close()
  end)

  it("raises a clear error when used after close, and close is idempotent", function()
    local t = core.session{}
    t:close()
    t:close()
    local err = raises(t.send, t, { method = "GET", url = server.url .. "/json" })
    assert.are.equal("argument", err.kind)
    assert.matches("closed", err.message)
  end)

  it("closes at the end of a <close> scope on Lua 5.4", function()
    if _VERSION ~= "Lua 5.4" then return end
    local chunk = assert(load([[
      local core = ...
      local held
      do
        local t <close> = core.session{}
        held = t
      end
      return held
    ]]))
    local held = chunk(core)
    assert.matches("closed", tostring(held))
  end)

  it("refuses unknown options and bad requests with argument errors", function()
    assert.are.equal("argument", raises(core.session, { timout = 1 }).kind)
    assert.matches("timeout", raises(core.session, { timeout = -1 }).message)
    assert.matches("'url'", raises(s.send, s, { method = "GET" }).message)
    assert.matches("method", raises(s.send, s, { method = "G T", url = server.url }).message)
    assert.matches("body", raises(s.send, s, { method = "POST", url = server.url, body = {} }).message)
  end)

  it("publishes its option names and defaults in core.session_options", function()
    local opts = core.session_options
    assert.are.same({ "timeout", "connect_timeout", "verify_tls", "ca_file", "ca_path", "proxy", "no_proxy",
                      "user_agent", "max_body_bytes" }, { (table.unpack or unpack)(opts) })
    local given = {}
    for _, name in ipairs(opts) do given[name] = opts[name] end
    core.session(given):close() -- every default is a value the session takes
    assert.are.same({ 60, 10, true, 64 * 1024 * 1024, "lua-hwcloud/" .. core.version },
                    { opts.timeout, opts.connect_timeout, opts.verify_tls, opts.max_body_bytes, opts.user_agent })
    local r = s:send{ method = "GET", url = server.url .. "/echo" }
    local ua
    for _, h in ipairs(r.body.headers) do if h[1]:lower() == "user-agent" then ua = h[2] end end
    assert.are.equal(opts.user_agent, ua)
  end)

  it("loads in OpenResty (LuaJIT build) and signs the worked example there", function()
    local f = assert(io.open(os.getenv("HWCLOUD_SIGNING_VECTORS") or "../shared/testdata/signing_vectors.json"))
    local v = core.decode(f:read("a")).vectors[1]
    f:close()
    local r = s:send{ method = "POST", url = server.url .. "/core/sign", body = core.encode(v.input) }
    assert.are.equal(v.expected.authorization, r.body.authorization)
    assert.matches("LuaJIT", r.body.jit)
  end)
end)
