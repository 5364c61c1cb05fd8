-- Service modules out of operation data: the operations compiled
-- (hwcloud.operation), a class with one method per operation and one each_*
-- iterator per paged list operation (hwcloud.paginate), and a constructor
-- binding it to a client. It sits above both, so the executor and the
-- paginator never require each other. Every method put in the class (the
-- generated ones and those the service modules add) first checks that it
-- was called with a colon and given no more arguments than it takes.

local operation = require("hwcloud.operation")
local paginate = require("hwcloud.paginate")

local getmetatable, rawset, select, type = getmetatable, rawset, select, type

local M = {}

-- What a method taking 1 or 2 arguments (self aside) takes, in words.
local TAKES = { "1 argument, got %d (options go in the argument table)", "2 arguments (args, opts), got %d" }

-- `fn` with a check that `self` is an object of `class`: `rfs.wait_stack{...}`
-- (a dot for a colon) passes the argument table as self and would fail
-- deep inside with "attempt to index a nil value"; say what to write instead.
-- An argument past those fn declares is refused too (a waiter given an
-- operation's `opts`, `rfs:wait_stack({...}, {timeout = 60})`, would
-- ignore it), unless it is nil.
local function method(class, service, name, fn)
  local info = debug.getinfo(fn, "u")
  local max = not info.isvararg and info.nparams > 0 and info.nparams - 1 or nil
  local function check_extra(n, ...)
    for i = max + 1, n do
      if select(i, ...) ~= nil then
        operation.argument_error({ full_name = service .. "." .. name }, nil,
          "takes " .. (TAKES[max] or max .. " arguments, got %d"):format(n))
      end
    end
  end
  return function(self, ...)
    if getmetatable(self) ~= class then
      operation.argument_error({ full_name = service .. "." .. name }, nil,
        "call it as " .. service .. ":" .. name .. "{...} (a colon, not a dot, on client:"
        .. service .. "())")
    end
    local n = select("#", ...)
    if max and n > max then check_extra(n, ...) end
    return fn(self, ...)
  end
end

--- Make a service module from operation data. The service modules
-- (hwcloud.rfs, hwcloud.vpcep) add their waiters and conveniences to the class.
-- @tparam table ops operation data (lua/hwcloud/ops/*.lua)
-- @treturn table the module: `operations` (the compiled data: `operations`
--   list and `by_name`) and `new(client)` (a service object bound to a
--   client, anything with `request`)
-- @treturn table the class (the service objects' metatable and `__index`)
function M.new(ops)
  local compiled = operation.compile(ops)
  local class = {}
  class.__index = class
  setmetatable(class, { __newindex = function(t, name, v)
    if type(v) == "function" then v = method(class, ops.service, name, v) end
    rawset(t, name, v)
  end })
  operation.bind(class, compiled)
  paginate.bind(class, compiled)
  local mod = { operations = compiled }
  function mod.new(client)
    return setmetatable({ client = client }, class)
  end
  return mod, class
end

return M
