-- The control API under /_emulator/ (no authentication, 127.0.0.1 only):
-- health, reset, fault injection, the request log and run-time settings.
--   GET  /_emulator/health           -> {"status":"ok", "services":[...], ...}
--   POST /_emulator/reset            -> 204 (state, tokens, faults, log, settings, clock)
--   POST /_emulator/faults {rule}    -> 201 {"fault": rule};  GET -> {"faults": [...]}
--   DELETE /_emulator/faults         -> 204
--   GET  /_emulator/requests?limit=N -> {"requests": [...]} (redacted); DELETE -> 204
--   GET|POST /_emulator/config {...} -> {"config": {...}}
--   GET  /_emulator/clock            -> {"now": epoch, "time": ISO, "offset": seconds}
--   POST /_emulator/clock {"advance": s} | {"set": epoch} -> the same (emu.clock)

local accounts = require "emu.accounts"
local clock = require "emu.clock"
local config = require "emu.config"
local errors = require "emu.errors"
local faults = require "emu.faults"
local json = require "emu.json"
local reqlog = require "emu.reqlog"
local services = require "emu.services"
local tokens = require "emu.iam.tokens"
local util = require "emu.util"

local control = {}

local started_at = nil

--- Remember the start time on the wall clock (for health).
function control.init(now)
  started_at = now
end

local function bad(msg)
  error(errors.new(400, "EMULATOR.0400", msg), 0)
end

--- Reset everything to the state the emulator started in.
function control.reset_all()
  services.reset()
  tokens.reset()
  accounts.reset()
  faults.reset()
  reqlog.reset()
  config.reset()
  clock.reset()
end

local handlers = {}

handlers["GET health"] = function(req)
  local unavailable = {}
  for k, v in pairs(services.unavailable()) do unavailable[k] = v end
  return 200, {
    status = "ok", services = json.array(services.names()), unavailable = unavailable,
    pid = ngx.worker.pid(), uptime = clock.real() - (started_at or clock.real()),
    speed = config.value("speed"),
  }
end

handlers["POST reset"] = function()
  control.reset_all()
  return 204
end

handlers["POST faults"] = function(req)
  local rule, msg = faults.add(req.body)
  if not rule then bad(msg) end
  return 201, { fault = rule }
end

handlers["GET faults"] = function()
  return 200, { faults = faults.list() }
end

handlers["DELETE faults"] = function()
  faults.reset()
  return 204
end

handlers["GET requests"] = function(req)
  local limit = tonumber(req.query.limit)
  return 200, { requests = json.array(reqlog.list(limit)) }
end

handlers["DELETE requests"] = function()
  reqlog.reset()
  return 204
end

handlers["GET config"] = function()
  return 200, { config = config.get() }
end

handlers["POST config"] = function(req)
  local cur, msg = config.set(req.body)
  if not cur then bad(msg) end
  return 200, { config = cur }
end

local function clock_view()
  local now = clock.now()
  return 200, { now = now, time = util.iso(now), offset = clock.offset() }
end

handlers["GET clock"] = clock_view

handlers["POST clock"] = function(req)
  local b = req.body
  if type(b) ~= "table" or (b.advance == nil) == (b.set == nil) or next(b, next(b)) ~= nil then
    bad("the body must be {\"advance\": seconds} or {\"set\": epoch seconds}")
  end
  local ok, msg
  if b.advance ~= nil then ok, msg = clock.advance(b.advance) else ok, msg = clock.set(b.set) end
  if not ok then bad(msg) end
  return clock_view()
end

--- Handle a control request. `req` has method, name (path after /_emulator/),
-- query, body (decoded), now. Returns status, body.
function control.handle(req)
  local h = handlers[req.method .. " " .. req.name]
  if not h then
    error(errors.new(404, "EMULATOR.0404", "unknown control operation " .. req.method .. " /_emulator/" .. req.name), 0)
  end
  return h(req)
end

return control
