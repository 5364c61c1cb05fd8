-- Execution plans of the RFS emulator (RFS API reference, execution
-- plans, https://support.huaweicloud.com/api-aos/): CreateExecutionPlan
-- computes a real diff of the candidate template against the stack's
-- recorded resources (ADD / UPDATE / DELETE with attribute before/after),
-- revealed after a delay (CREATION_IN_PROGRESS -> AVAILABLE or
-- CREATION_FAILED); ListExecutionPlans, GetExecutionPlan (items),
-- GetExecutionPlanMetadata, ApplyExecutionPlan (a normal deployment; any
-- deployment makes older plans stale -> 403), DeleteExecutionPlan and
-- EstimateExecutionPlanPrice (deterministic made-up prices).

local fail = require("emu.errors").raise
local json = require("emu.json")
local U = require("emu.rfs.util")
local config = require("emu.config")
local util = require("emu.util")
local check = require("emu.rfs.validate")
local stacks = require("emu.rfs.stacks")
local machine = require("emu.rfs.machine")
local deployments = require("emu.rfs.deployments")
local sources = require("emu.rfs.sources")
local engine = require("emu.rfs.engine")
local store = require("emu.rfs.store")
local hooks = require("emu.rfs.hooks")

local M = {}

local PLAN_DELAY, PLAN_QUOTA = 2, 100

local fields = check.fields

local function advance(stack, plan, now)
  if plan.status == "CREATION_IN_PROGRESS" and now >= plan.create_t + config.delay("rfs_plan", PLAN_DELAY) then
    if plan.error then
      plan.status, plan.status_message = "CREATION_FAILED", plan.error
    else
      plan.status = "AVAILABLE"
    end
  end
  if plan.status == "APPLY_IN_PROGRESS" then
    if stack.latest_deployment_id ~= plan.deployment_id or not machine.busy(stack) then
      plan.status = "APPLIED"
    end
  end
end

--- Advance every plan of a stack (after the stack itself).
function M.advance_all(stack, now)
  for _, p in ipairs(stack.plans.list) do advance(stack, p, now) end
end

local function get_plan(req, stack, guard)
  local name = req.params.execution_plan_name
  check.name(name, "execution_plan_name")
  local p = stack.plans.by_name[name]
  if not p then fail(404, "RF.10013002", "the execution plan " .. name .. " does not exist in stack " .. stack.stack_name) end
  advance(stack, p, req.now)
  check.guard(req, guard, "execution_plan_id", p.execution_plan_id, "RF.10011018", "the execution plan named " .. name)
  return p
end

local CREATE_FIELDS = fields("execution_plan_name", "stack_id", "template_body", "template_uri", "description",
  "vars_structure", "vars_body", "vars_uri")

--- E1 CreateExecutionPlan
local function create_plan(req)
  check.client_request_id(req)
  local b = check.body(req, CREATE_FIELDS, true)
  check.name(b.execution_plan_name, "execution_plan_name")
  check.description(b.description, "description")
  check.template_source(b, true)
  check.vars(b)
  local s = stacks.get(req, b.stack_id)
  M.advance_all(s, req.now)
  machine.check(s, "create_plan")
  if s.plans.by_name[b.execution_plan_name] then
    fail(409, "RF.10013501", "the execution plan name " .. b.execution_plan_name .. " is already used in stack " .. s.stack_name)
  end
  if #s.plans.list >= PLAN_QUOTA then
    -- [INFERRED] code: the plan quota refusal is documented as 403 without a code
    fail(403, "RF.10012539", "the execution plan quota (" .. PLAN_QUOTA .. " per stack) is used up")
  end
  local src = sources.from_body(b)
  local plan = {
    execution_plan_id = util.uuid(), execution_plan_name = b.execution_plan_name, description = b.description,
    status = "CREATION_IN_PROGRESS", create_t = req.now, seq = store.next_seq(), deploy_seq = s.deploy_seq,
    src = src, vars_structure = b.vars_structure, vars_body = b.vars_body, vars_uri_content = src.vars_uri_content,
  }
  local result, err = deployments.compute(s, src, "plan")
  if result then
    -- private hooks (RFS API reference): a FAIL-mode rejection fails the plan
    local verdict = hooks.check(s, "CreateExecutionPlan", hooks.changes(result))
    hooks.emit(s, req.now, nil, verdict)
    plan.items = engine.plan_items(result)
    plan.summary = engine.summary(result)
    plan.error = verdict.blocked
  else
    plan.error = err
  end
  store.insert(s.plans, plan.execution_plan_name, plan)
  advance(s, plan, req.now)
  return 202, { execution_plan_id = plan.execution_plan_id }
end

local function summary_view(s, p)
  return {
    stack_name = s.stack_name, stack_id = s.stack_id, execution_plan_id = p.execution_plan_id,
    execution_plan_name = p.execution_plan_name, description = p.description, status = p.status,
    status_message = p.status == "CREATION_FAILED" and p.status_message or nil,
    create_time = util.iso(p.create_t), apply_time = p.apply_t and util.iso(p.apply_t) or nil,
  }
end

--- E2 ListExecutionPlans
local function list_plans(req)
  local s = stacks.get(req)
  M.advance_all(s, req.now)
  local items = {}
  for _, p in ipairs(s.plans.list) do items[#items + 1] = p end
  util.sort_by_time(items, "create_t", "seq")
  local out, info = U.page(req, items, function(p) return p.execution_plan_id end,
    function(p) return summary_view(s, p) end)
  return 200, { execution_plans = out, page_info = info }
end

local function item_view(it)
  local attrs = json.array()
  for _, a in ipairs(it.attributes) do attrs[#attrs + 1] = a end
  local v = util.copy(it)
  v.attributes = attrs
  return v
end

--- E3 GetExecutionPlan (items)
local function get_plan_items(req)
  local s = stacks.get(req)
  local p = get_plan(req, s)
  if p.status == "CREATION_IN_PROGRESS" or p.status == "CREATION_FAILED" then return 200, {} end
  local out = json.array()
  for _, it in ipairs(p.items) do out[#out + 1] = item_view(it) end
  return 200, { execution_plan_items = out }
end

--- E4 GetExecutionPlanMetadata
local function get_plan_metadata(req)
  local s = stacks.get(req)
  local p = get_plan(req, s)
  local v = summary_view(s, p)
  v.vars_structure = p.vars_structure
  v.vars_body = p.vars_body
  v.vars_uri_content = p.vars_uri_content
  if p.summary and p.status ~= "CREATION_IN_PROGRESS" then v.summary = p.summary end
  return 200, v
end

--- E5 ApplyExecutionPlan
local function apply_plan(req)
  check.client_request_id(req)
  local b = check.body(req, fields("execution_plan_id", "stack_id"), false)
  local s = stacks.get(req, b.stack_id)
  local p = get_plan(req, s, b.execution_plan_id)
  machine.check(s, "apply_plan")
  if p.status ~= "AVAILABLE" then
    fail(403, "RF.10012543", "the execution plan is in status " .. p.status .. " and cannot be applied")
  end
  if p.deploy_seq ~= s.deploy_seq then
    fail(403, "RF.10012545", "the execution plan is stale: the stack was deployed after the plan was created")
  end
  local dep = deployments.deploy(s, p.src, req.now, { action = "ApplyExecutionPlan" })
  p.status = "APPLY_IN_PROGRESS"
  p.apply_t = req.now
  p.deployment_id = dep
  machine.advance(s, req.now)
  advance(s, p, req.now)
  return 202, { deployment_id = dep }
end

--- E6 DeleteExecutionPlan
local function delete_plan(req)
  local s = stacks.get(req)
  local p = get_plan(req, s)
  if p.status == "CREATION_IN_PROGRESS" or p.status == "APPLY_IN_PROGRESS" then
    fail(403, "RF.10012549", "the execution plan cannot be deleted in status " .. p.status)
  end
  store.remove(s.plans, p.execution_plan_name, p)
  return 204
end

-- price model: made-up but deterministic (see emulator/README.md)
local PRICED = {}
for t in ([[cce_cluster evs_volume compute_instance vpc_bandwidth vpc_eip gaussdb_redis_instance rds_instance
  dcs_instance gaussdb_mysql_instance dms_rabbitmq_instance cbr_vault lb_loadbalancer modelarts_resource_pool
  dds_instance rds_read_replica_instance cce_node dms_rocketmq_instance gaussdb_opengauss_instance]]):gmatch("%S+") do
  PRICED[t] = "both"
end
for t in ([[css_cluster nat_gateway sfs_turbo dms_kafka_instance drs_job apig_instance hss_host_protection
  elb_loadbalancer workspace_desktop dws_cluster vpcep_endpoint kms_key]]):gmatch("%S+") do PRICED[t] = "post" end
for t in ([[hss_quota cbh_instance cbh_ha_instance waf_cloud_instance]]):gmatch("%S+") do PRICED[t] = "pre" end
for t in ([[vpc vpc_subnet networking_secgroup iec_security_group obs_bucket obs_bucket_replication
  cnad_advanced_black_white_list cnad_advanced_policy cnad_advanced_protected_object antiddos_basic
  dws_ext_data_source dws_snapshot elb_listener elb_monitor elb_pool elb_member dns_zone enterprise_project
  er_instance lts_group smn_topic smn_subscription cc_connection cc_network_instance]]):gmatch("%S+") do PRICED[t] = "free" end

local function price_of(rtype, mode)
  local h = tonumber(engine.hash_hex(rtype, 4), 16)
  local hourly = 0.05 + (h % 200) / 100
  if mode == "PRE_PAID" then return math.floor(hourly * 720 * 100 + 0.5) / 100 end
  return math.floor(hourly * 100 + 0.5) / 100
end

--- E7 EstimateExecutionPlanPrice
local function estimate_price(req)
  local s = stacks.get(req)
  local p = get_plan(req, s)
  if p.status == "CREATION_IN_PROGRESS" or p.status == "CREATION_FAILED" then
    fail(403, "RF.10012543", "the execution plan is in status " .. p.status .. " and cannot be priced")
  end
  local items = json.array()
  for _, it in ipairs(p.items) do
    if it.action == "ADD" then
      local short = it.resource_type:gsub("^huaweicloud_", "")
      local kind = it.provider_name == "huaweicloud" and PRICED[short] or nil
      -- a module resource is named "module.net.this" (emu.rfs.modules): its price item says module.net / this
      local mod, short_name = it.resource_name:match("^(module%..+)%.([^.]+)$")
      local entry = { resource_type = it.resource_type, resource_name = short_name or it.resource_name, index = it.index,
                      module_address = mod or "" }
      if not kind then
        entry.supported = false
        entry.unsupported_message = "the resource type " .. it.resource_type .. " does not support price inquiry"
      else
        entry.supported = true
        local mode = "POST_PAID"
        for _, a in ipairs(it.attributes) do
          if (a.name == "charging_mode" or a.name == "charge_mode") and (a.target_value == "prePaid" or a.target_value == "PRE_PAID") then mode = "PRE_PAID" end
        end
        if kind == "pre" then mode = "PRE_PAID" elseif kind == "post" then mode = "POST_PAID" end
        local price
        if kind == "free" then
          price = { charge_mode = "FREE", sale_price = 0, discount = 0, original_price = 0 }
        else
          local amount = price_of(it.resource_type, mode)
          price = { charge_mode = mode, sale_price = amount, discount = 0, original_price = amount,
            period_type = mode == "PRE_PAID" and "MONTH" or "HOUR", period_count = 1 }
        end
        entry.resource_price = json.array({ price })
      end
      items[#items + 1] = entry
    end
  end
  local currency = (s.region or ""):match("^cn%-") and "CNY" or "USD"
  return 200, { currency = currency, items = items }
end

local P = "/v1/{project_id}/stacks/{stack_name}/execution-plans"
M.routes = {
  { method = "POST", path = P, handler = create_plan },
  { method = "GET", path = P, handler = list_plans },
  { method = "GET", path = P .. "/{execution_plan_name}", handler = get_plan_items },
  { method = "GET", path = P .. "/{execution_plan_name}/metadata", handler = get_plan_metadata },
  { method = "POST", path = P .. "/{execution_plan_name}", handler = apply_plan },
  { method = "DELETE", path = P .. "/{execution_plan_name}", handler = delete_plan },
  { method = "GET", path = P .. "/{execution_plan_name}/prices", handler = estimate_price },
}

return M
