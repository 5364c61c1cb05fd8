-- ListQuotaDetails: the project's quota and usage of endpoint services and
-- endpoints (quotas come from the config: `quotas` in accounts.json
-- settings or POST /_emulator/config).

local check = require "emu.vpcep.check"
local config = require "emu.config"
local json = require "emu.json"
local store = require "emu.vpcep.store"

local quotas = {}

local function used(map, project_id)
  local n = 0
  for _, r in pairs(map) do
    if not r.public and r.project_id == project_id then n = n + 1 end
  end
  return n
end

--- GET /v1/{project_id}/quotas?type=endpoint_service|endpoint
function quotas.list(req)
  local kind = check.enum(check.query(req, "type"), { "endpoint_service", "endpoint" }, "type")
  local out = json.array({})
  if kind == nil or kind == "endpoint_service" then
    out[#out + 1] = { type = "endpoint_service", used = used(store.services(), req.project_id),
                      quota = config.quota("endpoint_service") }
  end
  if kind == nil or kind == "endpoint" then
    out[#out + 1] = { type = "endpoint", used = used(store.endpoints(), req.project_id),
                      quota = config.quota("endpoint") }
  end
  return 200, { quotas = { resources = out } }
end

return quotas
