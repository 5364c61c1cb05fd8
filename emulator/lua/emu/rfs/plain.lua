-- Template values (emu.rfs.values) as the plain Lua tables emu.json encodes:
-- what ParseTemplateVariables answers for a variable's default (RFS API
-- reference, https://support.huaweicloud.com/api-aos/) and what private hooks
-- see of resource changes (RFS API reference, private hooks). One converter
-- for both. Pure Lua.

local json = require("emu.json")
local V = require("emu.rfs.values")

local M = {}

--- A template value as JSON-shaped Lua: lists become JSON arrays, maps
-- objects; null and unknown values ("known after apply") become JSON null.
-- @param v template value
-- @return value for emu.json
function M.value(v)
  if v == nil or v == V.NULL or v == V.UNKNOWN then return json.null end
  if V.is_list(v) then
    local out = json.array()
    for i, x in ipairs(v) do out[i] = M.value(x) end
    return out
  end
  if type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[k] = M.value(x) end
    return out
  end
  return v
end

return M
