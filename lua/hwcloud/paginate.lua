-- Iterators over paged list operations, for `for item in svc:each_x{...} do`.
-- Two schemes: RFS pages with `marker`/`limit` and answers
-- `page_info.next_marker`; VPCEP pages with `offset`/`limit` and answers
-- `total_count`. Pages are fetched lazily, one request per page, through the
-- same executor as every other call (hwcloud.operation). A server whose
-- markers cycle would keep an iterator busy forever: a marker that comes back
-- raises instead (issue 7, finding 13).

local core = require("hwcloud.core")
local operation = require("hwcloud.operation")

local M = {}

--- Page size the offset iterators ask for when the caller gives no `limit`
-- (every VPCEP list accepts 1..500 or more; the server default is 10).
M.OFFSET_PAGE_SIZE = 100

local function copy(t)
  local out = {}
  for k, v in pairs(t or {}) do out[k] = v end
  return out
end

-- Fetch the next page for the marker scheme; returns items, done, and the
-- error to raise once these items are consumed. `seen` holds every marker
-- asked for so far.
local function marker_page(client, op, args, opts, seen)
  local body = operation.call(client, op, args, opts)
  local items = type(body) == "table" and body[op.items] or nil
  if type(items) ~= "table" then items = {} end
  local info = type(body) == "table" and body.page_info or nil
  local next_marker = type(info) == "table" and info.next_marker or nil
  -- Stop on a missing marker or an empty page.
  if type(next_marker) ~= "string" or next_marker == "" or #items == 0 then
    return items, true
  end
  if seen[next_marker] then
    return items, true, core.error({ kind = "decode", code = "MarkerRepeated", operation = op.full_name,
      message = op.full_name .. ": page_info.next_marker " .. string.format("%q", next_marker)
        .. " came back after " .. seen.pages .. " pages; the listing would never end" })
  end
  seen[next_marker] = true
  seen.pages = seen.pages + 1
  args.marker = next_marker
  return items, false
end

-- Fetch the next page for the offset scheme; returns items, done, error
-- (as marker_page). A server that ignores the offset sends the same page
-- again and again: a page equal to the one before raises.
local function offset_page(client, op, args, opts, seen)
  local body = operation.call(client, op, args, opts)
  local items = type(body) == "table" and body[op.items] or nil
  if type(items) ~= "table" then items = {} end
  local n = #items
  if n > 0 then
    local text = core.encode(items)
    if text == seen.last then
      return {}, true, core.error({ kind = "decode", code = "PageRepeated", operation = op.full_name,
        message = op.full_name .. ": the page at offset " .. tostring(args.offset)
          .. " repeats the page before it; the listing would never end" })
    end
    seen.last = text
  end
  local offset = tonumber(args.offset) + n
  local total = type(body) == "table" and tonumber(body.total_count) or nil
  local done = n == 0 or (total ~= nil and offset >= total)
    or (total == nil and n < tonumber(args.limit))
  if op.fields.offset.type == "numeric" then
    args.offset = tostring(offset)
  else
    args.offset = offset
  end
  return items, done
end

--- Iterate over every item of a list operation, page after page.
-- @tparam table client the client
-- @tparam table op a compiled list operation (has `items` and `paging`)
-- @tparam[opt] table args the operation's fields; `marker`/`offset` start
--   elsewhere than the first page, `limit` sets the page size
-- @tparam[opt] table opts passed to each call (extra headers)
-- @treturn function an iterator returning one item per call, then nil
-- @raise argument errors at once (before the loop starts); errors of each
--   page request as they happen
function M.each(client, op, args, opts)
  args = copy(args)
  for k, v in pairs(op.page_defaults or {}) do
    if args[k] == nil then args[k] = v end
  end
  local page
  if op.paging == "offset" then
    page = offset_page
    if args.offset == nil then args.offset = 0 end
    if args.limit == nil then args.limit = M.OFFSET_PAGE_SIZE end
  else
    page = marker_page
  end
  -- Validate now, so a bad argument raises where the loop is written.
  operation.build(client, op, args, opts)

  local items, i, done, err = {}, 0, false, nil
  local seen = { pages = 1 }
  if type(args.marker) == "string" then seen[args.marker] = true end
  return function()
    while true do
      if i < #items then
        i = i + 1
        return items[i]
      end
      if err then error(err, 0) end
      if done then return nil end
      items, done, err = page(client, op, args, opts, seen)
      i = 0
    end
  end
end

--- Install one iterator per paged list operation on a service class:
-- `class[op.each] = function(self, args, opts)`.
-- @tparam table class the service class
-- @tparam table compiled the result of `operation.compile`
function M.bind(class, compiled)
  for _, op in ipairs(compiled.operations) do
    if op.each then
      class[op.each] = function(self, args, opts)
        return M.each(self.client, op, args, opts)
      end
    end
  end
end

return M
