-- Runtime settings of the emulator: the speed factor that scales every
-- asynchronous delay (0 = instant, 1 = as configured, 0.1 = ten times
-- faster), per-kind delays, token lifetime and quotas. Changed at run time
-- with POST /_emulator/config; reset restores the values it started with.

local json = require "emu.json"
local util = require "emu.util"

local config = {}

local defaults = {
  speed = 1,
  token_ttl = 86400,        -- seconds an IAM token stays valid
  delays = {},              -- kind -> seconds, overriding a module's default
  quotas = { endpoint_service = 20, endpoint = 50 },
  max_tags = 20,
  request_log_size = 500,
  rfs_fail_types = json.array({}), -- RFS resource types whose creation fails
  -- RFS documents no limit on count/for_each or instances per stack; these
  -- are the emulator's own [INFERRED], see emulator/README.md (issue 7, finding 5)
  rfs_max_count = 1000,     -- instances one resource block may expand to
  rfs_max_instances = 5000, -- resource and data instances in one template
}

-- what each setting accepts: the one validator for --config files and
-- POST /_emulator/config (issue 7, finding 8)
local function number_rule(min, above, integer, max)
  return function(v, name)
    if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
      return name .. " must be a number"
    end
    if integer and v ~= math.floor(v) then return name .. " must be a whole number" end
    if above and v <= min then return name .. " must be a number > " .. min end
    if not above and v < min then return name .. " must be a number >= " .. min end
    if max and v > max then return name .. " must be at most " .. max end
    return nil
  end
end

local function map_of(rule)
  return function(v, name)
    if type(v) ~= "table" or v[1] ~= nil then return name .. " must be an object" end
    for k, x in pairs(v) do
      if type(k) ~= "string" then return name .. " must be an object" end
      local msg = rule(x, name .. "." .. k)
      if msg then return msg end
    end
    return nil
  end
end

local function string_list(v, name)
  if type(v) ~= "table" then return name .. " must be an array of strings" end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  for i = 1, n do
    if type(v[i]) ~= "string" then return name .. " must be an array of strings" end
  end
  return nil
end

local rules = {
  speed = number_rule(0),
  token_ttl = number_rule(0, true),
  delays = map_of(number_rule(0)),
  quotas = map_of(number_rule(0, false, true)),
  max_tags = number_rule(0, false, true),
  request_log_size = number_rule(0, false, true, 100000),
  rfs_fail_types = string_list,
  rfs_max_count = number_rule(1, false, true),
  rfs_max_instances = number_rule(1, false, true),
}

local copy = util.deepcopy -- keeps the JSON array mark of lists

local startup = copy(defaults)
local current = copy(defaults)

-- settings that are maps merge key by key; every other value (lists too) is replaced
local MAPS = { delays = true, quotas = true }

local function merge(dst, src)
  for k, v in pairs(src) do
    if MAPS[k] and type(v) == "table" and type(dst[k]) == "table" then
      for mk, mv in pairs(v) do dst[k][mk] = mv end
    else
      dst[k] = copy(v)
    end
  end
end

--- Validate a settings table; returns nil or a message naming the setting.
local function check(t)
  if type(t) ~= "table" or (next(t) ~= nil and t[1] ~= nil) then return "settings must be a JSON object" end
  local names = {}
  for k in pairs(t) do names[#names + 1] = tostring(k) end
  table.sort(names)
  for _, k in ipairs(names) do
    local rule = rules[k]
    if not rule then return "unknown setting " .. k end
    local msg = rule(t[k], k)
    if msg then return msg end
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
