-- The emulator's own lines in logs/error.log. Inside a request, ngx.log makes
-- nginx append the raw request line (request: "GET /x?token=..."), secrets
-- included; so a line logged while a request runs is written from a
-- zero-delay timer, outside any request (issue 7, finding 14). Callers name
-- the request by its redacted URI (emu.redact.uri) when it matters.

local log = {}

local function write(premature, msg)
  if not premature then ngx.log(ngx.ERR, msg) end
end

--- Log an error line (the arguments are joined with tostring). Does nothing
-- outside nginx (the pure modules run in busted too).
function log.error(...)
  if not ngx then return end
  local parts = { ... }
  for i = 1, select("#", ...) do parts[i] = tostring(parts[i]) end
  local msg = table.concat(parts)
  local phase = ngx.get_phase()
  if phase ~= "init" and phase ~= "init_worker" and phase ~= "timer" then
    local ok, queued = pcall(ngx.timer.at, 0, write, msg)
    if ok and queued then return end
  end
  ngx.log(ngx.ERR, msg)
end

return log
