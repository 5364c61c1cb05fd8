-- In-memory state of the RFS emulator (single nginx worker): stacks per
-- project, templates per project, stack sets per (domain, region), and the
-- event sequence counter. reset() forgets everything. Each is a named
-- collection {list = creation order, by_name}, made, filled and emptied
-- here (the private registries' catalogues too).

local util = require("emu.util")

local M = {}

local stacks, templates, stack_sets, seq

--- Forget every stack, template and stack set.
function M.reset()
  stacks, templates, stack_sets, seq = {}, {}, {}, 0
end
M.reset()

--- The named collection {list, by_name} under `key` in `t`, made on first use.
function M.bucket(t, key)
  local b = t[key]
  if not b then
    b = { list = {}, by_name = {} }
    t[key] = b
  end
  return b
end
local bucket = M.bucket

--- Add `item` to a named collection under `name`.
function M.insert(b, name, item)
  b.list[#b.list + 1] = item
  b.by_name[name] = item
end

--- Remove `item` (known by `name`) from a named collection.
function M.remove(b, name, item)
  if b.by_name[name] == item then b.by_name[name] = nil end
  util.remove(b.list, item)
end

--- A new increasing sequence number (event and ordering tie-breaker).
function M.next_seq()
  seq = seq + 1
  return seq
end

--- The stacks of a project: {list = creation order, by_name}.
function M.stacks(project_id) return bucket(stacks, project_id) end

--- The stack with that name in a project, or nil.
function M.stack(project_id, name) return bucket(stacks, project_id).by_name[name] end

--- Add a stack record (its project_id and stack_name set).
function M.add_stack(s)
  M.insert(bucket(stacks, s.project_id), s.stack_name, s)
end

--- Remove a stack record.
function M.remove_stack(s)
  M.remove(bucket(stacks, s.project_id), s.stack_name, s)
  s.deleted = true
end

--- The templates of a project: {list, by_name}.
function M.templates(project_id) return bucket(templates, project_id) end

--- The stack sets of an account in a region: {list, by_name}.
function M.stack_sets(domain_id, region) return bucket(stack_sets, domain_id .. "|" .. region) end

return M
