-- Writing responses in the frame: JSON bodies with their Content-Type, error
-- values in their documented shape, and the status/error code kept for the
-- request log.

local errors = require "emu.errors"
local json = require "emu.json"

local render = {}

--- Send a response: a table body is JSON-encoded (Content-Type set unless
-- given), a string is sent as is, nil or 204 sends no body. Records the
-- status and any error code in ctx for the request log.
function render.send(status, body, headers, ctx)
  ngx.status = status
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  ctx.status = status
  if body == nil or status == 204 or status == 304 then return end
  local text
  if type(body) == "table" then
    text = json.encode(body)
    if not (headers and (headers["Content-Type"] or headers["content-type"])) then
      ngx.header["Content-Type"] = "application/json;charset=UTF-8"
    end
    if type(body.error_code) == "string" then ctx.error_code = body.error_code end
    if type(body.error) == "table" and body.error.code ~= nil then ctx.error_code = tostring(body.error.code) end
  else
    text = tostring(body)
    if not (headers and (headers["Content-Type"] or headers["content-type"])) then
      ngx.header["Content-Type"] = "application/json;charset=UTF-8"
    end
  end
  ngx.print(text)
end

--- Send an emu.errors value in its shape (or `shape` when it has none).
function render.error(e, ctx, shape)
  if shape and not e.shape then e.shape = shape end
  render.send(e.status, errors.body(e, ctx.request_id), e.headers, ctx)
end

return render
