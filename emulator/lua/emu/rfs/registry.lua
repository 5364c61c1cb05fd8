-- The private registries of the RFS emulator (RFS API reference,
-- https://support.huaweicloud.com/api-aos/): customized
-- providers, private hooks and private modules are three catalogues of one
-- shape — named items per account + region with server-made ids, owning
-- immutable, semantic-versioned versions. This file holds that shape once:
-- the store, the name+id guard, create/list/show/update/delete of items and
-- versions, sorting and paging, quotas, and the package (zip) rules. Each
-- catalogue (private_providers.lua, private_hooks.lua, private_modules.lua)
-- describes only what is its own. Error codes the references do not
-- document are [INFERRED] and listed in emulator/README.md.

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")
local util = require("emu.util")
local config = require("emu.config")
local check = require("emu.rfs.validate")
local store = require("emu.rfs.store")
local blobs = require("emu.rfs.blobs")
local zip = require("emu.rfs.zip")

local M = {}

--- Quotas [INFERRED; RFS API reference, private registry quotas]: items per
-- account + region and versions per item (hooks: 200 per [TF]); the emulator
-- setting `quotas` (POST /_emulator/config) overrides them as
-- rfs_private_items, rfs_private_versions and rfs_private_hook_versions.
M.QUOTA = { items = 100, versions = 100, hook_versions = 200 }

local function quota(kind)
  return config.quota("rfs_private_" .. kind) or M.QUOTA[kind]
end

--- Package rules of module and policy archives (RFS API reference,
-- CreatePrivateModule).
M.PACKAGE = { max_bytes = 1048576, max_files = 100, max_path = 2048, max_file_name = 255 }

--- List `limit` bounds (RFS API reference, private registry lists): 10-1000,
-- default 1000.
local LIMIT = { 10, 1000, 1000 }

local state

--- Forget every provider, hook and module.
function M.reset() state = {} end
M.reset()

--- The catalogue of a kind for an account + region: {list, by_name}.
function M.catalogue(kind, domain_id, region)
  return store.bucket(state, kind .. "|" .. domain_id .. "|" .. region)
end

local function bad(code, msg) fail(400, code, msg) end

--- Check a semantic version (RFS API reference, private registry versions):
-- 5-128 characters, MAJOR.MINOR.PATCH each an unsigned 64-bit integer without
-- leading zeros, optional SemVer 2.0.0 pre-release and build parts.
function M.semver(v, field)
  check.required(v, field)
  check.string(v, field, 5, 128)
  local core, rest = v:match("^(%d+%.%d+%.%d+)(.*)$")
  local ok = core ~= nil
  if ok then
    for n in core:gmatch("%d+") do
      if (#n > 1 and n:sub(1, 1) == "0") or #n > 20 or (#n == 20 and n > "18446744073709551615") then ok = false end
    end
    local pre, build = rest:match("^%-([%w%-%.]+)(.*)$")
    if pre then rest = build end
    local b = rest:match("^%+([%w%-%.]+)$")
    if rest ~= "" and not b then ok = false end
    for _, part in ipairs({ pre or "x", b or "x" }) do
      if part:find("^%.") or part:find("%.$") or part:find("%.%.") then ok = false end
    end
  end
  if not ok then bad("RF.10011038", field .. " must be a semantic version such as 1.0.0, got '" .. v .. "'") end
  return v
end

--- The first version a create body may carry (providers, modules):
-- `version_field` and `content_field` both given or neither.
-- @param content function(value of content_field) -> the version's content
-- @return {version, description, content} or nil when neither is given
function M.first_version(b, version_field, content_field, content)
  check.description(b.version_description, "version_description")
  if (b[version_field] == nil) ~= (b[content_field] == nil) then
    bad("RF.10011001", version_field .. " and " .. content_field .. " must be given together")
  end
  if b[version_field] == nil then return nil end
  M.semver(b[version_field], version_field)
  return { version = b[version_field], description = b.version_description, content = content(b[content_field]) }
end

--- Check the package of a module or a hook policy archive (RFS API
-- reference, CreatePrivateHook and CreatePrivateModule) and return its files.
-- @param bytes the archive
-- @param want "module" (needs a .tf/.tf.json, no .tfvars) or "policy" (needs a .rego)
-- @return list of {name, data} (directories left out)
function M.package(bytes, want)
  local P = M.PACKAGE
  if #bytes > P.max_bytes then bad("RF.10011026", "the package is larger than " .. P.max_bytes .. " bytes") end
  local entries, why, kind = zip.read(bytes, { max_files = P.max_files, max_size = P.max_bytes })
  if not entries then
    if kind == "files" then bad("RF.10011041", "the package holds too many files: " .. why) end
    if kind == "size" then bad("RF.10011042", "the package is too large: " .. why) end
    bad("RF.10011102", "the package cannot be read as a zip archive: " .. why)
  end
  local files, found = {}, false
  for _, e in ipairs(entries) do
    local name = e.name
    if #name > P.max_path then bad("RF.10011151", "a path in the package is longer than " .. P.max_path .. " bytes") end
    if name:sub(1, 1) == "/" then bad("RF.10011155", "the path " .. name .. " in the package starts with '/'") end
    local path = name:gsub("/$", "")
    for seg in (path .. "/"):gmatch("([^/]*)/") do
      if seg == "" or seg == "." or seg == ".." then
        bad("RF.10011156", "the path " .. name .. " in the package has an empty, '.' or '..' segment")
      end
      if #seg > P.max_file_name then bad("RF.10011152", "a file name in the package is longer than " .. P.max_file_name .. " bytes") end
    end
    if name:sub(-1) ~= "/" then
      if want == "module" then
        if name:match("%.tfvars$") or name:match("%.tfvars%.json$") then bad("RF.10011025", "the package must not hold .tfvars files: " .. name) end
        if name:match("%.tf$") or name:match("%.tf%.json$") then found = true end
      elseif name:match("%.rego$") then
        found = true
      end
      if not check.is_utf8(e.data) and (name:match("%.tf$") or name:match("%.json$") or name:match("%.rego$")) then
        bad("RF.10011085", "the file " .. name .. " is not UTF-8")
      end
      files[#files + 1] = e
    end
  end
  if not found then
    if want == "module" then bad("RF.10011157", "the package holds no .tf or .tf.json file") end
    bad("RF.10011157", "the package holds no .rego file")
  end
  return files
end

--- The content behind an OBS-style URI the emulator can fetch (a URL it
-- served: an upload to /_rfs/blobs or a 307 Location), else 400.
-- @param uri the URI
-- @param field its field name (for the message)
-- @param suffixes list of accepted path suffixes (".zip", ".rego")
function M.fetch(uri, field, suffixes)
  local path = uri:gsub("[?#].*$", "")
  local ok = uri:match("^https?://") ~= nil
  if ok then
    ok = false
    for _, s in ipairs(suffixes) do if path:sub(-#s) == s then ok = true end end
  end
  if not ok then bad("RF.10011035", field .. " must be an http(s) URL ending in " .. table.concat(suffixes, " or ")) end
  local content = blobs.resolve(uri)
  if not content then
    bad("RF.10011074", field .. " cannot be fetched by the emulator; upload the file to /_rfs/blobs and use the URL it returns")
  end
  return content, path:match("([^/]+)$")
end

-- ---------------------------------------------------------------- kinds

-- A kind (see private_*.lua) has: kind, path, noun, name, id, version,
-- description, version_description, items (list field), codes {not_found,
-- version_not_found, exists, version_exists, id_mismatch, quota,
-- version_quota}, version_quota, check_name(v), and optional hooks:
-- create_fields, on_create(req, b, item) -> first version body or nil,
-- version_fields, make_version(req, b, item) -> content, update_fields,
-- on_update(b, item) -> changed, summary(item, out), version_out(item, v,
-- out, detail), created(item) -> response body, before_delete_version(item,
-- v), artefact(v) -> content, file name (served by a 307 download at
-- versions/{v} .. download_suffix).

local function scope(K, req)
  local domain, region = U.scope(req)
  return M.catalogue(K.kind, domain, region), domain, region
end

-- The item named in the path, with the guard from the query or body.
local function get(K, req, guard)
  check.client_request_id(req)
  local name = req.params[K.name]
  K.check_name(name, K.name)
  local item = scope(K, req).by_name[name]
  if not item then fail(404, K.codes.not_found, "the " .. K.noun .. " " .. name .. " does not exist") end
  check.guard(req, guard, K.id, item.id, K.codes.id_mismatch, "the " .. K.noun .. " named " .. name)
  return item
end

local function get_version(K, req, item)
  local v = req.params[K.version]
  M.semver(v, K.version)
  local found = item.by_version[v]
  if not found then fail(404, K.codes.version_not_found, "the " .. K.noun .. " " .. item.name .. " has no version " .. v) end
  return found
end

--- Add a version to an item (checks uniqueness and quota).
function M.add_version(K, item, version, description, content, now)
  if item.by_version[version] then
    fail(409, K.codes.version_exists, "the " .. K.noun .. " " .. item.name .. " already has a version " .. version)
  end
  local limit = quota(K.version_quota or "versions")
  if #item.versions >= limit then
    fail(403, K.codes.version_quota, "the version quota (" .. limit .. " per " .. K.noun .. ") is used up")
  end
  local v = { version = version, description = description, content = content, create_t = now, seq = store.next_seq() }
  item.versions[#item.versions + 1] = v
  item.by_version[version] = v
  return v
end

local function item_out(K, item)
  local out = {
    [K.name] = item.name, [K.id] = item.id, [K.description] = item.description,
    create_time = util.iso_ms(item.create_t), update_time = util.iso_ms(item.update_t),
  }
  if K.summary then K.summary(item, out) end
  return out
end

local function version_out(K, item, v, detail)
  local out = {
    [K.name] = item.name, [K.id] = item.id, [K.version] = v.version,
    [K.version_description] = v.description, create_time = util.iso_ms(v.create_t),
  }
  if K.version_out then K.version_out(item, v, out, detail) end
  return out
end

-- The handlers of a kind as closures over K: ten short functions sharing it,
-- not one long procedure.
local function handlers(K)
  local H = {}

  -- the body, with the fields `base` plus the kind's `extra`
  local function body(req, base, extra)
    check.client_request_id(req)
    for _, f in ipairs(extra or {}) do base[#base + 1] = f end
    return check.body(req, check.fields((table.unpack or unpack)(base)), true)
  end

  function H.create(req)
    local b = body(req, { K.name, K.description }, K.create_fields)
    K.check_name(b[K.name], K.name)
    check.description(b[K.description], K.description)
    local c, domain, region = scope(K, req)
    local item = {
      id = util.uuid(), name = b[K.name], description = b[K.description], domain_id = domain, region = region,
      create_t = req.now, update_t = req.now, seq = store.next_seq(), versions = {}, by_version = {},
    }
    local first = K.on_create and K.on_create(req, b, item)
    if c.by_name[item.name] then fail(409, K.codes.exists, "the " .. K.noun .. " name " .. item.name .. " is already used") end
    local limit = quota("items")
    if #c.list >= limit then fail(403, K.codes.quota, "the " .. K.noun .. " quota (" .. limit .. ") is used up") end
    if first then M.add_version(K, item, first.version, first.description, first.content, req.now) end
    store.insert(c, item.name, item)
    return 201, K.created(item)
  end

  function H.list(req)
    check.client_request_id(req)
    local items = {}
    for _, it in ipairs(scope(K, req).list) do items[#items + 1] = it end
    U.sorted(req, items)
    local out, info = U.page(req, items, function(it) return it.id end, function(it) return item_out(K, it) end, LIMIT)
    return 200, { [K.items] = out, page_info = info }
  end

  function H.show(req)
    return 200, item_out(K, get(K, req))
  end

  function H.update(req)
    local b = body(req, { K.id, K.description }, K.update_fields)
    check.description(b[K.description], K.description)
    local item = get(K, req, b[K.id])
    local changed = b[K.description] ~= nil
    if K.on_update and K.on_update(b, item) then changed = true end
    if not changed then bad("RF.10011084", "there is nothing to modify in the request") end
    if b[K.description] ~= nil then item.description = b[K.description] end
    item.update_t = req.now
    return 204
  end

  function H.delete(req)
    local item = get(K, req)
    store.remove(scope(K, req), item.name, item)
    item.deleted = true
    return 204
  end

  function H.create_version(req)
    local b = body(req, { K.id, K.version, K.version_description }, K.version_fields)
    M.semver(b[K.version], K.version)
    check.description(b[K.version_description], K.version_description)
    local item = get(K, req, b[K.id])
    local content = K.make_version(req, b, item)
    M.add_version(K, item, b[K.version], b[K.version_description], content, req.now)
    return 201
  end

  function H.list_versions(req)
    local item = get(K, req)
    local items = {}
    for _, v in ipairs(item.versions) do items[#items + 1] = v end
    U.sorted(req, items)
    local out, info = U.page(req, items, function(v) return v.version end,
      function(v) return version_out(K, item, v, false) end, LIMIT)
    return 200, { versions = out, page_info = info }
  end

  function H.show_version(req)
    local item = get(K, req)
    return 200, version_out(K, item, get_version(K, req, item), true)
  end

  function H.delete_version(req)
    local item = get(K, req)
    local v = get_version(K, req, item)
    if K.before_delete_version then K.before_delete_version(item, v) end
    item.by_version[v.version] = nil
    util.remove(item.versions, v)
    return 204
  end

  function H.download(req)
    local item = get(K, req)
    local content, file_name = K.artefact(get_version(K, req, item))
    return blobs.redirect(req, content, file_name)
  end

  return H
end

--- The routes of a kind: the nine operations every catalogue has, plus the
-- content download at `download_path` when the kind has one.
function M.routes(K)
  local H = handlers(K)
  local P, N, V = K.path, "/{" .. K.name .. "}", "/versions/{" .. K.version .. "}"
  local r = {
    { method = "POST", path = P, handler = H.create },
    { method = "GET", path = P, handler = H.list },
    { method = "GET", path = P .. N .. "/metadata", handler = H.show },
    { method = "PATCH", path = P .. N .. "/metadata", handler = H.update },
    { method = "DELETE", path = P .. N, handler = H.delete },
    { method = "POST", path = P .. N .. "/versions", handler = H.create_version },
    { method = "GET", path = P .. N .. "/versions", handler = H.list_versions },
    { method = "GET", path = P .. N .. V .. "/metadata", handler = H.show_version },
    { method = "DELETE", path = P .. N .. V, handler = H.delete_version },
  }
  if K.artefact then
    r[#r + 1] = { method = "GET", path = P .. N .. V .. (K.download_suffix or ""), handler = H.download }
  end
  return r
end

--- The item of a kind named `name` in an account + region, or nil (for
-- deployments resolving hooks, modules and providers).
function M.find(kind, domain_id, region, name)
  return M.catalogue(kind, domain_id, region).by_name[name]
end

--- The items of a kind in an account + region, oldest first.
function M.all(kind, domain_id, region)
  local list = {}
  for _, it in ipairs(M.catalogue(kind, domain_id, region).list) do list[#list + 1] = it end
  table.sort(list, function(a, b)
    if a.create_t ~= b.create_t then return a.create_t < b.create_t end
    return a.seq < b.seq
  end)
  return list
end

return M
