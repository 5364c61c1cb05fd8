-- The rules for numeric options (issue 7, finding 9): a count (retries,
-- bytes, pool size) is a whole number >= 0, seconds are a number >= 0 (or
-- > 0 where zero makes no sense); neither may be NaN or infinite. `0/0`
-- passes every `<` check and `math.huge` equals its own floor, so both are
-- named here, once, for the client, the transports and the waiters.

local M = {}

local huge = math.huge

--- Why `v` is not acceptable as `kind`, or nil when it is.
-- @param v the value
-- @tparam string kind "count" (whole number >= 0), "seconds" (>= 0) or
--   "positive seconds" (> 0)
-- @treturn string|nil what it must be
function M.problem(v, kind)
  if type(v) ~= "number" or v ~= v or v == huge or v == -huge then
    return kind == "count" and "must be a whole number >= 0"
      or kind == "seconds" and "must be a finite number of seconds >= 0"
      or "must be a positive finite number of seconds"
  end
  if kind == "count" and (v < 0 or v ~= math.floor(v)) then
    return "must be a whole number >= 0"
  elseif kind == "seconds" and v < 0 then
    return "must be a finite number of seconds >= 0"
  elseif kind == "positive seconds" and v <= 0 then
    return "must be a positive finite number of seconds"
  end
  return nil
end

--- Check the numeric fields of an option table.
-- @tparam table opts the options
-- @tparam table rules `{name = kind}` (see `problem`); absent fields pass
-- @treturn string|nil "opts.<name> <problem> (got <value>)" for the first bad one
function M.check(opts, rules)
  local names = {}
  for name in pairs(rules) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local v = opts[name]
    if v ~= nil then
      local why = M.problem(v, rules[name])
      if why then
        return "opts." .. name .. " " .. why .. " (got " .. tostring(v) .. ")"
      end
    end
  end
  return nil
end

return M
