-- Template management of the RFS emulator (RFS API reference,
-- template management, https://support.huaweicloud.com/api-aos/): a per-project
-- catalogue of versioned templates (V1, V2, ...): CreateTemplate,
-- ListTemplates, ShowTemplateMetadata, UpdateTemplateMetadata,
-- DeleteTemplate, CreateTemplateVersion, ListTemplateVersions,
-- ShowTemplateVersionContent (307 to an emulator-served URL),
-- ShowTemplateVersionMetadata and DeleteTemplateVersion. Error codes the
-- references do not document are marked [INFERRED].

local fail = require("emu.errors").raise
local json = require("emu.json")
local U = require("emu.rfs.util")
local util = require("emu.util")
local check = require("emu.rfs.validate")
local store = require("emu.rfs.store")
local sources = require("emu.rfs.sources")
local template = require("emu.rfs.template")
local blobs = require("emu.rfs.blobs")

local M = {}

local TEMPLATE_QUOTA, VERSION_QUOTA = 100, 100

-- [INFERRED] codes (not documented): see emulator/README.md
M.CODES = {
  not_found = "RF.10013040", version_not_found = "RF.10013041", exists = "RF.10013504",
  id_mismatch = "RF.10011019", last_version = "RF.10012551", quota = "RF.10012552", version_quota = "RF.10012553",
}

local fields = check.fields

local function content_of(b)
  check.template_source(b, true, b.__uri_max)
  local text, files, origin = b.template_body, nil, nil
  if b.template_uri ~= nil then text, files, origin = sources.fetch_template(b.template_uri) end
  local ok, msg = template.try_load(text, origin)
  if not ok then fail(400, "RF.10011073", "invalid template body: " .. msg) end
  return text
end

local function get(req, guard)
  check.client_request_id(req)
  local name = req.params.template_name
  check.name(name, "template_name")
  local t = store.templates(req.project_id).by_name[name]
  if not t then fail(404, M.CODES.not_found, "the template " .. name .. " does not exist") end
  check.guard(req, guard, "template_id", t.template_id, M.CODES.id_mismatch, "the template named " .. name)
  return t
end

local function get_version(req, t)
  local vid = req.params.version_id
  check.version_id(vid)
  for _, v in ipairs(t.versions) do
    if v.version_id == vid then return v end
  end
  fail(404, M.CODES.version_not_found, "the template " .. t.template_name .. " has no version " .. vid)
end

local function add_version(t, text, description, now)
  t.next_n = t.next_n + 1
  local v = { version_id = "V" .. t.next_n, version_description = description, create_t = now, body = text, seq = store.next_seq() }
  t.versions[#t.versions + 1] = v
  t.update_t = now
  return v
end

--- T1 CreateTemplate
local function create_template(req)
  check.client_request_id(req)
  local b = check.body(req, fields("template_name", "template_description", "version_description", "template_body", "template_uri"), true)
  check.name(b.template_name, "template_name")
  check.description(b.template_description, "template_description")
  check.description(b.version_description, "version_description")
  local text = content_of(b)
  local bucket = store.templates(req.project_id)
  if bucket.by_name[b.template_name] then
    fail(409, M.CODES.exists, "the template name " .. b.template_name .. " is already used")
  end
  if #bucket.list >= TEMPLATE_QUOTA then fail(403, M.CODES.quota, "the template quota (" .. TEMPLATE_QUOTA .. ") is used up") end
  local t = {
    template_id = util.uuid(), template_name = b.template_name, template_description = b.template_description,
    create_t = req.now, update_t = req.now, versions = {}, next_n = 0, seq = store.next_seq(),
  }
  local v = add_version(t, text, b.version_description, req.now)
  store.insert(bucket, t.template_name, t)
  return 200, { template_id = t.template_id, version_id = v.version_id }
end

local function latest(t)
  return t.versions[#t.versions]
end

--- T2 ListTemplates
local function list_templates(req)
  check.client_request_id(req)
  local items = {}
  for _, t in ipairs(store.templates(req.project_id).list) do items[#items + 1] = t end
  util.sort_by_time(items, "create_t", "seq")
  local page, info = U.paginate(req, items, function(t) return t.template_id end)
  local out = json.array()
  for _, t in ipairs(page) do
    local l = latest(t)
    out[#out + 1] = {
      template_id = t.template_id, template_name = t.template_name, template_description = t.template_description,
      create_time = util.iso(t.create_t), update_time = util.iso(t.update_t),
      latest_version_id = l.version_id, latest_version_description = l.version_description or "",
    }
  end
  return 200, { templates = out, page_info = info }
end

--- T3 ShowTemplateMetadata
local function show_metadata(req)
  local t = get(req)
  return 200, {
    template_id = t.template_id, template_name = t.template_name, template_description = t.template_description,
    create_time = util.iso(t.create_t), update_time = util.iso(t.update_t),
  }
end

--- T4 UpdateTemplateMetadata
local function update_metadata(req)
  check.client_request_id(req)
  local b = check.body(req, fields("template_id", "template_description"), true)
  check.description(b.template_description, "template_description")
  local t = get(req, b.template_id)
  if b.template_description == nil then fail(400, "RF.10011084", "there is nothing to modify in the request") end
  t.template_description = b.template_description
  t.update_t = req.now
  return 204
end

--- T5 DeleteTemplate
local function delete_template(req)
  local t = get(req)
  store.remove(store.templates(req.project_id), t.template_name, t)
  return 204
end

--- T6 CreateTemplateVersion
local function create_version(req)
  check.client_request_id(req)
  local b = check.body(req, fields("version_description", "template_body", "template_uri"), true)
  check.description(b.version_description, "version_description")
  local t = get(req)
  b.__uri_max = 1024
  local text = content_of(b)
  if #t.versions >= VERSION_QUOTA then fail(403, M.CODES.version_quota, "the version quota (" .. VERSION_QUOTA .. " per template) is used up") end
  local v = add_version(t, text, b.version_description, req.now)
  return 200, { version_id = v.version_id }
end

--- T7 ListTemplateVersions
local function list_versions(req)
  local t = get(req)
  local items = {}
  for _, v in ipairs(t.versions) do items[#items + 1] = v end
  util.sort_by_time(items, "create_t", "seq")
  local page, info = U.paginate(req, items, function(v) return v.version_id end)
  local out = json.array()
  for _, v in ipairs(page) do
    out[#out + 1] = {
      template_id = t.template_id, template_name = t.template_name, version_description = v.version_description,
      create_time = util.iso(v.create_t), version_id = v.version_id,
    }
  end
  return 200, { versions = out, page_info = info }
end

--- T8 ShowTemplateVersionContent: 307 to the content
local function show_version_content(req)
  local t = get(req)
  local v = get_version(req, t)
  return blobs.redirect(req, v.body)
end

--- T9 ShowTemplateVersionMetadata
local function show_version_metadata(req)
  local t = get(req)
  local v = get_version(req, t)
  return 200, {
    template_id = t.template_id, template_name = t.template_name, version_description = v.version_description,
    create_time = util.iso(v.create_t),
  }
end

--- T10 DeleteTemplateVersion
local function delete_version(req)
  local t = get(req)
  local v = get_version(req, t)
  if #t.versions <= 1 then
    fail(403, M.CODES.last_version, "the last version of a template cannot be deleted; delete the template instead")
  end
  util.remove(t.versions, v)
  t.update_t = req.now
  return 204
end

local P = "/v1/{project_id}/templates"
M.routes = {
  { method = "POST", path = P, handler = create_template },
  { method = "GET", path = P, handler = list_templates },
  { method = "GET", path = P .. "/{template_name}/metadata", handler = show_metadata },
  { method = "PATCH", path = P .. "/{template_name}/metadata", handler = update_metadata },
  { method = "DELETE", path = P .. "/{template_name}", handler = delete_template },
  { method = "POST", path = P .. "/{template_name}/versions", handler = create_version },
  { method = "GET", path = P .. "/{template_name}/versions", handler = list_versions },
  { method = "GET", path = P .. "/{template_name}/versions/{version_id}", handler = show_version_content },
  { method = "GET", path = P .. "/{template_name}/versions/{version_id}/metadata", handler = show_version_metadata },
  { method = "DELETE", path = P .. "/{template_name}/versions/{version_id}", handler = delete_version },
}

return M
