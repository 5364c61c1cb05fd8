-- Private modules of the RFS emulator (RFS API reference, private module
-- operations, https://support.huaweicloud.com/api-aos/): a module is a
-- name with versions, each a zip package of .tf/.tf.json files fetched from
-- module_uri (a URL the emulator served) and checked against the package rules
-- at once. ShowPrivateModuleVersionMetadata gives the `module_source` string
-- templates cite (RFS API reference, private modules in templates);
-- ShowPrivateModuleVersionContent answers 307 to the stored zip.
-- The common catalogue behaviour is in registry.lua.

local check = require("emu.rfs.validate")
local registry = require("emu.rfs.registry")

local M = {}

--- The `source` of a module version (RFS API reference, private modules in
-- templates).
function M.source(region, domain_id, name, version)
  return "rf://rfs." .. region .. ".myhuaweicloud.com/private/" .. domain_id .. "/" .. name .. "?version==" .. version
end

-- The package of a version: {zip, file_name, files = {{name, data}}}.
local function package_of(uri)
  check.string(uri, "module_uri", 1, 2048)
  local bytes, file_name = registry.fetch(uri, "module_uri", { ".zip" })
  return { zip = bytes, file_name = file_name, files = registry.package(bytes, "module") }
end

local K = {
  kind = "module", noun = "private module", path = "/v1/private-modules", items = "modules",
  name = "module_name", id = "module_id", version = "module_version",
  description = "module_description", version_description = "version_description",
  check_name = check.name,
  -- [INFERRED] codes (not documented): see emulator/README.md
  codes = {
    not_found = "RF.10013064", version_not_found = "RF.10013065", exists = "RF.10013511",
    version_exists = "RF.10013512", id_mismatch = "RF.10011023", quota = "RF.10012566", version_quota = "RF.10012567",
  },
  create_fields = { "module_version", "module_uri", "version_description" },
  version_fields = { "module_uri" },
}

function K.on_create(_, b)
  return registry.first_version(b, "module_version", "module_uri", package_of)
end

function K.make_version(_, b)
  check.required(b.module_uri, "module_uri")
  return package_of(b.module_uri)
end

function K.created(item)
  return { module_id = item.id }
end

function K.version_out(item, v, out, detail)
  if detail then out.module_source = M.source(item.region, item.domain_id, item.name, v.version) end
end

function K.artefact(v)
  return v.content.zip, v.content.file_name
end

M.kind = K
M.routes = registry.routes(K)

return M
