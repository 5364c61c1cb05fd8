-- hwcloud.transport.cosocket outside nginx: a fake `ngx` with scripted
-- sockets checks the bytes sent, Content-Length / chunked / read-to-close
-- bodies, keepalive, error bodies of every shape, and the libcurl codes
-- given to transport failures.

local core = require "hwcloud.core"
local cosocket = require "hwcloud.transport.cosocket"

-- a socket that answers with `reply` (a string) or fails as told
local function fake_ngx(script)
  local log = { sockets = {} }
  local ngx = {
    now = function() return 1000 end,
    update_time = function() end,
    socket = {},
  }
  function ngx.socket.tcp()
    local s = { sent = {}, buffer = script.reply or "", keepalive = false, closed = false }
    log.sockets[#log.sockets + 1] = s
    function s.settimeouts(self, c, w, r) self.timeouts = { c, w, r } end
    function s.settimeout(self, ms) self.read_timeout = ms end
    function s.connect(self, host, port, opts)
      self.host, self.port, self.opts = host, port, opts
      if script.connect_error then return nil, script.connect_error end
      return true
    end
    function s.getreusedtimes() return script.reused or 0 end
    function s.sslhandshake(self, _, name, verify)
      self.tls = { name = name, verify = verify }
      if script.tls_error then return nil, script.tls_error end
      return true
    end
    function s.send(self, data)
      self.sent[#self.sent + 1] = data
      return #data
    end
    function s.receiveany(self, max)
      if #self.buffer == 0 then return nil, script.read_error or "closed" end
      local n = math.min(max, script.trickle or max)
      local data = self.buffer:sub(1, n)
      self.buffer = self.buffer:sub(n + 1)
      return data
    end
    function s.setkeepalive(self) self.keepalive = true return true end
    function s.close(self) self.closed = true return true end
    return s
  end
  return ngx, log
end

local function with_ngx(script, f)
  local ngx, log = fake_ngx(script)
  local saved = rawget(_G, "ngx")
  rawset(_G, "ngx", ngx)
  local ok, a, b = pcall(f, log)
  rawset(_G, "ngx", saved)
  return ok, a, b, log
end

local function send(script, req, opts)
  local ok, res, _, log = with_ngx(script, function()
    return cosocket.new(opts):send(req or { method = "GET", url = "http://h.test:8080/v1/x?a=1",
                                            headers = { { "X-A", "1" } } })
  end)
  return ok, res, log
end

describe("transport.cosocket", function()
  it("needs OpenResty", function()
    local ok, err = pcall(function()
      return cosocket.new():send({ method = "GET", url = "http://h/", headers = {} })
    end)
    assert.is_false(ok)
    assert.are.equal("argument", err.kind)
  end)

  it("sends HTTP/1.1 and reads a Content-Length body, keeping the connection", function()
    local ok, res, log = send({ reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      .. "X-Request-Id: abc\r\nSet-Cookie: a\r\nSet-Cookie: b\r\nContent-Length: 8\r\n\r\n{\"n\":10}" })
    assert.is_true(ok, tostring(res))
    assert.are.equal(200, res.status)
    assert.are.equal(10, res.body.n)
    assert.are.equal('{"n":10}', res.raw_body)
    assert.are.equal("abc", res.request_id)
    assert.are.equal("application/json", res.headers["content-type"])
    assert.are.equal("a, b", res.headers["Set-Cookie"])
    assert.are.equal(5, #res.header_list)
    local s = log.sockets[1]
    assert.are.equal("h.test", s.host)
    assert.are.equal(8080, s.port)
    assert.are.equal("http://h.test:8080", s.opts.pool)
    assert.is_true(s.keepalive)
    assert.are.equal("GET /v1/x?a=1 HTTP/1.1\r\nX-A: 1\r\nHost: h.test:8080\r\nConnection: keep-alive\r\n\r\n",
      s.sent[1])
  end)

  it("works out each URL once and keeps at most a bounded number of them", function()
    local t = cosocket.new({ verify_tls = false })
    local urls = {}
    for i = 1, 300 do -- more than a transport keeps: it starts afresh, and every answer stays right
      urls[i] = (i % 2 == 0 and "http://a.test/v1/" or "https://b.test:8443/v1/") .. i .. "?token=s3cret"
    end
    urls[#urls + 1] = urls[2] -- one met before
    local ok, err, _, log = with_ngx({ reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }, function()
      for i = 1, #urls do
        assert.are.equal(200, t:send({ method = "GET", url = urls[i], headers = {} }).status)
      end
    end)
    assert.is_true(ok, tostring(err))
    assert.are.equal(#urls, #log.sockets)
    for i, s in ipairs(log.sockets) do
      local path = urls[i]:match("^https?://[^/]+(/[^?]*)")
      if urls[i]:find("^http://a") then
        assert.are.same({ "a.test", 80, "http://a.test#noverify" }, { s.host, s.port, s.opts.pool })
      else
        assert.are.same({ "b.test", 8443, "https://b.test:8443#noverify" }, { s.host, s.port, s.opts.pool })
      end
      assert.are.equal("GET " .. path .. "?token=s3cret HTTP/1.1\r\n", s.sent[1]:match("^[^\n]*\n"))
    end
    -- the URL in an error is the redacted one, also for a URL the transport already knew
    ok, err = with_ngx({ reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" }, function()
      return t:send({ method = "GET", url = urls[2], headers = {} })
    end)
    assert.is_false(ok)
    assert.are.equal(404, err.status)
    assert.are.equal("http://a.test/v1/2?token=REDACTED", err.url)
  end)

  it("sends the signed Host and a Content-Length with a body", function()
    local ok, _, log = send({ reply = "HTTP/1.1 204 No Content\r\n\r\n" },
      { method = "POST", url = "https://h.test/p", headers = { { "Host", "h.test" } }, body = "{}" })
    assert.is_true(ok)
    local s = log.sockets[1]
    assert.are.equal(443, s.port)
    assert.are.same({ name = "h.test", verify = true }, s.tls)
    assert.are.equal("POST /p HTTP/1.1\r\nHost: h.test\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}",
      s.sent[1])
  end)

  it("reads chunked bodies", function()
    local ok, res = send({ reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
      .. "Content-Type: text/plain\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n" })
    assert.is_true(ok, tostring(res))
    assert.are.equal("hello world", res.body)
  end)

  it("reads to the end without a length and then closes", function()
    local ok, res, log = send({ reply = "HTTP/1.0 200 OK\r\n\r\nall of it" })
    assert.is_true(ok)
    assert.are.equal("all of it", res.body)
    assert.is_true(log.sockets[1].closed)
    assert.is_false(log.sockets[1].keepalive)
  end)

  it("reads the same answers when they arrive a byte at a time", function()
    local ok, res, log = send({ trickle = 1, reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
      .. "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" })
    assert.is_true(ok, tostring(res))
    assert.are.equal("hello world", res.body)
    assert.is_true(log.sockets[1].keepalive)
    ok, res = send({ trickle = 1, reply = "HTTP/1.1 200 OK\r\nX-A:  v \r\nContent-Length: 3\r\n\r\nabc" })
    assert.is_true(ok, tostring(res))
    assert.are.equal("abc", res.body)
    assert.are.equal("v", res.headers["x-a"])
    ok, res = send({ trickle = 3, reply = "HTTP/1.0 200 OK\r\n\r\nto the end" })
    assert.is_true(ok, tostring(res))
    assert.are.equal("to the end", res.body)
  end)

  it("does not reuse a connection that sent more than its answer", function()
    local ok, _, log = send({ reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n" })
    assert.is_true(ok)
    assert.is_false(log.sockets[1].keepalive)
    assert.is_true(log.sockets[1].closed)
  end)

  it("skips the TLS handshake on a reused connection", function()
    local ok, res, log = send({ reused = 2, reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" },
      { method = "GET", url = "https://h.test/", headers = {} })
    assert.is_true(ok)
    assert.is_true(res.reused)
    assert.is_nil(log.sockets[1].tls)
    assert.is_nil(res.body)
  end)

  local shapes = {
    { '{"error_code":"EndPoint.0002","error_msg":"gone"}', "EndPoint.0002", "gone" },
    { '{"error":{"code":"RF.1","message":"m"}}', "RF.1", "m" },
    { '{"error":{"code":401,"message":"bad","title":"Unauthorized"}}', "401", "bad" },
    { '{"code":"VPN.1","message":"v"}', "VPN.1", "v" },
    { '{"errorCode":"AOM.1","errorMessage":"a"}', "AOM.1", "a" },
    { '{"x":{"y":{"error_code":"N.1","error_msg":"deep"}}}', "N.1", "deep" },
  }
  for _, shape in ipairs(shapes) do
    it("reads the error body " .. shape[1], function()
      local ok, err = send({ reply = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
        .. "X-Request-Id: r1\r\nContent-Length: " .. #shape[1] .. "\r\n\r\n" .. shape[1] })
      assert.is_false(ok)
      assert.is_true(core.is_error(err))
      assert.are.equal("http", err.kind)
      assert.are.equal(404, err.status)
      assert.are.equal(shape[2], err.code)
      assert.are.equal(shape[3], err.message)
      assert.are.equal("r1", err.request_id)
      assert.are.equal("ClientRequestException", err.class)
      assert.are.equal("GET", err.method)
    end)
  end

  it("keeps a non-JSON error body and Retry-After", function()
    local ok, err = send({ reply = "HTTP/1.1 503 Unavailable\r\nRetry-After: 2\r\nContent-Length: 4\r\n\r\nbusy" })
    assert.is_false(ok)
    assert.are.equal(503, err.status)
    assert.are.equal("503", err.code)
    assert.are.equal("busy", err.body)
    assert.are.equal("2", err.headers["retry-after"])
    assert.is_true(err.retryable)
    assert.are.equal("ServerResponseException", err.class)
  end)

  it("raises a decode error for a broken JSON 2xx", function()
    local ok, err = send({ reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{x:" })
    assert.is_false(ok)
    assert.are.equal("decode", err.kind)
  end)

  local failures = {
    { { connect_error = "connection refused" }, "network", 7 },
    { { connect_error = "no resolver defined to resolve \"h.test\"" }, "network", 6 },
    { { connect_error = "timeout" }, "timeout", 28 },
    { { read_error = "timeout" }, "timeout", 28 },
    { { read_error = "closed" }, "network", 52 },
    { { reply = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort" }, "network", 18 }, -- libcurl's partial file
    { { reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nsho" }, "network", 18 },
    { { reply = "HTTP/1.1 200 OK\r\n" }, "network", 56 }, -- closed inside the head
    { { reply = "NOT HTTP\r\n\r\n" }, "network", 8 },
    { { tls_error = "handshake failed" }, "tls", 35 },
    { { tls_error = "certificate verify failed" }, "tls", 60 },
  }
  for _, f in ipairs(failures) do
    local label = f[1].connect_error or f[1].read_error or f[1].tls_error
      or ("the answer " .. f[1].reply:gsub("\r\n", " | "))
    it("maps '" .. label .. "' to " .. f[2] .. " " .. f[3], function()
      local ok, err = send(f[1], { method = "GET", url = "https://h.test/", headers = {} })
      assert.is_false(ok)
      assert.is_true(core.is_error(err), tostring(err))
      assert.are.equal(f[2], err.kind)
      assert.are.equal(f[3], err.curl_code)
    end)
  end

  it("says that nginx needs a resolver when it has none", function()
    local ok, err = send({ connect_error = "no resolver defined to resolve \"h.test\"" },
      { method = "GET", url = "https://h.test/", headers = {} })
    assert.is_false(ok)
    assert.are.equal("ConnectionError", err.code)
    assert.matches("^could not resolve host h%.test %(hint: nginx%.conf needs a resolver directive", err.message)
  end)

  it("refuses a response over max_body_bytes", function()
    local ok, err = send({ reply = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" .. ("x"):rep(100) },
      nil, { max_body_bytes = 10 })
    assert.is_false(ok)
    assert.are.equal("BodyTooLarge", err.code)
  end)

  it("refuses CR, LF and NUL in headers, URL and method before connecting", function()
    local hostile = {
      { method = "GET", url = "http://h.test/x", headers = { { "X-Auth-Token", "t\r\nX-Evil: 1" } } },
      { method = "GET", url = "http://h.test/x", headers = { { "X-A", "a\0b" } } },
      { method = "GET", url = "http://h.test/x?a=1 HTTP/1.1\r\nHost: h\r\n\r\nDELETE /y", headers = {} },
      { method = "GET", url = "http://h.test/x\0", headers = {} },
      { method = "GET /y HTTP/1.1\r\n", url = "http://h.test/x", headers = {} },
    }
    for _, req in ipairs(hostile) do
      local ok, err, log = send({ reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }, req)
      assert.is_false(ok)
      assert.are.equal("argument", err.kind)
      assert.matches("^hwcloud%.transport%.cosocket:send: ", err.message)
      local _, lib = pcall(core.check_request, req)
      assert.are.equal(lib.message:gsub("^%S+: ", ""), (err.message:gsub("^%S+: ", "")))
      assert.are.equal(0, #log.sockets)
    end
  end)

  it("refuses a header line over 100 KiB and 300 KiB of headers, and reads no further", function()
    local long = ("a"):rep(cosocket.MAX_HEADER_LINE + 1)
    local ok, err, log = send({ reply = "HTTP/1.1 200 OK\r\nX-Big: " .. long .. "\r\n\r\n" .. ("z"):rep(300000) })
    assert.is_false(ok)
    assert.are.equal("HeadersTooLarge", err.code)
    assert.are.equal("network", err.kind)
    assert.matches("too large", err.message)
    assert.is_true(log.sockets[1].closed)
    assert.is_true(#log.sockets[1].buffer > 200000)
    local many = ("X-H: " .. ("b"):rep(1000) .. "\r\n"):rep(400)
    ok, err = send({ reply = "HTTP/1.1 200 OK\r\n" .. many .. "\r\n" })
    assert.is_false(ok)
    assert.are.equal("HeadersTooLarge", err.code)
    -- a line just under the cap is read
    ok, err = send({ reply = "HTTP/1.1 200 OK\r\nX-Big: " .. ("a"):rep(90 * 1024) .. "\r\nContent-Length: 0\r\n\r\n" })
    assert.is_true(ok, tostring(err))
  end)

  it("trims header values in linear time", function()
    local v = "1" .. (" "):rep(60000) .. "2"
    local ok, res = send({ reply = "HTTP/1.1 200 OK\r\nX-S:   " .. v .. "   \r\nContent-Length: 0\r\n\r\n" })
    assert.is_true(ok, tostring(res))
    assert.are.equal(v, res.headers["x-s"])
  end)

  local over = {
    { "with a Content-Length", "Content-Length: 100\r\n\r\n" .. ("x"):rep(100) },
    { "chunked", "Transfer-Encoding: chunked\r\n\r\n" .. ("8\r\n12345678\r\n"):rep(50) .. "0\r\n\r\n" },
    { "until the connection closes", "\r\n" .. ("x"):rep(200 * 1024) },
  }
  for _, case in ipairs(over) do
    it("stops reading a body over max_body_bytes " .. case[1], function()
      local ok, err, log = send({ reply = "HTTP/1.1 200 OK\r\n" .. case[2] }, nil, { max_body_bytes = 10 })
      assert.is_false(ok)
      assert.are.equal("BodyTooLarge", err.code)
      assert.are.equal("network", err.kind)
      assert.is_false(err.retryable)
      assert.matches("max_body_bytes", err.message)
      assert.is_true(log.sockets[1].closed)
      assert.is_false(log.sockets[1].keepalive)
    end)
  end

  it("reads a body of many small chunks (chunk-size lines are not a head)", function()
    local ok, res = send({ reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      .. ("1\r\nx\r\n"):rep(120000) .. "0\r\n\r\n" }, nil, { max_body_bytes = 1e6 })
    assert.is_true(ok, tostring(res))
    assert.are.equal(120000, #res.body)
  end)

  it("refuses a bad Content-Length and a bad chunk end", function()
    local ok, err = send({ reply = "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n0123456789abcdef" })
    assert.is_false(ok)
    assert.are.equal("network", err.kind)
    ok, err = send({ reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n" })
    assert.is_false(ok)
    assert.are.equal("network", err.kind)
  end)

  it("puts no URL credentials or secret query values in its errors", function()
    local ok, err = send({ connect_error = "connection refused" },
      { method = "GET", url = "http://user:p@ss@h.test/x?token=s3cret&a=1", headers = {} })
    assert.is_false(ok)
    assert.is_nil(err.url:find("ss@", 1, true))
    assert.is_nil(err.url:find("s3cret", 1, true))
    assert.matches("a=1", err.url)
    ok, err = send({ reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" },
      { method = "GET", url = "http://user:p@ss@h.test/x?token=s3cret", headers = {} })
    assert.is_false(ok)
    assert.is_nil(tostring(err):find("s3cret", 1, true))
    assert.is_nil(err.url:find("ss@", 1, true))
  end)

  it("refuses NaN, infinite and negative numeric options", function()
    for _, name in ipairs({ "timeout", "connect_timeout", "keepalive_timeout", "pool_size", "max_body_bytes" }) do
      for _, bad in ipairs({ 0 / 0, math.huge, -1 }) do
        local ok, err = pcall(cosocket.new, { [name] = bad })
        assert.is_false(ok)
        assert.are.equal("argument", err.kind)
        assert.matches("^hwcloud%.transport%.cosocket%.new: opts%." .. name .. " must be", err.message)
      end
    end
  end)

  it("refuses an unknown option, naming the closest one", function()
    local ok, err = pcall(cosocket.new, { timeout = 10, conect_timeout = 3 })
    assert.is_false(ok)
    assert.are.equal("argument", err.kind)
    assert.are.equal("hwcloud.transport.cosocket.new: unknown option opts.conect_timeout "
      .. "(did you mean opts.connect_timeout?)", err.message)
    -- libcurl's CA options do not apply here (nginx's lua_ssl_trusted_certificate does)
    ok, err = pcall(cosocket.new, { ca_file = "/etc/ssl/certs/ca-certificates.crt" })
    assert.is_false(ok)
    assert.are.equal("hwcloud.transport.cosocket.new: unknown option opts.ca_file", err.message)
  end)

  it("refuses a proxy", function()
    local ok, err = pcall(cosocket.new, { proxy = "http://p:3128" })
    assert.is_false(ok)
    assert.are.equal("argument", err.kind)
  end)
end)
