-- Documented API errors for the emulator. A handler raises
-- `error(errors.new(status, code, message), 0)`; the frame renders it in one
-- of Huawei's body shapes (the error responses of the VPCEP and IAM
-- API references, https://support.huaweicloud.com/api-vpcep/,
-- https://support.huaweicloud.com/api-iam/): "A" top-level error_code/error_msg
-- (default; gateway errors also carry request_id), "B" nested error{code,message},
-- "C" Keystone error{code=<number>, message, title}.

local errors = {}

local error_mt = { __name = "emu.Error" }
error_mt.__index = error_mt
error_mt.__tostring = function(e)
  return string.format("%d %s: %s", e.status, tostring(e.code), tostring(e.message))
end

local titles = {
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
  [405] = "Method Not Allowed", [409] = "Conflict", [413] = "Request Entity Too Large",
  [429] = "Too Many Requests", [500] = "Internal Server Error", [502] = "Bad Gateway",
  [503] = "Service Unavailable", [504] = "Gateway Timeout",
}

--- Make an error value (not raised).
-- @param status HTTP status
-- @param code error code string (e.g. "EndPoint.0002"); for shape C the status is used
-- @param message error message
-- @param shape "A" (default), "B" or "C"
-- @param headers optional extra response headers
function errors.new(status, code, message, shape, headers)
  return setmetatable({
    status = status, code = code, message = message or titles[status] or "error",
    shape = shape, headers = headers,
  }, error_mt)
end

--- Raise a documented error (never returns).
function errors.raise(status, code, message, shape)
  error(errors.new(status, code, message, shape), 0)
end

--- True when v is an emulator error value.
function errors.is(v)
  return getmetatable(v) == error_mt
end

--- The body table for an error in its shape.
-- @param e the error
-- @param request_id added to shape A bodies of gateway errors (APIGW.*)
function errors.body(e, request_id)
  local shape = e.shape or "A"
  if shape == "B" then
    return { error = { code = e.code, message = e.message } }
  elseif shape == "C" then
    return { error = { code = e.status, message = e.message, title = titles[e.status] or "Error" } }
  end
  local body = { error_code = e.code, error_msg = e.message }
  if type(e.code) == "string" and e.code:find("^APIGW%.") then
    body.request_id = request_id
  end
  return body
end

errors.titles = titles

return errors
