-- The handlers of the core specs' test server (OpenResty): JSON and text
-- bodies, empty and redirect answers, every error body shape, gzip, chunked,
-- big (chunked) and sized (with a Content-Length) bodies, slow and dropped
-- responses, and /echo, which answers with exactly what arrived (method, URI
-- and raw header lines in order, body).
local cjson = require "cjson"

local M = {}

local ERROR_BODIES = {
  A = '{"error_code":"EndPoint.0002","error_msg":"The service does not exist."}',
  B = '{"error":{"code":"EndPoint.0005","message":"Invalid parameter.","encoded_authorization_message":"ENC123"}}',
  C = '{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}',
  D = '{"code":"VPN.0001","message":"invalid request"}',
  E = '{"errorCode":"AOM.0403","errorMessage":"forbidden"}',
  AB = '{"error_code":"RF.0001","error_msg":"top wins","error":{"code":"X.1","message":"nested"}}',
  details = '{"details":[{"error_code":"D.1","error_msg":"first"}],"request":{"error_code":"N.1","error_msg":"nested pair"}}',
  invalid = '{"invalid_key":"x"}',
  text = "upstream exploded",
  broken = '{"error_code": "RF.0',
  empty = "",
}

local function json(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(body)
end

local function raw_headers()
  local list = {}
  for line in ngx.req.raw_header(true):gmatch("[^\r\n]+") do
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    if name then list[#list + 1] = { name, value } end
  end
  return list
end

function M.handle()
  local uri = ngx.var.uri
  local args = ngx.req.get_uri_args()
  ngx.header["X-Request-Id"] = "req-" .. (args.rid or "0123456789abcdef")
  if uri == "/json" or uri == "/gzip" then
    return json(200, '{"a":1,"f":1.5,"b":[1,2],"c":[],"d":null,"e":{"x":"y","z":{}},"n":12345678901,'
      .. '"s":"caf\\u00e9 \\"q\\"","filler":"' .. string.rep("x", 2000) .. '"}')
  elseif uri == "/text" then
    ngx.header["Content-Type"] = "text/plain"
    return ngx.print("hello, text")
  elseif uri == "/empty" then
    return ngx.exit(204)
  elseif uri == "/redirect" then
    ngx.status = 307
    ngx.header["Location"] = "http://127.0.0.1/json?from=redirect"
    return ngx.exit(307)
  elseif uri == "/error/long" then
    -- a hostile error body: error_code and error_msg of the asked lengths
    ngx.status = tonumber(args.status) or 400
    ngx.header["Content-Type"] = "application/json"
    return ngx.print(cjson.encode({ error_code = string.rep("C", tonumber(args.code) or 1000),
      error_msg = string.rep("m", tonumber(args.msg) or 10) }))
  elseif uri:match("^/error/") then
    local shape = uri:match("^/error/(.+)$")
    local body = ERROR_BODIES[shape] or ERROR_BODIES.text
    ngx.status = tonumber(args.status) or 400
    if shape == "text" or shape == "empty" then
      ngx.header["Content-Type"] = "text/plain"
    else
      ngx.header["Content-Type"] = "application/json;charset=UTF-8"
    end
    if args.retry_after then ngx.header["Retry-After"] = args.retry_after end
    return ngx.print(body)
  elseif uri == "/echo" then
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    return json(200, cjson.encode({ method = ngx.req.get_method(), uri = ngx.var.request_uri,
      headers = raw_headers(), body = body or cjson.null }))
  elseif uri == "/big" then
    ngx.header["Content-Type"] = "application/octet-stream"
    local chunk = string.rep("0123456789abcdef", 65536) -- 1 MiB
    for _ = 1, 10 do ngx.print(chunk) end
    return
  elseif uri == "/sized" then
    -- a JSON body of exactly `bytes` bytes sent with its Content-Length (not chunked)
    local n = math.max(tonumber(args.bytes) or 100, 8)
    local body = '{"s":"' .. string.rep("y", n - 8) .. '"}'
    ngx.header["Content-Type"] = "application/json"
    ngx.header["Content-Length"] = #body
    return ngx.print(body)
  elseif uri == "/chunked" then
    ngx.header["Content-Type"] = "application/json"
    ngx.print('{"parts":[')
    ngx.flush(true)
    for i = 1, 5 do
      ngx.print(i == 1 and "" or ",", tostring(i))
      ngx.flush(true)
    end
    return ngx.print(']}')
  elseif uri == "/slow" then
    ngx.sleep(tonumber(args.seconds) or 2)
    return json(200, '{"slow":true}')
  elseif uri == "/drop" then
    return ngx.exit(444)
  elseif uri == "/core/sign" then
    -- OpenResty loads hwcloud.core (the LuaJIT build) and signs what it is given
    local core = require "hwcloud.core"
    ngx.req.read_body()
    local input = core.decode(ngx.req.get_body_data())
    local out = core.sign(input)
    return json(200, core.encode({ authorization = out.authorization,
      canonical_request = out.canonical_request, version = core.version, jit = jit and jit.version }))
  elseif uri == "/repeat" then
    ngx.header["X-Multi"] = { "one", "two" }
    return json(200, "{}")
  elseif uri == "/names" then -- names the response builder knows, in other cases, one repeated
    ngx.header["pragma"] = "no-cache"
    ngx.header["X-FRAME-OPTIONS"] = "DENY"
    ngx.header["Retry-After"] = { "1", "2" }
    return json(200, "{}")
  end
  return json(404, '{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published."}')
end

return M
