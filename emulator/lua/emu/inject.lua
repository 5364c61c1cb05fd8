-- Carrying out an injected fault (rules come from emu.faults): wait, answer
-- with the rule's status and body, or close the connection without an answer.

local faults = require "emu.faults"
local render = require "emu.render"

local inject = {}

-- Close the connection without an answer. On a reused keep-alive
-- connection HTTP clients (libcurl) silently replay a request whose
-- connection closes before any response byte arrives, which would hide the
-- fault; there the connection is cut in the middle of a response instead
-- (headers promising a body that never comes), so the client sees one
-- transport failure either way.
local function drop_connection()
  if tonumber(ngx.var.connection_requests or "1") > 1 then
    ngx.req.read_body()
    local sock = ngx.req.socket(true)
    if sock and sock:send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n{") then
      return ngx.exit(ngx.OK)   -- a graceful close: an abortive one would discard the bytes
    end
  end
  return ngx.exit(444)
end

--- Apply a fault rule to a request. `on_drop(ctx)` runs before a drop (to
-- log it). Returns true when the fault answered the request, false when the
-- request should still be served (a stall without a status).
function inject.apply(rule, ctx, on_drop)
  ctx.fault = rule.action .. "#" .. rule.id
  if rule.delay and rule.delay > 0 then ngx.sleep(rule.delay) end
  if rule.action == "drop" then
    ctx.status = 444
    on_drop(ctx)
    return drop_connection()
  end
  if rule.action == "respond" or rule.status then
    local body = rule.body
    if body == nil then
      body = faults.default_body(rule.status)
      if body.error_code:find("^APIGW") then body.request_id = ctx.request_id end
    end
    render.send(rule.status, body, rule.headers, ctx)
    return true
  end
  return false   -- a stall without status: go on and serve the request
end

return inject
