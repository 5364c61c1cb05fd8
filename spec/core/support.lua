-- What the core specs share: `raises` calls a function that must raise a
-- hwcloud.Error and returns that error.
local core = require "hwcloud.core"

local M = {}

--- Calls fn(...), asserts it raised a hwcloud.Error, returns the error.
function M.raises(fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error")
  assert(core.is_error(err), "expected a hwcloud.Error, got " .. tostring(err))
  return err
end

return M
