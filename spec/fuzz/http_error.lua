-- Fuzz target: core.http_error over a hostile answer, then tostring(err);
-- core.response over the same answer must raise the same error (one builder,
-- src/hwc_response.c), whose retryable is core.classify's.
-- Fields (split on "\255"): status, raw body, Content-Type, request id,
-- method, URL. A bad status is an argument error; otherwise tostring is one
-- line of bounded length (finding 1 of issue 7: the buffer bug returned heap
-- bytes or crashed on a 1,000-character error_code). Further fields make a
-- core.error with any kind, code, message, status and attempts, whose
-- tostring obeys the same rules.
local core = require "hwcloud.core"
local fuzz = require "fuzz_support"

-- the caps of tostring(err) (src/hwc_error.c) plus the fixed text around them
local MAX_LINE = 1600

local function check_line(line, prefix)
  if type(line) ~= "string" or #line > MAX_LINE then error("tostring(err) is " .. #line .. " bytes", 0) end
  if line:find("[%z\1-\31\127]") then error("tostring(err) is not one line: " .. line, 0) end
  if line:sub(1, #prefix) ~= prefix then error("tostring(err) starts wrong: " .. line, 0) end
end

return function(data)
  local f = fuzz.fields(data)
  local status = tonumber(f[1])
  if status == nil then
    local a, b = (f[1] or ""):byte(1, 2)
    status = 400 + ((a or 0) * 256 + (b or 0)) % 600
  end
  local ok, err = pcall(core.http_error, { status = status, raw_body = f[2],
    headers = f[3] and { ["content-type"] = f[3] } or nil, request_id = f[4], method = f[5], url = f[6] })
  if not ok then return fuzz.expect(err, "argument", "core.http_error") end
  if not core.is_error(err) or err.kind ~= "http" or err.status ~= status then
    error("core.http_error did not build an http error for status " .. tostring(status), 0)
  end
  local line = tostring(err)
  check_line(line, "hwcloud http error " .. math.floor(status))
  if tostring(err) ~= line then error("tostring(err) changes between calls", 0) end
  local list = {}
  if f[3] then list[#list + 1] = { "Content-Type", f[3] } end
  if f[4] then list[#list + 1] = { "X-Request-Id", f[4] } end
  local rok, rerr = pcall(core.response, { status = status, header_list = list, raw_body = f[2],
    method = f[5], url = f[6] })
  if rok or not core.is_error(rerr) then error("core.response did not raise for status " .. status, 0) end
  if rerr.kind ~= "http" or rerr.code ~= err.code or rerr.message ~= err.message or rerr.url ~= err.url
     or rerr.retryable ~= err.retryable then
    error("core.response and core.http_error disagree: " .. tostring(rerr) .. " / " .. line, 0)
  end
  if (core.classify(err)) ~= err.retryable then error("retryable is not core.classify's", 0) end
  if #f >= 7 then
    local e = core.error{ kind = f[7], code = f[8], message = f[9], status = tonumber(f[10] or ""),
      attempts = tonumber(f[11] or ""), request_id = f[12], method = f[5], url = f[6] }
    check_line(tostring(e), "hwcloud ")
  end
end
