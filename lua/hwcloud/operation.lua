-- The one generic executor behind every service method. It takes an
-- operation described as data (lua/hwcloud/ops/*.lua) and one argument table
-- that holds the API's own field names (path, query and body fields side by
-- side), checks required fields and obvious types before anything is sent,
-- builds the request (path substituted and percent-encoded, query, JSON body,
-- a fresh Client-Request-Id for RFS, hwcloud.uuid) and hands it to
-- client:request. hwcloud.service makes service modules out of it.
-- It knows nothing about HTTP beyond that request table.

local core = require("hwcloud.core")
local keys = require("hwcloud.keys")
local urls = require("hwcloud.url")
local uuid = require("hwcloud.uuid")

local floor, huge = math.floor, math.huge
local tointeger = math.tointeger
local format, byte, char = string.format, string.byte, string.char
local concat, sort = table.concat, table.sort

local M = {}

-- Field type checkers: each returns true when the value fits.
local function is_integer(v)
  return type(v) == "number" and v == floor(v) and v > -huge and v < huge
end

local function is_sequence(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  return n == #v
end

local CHECKS = {
  string = function(v) return type(v) == "string" end,
  integer = is_integer,
  number = function(v) return type(v) == "number" end,
  boolean = function(v) return type(v) == "boolean" end,
  -- An object is any table except a non-empty list.
  object = function(v) return type(v) == "table" and (next(v) == nil or not is_sequence(v)) end,
  array = is_sequence,
  ["string[]"] = function(v)
    if not is_sequence(v) then return false end
    for i = 1, #v do
      if type(v[i]) ~= "string" then return false end
    end
    return true
  end,
  numeric = function(v)
    return is_integer(v) or (type(v) == "string" and v:match("^%d+$") ~= nil)
  end,
}

local PHRASES = {
  string = "a string", integer = "an integer", number = "a number", boolean = "a boolean",
  object = "an object", array = "an array", ["string[]"] = "an array of strings",
  numeric = "an integer or a string of digits",
}

--- Raise an argument error naming the operation and the field.
-- @tparam table op compiled operation (or anything with `full_name`)
-- @tparam string field the field concerned (may be nil)
-- @tparam string text the rest of the message
-- @raise always: an hwcloud.Error with kind "argument"
function M.argument_error(op, field, text)
  local err = core.error({
    kind = "argument",
    message = op.full_name .. ": " .. text,
    operation = op.full_name,
    field = field,
  })
  error(err, 0)
end

local function describe(v)
  if type(v) == "table" then
    if next(v) ~= nil and is_sequence(v) then return "array" end
    return "table"
  end
  if is_integer(v) then return "integer" end
  return type(v)
end

-- Compile one operation: parse "type!" strings into {where, type, required},
-- find the path placeholders, index everything by field name.
local function compile_op(spec, raw)
  local op = {}
  for k, v in pairs(raw) do op[k] = v end
  op.service = spec.service
  op.full_name = spec.service .. "." .. raw.name
  op.request_id_header = spec.request_id_header
  op.paging = spec.paging
  op.fields, op.required, op.path_params = {}, {}, {}

  for name in raw.path:gmatch("{([%w_]+)}") do
    op.path_params[#op.path_params + 1] = name
    if name ~= "project_id" then
      op.fields[name] = { where = "path", type = "string", required = true }
    end
  end
  for _, where in ipairs({ "query", "body" }) do
    for name, t in pairs(raw[where] or {}) do
      local base, bang = t:match("^(.-)(!?)$")
      assert(CHECKS[base], "unknown field type " .. t .. " in " .. op.full_name)
      assert(not op.fields[name], "field " .. name .. " twice in " .. op.full_name)
      op.fields[name] = { where = where, type = base, required = bang == "!" }
    end
  end
  -- every name the argument table may hold (what a typo is compared with)
  op.accepts = { project_id = true }
  for name, f in pairs(op.fields) do
    op.accepts[name] = true
    if f.required then op.required[#op.required + 1] = name end
  end
  if op.request_id_header then
    op.accepts[op.request_id_header], op.accepts.client_request_id = true, true
  end
  sort(op.required)
  op.has_body = raw.body ~= nil
  return op
end

--- Merge field groups of operation data into one new table (later groups
-- win); ops/*.lua describe shared groups (paging, tags) once with it.
-- @tparam table ... `{name = "type"}` groups
-- @treturn table
function M.fields(...)
  local out = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...))) do out[k] = v end
  end
  return out
end

--- Compile a service's operation data (the table an ops/*.lua returns).
-- @tparam table spec `{service=, operations={...}, request_id_header=?, paging=?}`
-- @treturn table `{service=, operations = list, by_name = {name = op}}`
function M.compile(spec)
  local out = { service = spec.service, operations = {}, by_name = {} }
  for i, raw in ipairs(spec.operations) do
    local op = compile_op(spec, raw)
    out.operations[i] = op
    out.by_name[op.name] = op
  end
  return out
end

-- Percent-encode one path value: RFC 3986 unreserved bytes stay, everything
-- else (including "/") becomes %XY.
local encode_segment = urls.escape
M.encode_segment = encode_segment

-- The project id for a path: client:get_project_id(service) (hwcloud's
-- client, which may resolve it through IAM), else a plain client.project_id.
local function project_id(client, op)
  local id
  if type(client.get_project_id) == "function" then
    id = client:get_project_id(op.service)
  else
    id = client.project_id
  end
  if type(id) ~= "string" or id == "" then
    M.argument_error(op, "project_id",
      "no project id: give project_id to the client (or set HUAWEICLOUD_SDK_PROJECT_ID)")
  end
  return id
end

-- Query values go out as strings; lists stay lists (repeated keys).
local function query_value(v)
  if type(v) == "table" then
    local out = {}
    for i = 1, #v do out[i] = query_value(v[i]) end
    return out
  end
  if is_integer(v) then return format("%d", v) end
  return tostring(v)
end

-- Body values: integral numbers become integers on 5.4 (so 10.0 is sent as
-- 10), "numeric" fields become strings, arrays are copied and marked as JSON
-- arrays so that {} goes out as [].
local function body_value(f, v)
  if v == core.null then return v end
  if f.type == "numeric" then return query_value(v) end
  if f.type == "array" or f.type == "string[]" then
    local copy = {}
    for i = 1, #v do copy[i] = v[i] end
    return core.array(copy)
  end
  if tointeger and is_integer(v) then return tointeger(v) end
  return v
end

-- the options an operation call takes besides its argument table
local CALL_OPTIONS = { headers = true }

local function check_opts(op, opts)
  if type(opts) ~= "table" then
    M.argument_error(op, nil, "opts must be a table, got " .. type(opts))
  end
  local bad = keys.unknown(opts, CALL_OPTIONS)
  if bad ~= nil then
    M.argument_error(op, nil, keys.message("option", bad, CALL_OPTIONS, "opts."))
  end
  if opts.headers ~= nil and type(opts.headers) ~= "table" then
    M.argument_error(op, nil, "opts.headers must be a table, got " .. type(opts.headers))
  end
end

local function check_args(op, args)
  for name, v in pairs(args) do
    local f = op.fields[name]
    if not f then
      if not op.accepts[name] then
        M.argument_error(op, type(name) == "string" and name or nil,
          keys.message("field", name, op.accepts))
      end
      if name == "project_id" and (type(v) ~= "string" or v == "") then
        M.argument_error(op, name, "project_id must be a non-empty string")
      end
    elseif not (v == core.null and not f.required) and not CHECKS[f.type](v) then
      M.argument_error(op, name, format("%s must be %s, got %s", name, PHRASES[f.type], describe(v)))
    end
  end
  for _, name in ipairs(op.required) do
    local v = args[name]
    if v == nil or v == core.null then
      M.argument_error(op, name, name .. " is required")
    end
    if op.fields[name].where == "path" and v == "" then
      M.argument_error(op, name, name .. " must not be empty")
    end
  end
  local function count(list)
    local n = 0
    for _, name in ipairs(list) do
      if args[name] ~= nil and args[name] ~= core.null then n = n + 1 end
    end
    return n
  end
  if op.exactly_one and count(op.exactly_one) ~= 1 then
    M.argument_error(op, op.exactly_one[1],
      "exactly one of " .. concat(op.exactly_one, ", ") .. " is required")
  end
  if op.at_most_one and count(op.at_most_one) > 1 then
    M.argument_error(op, op.at_most_one[1],
      "at most one of " .. concat(op.at_most_one, ", ") .. " may be given")
  end
end

--- Build the request table for an operation without sending it.
-- @tparam table client the client (asked for the project id only)
-- @tparam table op a compiled operation
-- @tparam[opt] table args the API fields
-- @tparam[opt] table opts `{headers = {Name = value}}` extra headers
-- @treturn table `{service=, method=, path=, query=, headers=, body=,
--   operation=, idempotent=}` for client:request
-- @raise argument error (kind "argument") on a missing or mistyped field
function M.build(client, op, args, opts)
  if args == nil then args = {} end
  if type(args) ~= "table" then
    M.argument_error(op, nil, "argument table expected, got " .. type(args))
  end
  check_args(op, args)
  if opts ~= nil then check_opts(op, opts) end

  -- resolved before gsub: the lookup may wait for IAM, and a task of
  -- client:parallel cannot yield from inside gsub's callback
  local pid = op.path:find("{project_id}", 1, true) and (args.project_id or project_id(client, op))
  local path = op.path:gsub("{([%w_]+)}", function(name)
    return encode_segment(name == "project_id" and pid or args[name])
  end)

  local query, body = {}, nil
  if op.has_body then body = {} end
  for name, v in pairs(args) do
    local f = op.fields[name]
    if f and f.where == "query" and v ~= core.null then
      query[name] = query_value(v)
    elseif f and f.where == "body" then
      body[name] = body_value(f, v)
    end
  end
  if body and op.omit_empty_body and next(body) == nil then body = nil end

  local headers = {}
  if opts and opts.headers then
    for k, v in pairs(opts.headers) do headers[k] = v end
  end
  local rid = op.request_id_header
  if rid then
    local given = args[rid] or args.client_request_id
    if given ~= nil and type(given) ~= "string" then
      M.argument_error(op, rid, rid .. " must be a string, got " .. describe(given))
    end
    headers[rid] = given or headers[rid] or uuid.v4()
  end

  return {
    service = op.service,
    operation = op.full_name,
    method = op.method,
    path = path,
    query = query,
    headers = headers,
    body = body,
    idempotent = op.idempotent,
  }
end

--- Execute one operation.
-- @tparam table client a client with `request`
-- @tparam table op a compiled operation
-- @tparam[opt] table args the API fields (path, query and body side by side)
-- @tparam[opt] table opts `{headers = {Name = value}}` extra headers
-- @treturn table|string the decoded body (an empty table when the response
--   has none); for redirect operations (307) a table with `location` set
-- @treturn table the whole response
-- @raise argument error before sending; whatever client:request raises
function M.call(client, op, args, opts)
  local response = client:request(M.build(client, op, args, opts))
  local body = response.body
  if body == nil then body = {} end
  if op.redirect and type(body) == "table" then
    local headers = response.headers or {}
    body.location = body.location or headers.Location or headers.location
  end
  return body, response
end

--- Install one method per operation on a service class:
-- `class[op.name] = function(self, args, opts)` calling `self.client`.
-- @tparam table class the service class (methods table)
-- @tparam table compiled the result of `compile`
function M.bind(class, compiled)
  for _, op in ipairs(compiled.operations) do
    class[op.name] = function(self, args, opts)
      return M.call(self.client, op, args, opts)
    end
  end
end

return M
