-- The handler of examples/openresty/nginx.conf: GET /stacks answers the RFS
-- stacks of the project as JSON, {"stacks": [{"stack_name": ..., "status":
-- ...}, ...]}, or 502 with {"error": ..., "code": ..., "kind": ...} when the
-- call fails. One client per worker, made at the first request from the
-- environment (HUAWEICLOUD_SDK_*, HWCLOUD_ENDPOINT: the `env` lines of
-- nginx.conf), with the cosocket transport so a call yields instead of
-- blocking the worker.

local hwcloud = require "hwcloud"
local cosocket = require "hwcloud.transport.cosocket"
local core = require "hwcloud.core"

local M = {}

local client -- this worker's, kept across requests (token and project id caches)

local function get_client()
  if not client then
    client = hwcloud.new{
      shared_dict = "hwcloud_tokens",
      transport = cosocket.new{ timeout = 10, connect_timeout = 3 },
    }
  end
  return client
end

local function stacks()
  local out = core.array({})
  for s in get_client():rfs():each_stack() do
    out[#out + 1] = { stack_name = s.stack_name, status = s.status }
  end
  return { stacks = out }
end

--- Answer GET /stacks.
function M.run()
  local ok, result = pcall(stacks)
  if not ok then
    ngx.status = ngx.HTTP_BAD_GATEWAY
    result = { error = tostring(result), code = hwcloud.is_error(result) and result.code or nil,
               kind = hwcloud.is_error(result) and result.kind or nil }
  end
  ngx.say(core.encode(result))
end

return M
