-- Request routing: path templates such as `/v1/{project_id}/stacks/{stack_name}`
-- registered by service modules, matched by method and decoded path segments.
-- The most specific template wins (a literal segment beats a `{param}` at
-- the first position where they differ, so `/vpc-endpoint-services/public`
-- beats `/vpc-endpoint-services/{id}`); on a tie the service named by the
-- Host header (`vpcep.<region>...`, `iam...`, `rfs...`) wins, then the
-- first registered. A route with `host = "iam"` only matches when the Host
-- header names that service (IAM's `GET /` against VPCEP's).

local canonical = require "emu.canonical"

local router = {}
router.__index = router

--- A new, empty router.
function router.new()
  return setmetatable({ routes = {} }, router)
end

local function segments(path)
  if path ~= "/" and path:sub(-1) == "/" then path = path:sub(1, -2) end
  local segs = canonical.split(path, "/")
  table.remove(segs, 1)          -- before the leading "/"
  if #segs == 1 and segs[1] == "" then segs = {} end
  return segs
end

--- Register a route of a service.
-- @param service name of the service module ("iam", "vpcep", ...)
-- @param route {method=, path=, handler=, auth=?, project=?, host=?}
function router:add(service, route)
  assert(type(route.method) == "string" and type(route.path) == "string"
    and type(route.handler) == "function", "route needs method, path and handler")
  local compiled = {}
  for i, s in ipairs(segments(route.path)) do
    local name = s:match("^{([%w_]+)}$")
    compiled[i] = name and { param = name } or { literal = s }
  end
  local r = setmetatable({ service = service, segs = compiled, order = #self.routes + 1 },
    { __index = route })
  self.routes[#self.routes + 1] = r
  return r
end

local function match_route(r, segs)
  if #r.segs ~= #segs then return nil end
  local params = {}
  for i, s in ipairs(r.segs) do
    local v = segs[i]
    if s.literal then
      if s.literal ~= v then return nil end
    else
      if v == "" then return nil end
      params[s.param] = v
    end
  end
  return params
end

-- true when a is more specific than b
local function more_specific(a, b, host_service)
  for i = 1, #a.segs do
    local la, lb = a.segs[i].literal ~= nil, b.segs[i].literal ~= nil
    if la ~= lb then return la end
  end
  if host_service and (a.service == host_service) ~= (b.service == host_service) then
    return a.service == host_service
  end
  return a.order < b.order
end

--- Find the route for a request.
-- @param method HTTP method
-- @param raw_path the path as sent (percent-encoded); segments are decoded
-- @param host_service service named by the Host header, or nil
-- @return route, params (decoded path variables); nil when nothing matches
function router:match(method, raw_path, host_service)
  local segs = segments(raw_path)
  for i, s in ipairs(segs) do segs[i] = canonical.D(s) end
  local best, best_params
  for _, r in ipairs(self.routes) do
    if r.method == method and (r.host == nil or r.host == host_service) then
      local params = match_route(r, segs)
      if params and (not best or more_specific(r, best, host_service)) then
        best, best_params = r, params
      end
    end
  end
  return best, best_params
end

--- The service a Host header names: `vpcep.cn-north-4.myhuaweicloud.com` -> "vpcep".
function router.host_service(host)
  if type(host) ~= "string" then return nil end
  local first = host:lower():match("^([%a%d%-]+)%.")
  return first
end

return router
