-- In-memory state of the RFS emulator (single nginx worker): stacks per
-- project, templates per project, stack sets per (domain, region), and the
-- event sequence counter. reset() forgets everything.

local M = {}

local stacks, templates, stack_sets, seq

--- Forget every stack, template and stack set.
function M.reset()
  stacks, templates, stack_sets, seq = {}, {}, {}, 0
end
M.reset()

local function bucket(t, key)
  local b = t[key]
  if not b then
    b = { list = {}, by_name = {} }
    t[key] = b
  end
  return b
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
  local b = bucket(stacks, s.project_id)
  b.list[#b.list + 1] = s
  b.by_name[s.stack_name] = s
end

--- Remove a stack record.
function M.remove_stack(s)
  local b = bucket(stacks, s.project_id)
  if b.by_name[s.stack_name] == s then b.by_name[s.stack_name] = nil end
  for i, x in ipairs(b.list) do if x == s then table.remove(b.list, i); break end end
  s.deleted = true
end

--- The templates of a project: {list, by_name}.
function M.templates(project_id) return bucket(templates, project_id) end

--- The stack sets of an account in a region: {list, by_name}.
function M.stack_sets(domain_id, region) return bucket(stack_sets, domain_id .. "|" .. region) end

return M
