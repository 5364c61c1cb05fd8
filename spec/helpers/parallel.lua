-- What the client:parallel specs share: an emulator started once per
-- describe block and reset before each test, a client for it, fault
-- injection and the request log.
--   local h = require("spec.helpers.parallel").new()
--   setup(h.start); teardown(h.stop); before_each(h.reset)   -- h.e: the emulator
--   h.client{max_retries = 0}; h.fault{...}; h.count("GET", "/v3/projects")
local emu = require "spec.helpers.emulator"
local hwcloud = require "hwcloud"

local M = {}

--- The helpers (`e` is set once `start` ran).
-- @treturn table
function M.new()
  local h = {}
  function h.start() h.e = emu.start({ speed = 0 }) end
  function h.stop() if h.e then h.e.stop() end end
  function h.reset() h.e.reset() end

  --- A client of the default account (AK/SK and project id unless `opts`
  -- says otherwise; a field set to false is removed), quick retries.
  function h.client(o)
    local e = h.e
    local t = { ak = e.ak, sk = e.sk, region = e.region, endpoint = e.endpoint, project_id = e.project_id,
                retry_base_delay = 0.01, retry_max_delay = 0.05 }
    for k, v in pairs(o or {}) do t[k] = v end
    for k, v in pairs(t) do if v == false then t[k] = nil end end
    return hwcloud.new(t)
  end

  --- Add a fault rule (raises when the emulator refuses it).
  function h.fault(spec)
    local status = h.e.control("POST", "/_emulator/faults", spec)
    assert(status == 201, "fault not accepted: " .. tostring(status))
  end

  --- The emulator's request log, oldest first.
  function h.log()
    local _, body = h.e.control("GET", "/_emulator/requests?limit=500")
    return body.requests
  end

  --- How many logged requests had this method and path.
  function h.count(method, path)
    local n = 0
    for _, r in ipairs(h.log()) do
      if r.method == method and r.path == path then n = n + 1 end
    end
    return n
  end

  return h
end

return M
