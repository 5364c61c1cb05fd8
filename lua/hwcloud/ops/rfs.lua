-- The 75 Resource Formation (RFS, SDK service "aos") API operations as data:
-- name (snake_case of Huawei's SDK operation), HTTP method, path template,
-- where each field goes (path, query, body) and its type, which fields are
-- required, the success status, and how list operations page.
-- hwcloud.operation executes these; hwcloud.rfs turns them into methods.
-- Sources: Huawei Cloud's RFS (AOS) API reference
-- (https://support.huaweicloud.com/api-aos/): 46 stack, template,
-- execution plan and stack set operations and 29 private provider, hook and
-- module operations.
--
-- Field types: "string", "integer", "number", "boolean", "object", "array",
-- "string[]" (array of strings); a trailing "!" marks a required field.
-- Every {placeholder} in a path is a required string field (project_id is
-- filled from the client).

local V1 = "/v1/{project_id}"
local STACK = V1 .. "/stacks/{stack_name}"
local PLAN = STACK .. "/execution-plans/{execution_plan_name}"
local TEMPLATE = V1 .. "/templates/{template_name}"
local SET = "/v1/stack-sets/{stack_set_name}"
local PROVIDER = "/v1/private-providers/{provider_name}"
local HOOK = "/v1/private-hooks/{hook_name}"
local MODULE = "/v1/private-modules/{module_name}"

local TEMPLATE_SOURCE = { "template_body", "template_uri" }

-- Shared field groups (copied into each operation by `fields`).
local PAGE = { marker = "string", limit = "integer" }
local DEPLOY = {
  template_body = "string", template_uri = "string",
  vars_structure = "array", vars_body = "string", vars_uri = "string",
}
local PLAN_GUARD = { stack_id = "string", execution_plan_id = "string" }
local SET_GUARD = { stack_set_id = "string", call_identity = "string" }
local SORTED = { filter = "string", sort_key = "string[]", sort_dir = "string[]" }
local REGISTRY_PAGE = { marker = "string", limit = "integer", sort_key = "string[]", sort_dir = "string[]" }
local ACCESS = { access_control_source_ips = "string[]", access_control_source_vpc_ids = "string[]" }
local INSTANCES = {
  deployment_targets = "object!", stack_set_id = "string",
  operation_preferences = "object", call_identity = "string",
}

-- Field groups merged into one new table (later groups win).
local fields = require("hwcloud.operation").fields

return {
  service = "rfs",
  -- Every RFS operation requires this header; the executor fills in a fresh
  -- UUID v4 unless the caller gives one.
  request_id_header = "Client-Request-Id",
  -- List operations page with `marker`/`limit` and `page_info.next_marker`.
  paging = "marker",

  operations = {
    -- Stacks -------------------------------------------------------------
    { name = "list_stacks", method = "GET", path = V1 .. "/stacks", status = 200,
      query = PAGE, items = "stacks", each = "each_stack" },
    { name = "create_stack", method = "POST", path = V1 .. "/stacks", status = 201,
      body = fields(DEPLOY, {
        stack_name = "string!", agencies = "array", description = "string",
        enable_deletion_protection = "boolean", enable_auto_rollback = "boolean",
      }),
      at_most_one = TEMPLATE_SOURCE },
    { name = "get_stack_metadata", method = "GET", path = STACK .. "/metadata", status = 200,
      query = { stack_id = "string" } },
    { name = "update_stack", method = "PATCH", path = STACK, status = 204,
      body = {
        description = "string", stack_id = "string", enable_deletion_protection = "boolean",
        enable_auto_rollback = "boolean", agencies = "array",
      } },
    { name = "delete_stack", method = "DELETE", path = STACK, status = 202,
      query = { stack_id = "string" } },
    { name = "delete_stack_enhanced", method = "POST", path = STACK .. "/deletion", status = 202,
      body = { stack_id = "string", retain_all_resources = "boolean" } },
    { name = "deploy_stack", method = "POST", path = STACK .. "/deployments", status = 202,
      body = fields(DEPLOY, { stack_id = "string" }), exactly_one = TEMPLATE_SOURCE },
    { name = "continue_deploy_stack", method = "POST", path = STACK .. "/continuations", status = 202,
      body = { stack_id = "string" } },
    { name = "continue_rollback_stack", method = "POST", path = STACK .. "/rollbacks", status = 202,
      body = { stack_id = "string" } },
    { name = "list_stack_events", method = "GET", path = STACK .. "/events", status = 200,
      query = fields(PAGE, {
        stack_id = "string", deployment_id = "string", filter = "string", field = "string",
      }),
      items = "stack_events", each = "each_stack_event" },
    { name = "list_stack_resources", method = "GET", path = STACK .. "/resources", status = 200,
      query = fields(PAGE, { stack_id = "string" }),
      items = "stack_resources", each = "each_stack_resource" },
    { name = "list_stack_outputs", method = "GET", path = STACK .. "/outputs", status = 200,
      query = fields(PAGE, { stack_id = "string" }),
      items = "outputs", each = "each_stack_output" },
    { name = "get_stack_template", method = "GET", path = STACK .. "/templates", status = 307,
      query = fields(ACCESS, { stack_id = "string" }), redirect = true },

    -- Execution plans ----------------------------------------------------
    { name = "create_execution_plan", method = "POST", path = STACK .. "/execution-plans", status = 202,
      body = fields(DEPLOY, {
        execution_plan_name = "string!", stack_id = "string", description = "string",
      }),
      exactly_one = TEMPLATE_SOURCE },
    { name = "list_execution_plans", method = "GET", path = STACK .. "/execution-plans", status = 200,
      query = fields(PAGE, { stack_id = "string" }),
      items = "execution_plans", each = "each_execution_plan" },
    { name = "get_execution_plan", method = "GET", path = PLAN, status = 200, query = PLAN_GUARD },
    { name = "get_execution_plan_metadata", method = "GET", path = PLAN .. "/metadata", status = 200,
      query = PLAN_GUARD },
    { name = "apply_execution_plan", method = "POST", path = PLAN, status = 202, body = PLAN_GUARD },
    { name = "delete_execution_plan", method = "DELETE", path = PLAN, status = 204, query = PLAN_GUARD },
    { name = "estimate_execution_plan_price", method = "GET", path = PLAN .. "/prices", status = 200,
      query = PLAN_GUARD },

    -- Template analysis --------------------------------------------------
    { name = "parse_template_variables", method = "POST", path = V1 .. "/template-analyses/variables",
      status = 200, body = { template_body = "string", template_uri = "string" },
      exactly_one = TEMPLATE_SOURCE },

    -- Templates ----------------------------------------------------------
    { name = "create_template", method = "POST", path = V1 .. "/templates", status = 200,
      body = {
        template_name = "string!", template_description = "string", version_description = "string",
        template_body = "string", template_uri = "string",
      },
      exactly_one = TEMPLATE_SOURCE },
    { name = "list_templates", method = "GET", path = V1 .. "/templates", status = 200,
      query = PAGE, items = "templates", each = "each_template" },
    { name = "show_template_metadata", method = "GET", path = TEMPLATE .. "/metadata", status = 200,
      query = { template_id = "string" } },
    { name = "update_template_metadata", method = "PATCH", path = TEMPLATE .. "/metadata", status = 204,
      body = { template_id = "string", template_description = "string" } },
    { name = "delete_template", method = "DELETE", path = TEMPLATE, status = 204,
      query = { template_id = "string" } },
    { name = "create_template_version", method = "POST", path = TEMPLATE .. "/versions", status = 200,
      query = { template_id = "string" },
      body = { version_description = "string", template_body = "string", template_uri = "string" },
      exactly_one = TEMPLATE_SOURCE },
    { name = "list_template_versions", method = "GET", path = TEMPLATE .. "/versions", status = 200,
      query = fields(PAGE, { template_id = "string" }),
      items = "versions", each = "each_template_version" },
    { name = "show_template_version_content", method = "GET", path = TEMPLATE .. "/versions/{version_id}",
      status = 307, query = fields(ACCESS, { template_id = "string" }), redirect = true },
    { name = "show_template_version_metadata", method = "GET",
      path = TEMPLATE .. "/versions/{version_id}/metadata", status = 200,
      query = { template_id = "string" } },
    { name = "delete_template_version", method = "DELETE", path = TEMPLATE .. "/versions/{version_id}",
      status = 204, query = { template_id = "string" } },

    -- Stack sets (no project id in the path) -----------------------------
    { name = "list_stack_sets", method = "GET", path = "/v1/stack-sets", status = 200,
      query = fields(PAGE, SORTED, { call_identity = "string" }),
      items = "stack_sets", each = "each_stack_set" },
    { name = "create_stack_set", method = "POST", path = "/v1/stack-sets", status = 201,
      body = {
        stack_set_name = "string!", stack_set_description = "string", permission_model = "string",
        administration_agency_name = "string", administration_agency_urn = "string",
        managed_agency_name = "string", template_body = "string", template_uri = "string",
        vars_body = "string", vars_uri = "string", initial_stack_description = "string",
        managed_operation = "object", call_identity = "string",
      },
      at_most_one = TEMPLATE_SOURCE },
    { name = "show_stack_set_metadata", method = "GET", path = SET .. "/metadata", status = 200,
      query = SET_GUARD },
    { name = "show_stack_set_template", method = "GET", path = SET .. "/templates", status = 307,
      query = fields(ACCESS, SET_GUARD), redirect = true },
    { name = "update_stack_set", method = "PATCH", path = SET, status = 204,
      body = fields(SET_GUARD, {
        stack_set_description = "string", initial_stack_description = "string",
        administration_agency_name = "string", managed_agency_name = "string",
        administration_agency_urn = "string", managed_operation = "object",
      }) },
    { name = "deploy_stack_set", method = "POST", path = SET .. "/deployments", status = 202,
      body = fields(SET_GUARD, {
        deployment_targets = "object!", template_body = "string", template_uri = "string",
        vars_body = "string", vars_uri = "string", operation_preferences = "object",
      }),
      at_most_one = TEMPLATE_SOURCE },
    { name = "delete_stack_set", method = "DELETE", path = SET, status = 204, query = SET_GUARD },
    { name = "list_stack_set_operations", method = "GET", path = SET .. "/operations", status = 200,
      query = fields(PAGE, SORTED, SET_GUARD),
      items = "stack_set_operations", each = "each_stack_set_operation" },
    { name = "show_stack_set_operation_metadata", method = "GET",
      path = SET .. "/operations/{stack_set_operation_id}/metadata", status = 200, query = SET_GUARD },

    -- Stack instances ----------------------------------------------------
    { name = "create_stack_instance", method = "POST", path = SET .. "/stack-instances", status = 202,
      body = fields(INSTANCES, { var_overrides = "object" }) },
    { name = "update_stack_instances", method = "PATCH", path = SET .. "/stack-instances", status = 202,
      body = fields(INSTANCES, { var_overrides = "object" }) },
    { name = "delete_stack_instance", method = "POST", path = SET .. "/stack-instances/deletion",
      status = 202, body = INSTANCES },
    { name = "delete_stack_instance_deprecated", method = "DELETE", path = SET .. "/stack-instances",
      status = 202, body = INSTANCES },
    { name = "list_stack_instances", method = "GET", path = SET .. "/stack-instances", status = 200,
      query = fields(PAGE, SORTED, SET_GUARD),
      items = "stack_instances", each = "each_stack_instance" },
    -- stack_instance_addr is "{region}/{stack_domain_id}"; the executor
    -- percent-encodes the "/" as the API requires.
    { name = "show_stack_instance", method = "GET", path = SET .. "/stack-instances/{stack_instance_addr}",
      status = 200, query = SET_GUARD },

    -- Customized (private) providers (no project id) ----------------------
    { name = "create_private_provider", method = "POST", path = "/v1/private-providers", status = 201,
      body = {
        provider_name = "string!", provider_description = "string", provider_version = "string",
        version_description = "string", function_graph_urn = "string",
        provider_agency_urn = "string", provider_agency_name = "string",
      } },
    { name = "list_private_providers", method = "GET", path = "/v1/private-providers", status = 200,
      query = REGISTRY_PAGE, items = "providers", each = "each_private_provider" },
    { name = "show_private_provider_metadata", method = "GET", path = PROVIDER .. "/metadata", status = 200,
      query = { provider_id = "string" } },
    { name = "update_private_provider_metadata", method = "PATCH", path = PROVIDER .. "/metadata", status = 204,
      body = { provider_id = "string", provider_description = "string" } },
    { name = "delete_private_provider", method = "DELETE", path = PROVIDER, status = 204,
      query = { provider_id = "string" } },
    { name = "create_private_provider_version", method = "POST", path = PROVIDER .. "/versions", status = 201,
      body = {
        provider_version = "string!", function_graph_urn = "string!", version_description = "string",
        provider_id = "string",
      } },
    { name = "list_private_provider_versions", method = "GET", path = PROVIDER .. "/versions", status = 200,
      query = fields(REGISTRY_PAGE, { provider_id = "string" }),
      items = "versions", each = "each_private_provider_version" },
    { name = "show_private_provider_version_metadata", method = "GET",
      path = PROVIDER .. "/versions/{provider_version}/metadata", status = 200, query = { provider_id = "string" } },
    { name = "delete_private_provider_version", method = "DELETE", path = PROVIDER .. "/versions/{provider_version}",
      status = 204, query = { provider_id = "string" } },

    -- Private hooks ---------------------------------------------------------
    { name = "create_private_hook", method = "POST", path = "/v1/private-hooks", status = 201,
      body = {
        hook_name = "string!", hook_version = "string!", hook_description = "string",
        hook_version_description = "string", configuration = "object",
        policy_uri = "string", policy_body = "string",
      },
      exactly_one = { "policy_uri", "policy_body" } },
    { name = "list_private_hooks", method = "GET", path = "/v1/private-hooks", status = 200,
      query = REGISTRY_PAGE, items = "hooks", each = "each_private_hook" },
    { name = "show_private_hook_metadata", method = "GET", path = HOOK .. "/metadata", status = 200,
      query = { hook_id = "string" } },
    { name = "update_private_hook_metadata", method = "PATCH", path = HOOK .. "/metadata", status = 204,
      body = { hook_id = "string", hook_description = "string", default_version = "string", configuration = "object" } },
    { name = "delete_private_hook", method = "DELETE", path = HOOK, status = 204, query = { hook_id = "string" } },
    { name = "create_private_hook_version", method = "POST", path = HOOK .. "/versions", status = 201,
      body = {
        hook_version = "string!", hook_version_description = "string", policy_uri = "string",
        policy_body = "string", hook_id = "string",
      },
      exactly_one = { "policy_uri", "policy_body" } },
    { name = "list_private_hook_versions", method = "GET", path = HOOK .. "/versions", status = 200,
      query = fields(REGISTRY_PAGE, { hook_id = "string" }),
      items = "versions", each = "each_private_hook_version" },
    { name = "show_private_hook_version_metadata", method = "GET",
      path = HOOK .. "/versions/{hook_version}/metadata", status = 200, query = { hook_id = "string" } },
    { name = "show_private_hook_version_policy", method = "GET", path = HOOK .. "/versions/{hook_version}/policies",
      status = 307, query = { hook_id = "string" }, redirect = true },
    { name = "delete_private_hook_version", method = "DELETE", path = HOOK .. "/versions/{hook_version}",
      status = 204, query = { hook_id = "string" } },

    -- Private modules -------------------------------------------------------
    { name = "create_private_module", method = "POST", path = "/v1/private-modules", status = 201,
      body = {
        module_name = "string!", module_description = "string", module_version = "string",
        module_uri = "string", version_description = "string",
      } },
    { name = "list_private_modules", method = "GET", path = "/v1/private-modules", status = 200,
      query = REGISTRY_PAGE, items = "modules", each = "each_private_module" },
    { name = "show_private_module_metadata", method = "GET", path = MODULE .. "/metadata", status = 200,
      query = { module_id = "string" } },
    { name = "update_private_module_metadata", method = "PATCH", path = MODULE .. "/metadata", status = 204,
      body = { module_id = "string", module_description = "string" } },
    { name = "delete_private_module", method = "DELETE", path = MODULE, status = 204, query = { module_id = "string" } },
    { name = "create_private_module_version", method = "POST", path = MODULE .. "/versions", status = 201,
      body = {
        module_version = "string!", module_uri = "string!", version_description = "string", module_id = "string",
      } },
    { name = "list_private_module_versions", method = "GET", path = MODULE .. "/versions", status = 200,
      query = fields(REGISTRY_PAGE, { module_id = "string" }),
      items = "versions", each = "each_private_module_version" },
    { name = "show_private_module_version_metadata", method = "GET",
      path = MODULE .. "/versions/{module_version}/metadata", status = 200, query = { module_id = "string" } },
    { name = "show_private_module_version_content", method = "GET", path = MODULE .. "/versions/{module_version}",
      status = 307, query = { module_id = "string" }, redirect = true },
    { name = "delete_private_module_version", method = "DELETE", path = MODULE .. "/versions/{module_version}",
      status = 204, query = { module_id = "string" } },
  },
}
