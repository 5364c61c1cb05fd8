-- What the fuzz targets share (spec/core/hostile_spec.lua uses it too):
-- cutting an input into fields, checking that a failure is the hwcloud.Error
-- it should be, building deep values and comparing JSON values.
local core = require "hwcloud.core"

local M = {}

--- Splits s on the byte "\255" (a byte valid JSON and text seldom hold, so
-- the fuzzer may put anything else, CR, LF and NUL included, in a field).
function M.fields(s)
  local out, start = {}, 1
  while true do
    local i = s:find("\255", start, true)
    out[#out + 1] = s:sub(start, (i or 0) - 1)
    if not i then return out end
    start = i + 1
  end
end

--- Raises unless err is a hwcloud.Error of the given kind (a plain Lua error,
-- such as a stack overflow or a bad cast, is a finding).
function M.expect(err, kind, what)
  if not core.is_error(err) then
    error(what .. ": raised a non-hwcloud error: " .. tostring(err), 0)
  end
  if err.kind ~= kind then
    error(what .. ": raised kind " .. tostring(err.kind) .. ", expected " .. kind .. ": " .. tostring(err), 0)
  end
end

--- levels nested arrays (core.array), the innermost holding innermost.
function M.nested_arrays(levels, innermost)
  local top = core.array{}
  local cur = top
  for _ = 2, levels do
    local inner = core.array{}
    cur[1] = inner
    cur = inner
  end
  cur[1] = innermost
  return top
end

--- Whether two decoded-or-encodable values are the same JSON: numbers by
-- value, core.null, strings by bytes, tables by keys; an empty table's
-- array-ness counts ([] is not {}).
function M.same(a, b, depth)
  depth = depth or 0
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  if depth > 1100 then return true end
  if next(a) == nil or next(b) == nil then
    return next(a) == nil and next(b) == nil and core.is_array(a) == core.is_array(b)
  end
  for k, v in pairs(a) do
    if not M.same(v, rawget(b, k), depth + 1) then return false end
  end
  for k in pairs(b) do
    if rawget(a, k) == nil then return false end
  end
  return true
end

return M
