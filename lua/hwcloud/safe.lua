-- The non-raising face of hwcloud, in the spirit of cjson.safe:
-- `require "hwcloud.safe"` has the same functions as `require "hwcloud"`, but
-- every call returns `nil, err` where the other would raise. It runs the same
-- code under pcall. Objects that calls return (the client, the service objects
-- of client:rfs() / client:vpcep(), anything that is a table of functions)
-- come back wrapped the same way, and so do returned functions (iterators):
-- a failing iterator returns nil, err, which ends a generic `for`.

local core = require "hwcloud.core"
local hwcloud = require "hwcloud"

local M = {}

-- proxy -> wrapped object (weak keys), and object -> its proxy (weak keys
-- and values: a proxy refers to its object, and LuaJIT has no ephemerons)
local originals = setmetatable({}, { __mode = "k" })
local proxies = setmetatable({}, { __mode = "kv" })
-- function -> its safe version (weak both ways)
local safe_functions = setmetatable({}, { __mode = "kv" })

local select, pcall, type = select, pcall, type
local unpack = table.unpack or unpack

local wrap, safe_function

-- a table whose own fields or whose metatable's __index table hold functions
local function is_object(v)
  if type(v) ~= "table" or core.is_error(v) or originals[v] then
    return false
  end
  local mt = getmetatable(v)
  if type(mt) == "table" then
    local index = rawget(mt, "__index")
    if type(index) == "table" then
      for _, f in pairs(index) do
        if type(f) == "function" then
          return true
        end
      end
    end
  end
  for _, f in pairs(v) do
    if type(f) == "function" then
      return true
    end
  end
  return false
end

local function wrap_value(v)
  if type(v) == "function" then
    return safe_function(v)
  elseif is_object(v) then
    return wrap(v)
  end
  return v
end

-- turn pcall's results into values (wrapped) or nil, err
local function results(ok, ...)
  if not ok then
    return nil, (...)
  end
  local n = select("#", ...)
  if n == 0 then
    return
  elseif n == 1 then
    return wrap_value((...))
  end
  local out = { ... }
  for i = 1, n do
    out[i] = wrap_value(out[i])
  end
  return unpack(out, 1, n)
end

-- replace proxies among the arguments by the objects they wrap
local function unwrap_args(...)
  local n = select("#", ...)
  local args = { ... }
  local changed = false
  for i = 1, n do
    local o = originals[args[i]]
    if o then
      args[i] = o
      changed = true
    end
  end
  return changed, args, n
end

--- The non-raising version of a function: it returns `nil, err` instead of
-- raising, and wraps returned objects and functions the same way.
-- @tparam function f
-- @treturn function
function safe_function(f)
  local g = safe_functions[f]
  if g then
    return g
  end
  g = function(...)
    local changed, args, n = unwrap_args(...)
    if changed then
      return results(pcall(f, unpack(args, 1, n)))
    end
    return results(pcall(f, ...))
  end
  safe_functions[f] = g
  return g
end

--- Wrap an object (a table of functions) so its methods return `nil, err`
-- instead of raising. Fields that are not functions read through unchanged;
-- writes go to the object. The same object always gives the same proxy.
-- @tparam table obj
-- @treturn table proxy
function wrap(obj)
  if type(obj) ~= "table" then
    return obj
  end
  if originals[obj] then
    return obj
  end
  local proxy = proxies[obj]
  if proxy then
    return proxy
  end
  proxy = setmetatable({}, {
    __index = function(_, k)
      local v = obj[k]
      if type(v) == "function" then
        return safe_function(v)
      end
      return v
    end,
    __newindex = function(_, k, v)
      obj[k] = v
    end,
    __tostring = function()
      return tostring(obj)
    end,
    __len = function()
      return #obj
    end,
    __pairs = function()
      return next, obj, nil
    end,
  })
  originals[proxy] = obj
  proxies[obj] = proxy
  return proxy
end

M.wrap = wrap
M.safe_function = safe_function

--- The object a proxy wraps (or the value itself when it is no proxy).
-- @param v
-- @return the raising object
function M.unwrap(v)
  return originals[v] or v
end

for k, v in pairs(hwcloud) do
  if type(v) == "function" then
    M[k] = safe_function(v)
  else
    M[k] = v
  end
end
-- these never raise and must return their value unchanged
M.error = hwcloud.error
M.is_error = hwcloud.is_error
M.null = hwcloud.null

return M
