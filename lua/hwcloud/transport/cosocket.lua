-- The OpenResty transport: HTTP/1.1 over ngx.socket.tcp, so a request made
-- from a request handler or a timer yields instead of blocking the worker.
-- Same shape as the curl transport: `send(self, request)` takes
-- `{method=, url=, headers = {{name, value}, ...}, body=}` and returns
-- `{status, headers, header_list, body, raw_body, request_id, reused,
-- total_time}` or raises an hwcloud.Error. It does the socket I/O only: the
-- response and its error are built by the core (core.response), exactly as
-- session:send builds them. Connections go back to the cosocket keepalive
-- pool. A failure without an answer is given the libcurl code of the
-- equivalent failure (6 not resolved, 7 not connected, 8 not HTTP, 18 cut
-- short, 28 timeout, 35 TLS, 52 empty reply, 55 send, 56 receive) and
-- core.transport_error builds its error, the one session:send raises: same
-- fields, code, retryability and message.
-- Before anything is written, the request goes through the core's
-- check_request (the one libcurl's session runs), so no header value, URL or
-- method can smuggle a header or a second request. What a server sends back
-- is bounded like libcurl bounds it: a header line of at most 100 KiB, 300
-- KiB of headers, a body of at most max_body_bytes, whether it comes with a
-- Content-Length, chunked or until the connection closes, and `timeout` for
-- the whole answer however slowly it trickles in.
-- Use it with `hwcloud.new{transport = require("hwcloud.transport.cosocket").new(opts)}`.

local core = require "hwcloud.core"
local redact = require "hwcloud.redact"
local urls = require "hwcloud.url"
local text = require "hwcloud.text"
local numbers = require "hwcloud.numbers"
local hints = require "hwcloud.hints"
local keys = require "hwcloud.keys"

local M = {}

local Transport = {}
Transport.__index = Transport
Transport.__tostring = function()
  return "hwcloud.transport.cosocket"
end

local floor = math.floor
local byte, sub, find, match, lower = string.byte, string.sub, string.find, string.match, string.lower
local concat = table.concat
-- LuaJIT's table.new presizes a list (OpenResty always has it; the unit
-- specs run this module on Lua 5.4 too, where a list grows as usual)
local has_new, new_tab = pcall(require, "table.new")
if not has_new then
  new_tab = function()
    return {}
  end
end
local trim_range = text.trim_range

