-- The request log served at GET /_emulator/requests: the last N requests the
-- emulator answered (a bounded ring), with secrets already redacted.

local config = require "emu.config"

local reqlog = {}

local entries = {}
local first = 1   -- index of the oldest entry
local seq = 0

--- Append an entry (already redacted).
function reqlog.add(entry)
  seq = seq + 1
  entry.seq = seq
  entries[#entries + 1] = entry
  local max = config.value("request_log_size") or 500
  local n = #entries - first + 1
  if n > max then
    entries[first] = nil
    first = first + 1
  end
  if first > 1000 then   -- compact now and then
    local c = {}
    for i = first, #entries do c[#c + 1] = entries[i] end
    entries, first = c, 1
  end
end

--- Entries oldest first; at most `limit` of the newest.
function reqlog.list(limit)
  local out = {}
  local start = first
  if limit and limit >= 0 and #entries - first + 1 > limit then start = #entries - limit + 1 end
  for i = start, #entries do out[#out + 1] = entries[i] end
  return out
end

--- Forget everything.
function reqlog.reset()
  entries, first = {}, 1
end

return reqlog
