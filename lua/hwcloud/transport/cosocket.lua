-- The OpenResty transport: HTTP/1.1 over ngx.socket.tcp, so a request made
-- from a request handler or a timer yields instead of blocking the worker.
-- Same shape as the curl transport: `send(self, request)` takes
-- `{method=, url=, headers = {{name, value}, ...}, body=}` and returns
-- `{status, headers, header_list, body, raw_body, request_id, reused,
-- total_time}` or raises an hwcloud.Error. It does the socket I/O only: the
-- response and its error are built by the core (core.response), exactly as
-- session:send builds them. Connections go back to the cosocket keepalive pool. Failures carry the libcurl code of the equivalent
-- failure (6 not resolved, 7 not connected, 28 timeout, 35 TLS, 52 empty
-- reply, 56 receive) so the retry rules read them the same way.
-- Before anything is written, the request goes through the core's
-- check_request (the one libcurl's session runs), so no header value, URL or
-- method can smuggle a header or a second request. What a server sends back
-- is bounded like libcurl bounds it: a header line of at most 100 KiB, 300
-- KiB of headers, a body of at most max_body_bytes, whether it comes with a
-- Content-Length, chunked or until the connection closes.
-- Use it with `hwcloud.new{transport = require("hwcloud.transport.cosocket").new(opts)}`.

local core = require "hwcloud.core"
local redact = require "hwcloud.redact"
local urls = require "hwcloud.url"
local text = require "hwcloud.text"
local numbers = require "hwcloud.numbers"

local M = {}

local Transport = {}
Transport.__index = Transport
Transport.__tostring = function()
  return "hwcloud.transport.cosocket"
end

local floor = math.floor
local byte, sub = string.byte, string.sub

-- the headers that frame the body and the connection: read while reading
local FRAMING = { ["transfer-encoding"] = true, ["content-length"] = true, connection = true }

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
function M.new(opts)
  opts = opts or {}
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
  }, Transport)
end

local function fail(kind, curl_code, message, req, extra)
  local classes = { network = "ConnectionException", timeout = "RequestTimeoutException",
                    tls = "ConnectionException" }
  local t = { kind = kind, class = classes[kind], curl_code = curl_code, message = message,
              method = req.method, url = redact.url(req.url) }
  for k, v in pairs(extra or {}) do
    t[k] = v
  end
  error(core.error(t), 0)
end

-- map a cosocket error string to (kind, curl code)
local function classify(err, phase)
  if err == "timeout" then
    return "timeout", 28
  end
  if phase == "connect" then
    if err and (err:find("resolve", 1, true) or err:find("resolver", 1, true)) then
      return "network", 6
    end
    return "network", 7
  end
  if phase == "tls" then
    if err and err:find("certificate", 1, true) then
      return "tls", 60
    end
    return "tls", 35
  end
  if phase == "status" then
    return "network", 52
  end
  return "network", 56
end

-- a failed read of the status line, the headers or the body
local function head_failed(err, phase, authority, req)
  if err == "too large" then
    fail("network", 56, "the response headers from " .. authority .. " are too large (a line over "
      .. M.MAX_HEADER_LINE .. " bytes or " .. M.MAX_HEADER_BYTES .. " bytes in all)", req,
      { code = "HeadersTooLarge" })
  end
  local kind, code = classify(err, phase)
  local what = phase == "status" and "no answer from " .. authority
    or "reading the " .. phase .. " from " .. authority .. " failed"
  fail(kind, code, what .. ": " .. tostring(err), req)
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