-- the headers that frame the body and the connection: read while reading
local FRAMING = { ["transfer-encoding"] = true, ["content-length"] = true, connection = true }
local FRAMING_LENGTHS = {}
for name in pairs(FRAMING) do
  FRAMING_LENGTHS[#name] = true
end

local function ngx_api()
  local ngx = rawget(_G, "ngx")
  if type(ngx) ~= "table" or not ngx.socket or not ngx.socket.tcp then
    error(core.error({ kind = "argument",
      message = "hwcloud.transport.cosocket: needs OpenResty (ngx.socket.tcp)" }), 0)
  end
  return ngx
end

--- Make a cosocket transport.
-- @tparam[opt] table opts `{timeout = 60, connect_timeout = 10 (seconds),
--   verify_tls = true, pool_size = 30, keepalive_timeout = 60 (seconds),
--   max_body_bytes = 64 MiB}`; TLS trust comes from nginx's
--   `lua_ssl_trusted_certificate`, proxies are not supported
-- @treturn table transport
-- @raise an argument error for an unknown option (with the closest name),
--   a proxy, or a number out of range
-- the options new takes (proxy only to be refused by name)
local OPTIONS = { timeout = true, connect_timeout = true, verify_tls = true, pool_size = true,
                  keepalive_timeout = true, max_body_bytes = true, proxy = true }

function M.new(opts)
  opts = opts or {}
  local unknown = keys.unknown(opts, OPTIONS)
  if unknown ~= nil then
    error(core.error({ kind = "argument", message = "hwcloud.transport.cosocket.new: "
      .. keys.message("option", unknown, OPTIONS, "opts.") }), 0)
  end
  if opts.proxy then
    error(core.error({ kind = "argument",
      message = "hwcloud.transport.cosocket.new: opts.proxy is not supported" }), 0)
  end
  local bad = numbers.check(opts, { timeout = "positive seconds", connect_timeout = "positive seconds",
    keepalive_timeout = "seconds", pool_size = "count", max_body_bytes = "count" })
  if bad then
    error(core.error({ kind = "argument", message = "hwcloud.transport.cosocket.new: " .. bad }), 0)
  end
  local verify = opts.verify_tls
  if verify == nil then
    verify = true
  end
  local defaults = core.session_options -- the libcurl session's defaults
  return setmetatable({
    timeout = opts.timeout or defaults.timeout,
    connect_timeout = opts.connect_timeout or defaults.connect_timeout,
    verify_tls = verify,
    pool_size = opts.pool_size or 30,
    keepalive_timeout = opts.keepalive_timeout or 60,
    max_body_bytes = opts.max_body_bytes or defaults.max_body_bytes,
    urls = { n = 0 }, -- URL -> what url_of made of it
  }, Transport)
end

-- raises the error session:send raises for the same failure: the core
-- builds it (core.transport_error) from the libcurl code of the equivalent
-- failure; `more` holds code, reason, max_body_bytes or detail (the
-- cosocket's own words, as err.detail), `hint` a sentence of this
-- transport's own (appended by hwcloud.hints)
local function fail(curl_code, req, more, hint)
  local t = { curl_code = curl_code, method = req.method, url = req.url }
  for k, v in pairs(more or {}) do
    t[k] = v
  end
  local err = core.transport_error(t)
  err.url = redact.url(req.url)
  if hint then
    err.message = hints.append(err.message, hint)
  end
  error(err, 0)
end

-- the libcurl code of a cosocket failure in a phase: "connect", "tls",
-- "status" (the status line), "headers", "body", "send"
local function curl_code_of(err, phase, framed)
  if err == "timeout" then
    return 28
  end
  if phase == "connect" then
    if err and err:find("resolve", 1, true) then
      return 6
    end
    return 7
  end
  if phase == "tls" then
    return err and err:find("certificate", 1, true) and 60 or 35
  end
  if phase == "send" then
    return 55
  end
  if err == "closed" and phase == "status" then
    return 52 -- nothing came back
  end
  if err == "closed" and phase == "body" and framed then
    return 18 -- less than the Content-Length or the chunks announced
  end
  return 56
end

-- a failed read of the status line, the headers or the body
local function read_failed(err, phase, req, framed)
  if err == "too large" then
    fail(56, req, { code = "HeadersTooLarge" })
  end
  fail(curl_code_of(err, phase, framed), req, { detail = err })
end

local function parse_url(url)
  -- user:password@ is not sent (no Basic auth here)
  local scheme, authority, rest = urls.split(url)
  if scheme ~= "http" and scheme ~= "https" then
    return nil
  end
  local host, port = urls.host_port(authority)
  if not host then
    return nil
  end
  host = host:match("^%[(.*)%]$") or host -- connect takes an IPv6 address bare
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  if rest == "" then
    rest = "/"
  end
  return scheme, host, port, rest, authority
end

local URLS_KEPT = 256 -- URLs a transport keeps worked out (then it starts afresh)

-- What the transport makes of a URL, worked out once per URL and kept
-- (bounded): `{scheme, host, port, target, authority, redacted, connect}`
-- (`redacted` for the response and the errors, `connect` connect's options:
-- the keepalive pool of the scheme, authority and TLS check, and its size);
-- nil for a URL it cannot send to.
local function url_of(self, url)
  local kept = self.urls
  local u = kept[url]
  if u then
    return u
  end
  local scheme, host, port, target, authority = parse_url(url)
  if not scheme then
    return nil
  end
  u = { scheme = scheme, host = host, port = port, target = target, authority = authority,
    redacted = redact.url(url),
    connect = { pool = scheme .. "://" .. authority .. (self.verify_tls and "" or "#noverify"),
      pool_size = self.pool_size } }
  if kept.n >= URLS_KEPT then
    kept = { n = 0 }
    self.urls = kept
  end
  kept[url], kept.n = u, kept.n + 1
  return u
end

--- Largest response header line (libcurl's CURL_MAX_HTTP_HEADER, 100 KiB).
M.MAX_HEADER_LINE = 100 * 1024
--- Largest response head: status line, headers and trailers together
-- (libcurl's MAX_HTTP_RESP_HEADER_SIZE, 300 KiB).
M.MAX_HEADER_BYTES = 300 * 1024

local READ_CHUNK = 64 * 1024

-- A buffered reader over the socket. Each read takes what has arrived
-- (receiveany), waiting at most what is left of the deadline, and the
-- deadline is checked after every read: a server that trickles a byte now
-- and then cannot keep a request alive past `timeout` (nginx re-arms a read
-- timeout whenever data arrives; libcurl's timeout is for the whole transfer).
-- `line()` gives a head line without CR LF, at most MAX_HEADER_LINE bytes and
-- MAX_HEADER_BYTES for all lines ("too large"); `bytes(n)` exactly n bytes;
-- `rest(max)` everything up to the close, at most max bytes ("body too large").
-- Each returns nil and the error on failure.
local Reader = {}
Reader.__index = Reader

local function reader(ngx, sock, deadline)
  return setmetatable({ ngx = ngx, sock = sock, deadline = deadline, buf = "", pos = 1, head = 0 }, Reader)
end

-- Takes what has arrived into the buffer (the old one is consumed), within
-- what is left of the deadline.
function Reader:fill()
  self.ngx.update_time()
  local left = self.deadline - self.ngx.now()
  if left <= 0 then
    return nil, "timeout"
  end
  self.sock:settimeout(floor(left * 1000) + 1)
  local data, err = self.sock:receiveany(READ_CHUNK)
  if not data then
    return nil, err
  end
  self.buf, self.pos = data, 1
  return true
end

--- Count the next lines as a new head (a chunk-size line, the trailers).
function Reader:new_head()
  self.head = 0
end

--- Whether bytes past the answer arrived (the connection is then not reused).
function Reader:extra()
  return self.pos <= #self.buf
end

--- The next line without its CR LF, as the string that holds it and the
-- line's first and last byte in it (last < first for an empty line): a
-- line that has arrived whole is not cut out of the buffer. nil and "too
-- large" past the head caps, nil and the error of a failed read.
function Reader:line()
  local buf, pos = self.buf, self.pos
  local lf = find(buf, "\n", pos, true)
  if lf then -- the whole line has arrived: no pieces to join
    local n = lf - pos
    if n > M.MAX_HEADER_LINE or self.head + n > M.MAX_HEADER_BYTES then
      return nil, "too large"
    end
    self.pos, self.head = lf + 1, self.head + n + 1
    return buf, pos, (n > 0 and byte(buf, lf - 1) == 13) and lf - 2 or lf - 1
  end
  local parts, n = {}, 0
  while true do
    local lf = find(self.buf, "\n", self.pos, true)
    local piece = sub(self.buf, self.pos, lf and lf - 1 or -1)
    n = n + #piece
    if n > M.MAX_HEADER_LINE or self.head + n > M.MAX_HEADER_BYTES then
      return nil, "too large"
    end
    parts[#parts + 1] = piece
    if lf then
      self.pos = lf + 1
      self.head = self.head + n + 1
      local line = concat(parts)
      return line, 1, byte(line, -1) == 13 and #line - 1 or #line
    end
    local ok, err = self:fill()
    if not ok then
      return nil, err
    end
  end
end

--- Exactly n bytes.
function Reader:bytes(n)
  local pos = self.pos
  if #self.buf - pos + 1 >= n then -- all of it has arrived
    self.pos = pos + n
    return sub(self.buf, pos, pos + n - 1)
  end
  local parts, got = {}, 0
  while got < n do
    if self.pos > #self.buf then
      local ok, err = self:fill()
      if not ok then
        return nil, err
      end
    end
    local take = math.min(n - got, #self.buf - self.pos + 1)
    parts[#parts + 1] = sub(self.buf, self.pos, self.pos + take - 1)
    self.pos, got = self.pos + take, got + take
  end
  return concat(parts)
end

--- Everything until the server closes, at most max bytes.
function Reader:rest(max)
  local parts, got = {}, 0
  while true do
    local piece = sub(self.buf, self.pos)
    got = got + #piece
    if got > max then
      return nil, "body too large"
    end
    parts[#parts + 1] = piece
    self.pos = #self.buf + 1
    local ok, err = self:fill()
    if not ok then
      if err == "closed" then
        return concat(parts)
      end
      return nil, err
    end
  end
end

-- Reads the body, never more than max bytes, framed by the lower-cased
-- headers `framing`. Returns body, keepalive or nil, error ("body too large"
-- when over max).
local function read_body(r, framing, status, method, max)
  if method == "HEAD" or status == 204 or status == 304 or (status >= 100 and status < 200) then
    return "", true
  end
  local te = framing["transfer-encoding"]
  if te and te:lower():find("chunked", 1, true) then
    local parts, total = {}, 0
    while true do
      r:new_head()
      local line, from = r:line()
      if not line then
        return nil, from
      end
      local hex = match(line, "^%x+", from) -- hex digits stop at the line's end
      if not hex then
        return nil, "bad chunk size"
      end
      local size = tonumber(hex, 16)
      if size == 0 then
        -- trailers up to the empty line, 300 KiB at most
        r:new_head()
        repeat
          local last
          line, from, last = r:line()
          if not line then
            return nil, from
          end
        until last < from
        break
      end
      total = total + size
      if total > max then
        return nil, "body too large"
      end
      local data, err = r:bytes(size + 2) -- the chunk and its CRLF
      if not data then
        return nil, err
      end
      if sub(data, -2) ~= "\r\n" then
        return nil, "bad chunk end"
      end
      parts[#parts + 1] = sub(data, 1, -3)
    end
    return concat(parts), true
  end
  local cl = framing["content-length"]
  if cl then
    local len = tonumber(cl:match("^%d+$"))
    if not len then
      return nil, "bad Content-Length"
    end
    if len > max then
      return nil, "body too large"
    end
    local data, err = r:bytes(len)
    if not data then
      return nil, err
    end
    return data, true
  end
  -- no length: read until the server closes, at most max bytes
  local data, err = r:rest(max)
  if not data then
    return nil, err
  end
  return data, false
end

-- Connects (or takes a pooled connection) to the URL `u` (url_of) and shakes
-- hands for https. Returns the socket and whether it was reused; raises on
-- failure.
local function connect(self, ngx, req, u)
  local sock = ngx.socket.tcp()
  local ms = floor(self.timeout * 1000)
  sock:settimeouts(floor(self.connect_timeout * 1000), ms, ms)
  local ok, err = sock:connect(u.host, u.port, u.connect)
  if not ok then
    local code = curl_code_of(err, "connect")
    fail(code, req, { reason = code == 7 and err or nil, detail = err },
      err and err:find("no resolver defined", 1, true)
        and "nginx.conf needs a resolver directive (see examples/openresty/nginx.conf)" or nil)
  end
  local reused = (sock:getreusedtimes() or 0) > 0
  if u.scheme == "https" and not reused then
    ok, err = sock:sslhandshake(nil, u.host, self.verify_tls)
    if not ok then
      sock:close()
      fail(curl_code_of(err, "tls"), req, { detail = err })
    end
  end
  return sock, reused
end

-- The request's bytes: request line, the caller's headers (checked by
-- core.check_request), Host and Content-Length when missing, the body; the
-- pieces are joined once.
local function request_bytes(req, target, authority)
  local method, headers, body = req.method, req.headers, req.body
  -- 4 pieces a header, 4 for the request line, 7 for the lines added
  local out, n = new_tab(headers and 4 * #headers + 11 or 11, 0), 4
  out[1], out[2], out[3], out[4] = method, " ", target, " HTTP/1.1\r\n"
  local has_host, has_length = false, false
  local i, h = 1, headers and headers[1]
  while h ~= nil do -- the pairs up to the first hole, as ipairs goes
    local name = h[1]
    local len = #name
    if len == 4 and not has_host then -- lower only the names that may be these two
      has_host = lower(name) == "host"
    elseif len == 14 and not has_length then
      has_length = lower(name) == "content-length"
    end
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = name, ": ", h[2], "\r\n"
    n = n + 4
    i = i + 1
    h = headers[i]
  end
  if not has_host then
    out[n + 1], out[n + 2], out[n + 3] = "Host: ", authority, "\r\n"
    n = n + 3
  end
  if not has_length and (body or method == "POST" or method == "PUT" or method == "PATCH") then
    out[n + 1], out[n + 2], out[n + 3] = "Content-Length: ", body and #body or 0, "\r\n"
    n = n + 3
  end
  out[n + 1] = "Connection: keep-alive\r\n\r\n"
  out[n + 2] = body
  return concat(out)
end

-- Reads the status line and the headers. Returns status, header_list and
-- the framing headers (lower-cased, repeated ones joined); raises on failure
-- (the socket closed).
local function read_head(r, sock, req)
  local line, from = r:line()
  if not line then
    sock:close()
    read_failed(from, "status", req)
  end
  -- digits, '.', '/' and ' ' stop at the line's end: the match stays in it
  local status = tonumber(match(line, "^HTTP/%d%.%d (%d%d%d)", from))
  if not status then
    sock:close()
    fail(8, req)
  end
  local framing, header_list, n = new_tab(0, 3), new_tab(12, 0), 0
  while true do
    local last
    line, from, last = r:line()
    if not line then
      sock:close()
      read_failed(from, "headers", req)
    end
    if last < from then
      return status, header_list, framing
    end
    local colon = find(line, ":", from, true)
    if colon and colon > from and colon <= last then
      local name = sub(line, from, colon - 1)
      local value = sub(line, trim_range(line, colon + 1, last))
      n = n + 1
      header_list[n] = { name, value }
      local len = colon - from
      if FRAMING_LENGTHS[len] then -- lower only the names that may be framing ones
        local key = lower(name)
        if FRAMING[key] then
          framing[key] = framing[key] and (framing[key] .. ", " .. value) or value
        end
      end
    end
  end
end

--- Send one request.
-- @tparam table req `{method=, url=, headers = {{name, value}, ...}, body=}`
-- @treturn table response; raises an hwcloud.Error on failure or status >= 400
function Transport:send(req)
  core.check_request(req, "hwcloud.transport.cosocket:send")
  local ngx = ngx_api()
  ngx.update_time() -- the cached time may be stale after CPU work: the deadline counts from now
  local started = ngx.now()
  local u = url_of(self, req.url)
  if not u then
    error(core.error({ kind = "argument", message = "hwcloud.transport.cosocket:send: bad URL "
      .. redact.url(req.url) }), 0)
  end
  local sock, reused = connect(self, ngx, req, u)
  local bytes, err = sock:send(request_bytes(req, u.target, u.authority))
  if not bytes then
    sock:close()
    fail(curl_code_of(err, "send"), req, { detail = err })
  end

  local r = reader(ngx, sock, started + self.timeout)
  local status, header_list, framing = read_head(r, sock, req)
  local raw, keep = read_body(r, framing, status, req.method, self.max_body_bytes)
  if not raw then
    sock:close()
    if keep == "body too large" then
      fail(23, req, { code = "BodyTooLarge", max_body_bytes = self.max_body_bytes })
    end
    read_failed(keep, "body", req, framing["content-length"] or framing["transfer-encoding"])
  end
  local conn = framing.connection
  if keep and not r:extra() and not (conn and conn:lower():find("close", 1, true)) then
    sock:setkeepalive(floor(self.keepalive_timeout * 1000), self.pool_size)
  else
    sock:close()
  end
  -- the response (or the error) session:send would give for this answer
  return core.response{ status = status, header_list = header_list, raw_body = raw,
    method = req.method, url = u.redacted, reused = reused, total_time = ngx.now() - started }
end

--- Nothing to close: connections live in the cosocket pool.
function Transport:close() -- luacheck: ignore self
end

return M
