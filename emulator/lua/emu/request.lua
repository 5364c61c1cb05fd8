-- Reading a request in the frame: the body bytes (from memory or nginx's
-- temporary file), whether the body should be decoded as JSON, the query
-- string as a table (repeated names become lists), and the service a Host
-- header names.

local canonical = require "emu.canonical"
local router = require "emu.router"
local util = require "emu.util"

local request = {}

--- The raw body bytes, or nil.
function request.read_body()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if data then return data end
  local file = ngx.req.get_body_file()
  if not file then return nil end
  local f = io.open(file, "rb")
  if not f then return nil end
  data = f:read("*a")
  f:close()
  return data
end

--- A body is decoded when it is declared JSON, or undeclared/form-typed but
-- looks like JSON (curl -d sends application/x-www-form-urlencoded).
function request.wants_json(headers, raw)
  if raw == nil or raw == "" then return false end
  local ct = util.header(headers, "content-type")
  ct = ct and ct:lower() or ""
  if ct:find("json", 1, true) then return true end
  return (ct == "" or ct:find("x-www-form-urlencoded", 1, true) ~= nil) and raw:find("^%s*[{%[]") ~= nil
end

--- name -> value (a list when the name repeats), decoded.
function request.query_table(raw_query)
  local q = {}
  for _, p in ipairs(canonical.query_pairs(raw_query)) do
    local k, v = p[1], p[2]
    if q[k] == nil then
      q[k] = v
    elseif type(q[k]) == "table" then
      q[k][#q[k] + 1] = v
    else
      q[k] = { q[k], v }
    end
  end
  return q
end

--- The service named by the Host header ("vpcep", "iam", ...), or nil.
function request.host_service(headers)
  return router.host_service(util.header(headers, "host"))
end

return request
