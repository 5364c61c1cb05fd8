-- The OpenResty transport: HTTP/1.1 over ngx.socket.tcp, so a request made
-- from a request handler or a timer yields instead of blocking the worker.
-- Same shape as the curl transport: `send(self, request)` takes
-- `{method=, url=, headers = {{name, value}, ...}, body=}` and returns
-- `{status, headers, header_list, body, raw_body, request_id, reused,
-- total_time}` or raises an hwcloud.Error. Connections go back to the
-- cosocket keepalive pool. Failures carry the libcurl code of the equivalent
-- failure (6 not resolved, 7 not connected, 28 timeout, 35 TLS, 52 empty
-- reply, 56 receive) so the retry rules read them the same way.
-- Use it with `hwcloud.new{transport = require("hwcloud.transport.cosocket").new(opts)}`.

local core = require "hwcloud.core"

local M = {}

local Transport = {}
Transport.__index = Transport
Transport.__tostring = function()
  return "hwcloud.transport.cosocket"
end

local floor = math.floor

-- headers table with a case-insensitive lookup (keys stored lower-case)
local headers_mt = {
  __index = function(t, k)
    if type(k) == "string" then
      return rawget(t, k:lower())
    end
    return nil
  end,
}

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
  local verify = opts.verify_tls
  if verify == nil then
    verify = true
  end
  return setmetatable({
    timeout = opts.timeout or 60,
    connect_timeout = opts.connect_timeout or 10,
    verify_tls = verify,
    pool_size = opts.pool_size or 30,
    keepalive_timeout = opts.keepalive_timeout or 60,
    max_body_bytes = opts.max_body_bytes or 64 * 1024 * 1024,
  }, Transport)
end

local function fail(kind, curl_code, message, req, extra)
  local classes = { network = "ConnectionException", timeout = "RequestTimeoutException",
                    tls = "ConnectionException" }
  local t = { kind = kind, class = classes[kind], curl_code = curl_code, message = message,
              method = req.method, url = req.url,
              retryable = kind == "network" or kind == "timeout" }
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

-- the error session:send would raise for this answer: the core's own parser
local function http_error(req, resp)
  return core.http_error{ status = resp.status, raw_body = resp.raw_body, headers = resp.headers,
    request_id = resp.request_id, method = req.method, url = req.url }
end

local function parse_url(url)
  local scheme, authority, rest = url:match("^(https?)://([^/?#]+)(.*)$")
  if not scheme then
    return nil
  end
  local host, port
  if authority:sub(1, 1) == "[" then
    host, port = authority:match("^%[([^%]]+)%]:?(%d*)$")
  else
    host, port = authority:match("^([^:]+):?(%d*)$")
  end
  if not host then
    return nil
  end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  if rest == "" then
    rest = "/"
  end
  return scheme, host, port, rest, authority
end

local function read_body(sock, headers, status, method, max)
  if method == "HEAD" or status == 204 or status == 304 or (status >= 100 and status < 200) then
    return "", true
  end
  local te = headers["transfer-encoding"]
  if te and te:lower():find("chunked", 1, true) then
    local parts, total = {}, 0
    while true do
      local line, err = sock:receive("*l")
      if not line then
        return nil, err
      end
      local size = tonumber(line:match("^%s*(%x+)"), 16)
      if not size then
        return nil, "bad chunk size"
      end
      if size == 0 then
        -- trailers up to the empty line
        repeat
          line, err = sock:receive("*l")
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
      sock:receive(2) -- CRLF after the chunk
    end
    return table.concat(parts), true
  end
  local len = tonumber(headers["content-length"])
  if len then
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
  -- no length: read until the server closes
  local data, err = sock:receive("*a")
  if not data then
    return nil, err
  end
  if #data > max then
    return nil, "body too large"
  end
  return data, false
end

--- Send one request.
-- @tparam table req `{method=, url=, headers = {{name, value}, ...}, body=}`
-- @treturn table response; raises an hwcloud.Error on failure or status >= 400
function Transport:send(req)
  local ngx = ngx_api()
  local started = ngx.now()
  local scheme, host, port, target, authority = parse_url(req.url)
  if not scheme then
    error(core.error({ kind = "argument", message = "hwcloud.transport.cosocket: bad URL " .. tostring(req.url) }), 0)
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

  local status_line
  status_line, err = sock:receive("*l")
  if not status_line then
    sock:close()
    local kind, code = classify(err, "status")
    fail(kind, code, "no answer from " .. authority .. ": " .. tostring(err), req)
  end
  local status = tonumber(status_line:match("^HTTP/%d%.%d (%d%d%d)"))
  if not status then
    sock:close()
    fail("network", 8, "not an HTTP answer: " .. status_line:sub(1, 80), req)
  end
  local headers = setmetatable({}, headers_mt)
  local header_list = {}
  while true do
    local line
    line, err = sock:receive("*l")
    if not line then
      sock:close()
      local kind, code = classify(err, "headers")
      fail(kind, code, "reading headers from " .. authority .. " failed: " .. tostring(err), req)
    end
    if line == "" then
      break
    end
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    if name then
      header_list[#header_list + 1] = { name, value }
      local key = name:lower()
      local prev = rawget(headers, key)
      rawset(headers, key, prev and (prev .. ", " .. value) or value)
    end
  end
  local raw, keep = read_body(sock, headers, status, req.method, self.max_body_bytes)
  if not raw then
    sock:close()
    if keep == "body too large" then
      fail("network", 63, "response body over " .. self.max_body_bytes .. " bytes", req,
           { code = "BodyTooLarge" })
    end
    local kind, code = classify(keep, "body")
    fail(kind, code, "reading the body from " .. authority .. " failed: " .. tostring(keep), req)
  end
  local conn = headers["connection"]
  if keep and not (conn and conn:lower():find("close", 1, true)) then
    sock:setkeepalive(floor(self.keepalive_timeout * 1000), self.pool_size)
  else
    sock:close()
  end

  local resp = {
    status = status, headers = headers, header_list = header_list,
    raw_body = raw ~= "" and raw or nil, request_id = headers["x-request-id"],
    reused = reused, total_time = ngx.now() - started,
  }
  local ctype = headers["content-type"]
  if raw ~= "" then
    if ctype and ctype:lower():find("json", 1, true) then
      local okd, value = pcall(core.decode, raw)
      if okd then
        resp.body = value
      elseif status < 400 then
        fail("decode", nil, "the " .. status .. " answer is not valid JSON", req,
             { status = status, body = raw, request_id = resp.request_id, retryable = false })
      else
        resp.body = raw
      end
    else
      resp.body = raw
    end
  end
  if status >= 400 then
    error(http_error(req, resp), 0)
  end
  return resp
end

--- Nothing to close: connections live in the cosocket pool.
function Transport:close() -- luacheck: ignore self
end

return M