--- Largest response header line (libcurl's CURL_MAX_HTTP_HEADER, 100 KiB).
M.MAX_HEADER_LINE = 100 * 1024
--- Largest response head: status line, headers and trailers together
-- (libcurl's MAX_HTTP_RESP_HEADER_SIZE, 300 KiB).
M.MAX_HEADER_BYTES = 300 * 1024

local READ_CHUNK = 64 * 1024

-- Reads lines of a response head, each at most MAX_HEADER_LINE bytes and
-- all together at most MAX_HEADER_BYTES, without the CR LF. Returns a
-- function: line, or nil and the error ("too large" for a cap).
local function line_reader(sock)
  local until_lf = sock:receiveuntil("\n")
  local total = 0
  return function()
    local parts, n = {}, 0
    while true do
      local data, err = until_lf(4096)
      if not data then
        if err then
          return nil, err
        end
        break
      end
      n = n + #data
      total = total + #data
      if n > M.MAX_HEADER_LINE or total > M.MAX_HEADER_BYTES then
        return nil, "too large"
      end
      parts[#parts + 1] = data
    end
    local line = table.concat(parts)
    if byte(line, -1) == 13 then
      line = sub(line, 1, -2)
    end
    return line
  end
end

-- Reads the body, never more than max bytes, framed by the lower-cased
-- headers `framing`. Returns body, keepalive or nil, error ("body too large"
-- when over max).
local function read_body(sock, read_line, framing, status, method, max)
  if method == "HEAD" or status == 204 or status == 304 or (status >= 100 and status < 200) then
    return "", true
  end
  local te = framing["transfer-encoding"]
  if te and te:lower():find("chunked", 1, true) then
    local parts, total = {}, 0
    while true do
      local line, err = read_line()
      if not line then
        return nil, err
      end
      local hex = line:match("^%x+")
      if not hex then
        return nil, "bad chunk size"
      end
      local size = tonumber(hex, 16)
      if size == 0 then
        -- trailers up to the empty line
        repeat
          line, err = read_line()
          if not line then
            return nil, err
          end
        until line == ""
        break
      end
      total = total + size
      if total > max then
        return nil, "body too large"
      end
      local data
      data, err = sock:receive(size)
      if not data then
        return nil, err
      end
      parts[#parts + 1] = data
      local crlf
      crlf, err = sock:receive(2) -- CRLF after the chunk
      if crlf ~= "\r\n" then
        return nil, err or "bad chunk end"
      end
    end
    return table.concat(parts), true
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
    if len == 0 then
      return "", true
    end
    local data, err = sock:receive(len)
    if not data then
      return nil, err
    end
    return data, true
  end
  -- no length: read until the server closes, at most max bytes
  local parts, total = {}, 0
  while true do
    local data, err, partial = sock:receive(READ_CHUNK)
    data = data or partial
    if data then
      total = total + #data
      if total > max then
        return nil, "body too large"
      end
      parts[#parts + 1] = data
    end
    if err == "closed" then
      break
    elseif err then
      return nil, err
    end
  end
  return table.concat(parts), false
end

--- Send one request.
-- @tparam table req `{method=, url=, headers = {{name, value}, ...}, body=}`
-- @treturn table response; raises an hwcloud.Error on failure or status >= 400
function Transport:send(req)
  core.check_request(req, "hwcloud.transport.cosocket:send")
  local ngx = ngx_api()
  local started = ngx.now()
  local scheme, host, port, target, authority = parse_url(req.url)
  if not scheme then
    error(core.error({ kind = "argument", message = "hwcloud.transport.cosocket:send: bad URL "
      .. redact.url(req.url) }), 0)
  end
  local sock = ngx.socket.tcp()
  local ms = floor(self.timeout * 1000)
  sock:settimeouts(floor(self.connect_timeout * 1000), ms, ms)
  local pool = scheme .. "://" .. authority .. (self.verify_tls and "" or "#noverify")
  local ok, err = sock:connect(host, port, { pool = pool, pool_size = self.pool_size })
  if not ok then
    local kind, code = classify(err, "connect")
    fail(kind, code, "cannot connect to " .. authority .. ": " .. tostring(err), req)
  end
  local reused = (sock:getreusedtimes() or 0) > 0
  if scheme == "https" and not reused then
    ok, err = sock:sslhandshake(nil, host, self.verify_tls)
    if not ok then
      sock:close()
      local kind, code = classify(err, "tls")
      fail(kind, code, "TLS handshake with " .. authority .. " failed: " .. tostring(err), req)
    end
  end

  local lines = { req.method .. " " .. target .. " HTTP/1.1" }
  local has_host, has_length = false, false
  for _, h in ipairs(req.headers or {}) do
    local lname = h[1]:lower()
    if lname == "host" then
      has_host = true
    elseif lname == "content-length" then
      has_length = true
    end
    lines[#lines + 1] = h[1] .. ": " .. h[2]
  end
  if not has_host then
    lines[#lines + 1] = "Host: " .. authority
  end
  local body = req.body
  if not has_length and (body or req.method == "POST" or req.method == "PUT" or req.method == "PATCH") then
    lines[#lines + 1] = "Content-Length: " .. (body and #body or 0)
  end
  lines[#lines + 1] = "Connection: keep-alive"
  lines[#lines + 1] = ""
  lines[#lines + 1] = body or ""
  local bytes
  bytes, err = sock:send(table.concat(lines, "\r\n"))
  if not bytes then
    sock:close()
    local kind, code = classify(err, "send")
    fail(kind, code, "sending to " .. authority .. " failed: " .. tostring(err), req)
  end

  local read_line = line_reader(sock)
  local status_line
  status_line, err = read_line()
  if not status_line then
    sock:close()
    head_failed(err, "status", authority, req)
  end
  local status = tonumber(status_line:match("^HTTP/%d%.%d (%d%d%d)"))
  if not status then
    sock:close()
    fail("network", 8, "not an HTTP answer: " .. status_line:sub(1, 80), req)
  end
  local framing, header_list = {}, {}
  while true do
    local line
    line, err = read_line()
    if not line then
      sock:close()
      head_failed(err, "headers", authority, req)
    end
    if line == "" then
      break
    end
    local colon = line:find(":", 1, true)
    if colon and colon > 1 then
      local name, value = line:sub(1, colon - 1), text.trim(line:sub(colon + 1))
      header_list[#header_list + 1] = { name, value }
      local key = name:lower()
      if FRAMING[key] then
        framing[key] = framing[key] and (framing[key] .. ", " .. value) or value
      end
    end
  end
  local raw, keep = read_body(sock, read_line, framing, status, req.method, self.max_body_bytes)
  if not raw then
    sock:close()
    if keep == "body too large" then
      -- what session:send raises for the same answer
      fail("network", 23, "the response body is larger than max_body_bytes ("
        .. self.max_body_bytes .. " bytes)", req, { code = "BodyTooLarge" })
    end
    head_failed(keep, "body", authority, req)
  end
  local conn = framing.connection
  if keep and not (conn and conn:lower():find("close", 1, true)) then
    sock:setkeepalive(floor(self.keepalive_timeout * 1000), self.pool_size)
  else
    sock:close()
  end
  -- the response (or the error) session:send would give for this answer
  return core.response{ status = status, header_list = header_list, raw_body = raw,
    method = req.method, url = redact.url(req.url), reused = reused, total_time = ngx.now() - started }
end

--- Nothing to close: connections live in the cosocket pool.
function Transport:close() -- luacheck: ignore self
end

return M
