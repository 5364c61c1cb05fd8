-- The emulator's one clock. Everything the emulator models in time (delays of
-- asynchronous steps, which are evaluated lazily from timestamps; token and
-- temporary key expiry; created/updated times) reads `clock.now()`: the real
-- clock plus an offset that the control API moves forward
-- (`POST /_emulator/clock`), so specs advance time instead of sleeping.
-- `clock.real()` is the wall clock itself, for what the emulated time must
-- not touch: request durations, the health uptime, the random seed and the
-- X-Sdk-Date window of a signature (the client signs with its real clock).

local clock = {}

local offset = 0

--- The wall clock in seconds (fractions allowed).
function clock.real()
  if ngx then return ngx.now() end
  return os.time()
end

--- The emulated time in seconds: the wall clock plus the advanced offset.
function clock.now()
  return clock.real() + offset
end

--- Move the emulated time forward by `seconds` (>= 0).
-- @return the new emulated time, or nil and a message
function clock.advance(seconds)
  if type(seconds) ~= "number" or seconds ~= seconds or seconds < 0 or seconds == math.huge then
    return nil, "advance must be a number of seconds >= 0"
  end
  offset = offset + seconds
  return clock.now()
end

--- Set the emulated time to `epoch` seconds; it may not go back.
-- @return the new emulated time, or nil and a message
function clock.set(epoch)
  if type(epoch) ~= "number" or epoch ~= epoch or epoch == math.huge then
    return nil, "set must be a number of seconds since the epoch"
  end
  local now = clock.now()
  if epoch < now then
    return nil, "set must not go back in time (the emulated time is " .. string.format("%.3f", now) .. ")"
  end
  offset = offset + (epoch - now)
  return clock.now()
end

--- Seconds the emulated time is ahead of the wall clock.
function clock.offset()
  return offset
end

--- Back to the wall clock.
function clock.reset()
  offset = 0
end

return clock
