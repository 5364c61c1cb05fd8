-- The 33 VPC Endpoint (VPCEP) API operations as data: name (snake_case of
-- Huawei's SDK operation), HTTP method, path template, where each field goes
-- (path, query, body) and its type, which fields are required, the success
-- status, and how list operations page. hwcloud.operation executes these;
-- hwcloud.vpcep turns them into methods.
-- Sources: Huawei Cloud's VPC Endpoint API reference
-- (https://support.huaweicloud.com/api-vpcep/).
--
-- Field types: "string", "integer", "number", "boolean", "object", "array",
-- "string[]" (array of strings), "numeric" (a number sent as a decimal
-- string, for the string-typed limit/offset of ListResourceInstances);
-- a trailing "!" marks a required field. Every {placeholder} in a path is a
-- required string field (project_id is filled from the client).

local V1 = "/v1/{project_id}"
local V2 = "/v2/{project_id}"
local SERVICES = V1 .. "/vpc-endpoint-services"
local SERVICE = SERVICES .. "/{vpc_endpoint_service_id}"
local ENDPOINTS = V1 .. "/vpc-endpoints"
local ENDPOINT = ENDPOINTS .. "/{vpc_endpoint_id}"
local RESOURCE_TYPE = V1 .. "/{resource_type}"

-- Offset paging and sorting shared by the list operations.
local PAGED = { limit = "integer", offset = "integer", sort_key = "string", sort_dir = "string" }

-- Field groups merged into one new table (later groups win).
local fields = require("hwcloud.operation").fields

local TAG_FILTERS = {
  action = "string!", tags = "array", tags_any = "array", not_tags = "array",
  not_tags_any = "array", sys_tags = "array", limit = "numeric", offset = "numeric",
  matches = "array", without_any_tag = "boolean",
}

return {
  service = "vpcep",
  -- List operations page with limit/offset and report total_count.
  paging = "offset",

  operations = {
    -- Versions (no project id) ---------------------------------------------
    { name = "list_version_details", method = "GET", path = "/", status = 200 },
    { name = "list_specified_version_details", method = "GET", path = "/{version}", status = 200 },

    -- Endpoint services ----------------------------------------------------
    { name = "create_endpoint_service", method = "POST", path = SERVICES, status = 200,
      body = {
        port_id = "string!", vpc_id = "string!", server_type = "string!", ports = "array!",
        service_name = "string", approval_enabled = "boolean", service_type = "string",
        ip = "string", tcp_proxy = "string", tags = "array", description = "string",
        ip_version = "string", snat_network_id = "string",
      } },
    { name = "list_endpoint_service", method = "GET", path = SERVICES, status = 200,
      query = fields(PAGED, {
        endpoint_service_name = "string", id = "string", status = "string",
        public_border_group = "string", net_type = "string",
      }),
      items = "endpoint_services", each = "each_endpoint_service" },
    { name = "list_service_details", method = "GET", path = SERVICE, status = 200 },
    { name = "update_endpoint_service", method = "PUT", path = SERVICE, status = 200,
      body = {
        approval_enabled = "boolean", service_name = "string", ports = "array", port_id = "string",
        tcp_proxy = "string", description = "string", ip = "string",
      } },
    { name = "delete_endpoint_service", method = "DELETE", path = SERVICE, status = 204 },
    { name = "list_service_public_details", method = "GET", path = SERVICES .. "/public", status = 200,
      query = fields(PAGED, { endpoint_service_name = "string", id = "string" }),
      items = "endpoint_services", each = "each_public_service" },
    { name = "list_service_describe_details", method = "GET", path = SERVICES .. "/describe", status = 200,
      query = { endpoint_service_name = "string", id = "string" },
      exactly_one = { "endpoint_service_name", "id" } },
    { name = "update_endpoint_service_name", method = "PUT", path = SERVICE .. "/name", status = 200,
      body = { endpoint_service_name = "string" } },
    -- The SDK sends no body; the current docs allow an optional one.
    { name = "upgrade_endpoint_service", method = "POST",
      path = V2 .. "/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade", status = 204,
      body = { action = "string", enable_multi_server = "boolean" }, omit_empty_body = true },
    { name = "add_endpoint_service_server_resource", method = "POST",
      path = V2 .. "/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources", status = 204,
      body = { server_resources = "array!" } },

    -- Connections (the service owner's view of endpoints) --------------------
    { name = "list_service_connections", method = "GET", path = SERVICE .. "/connections", status = 200,
      query = fields(PAGED, { id = "string", marker_id = "string", status = "string" }),
      items = "connections", each = "each_connection" },
    { name = "accept_or_reject_endpoint", method = "POST", path = SERVICE .. "/connections/action",
      status = 200, body = { action = "string!", endpoints = "string[]!" } },
    { name = "update_endpoint_connections_desc", method = "PUT", path = SERVICE .. "/connections/description",
      status = 200, body = { connections = "array!" } },

    -- Whitelist (permissions) ----------------------------------------------
    { name = "list_service_permissions_details", method = "GET", path = SERVICE .. "/permissions",
      status = 200, query = fields(PAGED, { permission = "string" }),
      items = "permissions", each = "each_permission" },
    { name = "add_or_remove_service_permissions", method = "POST", path = SERVICE .. "/permissions/action",
      status = 200,
      body = { permissions = "string[]!", action = "string!", permission_type = "string" } },
    { name = "batch_add_endpoint_service_permissions", method = "POST",
      path = SERVICE .. "/permissions/batch-create", status = 200,
      body = { permissions = "array!", permission_type = "string" } },
    { name = "batch_remove_endpoint_service_permissions", method = "POST",
      path = SERVICE .. "/permissions/batch-delete", status = 200,
      body = { permissions = "array!" } },
    -- Body is {"permission": {"description": "..."}}.
    { name = "update_endpoint_service_permission_desc", method = "PUT",
      path = SERVICE .. "/permissions/{permission_id}", status = 200,
      body = { permission = "object!" } },

    -- Endpoints -------------------------------------------------------------
    { name = "create_endpoint", method = "POST", path = ENDPOINTS, status = 200,
      body = {
        endpoint_service_id = "string!", vpc_id = "string!", subnet_id = "string",
        port_ip = "string", enable_dns = "boolean", tags = "array", routetables = "string[]",
        whitelist = "string[]", enable_whitelist = "boolean", description = "string",
        policy_statement = "array", policy_document = "object", ip_version = "string",
        ipv6_address = "string",
      } },
    { name = "list_endpoints", method = "GET", path = ENDPOINTS, status = 200,
      query = fields(PAGED, {
        endpoint_service_name = "string", vpc_id = "string", id = "string",
        public_border_group = "string",
      }),
      items = "endpoints", each = "each_endpoint" },
    { name = "list_endpoint_info_details", method = "GET", path = ENDPOINT, status = 200 },
    { name = "update_endpoint_white", method = "PUT", path = ENDPOINT, status = 200,
      body = { whitelist = "string[]", enable_whitelist = "boolean" } },
    { name = "update_endpoint_routetable", method = "PUT", path = ENDPOINT .. "/routetables", status = 200,
      body = { routetables = "string[]!" } },
    { name = "update_endpoint_policy", method = "PUT", path = ENDPOINT .. "/policy", status = 200,
      body = { policy_statement = "array", policy_document = "object" } },
    { name = "delete_endpoint_policy", method = "DELETE", path = ENDPOINT .. "/policy", status = 200 },
    { name = "delete_endpoint", method = "DELETE", path = ENDPOINT, status = 204 },
    { name = "upgrade_endpoint", method = "POST",
      path = V2 .. "/vpc-endpoints/{vpc_endpoint_id}/upgrade", status = 202,
      body = { action = "string!" } },

    -- Quotas ----------------------------------------------------------------
    { name = "list_quota_details", method = "GET", path = V1 .. "/quotas", status = 200,
      query = { type = "string" } },

    -- Tags ({resource_type} is "endpoint_service" or "endpoint") ------------
    { name = "batch_add_or_remove_resource_instance", method = "POST",
      path = RESOURCE_TYPE .. "/{resource_id}/tags/action", status = 204,
      body = { action = "string!", tags = "array" } },
    { name = "list_query_project_resource_tags", method = "GET", path = RESOURCE_TYPE .. "/tags",
      status = 200 },
    -- A query sent as POST (safe to retry: idempotent); pages through the body
    -- (limit/offset are strings there); the iterator sets action = "filter".
    { name = "list_resource_instances", method = "POST", path = RESOURCE_TYPE .. "/resource_instances/action",
      status = 200, body = TAG_FILTERS, idempotent = true,
      items = "resources", each = "each_resource_instance", page_in = "body",
      page_defaults = { action = "filter" } },
  },
}
