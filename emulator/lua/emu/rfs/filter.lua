-- The `filter` query grammar of the RFS list APIs (RFS API reference,
-- ListStackEvents and ListStackSets,
-- https://support.huaweicloud.com/api-aos/): name==value conditions, "," =
-- AND, "|" = OR (binding tighter), one attribute per AND term; names of
-- letters/digits/_, values also with "-" (the RFS API reference says
-- letters/digits/_ only, but region ids and resource names hold "-" and
-- Huawei's SDKs send them, e.g. region==ap-southeast-1); a ";" anywhere makes
-- the whole filter ignored. Errors are the documented RF.10011087/88/89/93.

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")

local M = {}

--- Parse a filter string for the given filterable attributes.
-- @return list of terms {attr, values = set} or nil (no filtering)
function M.parse(text, allowed)
  if text == nil or text == "" then return nil end
  if #text > 512 then fail(400, "RF.10011005", "filter must be at most 512 characters long") end
  if text:find(";", 1, true) then return nil end
  local terms, seen = {}, {}
  for term in (text .. ","):gmatch("([^,]*),") do
    local attr, values = nil, {}
    for cond in (term .. "|"):gmatch("([^|]*)|") do
      local name, value = cond:match("^(.-)==(.*)$")
      if not name then fail(400, "RF.10011088", "filter condition '" .. cond .. "' has no valid filter method (only == is supported)") end
      if not name:match("^[%w_]+$") then fail(400, "RF.10011087", "filter names an invalid attribute '" .. name .. "'") end
      if not allowed[name] then fail(400, "RF.10011087", "filter attribute '" .. name .. "' is not supported here") end
      if not value:match("^[%w_%-]+$") then fail(400, "RF.10011089", "filter value '" .. value .. "' may contain only letters, digits, '_' and '-'") end
      if attr and attr ~= name then
        fail(400, "RF.10011088", "alternatives joined with '|' must use the same attribute")
      end
      attr = name
      values[value] = true
    end
    if seen[attr] then fail(400, "RF.10011093", "filter attribute '" .. attr .. "' appears in more than one condition") end
    seen[attr] = true
    terms[#terms + 1] = { attr = attr, values = values }
  end
  return terms
end

--- True when the item satisfies every term.
function M.match(terms, item)
  if not terms then return true end
  for _, t in ipairs(terms) do
    local v = item[t.attr]
    if v == nil or not t.values[tostring(v)] then return false end
  end
  return true
end

--- The items of `list` that the request's `filter` query (over the
-- attributes in `allowed`) selects, as a new list.
function M.select(req, list, allowed)
  local terms = M.parse(U.query(req, "filter"), allowed)
  local out = {}
  for _, item in ipairs(list) do
    if M.match(terms, item) then out[#out + 1] = item end
  end
  return out
end

return M
