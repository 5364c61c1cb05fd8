-- The VPC Endpoint (VPCEP) service object: one method per API operation
-- (generated from lua/hwcloud/ops/vpcep.lua), one each_* iterator per paged
-- list operation (offset/limit/total_count), and waiters for endpoint
-- services and endpoints (created, accepted, deleted).
-- Get one with client:vpcep() or require("hwcloud.vpcep").new(client).

local wait = require("hwcloud.wait")

-- M.operations (the compiled data) and M.new(client), see hwcloud.service
local M, Vpcep = require("hwcloud.service").new(require("hwcloud.ops.vpcep"))

-- Build the for_status options shared by every VPCEP waiter.
local function waiter(self, fname, args, id_field, get_name, what, accepted)
  local name = "vpcep." .. fname
  wait.check_args(name, args, { id_field }, accepted)
  local id = args[id_field]
  local get_args = { [id_field] = id, project_id = args.project_id }
  local o = wait.options(name, what .. " " .. id, args)
  o.get = function() return (self[get_name](self, get_args)) end
  -- the resource's error list: {code, message} (services) or
  -- {error_code, error_message} (endpoints)
  o.details = function(r)
    local parts = {}
    for _, e in ipairs(type(r) == "table" and type(r.error) == "table" and r.error or {}) do
      parts[#parts + 1] = tostring(e.error_code or e.code) .. " " .. tostring(e.error_message or e.message)
    end
    return wait.join_once(parts), { errors = type(r) == "table" and r.error or nil }
  end
  return o
end

-- A waiter method: check the arguments, poll the resource's details
-- operation, with `states(o, args)` setting the states to wait for.
local function waiter_method(fname, id_field, get_name, what, states)
  local accepted = wait.accepts({ [id_field] = true, status = fname == "wait_endpoint" })
  return function(self, args)
    local o = waiter(self, fname, args, id_field, get_name, what, accepted)
    states(o, args)
    return wait.for_status(o)
  end
end

local function deleted(o)
  o.success, o.failure, o.gone = {}, { "failed" }, "success"
end

--- Wait until an endpoint service is `available` (creation finished).
-- @function Vpcep:wait_endpoint_service
-- @tparam table args `vpc_endpoint_service_id` (required) and the poll
--   options `timeout` (1200 s), `interval` (5 s), `clock`, `sleep`, `on_progress`
-- @treturn table the service details
-- @raise kind "waiter" with code "failed" (field `errors` = the service's
--   error list), "GONE" or "TIMEOUT"
Vpcep.wait_endpoint_service = waiter_method("wait_endpoint_service", "vpc_endpoint_service_id",
  "list_service_details", "endpoint service", function(o)
    o.success, o.failure = { "available" }, { "failed" }
  end)

--- Wait until an endpoint service is deleted (404).
-- @function Vpcep:wait_endpoint_service_deleted
-- @tparam table args `vpc_endpoint_service_id` (required) and the poll options
-- @treturn boolean true
-- @raise kind "waiter" with code "failed" or "TIMEOUT"
Vpcep.wait_endpoint_service_deleted = waiter_method("wait_endpoint_service_deleted",
  "vpc_endpoint_service_id", "list_service_details", "endpoint service", deleted)

--- Wait until an endpoint's connection is settled: by default `accepted` or
-- `pendingAcceptance` (created and waiting for the owner's approval).
-- @function Vpcep:wait_endpoint
-- @tparam table args `vpc_endpoint_id` (required), `status` (a state or list
--   of states to wait for, e.g. "accepted"), and the poll options
-- @treturn table the endpoint details
-- @raise kind "waiter" with code "failed" or "rejected" (unless waited for),
--   "GONE" or "TIMEOUT"
Vpcep.wait_endpoint = waiter_method("wait_endpoint", "vpc_endpoint_id",
  "list_endpoint_info_details", "endpoint", function(o, args)
    o.success = args.status or { "accepted", "pendingAcceptance" }
    local wanted = wait.set(o.success)
    o.failure = {}
    for _, s in ipairs({ "failed", "rejected" }) do
      if not wanted[s] then o.failure[#o.failure + 1] = s end
    end
  end)

--- Wait until an endpoint is deleted (404).
-- @function Vpcep:wait_endpoint_deleted
-- @tparam table args `vpc_endpoint_id` (required) and the poll options
-- @treturn boolean true
-- @raise kind "waiter" with code "failed" or "TIMEOUT"
Vpcep.wait_endpoint_deleted = waiter_method("wait_endpoint_deleted", "vpc_endpoint_id",
  "list_endpoint_info_details", "endpoint", deleted)

return M
