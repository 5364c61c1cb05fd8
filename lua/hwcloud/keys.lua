-- Unknown keys in the tables a user writes (client options, a request table,
-- an operation's argument table and per-call options, a helper's or a
-- waiter's arguments): the one rule that finds them and words the message,
-- with the closest known name as a "did you mean" (edit distance counting a
-- swap of two neighbours as one edit, as Lua's and Python's suggestions do).
-- Each caller raises its message in its own error shape; hwcloud.hints asks
-- `closest` for the region a misspelt host name meant.

local M = {}

local pairs, type, tostring = pairs, type, tostring
local byte, min = string.byte, math.min

--- The first key of `t` that `known` does not hold: a plain loop over
-- `pairs`, no allocation, so it can run on every request.
-- @tparam table t the table to check
-- @tparam table known set of accepted keys (`{name = true}`; any true value)
-- @return the unknown key, or nil when every key is known
function M.unknown(t, known)
  for k in pairs(t) do
    if not known[k] then
      return k
    end
  end
  return nil
end

-- Optimal string alignment distance between a and b, giving up (returning
-- limit + 1) once every cell of a row exceeds limit.
local function distance(a, b, limit)
  local la, lb = #a, #b
  if la - lb > limit or lb - la > limit then
    return limit + 1
  end
  local prev2, prev, cur = {}, {}, {}
  for j = 0, lb do
    prev[j] = j
  end
  for i = 1, la do
    cur[0] = i
    local best = i
    local ca = byte(a, i)
    for j = 1, lb do
      local cb = byte(b, j)
      local cost = ca == cb and 0 or 1
      local d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if i > 1 and j > 1 and ca == byte(b, j - 1) and byte(a, i - 1) == cb then
        d = min(d, prev2[j - 2] + 1)
      end
      cur[j] = d
      if d < best then
        best = d
      end
    end
    if best > limit then
      return limit + 1
    end
    prev2, prev, cur = prev, cur, prev2
  end
  return prev[lb]
end

--- The known name closest to `key`, when one is close enough to be a typo
-- of it: by default at most one edit in a name of up to 4 bytes, two up to
-- 8, three beyond (an insertion, a deletion, a change, or a swap of
-- neighbours). Ties go to the name first in byte order, so the answer does
-- not depend on table order. Keys longer than 64 bytes get no proposal.
-- @param key the unknown key
-- @tparam table known set of accepted keys (only string keys are proposed)
-- @tparam[opt] number max edits allowed instead of the default
-- @treturn string|nil
function M.closest(key, known, max)
  if type(key) ~= "string" or #key > 64 then
    return nil
  end
  local limit = max or (#key <= 4 and 1 or (#key <= 8 and 2 or 3))
  local best, best_d
  for name in pairs(known) do
    if type(name) == "string" then
      local d = distance(key, name, limit)
      if d <= limit and (not best_d or d < best_d or (d == best_d and name < best)) then
        best, best_d = name, d
      end
    end
  end
  return best
end

--- The message for an unknown key: `unknown <noun> <prefix><key>`, plus
-- `(did you mean <prefix><name>?)` when a known name is close, or
-- `<what> has a non-name key <key>` when the key is not a string.
-- @tparam string noun e.g. "option", "field"
-- @param key the unknown key
-- @tparam table known set of accepted keys
-- @tparam[opt=""] string prefix how the table is named, e.g. "opts.", "req."
-- @treturn string
function M.message(noun, key, known, prefix)
  prefix = prefix or ""
  if type(key) ~= "string" then
    local what = prefix ~= "" and prefix:gsub("%.$", "") or "argument table"
    return what .. " has a non-name key " .. tostring(key)
  end
  local text = "unknown " .. noun .. " " .. prefix .. key
  local near = M.closest(key, known)
  if near then
    text = text .. " (did you mean " .. prefix .. near .. "?)"
  end
  return text
end

return M
