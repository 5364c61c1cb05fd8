-- HTTP header names are case-insensitive (RFC 9110 section 5.1). The Lua
-- layer meets headers in two shapes: a response's `headers` map (the core
-- makes it case-insensitive; a user's fake transport may not) and the
-- `{{name, value}, ...}` lists requests are built and signed from. These
-- two functions read and replace in either without caring about case.

local M = {}

local type, pairs, string_lower = type, pairs, string.lower

-- header names seen -> lower case, so a request's few names are lowered
-- once, not at every comparison (bounded: started afresh when full)
local LOWER, lowered, LOWER_KEPT = {}, 0, 512

--- A header name in lower case (remembered for the names seen most).
-- @tparam string name
-- @treturn string
local function lower(name)
  local l = LOWER[name]
  if not l then
    l = string_lower(name)
    if lowered >= LOWER_KEPT then
      LOWER, lowered = {}, 0
    end
    LOWER[name], lowered = l, lowered + 1
  end
  return l
end
M.lower = lower

--- Metatable of a map keyed by lower-case names whose lookup ignores case
-- (`t["Content-Type"]` finds `t["content-type"]`).
M.map_mt = {
  __index = function(t, k)
    if type(k) == "string" then
      return rawget(t, lower(k))
    end
    return nil
  end,
}

--- A header's value from a map, a case-insensitive map or a list of
-- `{name, value}` pairs.
-- @tparam table|nil headers
-- @tparam string name
-- @return the value, or nil
function M.get(headers, name)
  if type(headers) ~= "table" then
    return nil
  end
  local v = headers[name]
  if v == nil then
    v = headers[lower(name)]
  end
  if v ~= nil then
    return v
  end
  local lname = lower(name)
  for k, val in pairs(headers) do
    if type(k) == "string" and string_lower(k) == lname then
      return val
    elseif type(val) == "table" and type(val[1]) == "string" and string_lower(val[1]) == lname then
      return val[2]
    end
  end
  return nil
end

--- Set a header in a list of `{name, value}` pairs: a pair of the same name
-- (any case) is replaced by a new pair `{name, value}`, else one is appended.
-- Pairs are never changed in place, so lists may share them.
-- @tparam table list
-- @tparam string name
-- @tparam string value
function M.set(list, name, value)
  local lname = lower(name)
  for i = 1, #list do
    if lower(list[i][1]) == lname then
      list[i] = { name, value }
      return
    end
  end
  list[#list + 1] = { name, value }
end

return M
