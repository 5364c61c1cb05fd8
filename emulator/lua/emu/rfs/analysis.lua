-- Template analysis of the RFS emulator (RFS API reference, template
-- analysis, https://support.huaweicloud.com/api-aos/): ParseTemplateVariables
-- lists the variable blocks of a template (name, type as written,
-- description, default, sensitive, nullable, validations); an unparsable
-- template is a 400.

local fail = require("emu.errors").raise
local json = require("emu.json")
local V = require("emu.rfs.values")
local E = require("emu.rfs.evaluate")
local hcl = require("emu.rfs.hcl")
local check = require("emu.rfs.validate")
local template = require("emu.rfs.template")
local sources = require("emu.rfs.sources")
local plain = require("emu.rfs.plain").value

local M = {}

local function parse_variables(req)
  check.client_request_id(req)
  local b = check.body(req, { template_body = true, template_uri = true }, true)
  check.template_source(b, true)
  local text, files, origin = b.template_body, nil, nil
  if b.template_uri ~= nil then text, files, origin = sources.fetch_template(b.template_uri) end
  local cfg, msg = template.try_load(text, origin)
  if not cfg then fail(400, "RF.10011074", "invalid template: " .. msg) end
  if #cfg.variables == 0 then return 200, {} end
  local out = json.array()
  for _, v in ipairs(cfg.variables) do
    local item = { name = v.name, type = v.type_text, description = v.description,
      sensitive = v.sensitive == true, nullable = v.nullable ~= false }
    if v.default then
      local ok, d = pcall(E.eval, v.default, {})
      if not ok then fail(400, "RF.10011074", "invalid template: default of variable " .. v.name .. ": " .. E.error_message(d)) end
      item.default = plain(d)
    end
    local vals = json.array()
    for _, val in ipairs(v.validations) do
      local okm, m = pcall(E.eval, val.error_message, {})
      vals[#vals + 1] = { condition = hcl.render(val.condition), error_message = okm and type(m) == "string" and m or hcl.render(val.error_message) }
    end
    item.validations = vals
    out[#out + 1] = item
  end
  return 200, { variables = out }
end

M.routes = {
  { method = "POST", path = "/v1/{project_id}/template-analyses/variables", handler = parse_variables },
}

return M
