-- Iterators over paged list operations, for `for item in svc:each_x{...} do`.
-- Two schemes: RFS pages with `marker`/`limit` and answers
-- `page_info.next_marker`; VPCEP pages with `offset`/`limit` and answers
-- `total_count`. Pages are fetched lazily, one request per page, through the
-- same executor as every other call (hwcloud.operation).

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

-- Fetch the next page for the marker scheme; returns items, done.
local function marker_page(client, op, args, opts)
  local body = operation.call(client, op, args, opts)
  local items = type(body) == "table" and body[op.items] or nil
  if type(items) ~= "table" then items = {} end
  local info = type(body) == "table" and body.page_info or nil
  local next_marker = type(info) == "table" and info.next_marker or nil
  -- Stop on a missing marker, an empty page, or a marker that repeats.
  if type(next_marker) ~= "string" or next_marker == "" or #items == 0 or next_marker == args.marker then
    return items, true
  end
  args.marker = next_marker
  return items, false
end

-- Fetch the next page for the offset scheme; returns items, done.
local function offset_page(client, op, args, opts)
  local body = operation.call(client, op, args, opts)
  local items = type(body) == "table" and body[op.items] or nil
  if type(items) ~= "table" then items = {} end
  local n = #items
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

  local items, i, done = {}, 0, false
  return function()
    while true do
      if i < #items then
        i = i + 1
        return items[i]
      end
      if done then return nil end
      items, done = page(client, op, args, opts)
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
