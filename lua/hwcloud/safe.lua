-- The non-raising face of hwcloud, in the spirit of cjson.safe and
-- Lua-cURL's safe mode: `require "hwcloud.safe"` is the same API delivered
-- in a second mode. One implementation runs underneath (the raising one);
-- what differs is only how a call's outcome is handed back, and that is
-- declared once, in RETURNS below, per kind of result:
--   * a value: returned, or `nil, err` where the raising call would raise;
--   * an object (`hwcloud.new`, `client:rfs()`, `client:vpcep()`): the same
--     object in safe mode (the same safe object every time);
--   * an iterator (`each_*`): one that reports a failure to the loop as
--     `false, err` (the loop does not end: `for item, err in ... do` sees
--     it), and raises that error if it is called again, so a loop that
--     does not stop at `false` cannot finish as if the list were complete.
-- Nothing else is wrapped: results are never inspected for functions.

local core = require "hwcloud.core"
local hwcloud = require "hwcloud"

local M = {}

local pcall, error, select, type = pcall, error, select, type

-- how the first result of each public function comes back in safe mode;
-- functions named `each_*` give iterators, all others plain values
local RETURNS = { new = "object", rfs = "object", vpcep = "object" }

local function kind_of(name)
  if type(name) ~= "string" then
    return "value"
  end
  return RETURNS[name] or (name:find("^each_") and "iterator") or "value"
end

-- safe object -> raising object (weak keys), raising object -> safe object
-- (weak both ways: a safe object refers to its object, and LuaJIT has no
-- ephemerons)
local raw_of = setmetatable({}, { __mode = "k" })
local safe_of = setmetatable({}, { __mode = "kv" })

local object -- defined below

--- An iterator in safe mode: items as the raising one gives them; on a
-- failure `false, err` once, then the error is raised if it is called again.
-- @tparam function iter
-- @treturn function
local function iterator(iter)
  local failed
  local function step(ok, ...)
    if ok then
      return ...
    end
    failed = (...)
    return false, failed
  end
  return function(...)
    if failed ~= nil then
      error(failed, 0)
    end
    return step(pcall(iter, ...))
  end
end
M.iterator = iterator

local DELIVER = {
  value = function(...) return ... end,
  object = function(v, ...) return object(v), ... end,
  iterator = function(v, ...)
    if type(v) == "function" then
      return iterator(v), ...
    end
    return v, ...
  end,
}

-- functions already converted, per kind (weak both ways)
local converted = {}
for kind in pairs(DELIVER) do
  converted[kind] = setmetatable({}, { __mode = "kv" })
end

--- The safe-mode version of a function: `nil, err` where `f` raises, its
-- first result delivered as `kind` ("value", "object" or "iterator"), and a
-- safe object given as its first argument (self) replaced by its object.
-- @tparam function f
-- @tparam[opt="value"] string kind
-- @treturn function
local function safe_function(f, kind)
  kind = kind or "value"
  local g = converted[kind][f]
  if g then
    return g
  end
  local deliver = DELIVER[kind]
  local function finish(ok, ...)
    if not ok then
      return nil, (...)
    end
    return deliver(...)
  end
  g = function(self, ...)
    return finish(pcall(f, raw_of[self] or self, ...))
  end
  converted[kind][f] = g
  return g
end
M.safe_function = safe_function

local object_mt = {
  __index = function(p, k)
    local v = raw_of[p][k]
    if type(v) == "function" then
      return safe_function(v, kind_of(k))
    end
    return v
  end,
  __newindex = function(p, k, v)
    raw_of[p][k] = v
  end,
  __tostring = function(p)
    return tostring(raw_of[p])
  end,
  __len = function(p)
    return #raw_of[p]
  end,
  __pairs = function(p)
    return next, raw_of[p], nil
  end,
}

--- An object in safe mode: its methods return `nil, err` instead of raising
-- (and objects and iterators as RETURNS says); other fields read and write
-- through. The same object always gives the same safe object.
-- @tparam table obj
-- @treturn table
function object(obj)
  if type(obj) ~= "table" or raw_of[obj] then
    return obj
  end
  local p = safe_of[obj]
  if not p then
    p = setmetatable({}, object_mt)
    raw_of[p] = obj
    safe_of[obj] = p
  end
  return p
end

--- Put an object of your own in safe mode (see `object` above).
M.wrap = object

--- The object a safe object stands for (or the value itself).
-- @param v
-- @return the raising object
function M.unwrap(v)
  return raw_of[v] or v
end

for k, v in pairs(hwcloud) do
  if type(v) == "function" then
    M[k] = safe_function(v, kind_of(k))
  else
    M[k] = v
  end
end
-- these never raise and must return their value unchanged
M.error = hwcloud.error
M.is_error = hwcloud.is_error
M.null = core.null

return M
