-- Trimming in linear time, for every string that comes from outside (a
-- server's headers, a profile file, an option). The usual pattern
-- `^%s*(.-)%s*$` retries `%s*$` at every position of `.-`, so a value with
-- many inner spaces costs quadratic time (issue 7, finding 4: a Retry-After
-- of 60,000 spaces took 12 s); these scan each end once.

local M = {}

local byte, sub = string.byte, string.sub

-- the bytes Lua's %s matches: tab, LF, VT, FF, CR, space
local SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }

--- `s` without trailing white space.
-- @tparam string s
-- @treturn string
function M.rtrim(s)
  local j = #s
  while j > 0 and SPACE[byte(s, j)] do
    j = j - 1
  end
  return sub(s, 1, j)
end

--- `s` without the trailing bytes equal to `char` (one byte), e.g. the
-- slashes at the end of a URL path; `("/+$")` with gsub would be quadratic
-- on many inner slashes.
-- @tparam string s
-- @tparam string char
-- @treturn string
function M.rstrip(s, char)
  local c, j = byte(char), #s
  while j > 0 and byte(s, j) == c do
    j = j - 1
  end
  return sub(s, 1, j)
end

--- The bounds of `s`'s bytes i..j without leading and trailing white space
-- (j < i when nothing is left): for a piece of a larger string, trimmed
-- without cutting it out first.
-- @tparam string s
-- @tparam number i first byte
-- @tparam number j last byte
-- @treturn number first byte kept
-- @treturn number last byte kept
function M.trim_range(s, i, j)
  while i <= j and SPACE[byte(s, i)] do
    i = i + 1
  end
  while j >= i and SPACE[byte(s, j)] do
    j = j - 1
  end
  return i, j
end
local trim_range = M.trim_range

--- `s` without leading and trailing white space.
-- @tparam string s
-- @treturn string
function M.trim(s)
  if not SPACE[byte(s, 1)] and not SPACE[byte(s, -1)] then
    return s -- nothing to trim (the usual case; "" too)
  end
  return sub(s, trim_range(s, 1, #s))
end

return M
