-- Private providers in templates of the RFS emulator (RFS API reference,
-- private providers, https://support.huaweicloud.com/api-aos/):
-- a `terraform { required_providers { x = { source =
-- "huawei.com/private-provider/<name>", version = "<exact>" } } }` entry
-- must name a provider of the stack's account + region and one of its
-- versions, else the run fails (deployment DEPLOYMENT_FAILED, plan
-- CREATION_FAILED). The emulator never calls the provider's FunctionGraph
-- function: the provider's resources are simulated like any other
-- (generic resources, emulator/README.md "Private providers in templates").

local V = require("emu.rfs.values")
local E = require("emu.rfs.evaluate")
local registry = require("emu.rfs.registry")

local M = {}

M.PREFIX = "huawei.com/private-provider/"

--- Check the private providers a configuration requires.
-- @param cfg configuration (cfg.required_providers)
-- @param domain_id, region the stack's account and region
-- @return nil when every private provider resolves, else a message
function M.check(cfg, domain_id, region)
  for _, rp in ipairs(cfg.required_providers or {}) do
    local ok, spec = pcall(E.eval, rp.expr, {})
    if ok and V.is_map(spec) and type(spec.source) == "string" then
      local source = spec.source
      if source:lower():sub(1, #M.PREFIX) == M.PREFIX then
        local name = source:sub(#M.PREFIX + 1):lower()
        local version = spec.version
        local where = "the provider \"" .. rp.name .. "\" (" .. source .. ")"
        if type(version) ~= "string" or version == "" then
          return "Invalid provider version; " .. where .. " needs an exact version"
        end
        if not version:match("^%d") then
          return "Invalid provider version; " .. where .. " must pin an exact version, not \"" .. version .. "\""
        end
        local p = domain_id and registry.find("provider", domain_id, region, name)
        if not p then return "Failed to query provider packages; the private provider " .. name .. " of " .. where .. " does not exist" end
        if not p.by_version[version] then
          return "Failed to query provider packages; the private provider " .. name .. " has no version " .. version
        end
      end
    end
  end
  return nil
end

return M
