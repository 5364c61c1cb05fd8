-- Runtime settings of the emulator: the speed factor that scales every
-- asynchronous delay (0 = instant, 1 = as configured, 0.1 = ten times
-- faster), per-kind delays, token lifetime and quotas. Changed at run time
-- with POST /_emulator/config; reset restores the values it started with.

local config = {}

local defaults = {
  speed = 1,
  token_ttl = 86400,        -- seconds an IAM token stays valid
  delays = {},              -- kind -> seconds, overriding a module's default
  quotas = { endpoint_service = 20, endpoint = 50 },
  max_tags = 20,
  request_log_size = 500,
}

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

local startup = copy(defaults)
local current = copy(defaults)

local function merge(dst, src)
  for k, v in pairs(src) do
    if type(v) == "table" and type(dst[k]) == "table" then
      merge(dst[k], v)
    else
      dst[k] = copy(v)
    end
  end
end

--- Validate a settings table; returns nil or a message.
local function check(t)
  if type(t) ~= "table" then return "settings must be a JSON object" end
  if t.speed ~= nil and (type(t.speed) ~= "number" or t.speed < 0) then
    return "speed must be a number >= 0"
  end
  if t.token_ttl ~= nil and (type(t.token_ttl) ~= "number" or t.token_ttl <= 0) then
    return "token_ttl must be a number > 0"
  end
  for _, name in ipairs({ "delays", "quotas" }) do
    if t[name] ~= nil then
      if type(t[name]) ~= "table" then return name .. " must be an object" end
      for k, v in pairs(t[name]) do
        if type(v) ~= "number" or v < 0 then return name .. "." .. tostring(k) .. " must be a number >= 0" end
      end
    end
  end
  return nil
end

--- Set the values the emulator starts with (and returns to on reset).
function config.init(settings)
  startup = copy(defaults)
  merge(startup, settings or {})
  current = copy(startup)
end

--- Change settings at run time. Returns the current settings, or nil and a message.
function config.set(t)
  local msg = check(t)
  if msg then return nil, msg end
  merge(current, t)
  return current
end

--- Back to the values the emulator started with.
function config.reset()
  current = copy(startup)
end

--- The current settings table (read only by convention).
function config.get()
  return current
end

--- The delay in seconds for an asynchronous step of the given kind: the
-- configured value for `kind` (or `default_seconds`) times the speed factor.
function config.delay(kind, default_seconds)
  local base = current.delays[kind]
  if base == nil then base = default_seconds or 0 end
  return base * current.speed
end

--- One setting by name (e.g. "token_ttl").
function config.value(name)
  return current[name]
end

--- A quota by resource type.
function config.quota(kind)
  return current.quotas[kind]
end

config.check = check

return config
