-- Measures core.sign (microseconds per signature) and, when the emulator
-- address is given, round trips through a reused libcurl session and
-- through the full client (sign + send + decode + retry layer).
--   lua5.4 bench/sign.lua                      -- signing only
--   eval "$(bin/hwcloud-emulator start)"; lua5.4 bench/sign.lua --requests 2000
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = (rawget(_G, "jit") and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"

local requests = 0
for i = 1, #arg do if arg[i] == "--requests" then requests = tonumber(arg[i + 1]) end end

local function bench(name, n, fn)
  fn() -- warm up
  local t0 = core.now()
  for _ = 1, n do fn() end
  local dt = core.now() - t0
  print(string.format("%-42s %8d in %6.3f s  %9.2f us/op  %9.0f op/s", name, n, dt, dt / n * 1e6, n / dt))
end

local input = {
  method = "POST",
  url = "https://rfs.cn-north-4.myhuaweicloud.com/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/stacks/my%20stack/deployments?b=2&a=1",
  headers = { { "Content-Type", "application/json" }, { "X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9" },
    { "Client-Request-Id", "3f0e6a3c-5b1d-4c2e-9f7a-1b2c3d4e5f60" } },
  body = '{"template_uri":"obs://bucket/t.tf","vars_structure":[{"var_key":"name","var_value":"web"}]}',
  ak = "EXAMPLEAK00000000001", sk = "ExampleSecretKey", date = "20240102T030405Z",
}
print((jit and jit.version or _VERSION) .. ", " .. core.curl_version())
bench("core.sign (POST, 3 headers, JSON body)", 200000, function() core.sign(input) end)
local body = { stack_name = "web", vars_structure = { { var_key = "name", var_value = "web" } }, n = 1 }
bench("core.encode (small body)", 200000, function() core.encode(body) end)
local text = core.encode({ stacks = { body, body, body, body }, page_info = { next_marker = "x" } })
bench("core.decode (small list)", 200000, function() core.decode(text) end)

local endpoint = os.getenv("HWCLOUD_ENDPOINT")
if requests > 0 and endpoint then
  local ak, sk, project = os.getenv("HUAWEICLOUD_SDK_AK"), os.getenv("HUAWEICLOUD_SDK_SK"),
    os.getenv("HUAWEICLOUD_SDK_PROJECT_ID")
  local url = endpoint .. "/v1/" .. project .. "/vpc-endpoints?limit=10"
  local s = core.session{}
  bench("sign + session:send (GET over loopback)", requests, function()
    local signed = core.sign{ method = "GET", url = url, ak = ak, sk = sk,
      headers = { { "X-Project-Id", project } } }
    s:send{ method = "GET", url = url, headers = signed.headers }
  end)
  local client = require("hwcloud").new()
  local vpcep = client:vpcep()
  bench("client:vpcep():list_endpoints{limit=10}", requests, function() vpcep:list_endpoints{ limit = 10 } end)
end
