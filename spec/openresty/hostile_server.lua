-- The misbehaving HTTP server of the hostile-input specs, run by the nginx
-- that spec/helpers/hostile.lua starts. `handle()` serves /h/...: answers
-- written byte by byte on the raw connection (huge header lines, too many
-- headers, bodies that never end, a Content-Length larger than the limit),
-- a recorder that shows what arrived (a smuggled request would show there),
-- a paged listing whose markers cycle, and a 404. Every endless answer stops
-- at ENDLESS_BYTES or ENDLESS_SECONDS and records how much it managed to send.
-- `run()` serves /run: it makes the request described by its JSON body
-- through hwcloud.transport.cosocket (or a client using it) and answers
-- with what happened, as JSON.

local M = {}

local ENDLESS_BYTES = 64 * 1024 * 1024
local ENDLESS_SECONDS = 10
local CHUNK = ("0123456789abcdef"):rep(4096) -- 64 KiB

local dict = ngx.shared.hostile

-- the raw connection, after the request head (and body) has been read
local function raw_socket()
  ngx.req.read_body()
  local sock = assert(ngx.req.socket(true))
  sock:settimeouts(2000, 2000, 2000)
  return sock
end

-- sends CHUNKs (as chunked encoding when `chunked`) until the client stops
-- reading, or the caps; records the bytes sent under "sent:<id>"
local function endless(sock, id, chunked)
  local sent, started = 0, ngx.now()
  local piece = chunked and string.format("%x\r\n", #CHUNK) .. CHUNK .. "\r\n" or CHUNK
  while sent < ENDLESS_BYTES and ngx.now() - started < ENDLESS_SECONDS do
    local ok = sock:send(piece)
    if not ok then break end
    sent = sent + #CHUNK
    ngx.update_time()
  end
  dict:set("sent:" .. id, sent)
end

local function header_lines(count, size)
  local line = "X-H: " .. ("h"):rep(size - 7) .. "\r\n"
  return line:rep(count)
end

local RAW = {}

-- one header line of `bytes` bytes
function RAW.line(a)
  return "HTTP/1.1 200 OK\r\nX-Big: " .. ("a"):rep(tonumber(a.bytes) - 9) .. "\r\n"
    .. "Content-Length: 2\r\nConnection: close\r\n\r\nok"
end

-- `count` header lines of `size` bytes each
function RAW.many(a)
  return "HTTP/1.1 200 OK\r\n" .. header_lines(tonumber(a.count), tonumber(a.size))
    .. "Content-Length: 2\r\nConnection: close\r\n\r\nok"
end

-- a value with `spaces` spaces inside and around
function RAW.spaces(a)
  local pad = (" "):rep(tonumber(a.spaces))
  return "HTTP/1.1 200 OK\r\nX-S:" .. pad .. "1" .. pad .. "2" .. pad .. "\r\n"
    .. "Content-Length: 2\r\nConnection: close\r\n\r\nok"
end

-- a body of `bytes` bytes, then the connection closes (no length)
function RAW.close(a)
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
    .. ("x"):rep(tonumber(a.bytes))
end

-- a Content-Length of 10 and 5 bytes, then the connection closes
function RAW.short()
  return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort"
end

-- a line that is not an HTTP status line
function RAW.garbage()
  return "HELLO THERE\r\n\r\n"
end

-- nothing at all: the connection closes
function RAW.nothing()
  return ""
end

local STREAM = {}

-- a byte every 0.2 s, no length: each read is quick, the answer never ends
function STREAM.trickle(sock, a)
  sock:send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
  local sent, started = 0, ngx.now()
  while ngx.now() - started < ENDLESS_SECONDS and sock:send("x") do
    sent = sent + 1
    ngx.sleep(0.2)
  end
  dict:set("sent:" .. a.id, sent)
end

function STREAM.endless(sock, a)
  sock:send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
  endless(sock, a.id)
end

function STREAM.chunked(sock, a)
  sock:send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
    .. "Connection: close\r\n\r\n")
  endless(sock, a.id, true)
end

function STREAM.length(sock, a)
  sock:send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " .. ENDLESS_BYTES
    .. "\r\nConnection: close\r\n\r\n")
  endless(sock, a.id)
end

-- the marker listing: a -> b -> a -> ...
local function stacks(a)
  local nxt = { [""] = "a", a = "b", b = "a" }
  local m = a.marker or ""
  return { stacks = { { stack_name = "s-" .. m } }, page_info = { next_marker = nxt[m] } }
end

function M.handle()
  local a = ngx.req.get_uri_args()
  local what = ngx.var.uri:match("/(stacks)$") or ngx.var.uri:match("^/h/([%w_]+)")
  if RAW[what] then
    local sock = raw_socket()
    sock:send(RAW[what](a))
    return
  elseif STREAM[what] then
    STREAM[what](raw_socket(), a)
    return
  end
  local json = require("cjson.safe").new()
  ngx.header["Content-Type"] = "application/json"
  if what == "record" then
    dict:rpush("log", ngx.req.get_method() .. " " .. ngx.var.request_uri)
    ngx.say('{"ok":true}')
  elseif what == "log" then
    local out = {}
    while true do
      local v = dict:lpop("log")
      if not v then break end
      out[#out + 1] = v
    end
    ngx.say(json.encode({ log = out, n = #out }))
  elseif what == "sent" then
    ngx.say(json.encode({ sent = dict:get("sent:" .. tostring(a.id)) }))
  elseif what == "stacks" then
    ngx.say(json.encode(stacks(a)))
  else
    ngx.status = 404
    ngx.say('{"error_code":"RF.404","error_msg":"no such thing"}')
  end
end

-- the fields of an error (or a message) as plain JSON: every field that is
-- not a table (headers, data), and its text
local function fields(err)
  if type(err) ~= "table" then return { message = tostring(err) } end
  local out = { text = tostring(err) }
  for k, v in pairs(err) do
    if type(v) ~= "table" then out[k] = v end
  end
  return out
end

-- body: {req = {method, url, headers = [[n, v]...], body}, opts = transport options,
-- busy = seconds of CPU work before}
-- or {client = {endpoint=, ...}, list = true | request = {...}}
function M.run()
  local core = require "hwcloud.core"
  local cosocket = require "hwcloud.transport.cosocket"
  ngx.req.read_body()
  local input = core.decode(ngx.req.get_body_data())
  local res
  if input.busy then -- CPU work first: nginx's cached time goes stale meanwhile
    local t0 = os.clock()
    while os.clock() - t0 < input.busy do end
  end
  if input.req then
    local t = cosocket.new(input.opts ~= core.null and input.opts or nil)
    local ok, r = pcall(t.send, t, input.req)
    if ok then
      res = { ok = true, status = r.status, body_len = r.raw_body and #r.raw_body or 0,
              headers = r.headers }
    else
      res = { ok = false, err = fields(r) }
    end
  else
    local o = input.client
    -- the transport gets the client's timeout and body limit, as the libcurl one does
    o.transport = cosocket.new({ timeout = o.timeout, max_body_bytes = o.max_body_bytes })
    local c = require("hwcloud").new(o)
    local ok, r = pcall(function()
      if input.list then
        local names = {}
        for s in c:rfs():each_stack() do names[#names + 1] = s.stack_name end
        return names
      end
      return { status = c:request(input.request).status }
    end)
    res = ok and { ok = true, result = r } or { ok = false, err = fields(r) }
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(core.encode(res))
end

return M
