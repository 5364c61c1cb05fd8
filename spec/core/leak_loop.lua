-- Run under valgrind by valgrind_spec.lua: every path of hwcloud.core, the
-- raising ones included, in a loop, with an aggressive garbage collector.
-- Arguments: the test server's URL, its TLS URL, a refused URL.
package.cpath = "build/?.so;" .. package.cpath
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
local core = require "hwcloud.core"
local url, tls_url, refused = arg[1], arg[2], arg[3]
local rounds = tonumber(arg[4]) or 3
collectgarbage("incremental", 0, 100) -- collect all the time

local function try(fn, ...)
  local ok, err = pcall(fn, ...)
  assert(ok or core.is_error(err), tostring(err))
  return ok
end

for round = 1, rounds do
  local s = core.session{ timeout = 2 }
  try(core.sign, { method = "POST", url = url .. "/a%20b?x=1&y=%2F", body = "{}", ak = "a", sk = "s",
    headers = { { "Content-Type", "application/json" } }, security_token = "t" })
  try(core.sign, { method = "GET", url = url .. "/v", ak = "a", sk = "s", algorithm = "V11-HMAC-SHA256",
    region_id = "r", service_name = "vpcep" })
  try(core.sign, { method = "GET", url = url, ak = "a", sk = "s", headers = { { "x_y", "1" } } })
  try(core.sign_headers, { method = "POST", url = url .. "/x", body = "{}", ak = "a", sk = "s" })
  try(core.sign_headers, { method = "GET", url = url, ak = "a", sk = "s", headers = { { "x_y", "1" } } })
  try(core.sign, { method = "GET", url = url .. "/?" .. string.rep("k=v&", 2000), ak = "a", sk = "s",
    headers = { { "X-A", string.rep("a", 70000) } } }) -- past what the signer keeps between calls
  try(core.sign, { method = "GET", url = url, ak = "a", sk = "s", headers = { { "X-A", "1" }, { "x-a", "2" } } })
  try(core.encode, { a = { 1, 2, core.array{} }, b = core.null, c = "é\n" })
  local cyc = {} cyc.x = cyc
  try(core.encode, cyc)
  try(core.decode, '{"a":[],"b":[1,{"c":null}]}')
  try(core.decode, '{"a":')
  -- the hostile inputs of issue 7 (spec/core/hostile_spec.lua): every refusal frees what it made
  tostring(core.http_error{ status = 400, raw_body = '{"error_code":"' .. string.rep("C", 3000) .. '","error_msg":"m"}' })
  try(core.http_error, { status = 400.5 })
  -- core.response: a response, a decode error, an http error, refused input
  local json = { { "Content-Type", "application/json" }, { "X-A", "1" }, { "x-a", "2" } }
  try(core.response, { status = 200, header_list = json, raw_body = '{"a":[1]}', url = "http://u:p@h/x" })
  try(core.response, { status = 200, header_list = json, raw_body = "{x:", method = "GET", url = url })
  try(core.response, { status = 503, header_list = json, raw_body = '{"error_code":"E","error_msg":"m"}' })
  try(core.response, { status = 200, header_list = { { "a" } } })
  -- the same from 2 KB on, built with the collector paused (src/hwc_response.c)
  local filler = string.rep("f", 3000)
  try(core.response, { status = 200, header_list = json, raw_body = '{"a":"' .. filler .. '"}' })
  try(core.response, { status = 200, header_list = json, raw_body = '{"a":"' .. filler .. '"' })
  try(core.response, { status = 503, header_list = json, raw_body = '{"error_code":"' .. filler .. '"}' })
  try(core.response, { status = 200, header_list = { { "a" } }, raw_body = filler })
  try(core.classify, core.error{ kind = "http", status = 400, code = "EndPoint.0022" })
  try(core.sign, { method = "GET", url = "http://h\r\nX: 1/", ak = "a", sk = "s" })
  try(core.sign, { method = "GET", url = url, ak = "a\0b", sk = "s", security_token = "t\n" })
  try(core.encode, setmetatable({ ["a\0b"] = 1, a = 2 }, { __index = function() error("no") end }))
  try(core.encode, { [1e300] = 1 })
  try(core.encode, require("spec.fuzz.fuzz_support").nested_arrays(1001, 1))
  try(core.session, { timeout = 0 / 0 })
  try(core.session, { max_body_bytes = 1e30 })
  try(core.sleep, 0 / 0)
  try(s.send, s, { method = "GET", url = "http://[::1/x" })
  for _, path in ipairs({ "/json", "/gzip", "/chunked", "/big", "/empty", "/redirect", "/error/A?status=404",
      "/error/B?status=400", "/error/C?status=401", "/error/text?status=502", "/error/broken?status=500",
      "/drop", "/sized?bytes=300000", "/error/long?code=3000" }) do
    try(s.send, s, { method = "GET", url = url .. path })
  end
  try(s.send, s, { method = "POST", url = url .. "/echo", body = string.rep("x", 100000),
    headers = { { "Content-Type", "text/plain" } } })
  local quick = core.session{ timeout = 0.2 }
  try(quick.send, quick, { method = "GET", url = url .. "/slow?seconds=1" })
  local small = core.session{ max_body_bytes = 1000 }
  try(small.send, small, { method = "GET", url = url .. "/big" })
  try(s.send, s, { method = "GET", url = refused .. "/x" })
  try(s.send, s, { method = "GET", url = tls_url .. "/json" })
  try(s.send, s, { method = "GET" })
  try(s.send, s, { method = "GET", url = url, headers = { { "X-A", {} } } })
  -- the multi: taken responses and errors, a cancel, a close and a __gc with
  -- transfers running, a session left in a transfer until the end
  local m = core.multi{ max_host_connections = 2 }
  local ms = { core.session{ timeout = 2 }, core.session{ timeout = 0.2 }, core.session{}, core.session{} }
  local ids = { m:add(ms[1], { method = "GET", url = url .. "/json" }),
                m:add(ms[2], { method = "GET", url = url .. "/slow?seconds=1" }),
                m:add(ms[3], { method = "GET", url = url .. "/error/A?status=404" }),
                m:add(ms[4], { method = "GET", url = refused .. "/x" }) }
  try(m.add, m, ms[1], { method = "GET", url = url })
  try(m.add, m, ms[1], { method = "GET", url = "ftp://x" })
  local ended = 0
  for _ = 1, 500 do
    for _, id in ipairs(m:perform(0.01)) do
      ended = ended + 1
      try(m.take, m, id)
    end
    if ended == #ids then break end
  end
  local slow = m:add(ms[1], { method = "POST", url = url .. "/slow?seconds=2", body = "{}" })
  m:perform(0.02)
  m:cancel(slow)
  m:add(ms[1], { method = "GET", url = url .. "/slow?seconds=2" })
  m:add(ms[2], { method = "GET", url = url .. "/slow?seconds=2" })
  m:perform(0.02)
  m:close()
  try(m.perform, m)
  local dropped = core.multi{}
  dropped:add(ms[3], { method = "GET", url = url .. "/slow?seconds=2" })
  dropped:perform(0.02)
  dropped = nil -- luacheck: ignore
  collectgarbage()
  kept_multi = core.multi{} -- luacheck: ignore (a global: still running at lua_close)
  kept_multi:add(ms[4], { method = "GET", url = url .. "/slow?seconds=2" })
  kept_multi:perform(0.02)
  -- client:parallel on the multi: fail_fast cancels slow transfers, then a batch that ends
  local c = require("hwcloud").new{ endpoint = url, ak = "a", sk = "s", region = "r", max_retries = 0 }
  local function get(path, query)
    return function()
      return c:request{ service = "t", method = "GET", path = path, query = query, auth = "none", scope = "none" }
    end
  end
  c:parallel({ get("/slow", { seconds = 2 }), get("/error/A", { status = 404 }), get("/slow", { seconds = 2 }),
               get("/json") }, { concurrency = 3, fail_fast = true })
  c:parallel({ get("/json"), get("/gzip"), get("/error/B", { status = 400 }) })
  if round % 2 == 1 then c:close() end -- else the idle sessions are left to __gc
  small:close()
  s:close()
  try(s.send, s, { method = "GET", url = url })
  -- quick is left to __gc
end
collectgarbage()
print("leak loop done")
