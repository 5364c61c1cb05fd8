-- Where a deployment's template and variables come from: template_body or a
-- template_uri this emulator can fetch (a URL it served itself: a 307
-- Location of GetStackTemplate / ShowTemplateVersionContent /
-- ShowStackSetTemplate, or an upload to POST /_rfs/blobs), vars_body,
-- vars_structure and vars_uri (same rule). Other URLs (real OBS) cannot be
-- fetched offline and are refused with 400.

local fail = require("emu.errors").raise
local E = require("emu.rfs.evaluate")
local blobs = require("emu.rfs.blobs")
local template = require("emu.rfs.template")

local M = {}

--- Largest file behind a template_uri or vars_uri: 1 MB (RFS API reference,
-- https://support.huaweicloud.com/api-aos/, CreateStack and its error codes:
-- template files <= 1 MB after decompression, RF.10011013; vars files
-- RF.10011014, 1 MB stated for stack-instance overrides).
M.MAX_URI_CONTENT = 1024 * 1024

--- Fetch the text behind a template_uri (400 RF.10011074 when the emulator
-- cannot fetch it, RF.10011013 when it is over 1 MB). A .zip template (RFS API
-- reference: templates may be zips) is checked like a module package; its root
-- .tf files (joined) or single .tf.json are the template, and all its files
-- come back for local module sources (`source = "./modules/x"`).
-- @return text, files ({path -> content}, .zip templates only), origin
--   (emu.rfs.template.load: the file name messages give)
function M.fetch_template(uri)
  local text = blobs.resolve(uri)
  if not text then
    fail(400, "RF.10011074", "invalid template: template_uri cannot be fetched by the emulator; " ..
      "use template_body, or a URL the emulator served (a 307 Location or an upload to /_rfs/blobs)")
  end
  if #text > M.MAX_URI_CONTENT then
    fail(400, "RF.10011013", "the file behind template_uri is larger than 1 MB (" .. #text .. " bytes)")
  end
  if uri:gsub("[?#].*$", ""):match("%.zip$") then
    local files = {}
    for _, f in ipairs(require("emu.rfs.registry").package(text, "module")) do files[f.name] = f.data end
    local root, why, origin = require("emu.rfs.modules").config_text(files)
    if not root then fail(400, "RF.10011157", "invalid template: the root of the .zip template: " .. why) end
    return root, files, origin
  end
  return text, nil, template.origin_of_uri(uri)
end

--- Fetch the text behind a vars_uri (400 RF.10011049 when not fetchable,
-- RF.10011014 when it is over 1 MB).
function M.fetch_vars(uri)
  local text = blobs.resolve(uri)
  if not text then
    fail(400, "RF.10011049", "invalid vars_uri: the emulator can only fetch URLs it served (uploads to /_rfs/blobs)")
  end
  if #text > M.MAX_URI_CONTENT then
    fail(400, "RF.10011014", "the file behind vars_uri is larger than 1 MB (" .. #text .. " bytes)")
  end
  return text
end

--- Build a deployment source from a validated body.
-- @return src {template_body, template_origin, files, vars_body, vars_structure, vars_uri_content}
function M.from_body(b)
  local src = {
    template_body = b.template_body,
    vars_body = b.vars_body,
    vars_structure = b.vars_structure,
  }
  if b.template_uri ~= nil then src.template_body, src.files, src.template_origin = M.fetch_template(b.template_uri) end
  if b.vars_uri ~= nil then src.vars_uri_content = M.fetch_vars(b.vars_uri) end
  if src.vars_body ~= nil and src.vars_body ~= "" then
    local ok, e = pcall(E.parse_tfvars, src.vars_body, "vars_body")
    if not ok then fail(400, "RF.10011051", "invalid vars_body: " .. E.error_message(e)) end
  end
  if src.vars_uri_content ~= nil then
    local ok, e = pcall(E.parse_tfvars, src.vars_uri_content, "vars_uri")
    if not ok then fail(400, "RF.10011050", "invalid content at vars_uri: " .. E.error_message(e)) end
  end
  local dup = E.duplicate_input(src)
  if dup then fail(400, "RF.10011093", "the variable '" .. dup .. "' is given more than once across vars_body, vars_uri and vars_structure") end
  return src
end

--- True when the body carries any variables.
function M.has_vars(b)
  return b.vars_body ~= nil or b.vars_uri ~= nil or (b.vars_structure ~= nil and #b.vars_structure > 0)
end

return M
