-- Hints: a sentence added to the message of an error, saying what the
-- failure probably means for the user and what to do. `append` is the one
-- way a hint joins a message, whichever transport raised the error.

local M = {}

--- A message with a hint added: `message (hint: hint)`.
-- @tparam string message
-- @tparam string hint
-- @treturn string
function M.append(message, hint)
  return message .. " (hint: " .. hint .. ")"
end

return M
