-- Private hooks of the RFS emulator (RFS API reference, private hook
-- operations, https://support.huaweicloud.com/api-aos/): a hook
-- has a default version (the one evaluated), a configuration
-- (target_stacks NONE | ALL, failure_mode WARN | FAIL) and versions holding
-- a Rego policy, given inline (policy_body) or as a .rego / .zip the
-- emulator served (policy_uri). Policies are compiled at version creation
-- (emu.rfs.rego), so a policy outside the supported subset is refused then,
-- not at deployment. ShowPrivateHookVersionPolicy answers 307 to the stored artefact. The common
-- catalogue behaviour is in registry.lua; hooks.lua runs them on stacks.

local fail = require("emu.errors").raise
local json = require("emu.json")
local check = require("emu.rfs.validate")
local registry = require("emu.rfs.registry")
local rego = require("emu.rfs.rego")

local M = {}

local function bad(code, msg) fail(400, code, msg) end

--- Code of a policy the emulator refuses (syntax, or outside the subset) [INFERRED].
M.INVALID_POLICY = "RF.10011171"

local ENUMS = { target_stacks = { NONE = true, ALL = true }, failure_mode = { WARN = true, FAIL = true } }

-- HookConfiguration (RFS API reference, CreatePrivateHook); returns the
-- checked object.
local function check_configuration(c)
  if c == nil then return nil end
  if type(c) ~= "table" or c[1] ~= nil then bad("RF.10011038", "configuration must be an object") end
  for k, v in pairs(c) do
    if not ENUMS[k] then bad("RF.10011002", "the request has a parameter the API does not know: configuration." .. tostring(k)) end
    if v ~= json.null and not ENUMS[k][v] then
      local names = {}
      for n in pairs(ENUMS[k]) do names[#names + 1] = n end
      table.sort(names)
      bad("RF.10011027", "configuration." .. k .. " must be " .. table.concat(names, " or "))
    end
  end
  return c
end

-- The policy of a version: {sources = {rego texts}, artefact, file_name, compiled}.
local function policy_of(b)
  if b.policy_body ~= nil and b.policy_uri ~= nil then bad("RF.10011003", "policy_body and policy_uri cannot both be given") end
  if b.policy_body == nil and b.policy_uri == nil then bad("RF.10011001", "one of policy_body and policy_uri is required") end
  check.string(b.policy_body, "policy_body", 1, registry.PACKAGE.max_bytes)
  check.string(b.policy_uri, "policy_uri", 1, 2048)
  local p
  if b.policy_body ~= nil then
    p = { sources = { { name = "policy.rego", text = b.policy_body } }, artefact = b.policy_body, file_name = "policy.rego" }
  else
    local content, file_name = registry.fetch(b.policy_uri, "policy_uri", { ".rego", ".zip" })
    p = { artefact = content, file_name = file_name, sources = {} }
    if file_name:match("%.zip$") then
      for _, f in ipairs(registry.package(content, "policy")) do
        if f.name:match("%.rego$") then p.sources[#p.sources + 1] = { name = f.name, text = f.data } end
      end
    else
      if #content > registry.PACKAGE.max_bytes then bad("RF.10011026", "the policy is larger than " .. registry.PACKAGE.max_bytes .. " bytes") end
      p.sources[1] = { name = file_name, text = content }
    end
  end
  for _, s in ipairs(p.sources) do
    if not check.is_utf8(s.text) then bad("RF.10011085", "the policy " .. s.name .. " is not UTF-8") end
  end
  local compiled, err = rego.compile(p.sources)
  if not compiled then bad(M.INVALID_POLICY, "the policy is not valid for the emulator's Rego subset: " .. err) end
  p.compiled = compiled
  return p
end

local K = {
  kind = "hook", noun = "private hook", path = "/v1/private-hooks", items = "hooks",
  name = "hook_name", id = "hook_id", version = "hook_version",
  description = "hook_description", version_description = "hook_version_description",
  check_name = check.name, version_quota = "hook_versions",
  -- [INFERRED] codes (not documented): see emulator/README.md
  codes = {
    not_found = "RF.10013062", version_not_found = "RF.10013063", exists = "RF.10013509",
    version_exists = "RF.10013510", id_mismatch = "RF.10011022", quota = "RF.10012563", version_quota = "RF.10012564",
    default_version = "RF.10012565",
  },
  create_fields = { "hook_version", "hook_version_description", "configuration", "policy_uri", "policy_body" },
  version_fields = { "policy_uri", "policy_body" },
  update_fields = { "default_version", "configuration" },
  download_suffix = "/policies",
}

function K.on_create(_, b, item)
  registry.semver(b.hook_version, "hook_version")
  check.description(b.hook_version_description, "hook_version_description")
  local c = check_configuration(b.configuration) or {}
  item.configuration = {
    target_stacks = c.target_stacks ~= json.null and c.target_stacks or "NONE",
    failure_mode = c.failure_mode ~= json.null and c.failure_mode or "WARN",
  }
  item.default_version = b.hook_version
  return { version = b.hook_version, description = b.hook_version_description, content = policy_of(b) }
end

function K.make_version(_, b)
  return policy_of(b)
end

function K.on_update(b, item)
  local changed = false
  if b.default_version ~= nil then
    registry.semver(b.default_version, "default_version")
    if not item.by_version[b.default_version] then
      fail(404, K.codes.version_not_found, "the private hook " .. item.name .. " has no version " .. b.default_version)
    end
    changed = true
  end
  local c = check_configuration(b.configuration)
  -- validate everything before changing anything
  if b.default_version ~= nil then item.default_version = b.default_version end
  if c ~= nil then
    for k, v in pairs(c) do
      if v ~= json.null then item.configuration[k] = v; changed = true end
    end
  end
  return changed
end

function K.created(item)
  return { hook_id = item.id }
end

function K.summary(item, out)
  out.default_version = item.default_version
  out.configuration = { target_stacks = item.configuration.target_stacks, failure_mode = item.configuration.failure_mode }
end

function K.before_delete_version(item, v)
  if v.version == item.default_version then
    fail(403, K.codes.default_version, "the default version " .. v.version .. " of the private hook " .. item.name ..
      " cannot be deleted; make another version the default or delete the hook")
  end
end

function K.artefact(v)
  return v.content.artefact, v.content.file_name
end

M.kind = K
M.routes = registry.routes(K)

return M
