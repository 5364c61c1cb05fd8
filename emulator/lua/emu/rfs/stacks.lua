-- Stack operations of the RFS emulator (RFS API reference, stacks,
-- https://support.huaweicloud.com/api-aos/): ListStacks,
-- CreateStack, GetStackMetadata, UpdateStack, DeleteStack,
-- DeleteStackEnhanced, DeployStack, ContinueDeployStack,
-- ContinueRollbackStack and GetStackTemplate (307), plus the lookup every
-- stack-scoped handler uses (name check, 404, stack_id guard, lazy progress).

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")
local util = require("emu.util")
local config = require("emu.config")
local check = require("emu.rfs.validate")
local store = require("emu.rfs.store")
local machine = require("emu.rfs.machine")
local deployments = require("emu.rfs.deployments")
local sources = require("emu.rfs.sources")
local blobs = require("emu.rfs.blobs")

local M = {}

local STACK_QUOTA = 100

local fields = check.fields

--- Advance every stack of a project to `now`.
function M.advance_all(project_id, now)
  local list = store.stacks(project_id).list
  local copy = {}
  for i, s in ipairs(list) do copy[i] = s end
  for _, s in ipairs(copy) do machine.advance(s, now) end
end

--- Find the stack named in the path (advanced to now), checking the
-- optional stack_id guard. Raises 400/404 as documented.
function M.get(req, guard_id)
  check.client_request_id(req)
  local name = req.params.stack_name
  check.name(name, "stack_name")
  local s = store.stack(req.project_id, name)
  if s then machine.advance(s, req.now) end
  if not s or s.deleted then fail(404, "RF.10013001", "the stack " .. name .. " does not exist") end
  check.guard(req, guard_id, "stack_id", s.stack_id, "RF.10011015", "the stack named " .. name)
  return s
end

local function summary_view(s)
  return {
    stack_name = s.stack_name, stack_id = s.stack_id, description = s.description,
    status = s.status, status_message = s.status_message,
    create_time = util.iso(s.create_t), update_time = util.iso(s.update_t),
  }
end

--- S1 ListStacks
local function list_stacks(req)
  check.client_request_id(req)
  M.advance_all(req.project_id, req.now)
  local items = {}
  for _, s in ipairs(store.stacks(req.project_id).list) do items[#items + 1] = s end
  util.sort_by_time(items, "create_t", "seq")
  local out, info = U.page(req, items, function(s) return s.stack_id end, summary_view)
  return 200, { stacks = out, page_info = info }
end

--- Create a stack record (also used by stack sets for their instances).
-- @param opts {project_id, region, domain_id, stack_name, description, agencies,
--   enable_deletion_protection, enable_auto_rollback, now}
function M.new_stack(opts)
  local s = {
    project_id = opts.project_id, region = opts.region, domain_id = opts.domain_id,
    stack_id = util.uuid(), stack_name = opts.stack_name, description = opts.description,
    agencies = opts.agencies, enable_deletion_protection = opts.enable_deletion_protection == true,
    enable_auto_rollback = opts.enable_auto_rollback == true,
    status = "CREATION_COMPLETE", create_t = opts.now, update_t = opts.now, seq = store.next_seq(),
    resources = {}, events = {}, deployments = {}, attempts = {}, deploy_seq = 0,
    plans = { list = {}, by_name = {} },
  }
  store.add_stack(s)
  return s
end

local CREATE_FIELDS = fields("stack_name", "agencies", "description", "enable_deletion_protection",
  "enable_auto_rollback", "template_body", "template_uri", "vars_body", "vars_structure", "vars_uri")

--- S2 CreateStack
local function create_stack(req)
  check.client_request_id(req)
  local b = check.body(req, CREATE_FIELDS, true)
  check.name(b.stack_name, "stack_name")
  check.agencies(b.agencies)
  check.description(b.description, "description")
  check.boolean(b.enable_deletion_protection, "enable_deletion_protection")
  check.boolean(b.enable_auto_rollback, "enable_auto_rollback")
  check.template_source(b, false)
  check.vars(b)
  local has_template = (b.template_body ~= nil and b.template_body ~= "") or b.template_uri ~= nil
  if not has_template and sources.has_vars(b) then
    fail(400, "RF.10011056", "variables were given without a template: give template_body or template_uri too")
  end
  M.advance_all(req.project_id, req.now)
  if store.stack(req.project_id, b.stack_name) then
    fail(409, "RF.10013502", "the stack name " .. b.stack_name .. " is already used in this project")
  end
  local quota = config.quota("rfs_stacks") or STACK_QUOTA
  if #store.stacks(req.project_id).list >= quota then
    fail(403, "RF.10012538", "the stack quota (" .. quota .. ") is used up")
  end
  local src = has_template and sources.from_body(b) or nil
  local s = M.new_stack({
    project_id = req.project_id, region = req.region, domain_id = req.account and req.account.domain_id,
    stack_name = b.stack_name, description = b.description, agencies = b.agencies,
    enable_deletion_protection = b.enable_deletion_protection, enable_auto_rollback = b.enable_auto_rollback,
    now = req.now,
  })
  local resp = { stack_id = s.stack_id }
  if src then
    resp.deployment_id = deployments.deploy(s, src, req.now, { action = "CreateStack" })
    machine.advance(s, req.now)
  end
  return 201, resp
end

--- The GetStackMetadata view of a stack.
function M.metadata_view(s)
  local v = summary_view(s)
  v.vars_structure = s.vars_structure
  v.vars_body = s.vars_body
  v.vars_uri_content = s.vars_uri_content
  v.enable_deletion_protection = s.enable_deletion_protection
  v.enable_auto_rollback = s.enable_auto_rollback
  v.agencies = s.agencies
  return v
end

--- S3 GetStackMetadata
local function get_metadata(req)
  local s = M.get(req)
  return 200, M.metadata_view(s)
end

local UPDATE_FIELDS = fields("description", "stack_id", "enable_deletion_protection", "enable_auto_rollback", "agencies")

--- S4 UpdateStack
local function update_stack(req)
  check.client_request_id(req)
  local b = check.body(req, UPDATE_FIELDS, false)
  check.description(b.description, "description")
  check.boolean(b.enable_deletion_protection, "enable_deletion_protection")
  check.boolean(b.enable_auto_rollback, "enable_auto_rollback")
  check.agencies(b.agencies)
  local s = M.get(req, b.stack_id)
  if b.description == nil and b.enable_deletion_protection == nil and b.enable_auto_rollback == nil and b.agencies == nil then
    fail(400, "RF.10011084", "there is nothing to modify in the request")
  end
  machine.check(s, "update")
  if b.enable_auto_rollback == true and not s.enable_auto_rollback then machine.check(s, "enable_auto_rollback") end
  if b.description ~= nil then s.description = b.description end
  if b.enable_deletion_protection ~= nil then s.enable_deletion_protection = b.enable_deletion_protection end
  if b.enable_auto_rollback ~= nil then s.enable_auto_rollback = b.enable_auto_rollback end
  if b.agencies ~= nil then s.agencies = b.agencies end
  s.update_t = req.now
  return 204
end

--- S5 DeleteStack
local function delete_stack(req)
  local s = M.get(req)
  machine.check(s, "delete")
  deployments.delete(s, req.now, false)
  machine.advance(s, req.now)
  return 202
end

--- S6 DeleteStackEnhanced
local function delete_stack_enhanced(req)
  check.client_request_id(req)
  local b = check.body(req, fields("stack_id", "retain_all_resources"), false)
  check.boolean(b.retain_all_resources, "retain_all_resources")
  local s = M.get(req, b.stack_id)
  machine.check(s, "delete")
  deployments.delete(s, req.now, b.retain_all_resources == true, "DeleteStackEnhanced")
  machine.advance(s, req.now)
  return 202
end

local DEPLOY_FIELDS = fields("template_body", "template_uri", "vars_structure", "vars_body", "vars_uri", "stack_id")

--- S7 DeployStack
local function deploy_stack(req)
  check.client_request_id(req)
  local b = check.body(req, DEPLOY_FIELDS, true)
  check.template_source(b, true)
  check.vars(b)
  local s = M.get(req, b.stack_id)
  machine.check(s, "deploy")
  local src = sources.from_body(b)
  local id = deployments.deploy(s, src, req.now)
  machine.advance(s, req.now)
  return 202, { deployment_id = id }
end

-- S8 ContinueDeployStack and S9 ContinueRollbackStack: a body of only the
-- stack_id guard, the state check and deployments[action]
local function continuation(action)
  return function(req)
    check.client_request_id(req)
    local b = check.body(req, fields("stack_id"), false)
    local s = M.get(req, b.stack_id)
    machine.check(s, action)
    local id = deployments[action](s, req.now)
    machine.advance(s, req.now)
    return 202, { deployment_id = id }
  end
end

--- S13 GetStackTemplate: 307 to the latest deployment's template (the
-- previous one while a deployment runs).
local function get_template(req)
  local s = M.get(req)
  local body = s.template_body
  if s.job and s.job.kind == "deploy" then body = s.prev_template end
  if body == nil then
    fail(404, "RF.10013023", "the stack " .. s.stack_name .. " has no template: it was never deployed")
  end
  return blobs.redirect(req, body)
end

local P = "/v1/{project_id}/stacks"
M.routes = {
  { method = "GET", path = P, handler = list_stacks },
  { method = "POST", path = P, handler = create_stack },
  { method = "GET", path = P .. "/{stack_name}/metadata", handler = get_metadata },
  { method = "PATCH", path = P .. "/{stack_name}", handler = update_stack },
  { method = "DELETE", path = P .. "/{stack_name}", handler = delete_stack },
  { method = "POST", path = P .. "/{stack_name}/deletion", handler = delete_stack_enhanced },
  { method = "POST", path = P .. "/{stack_name}/deployments", handler = deploy_stack },
  { method = "POST", path = P .. "/{stack_name}/continuations", handler = continuation("continue_deploy") },
  { method = "POST", path = P .. "/{stack_name}/rollbacks", handler = continuation("continue_rollback") },
  { method = "GET", path = P .. "/{stack_name}/templates", handler = get_template },
}

return M
