-- The registry of service modules (emu.iam, emu.vpcep, emu.rfs): loads each
-- one (a missing or broken module is reported, never fatal), registers its
-- routes with the router and resets them all on POST /_emulator/reset.

local log = require "emu.log"
local router = require "emu.router"

local services = {}

local NAMES = { "iam", "vpcep", "rfs" }

local loaded = {}        -- list of {name=, module=}
local unavailable = {}   -- name -> reason
services.router = router.new()

--- Load every service module and register its routes.
function services.load()
  loaded, unavailable = {}, {}
  services.router = router.new()
  for _, name in ipairs(NAMES) do
    local ok, mod = pcall(require, "emu." .. name)
    if ok and type(mod) == "table" and type(mod.routes) == "table" then
      for _, route in ipairs(mod.routes) do
        local r = services.router:add(name, route)
        r.module = mod
      end
      loaded[#loaded + 1] = { name = name, module = mod }
    else
      local reason = ok and "the module returned no routes" or tostring(mod)
      if reason:find("module 'emu." .. name .. "' not found", 1, true) then reason = "not installed" end
      unavailable[name] = reason
      if ngx and reason ~= "not installed" then
        log.error("emulator: service ", name, " failed to load: ", reason)
      end
    end
  end
end

--- Names of the loaded services.
function services.names()
  local out = {}
  for i, s in ipairs(loaded) do out[i] = s.name end
  return out
end

--- name -> reason for services that did not load.
function services.unavailable()
  return unavailable
end

--- Call every loaded module's reset().
function services.reset()
  for _, s in ipairs(loaded) do
    if type(s.module.reset) == "function" then s.module.reset() end
  end
end

return services
