-- Service modules out of operation data: the operations compiled
-- (hwcloud.operation), a class with one method per operation and one each_*
-- iterator per paged list operation (hwcloud.paginate), and a constructor
-- binding it to a client. It sits above both, so the executor and the
-- paginator never require each other.

local operation = require("hwcloud.operation")
local paginate = require("hwcloud.paginate")

local M = {}

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
  operation.bind(class, compiled)
  paginate.bind(class, compiled)
  local mod = { operations = compiled }
  function mod.new(client)
    return setmetatable({ client = client }, class)
  end
  return mod, class
end

return M
