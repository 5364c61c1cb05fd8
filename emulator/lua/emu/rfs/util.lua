-- What the RFS handlers share beyond the emulator's frame: query
-- accessors, marker pagination (RFS API reference, page_info,
-- https://support.huaweicloud.com/api-aos/), the list sort of stack sets
-- and private registries, the account scope of account-level APIs. Ids,
-- times and copies are emu.util's, settings emu.config's, raising errors
-- emu.errors', JSON arrays and null emu.json's.

local fail = require("emu.errors").raise
local json = require "emu.json"
local util = require "emu.util"
local base64 = require "emu.rfs.base64"

local M = {}

--- One query parameter as a string (the first when repeated).
function M.query(req, name)
  local v = req.query and req.query[name]
  if type(v) == "table" then return v[1] end
  return v
end

--- A repeated query parameter as a list (nil when absent).
function M.query_list(req, name)
  local v = req.query and req.query[name]
  if v == nil then return nil end
  if type(v) == "table" then return v end
  return { v }
end

--- Marker pagination over an ordered list (RFS API reference, page_info).
-- Reads `limit` (1-100, default 100 [INFERRED]; other bounds through
-- `bounds`) and `marker` (opaque: the base64url key of the last item of the
-- previous page).
-- @param req the request
-- @param items ordered list
-- @param key function(item) -> unique string key
-- @param bounds optional {min, max, default} of `limit` (the private
--   registries of the RFS API reference take 10-1000, default 1000)
-- @return page (list), page_info table
function M.paginate(req, items, key, bounds)
  local min, max = bounds and bounds[1] or 1, bounds and bounds[2] or 100
  local limit = bounds and bounds[3] or 100
  local lq = M.query(req, "limit")
  if lq ~= nil then
    local n = tonumber(lq)
    if not n or n ~= math.floor(n) then fail(400, "RF.10011036", "limit must be an integer, got '" .. tostring(lq) .. "'") end
    if n < min then fail(400, "RF.10011006", "limit must be at least " .. min) end
    if n > max then fail(400, "RF.10011005", "limit must be at most " .. max) end
    limit = n
  end
  local start = 1
  local marker = M.query(req, "marker")
  if marker ~= nil then
    local k = base64.decode(marker, true)
    local found
    if k then
      for i, it in ipairs(items) do
        if key(it) == k then found = i; break end
      end
    end
    if not found then fail(400, "RF.10011038", "marker is invalid or refers to an item that no longer exists") end
    start = found + 1
  end
  local page = {}
  for i = start, math.min(#items, start + limit - 1) do page[#page + 1] = items[i] end
  local info = { current_count = #page }
  if start + limit - 1 < #items and #page > 0 then info.next_marker = base64.encode(key(page[#page]), true) end
  if start > 1 then
    local prev = start - limit - 1
    if prev >= 1 then info.previous_marker = base64.encode(key(items[prev]), true) end
  end
  return page, info
end

--- One page of a list answer: `items` (filtered and sorted) paginated by
-- `key` (see M.paginate), each item through `view`.
-- @return the JSON array of views, page_info
function M.page(req, items, key, view, bounds)
  local page, info = M.paginate(req, items, key, bounds)
  local out = json.array({})
  for i, item in ipairs(page) do out[i] = view(item) end
  return out, info
end

--- Sort items ({create_t, seq}) by the list query `sort_key`/`sort_dir`
-- (repeated keys, equal counts; only `create_time`, `asc` | `desc`; default
-- newest first), as the stack-set and private-registry lists take them
-- (RFS API reference, ListStackSets and the private registry lists).
function M.sorted(req, items)
  local keys = M.query_list(req, "sort_key") or {}
  local dirs = M.query_list(req, "sort_dir") or {}
  if #keys ~= #dirs then fail(400, "RF.10011038", "sort_key and sort_dir must have the same number of values") end
  for _, k in ipairs(keys) do if k ~= "create_time" then fail(400, "RF.10011027", "sort_key must be create_time") end end
  for _, d in ipairs(dirs) do if d ~= "asc" and d ~= "desc" then fail(400, "RF.10011027", "sort_dir must be asc or desc") end end
  return util.sort_by_time(items, "create_t", "seq", dirs[1] == "asc")
end

--- The account (domain id) and region a request acts in: account-level
-- APIs without a project in the path (stack sets, private registries): the
-- caller's project's region, else its account's first project's (emu.accounts
-- gives every project a region).
-- @return domain_id, region
function M.scope(req)
  local domain = req.account and req.account.domain_id or "anonymous"
  local first = req.account and req.account.projects and req.account.projects[1]
  return domain, req.region or (first and first.region) or "default"
end

return M
