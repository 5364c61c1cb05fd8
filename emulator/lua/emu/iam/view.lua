-- How IAM renders its objects: token bodies (with a service catalog that
-- points back at the emulator), projects and domains.

local json = require "emu.json"
local util = require "emu.util"

local view = {}

local CATALOG_SERVICES = { { "iam", "identity" }, { "vpcep", "vpcep" }, { "rfs", "rfs" } }

local function catalog(base_url, region)
  local out = json.array({})
  for i, s in ipairs(CATALOG_SERVICES) do
    out[i] = {
      id = util.hex(32), name = s[1], type = s[2],
      endpoints = json.array({ {
        id = util.hex(32), interface = "public", region = region or "*",
        region_id = region or "*", url = base_url,
      } }),
    }
  end
  return out
end

--- The {"token": {...}} body for a token record.
function view.token(rec, base_url, nocatalog)
  local a = rec.account
  local t = {
    expires_at = util.iso_micro(rec.expires_at), issued_at = util.iso_micro(rec.issued_at),
    methods = json.array(util.copy(rec.methods)),
    catalog = nocatalog and json.array({}) or catalog(base_url, rec.project and rec.project.region),
    roles = json.array({ { id = "0", name = "op_service" }, { id = "0", name = "te_admin" } }),
    user = {
      id = a.user_id, name = a.user_name, password_expires_at = "",
      domain = { id = a.domain_id, name = a.domain_name },
    },
  }
  if rec.project then
    t.project = { id = rec.project.id, name = rec.project.name, domain = { id = a.domain_id, name = a.domain_name } }
  else
    t.domain = { id = a.domain_id, name = a.domain_name }
  end
  return { token = t }
end

--- A project item.
function view.project(p, a, base_url)
  return {
    id = p.id, name = p.name, domain_id = a.domain_id, parent_id = a.domain_id,
    description = "", enabled = true, is_domain = false,
    links = { self = base_url .. "/v3/projects/" .. p.id, previous = json.null, next = json.null },
  }
end

return view
