-- Customized (private) providers of the RFS emulator (RFS API reference,
-- customized provider operations,
-- https://support.huaweicloud.com/api-aos/): a provider is a name (lower-case)
-- with optional agency; each version binds a semantic version to a
-- FunctionGraph function URN in the same region. The emulator never calls
-- FunctionGraph: templates that use a provider version get generic simulated
-- resources (RFS API reference, private providers in templates). The common
-- catalogue behaviour is in registry.lua.

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")
local check = require("emu.rfs.validate")
local registry = require("emu.rfs.registry")

local M = {}

local function bad(code, msg) fail(400, code, msg) end

--- `huawei.com/private-provider/{provider_name}` (RFS API reference, private
-- providers in templates).
function M.source(name) return "huawei.com/private-provider/" .. name end

-- 1-64 characters: lower-case letters, digits and "-", first and last a
-- lower-case letter or a digit (RFS API reference, CreatePrivateProvider).
local function check_name(v, field)
  check.required(v, field)
  check.string(v, field, 1, 64)
  if not (v:match("^[a-z0-9]$") or v:match("^[a-z0-9][a-z0-9%-]*[a-z0-9]$")) then
    bad("RF.10011166", field .. " must contain only lower-case letters, digits and '-', and start and end with a letter or a digit")
  end
  return v
end

-- urn:fss:{region}:{project_id}:function:{package}:{name}[:{version}] in the
-- region of the request (RFS API reference, CreatePrivateProviderVersion; code
-- RF.10011167 [OTC-ERR]).
local function check_urn(req, v)
  check.required(v, "function_graph_urn")
  check.string(v, "function_graph_urn", 32, 256)
  local region = v:match("^urn:fss:([%w%-]+):%w+:function:[%w_%-]+:[%w_%-%.]+$")
    or v:match("^urn:fss:([%w%-]+):%w+:function:[%w_%-]+:[%w_%-%.]+:[%w_%-%.!]+$")
  if not region then
    bad("RF.10011167", "function_graph_urn must be a FunctionGraph function URN (urn:fss:{region}:{project_id}:function:{package}:{name})")
  end
  local _, here = U.scope(req)
  if region ~= here then bad("RF.10011167", "function_graph_urn must name a function in the region " .. here) end
  return v
end

local K = {
  kind = "provider", noun = "private provider", path = "/v1/private-providers", items = "providers",
  name = "provider_name", id = "provider_id", version = "provider_version",
  description = "provider_description", version_description = "version_description",
  check_name = check_name,
  -- [INFERRED] codes (not documented): see emulator/README.md
  codes = {
    not_found = "RF.10013060", version_not_found = "RF.10013061", exists = "RF.10013507",
    version_exists = "RF.10013508", id_mismatch = "RF.10011021", quota = "RF.10012561", version_quota = "RF.10012562",
  },
  create_fields = { "provider_version", "version_description", "function_graph_urn", "provider_agency_urn", "provider_agency_name" },
  version_fields = { "function_graph_urn" },
}

function K.on_create(req, b, item)
  check.string(b.provider_agency_urn, "provider_agency_urn", 1, 2048)
  check.string(b.provider_agency_name, "provider_agency_name", 1, 64)
  if b.provider_agency_urn ~= nil and b.provider_agency_name ~= nil then
    bad("RF.10011003", "provider_agency_urn and provider_agency_name cannot both be given")
  end
  item.agency_urn, item.agency_name = b.provider_agency_urn, b.provider_agency_name
  return registry.first_version(b, "provider_version", "function_graph_urn",
    function(urn) return { urn = check_urn(req, urn) } end)
end

function K.make_version(req, b)
  return { urn = check_urn(req, b.function_graph_urn) }
end

function K.created(item)
  return { provider_id = item.id, provider_source = M.source(item.name) }
end

function K.summary(item, out)
  out.provider_source = M.source(item.name)
  out.provider_agency_urn, out.provider_agency_name = item.agency_urn, item.agency_name
end

function K.version_out(item, v, out, detail)
  out.function_graph_urn = v.content.urn
  if detail then out.provider_source = M.source(item.name) end
end

M.kind = K
M.routes = registry.routes(K)

return M
