-- Publish a VPC endpoint service and connect to it from a second account:
-- the owner creates a service that needs approval and whitelists the second
-- account; the second account looks the service up and creates an endpoint
-- to it; the owner accepts the connection; the consumer waits until it is
-- accepted; then everything is deleted again.
--
-- Accounts come from the environment: the owner from the usual variables
-- (HUAWEICLOUD_SDK_AK, _SK, _PROJECT_ID, _REGION, HWCLOUD_ENDPOINT), the
-- consumer from HWCLOUD_SECOND_AK, HWCLOUD_SECOND_SK,
-- HWCLOUD_SECOND_PROJECT_ID and HWCLOUD_SECOND_DOMAIN_ID (examples/demo.sh
-- sets them for the emulator's second account).
-- Network ids: HWCLOUD_DEMO_VPC_ID and HWCLOUD_DEMO_PORT_ID (the backend of
-- the service: a VPC and the port of an ECS NIC), HWCLOUD_DEMO_CONSUMER_VPC_ID
-- and HWCLOUD_DEMO_CONSUMER_SUBNET_ID (where the endpoint goes). The emulator
-- accepts any UUIDs, so made-up ones are used when these are not set; on
-- Huawei Cloud they must name real resources.
-- Usage: lua5.4 examples/publish_service.lua. Exits non-zero on failure.

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
dofile(here .. "/cli.lua").args(arg, 0) -- takes no arguments; --help prints the usage
package.path = here .. "/../lua/?.lua;" .. here .. "/../lua/?/init.lua;" .. package.path
package.cpath = here .. (rawget(_G, "jit") and "/../build-luajit/?.so;" or "/../build/?.so;") .. package.cpath

local hwcloud = require("hwcloud")
local uuid = require("hwcloud.uuid")
local wait = require("hwcloud.wait")

io.stdout:setvbuf("line")

local function step(text)
  print("== " .. text)
end

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

local function waiting(t)
  t.on_progress = wait.progress_printer(function(l) print("   " .. l) end)
  return t
end

local second = {
  ak = env("HWCLOUD_SECOND_AK"), sk = env("HWCLOUD_SECOND_SK"),
  project_id = env("HWCLOUD_SECOND_PROJECT_ID"), domain_id = env("HWCLOUD_SECOND_DOMAIN_ID"),
}
if not (second.ak and second.sk and second.project_id) then
  io.stderr:write("publish_service: set HWCLOUD_SECOND_AK, HWCLOUD_SECOND_SK and HWCLOUD_SECOND_PROJECT_ID ",
    "(the account that connects to the service)\n")
  os.exit(2)
end

local owner_client = hwcloud.new()
local consumer_client = hwcloud.new(second)
local owner = owner_client:vpcep()
local consumer = consumer_client:vpcep()

local vpc_id = env("HWCLOUD_DEMO_VPC_ID", uuid.v4())
local port_id = env("HWCLOUD_DEMO_PORT_ID", uuid.v4())
local consumer_vpc_id = env("HWCLOUD_DEMO_CONSUMER_VPC_ID", uuid.v4())
local consumer_subnet_id = env("HWCLOUD_DEMO_CONSUMER_SUBNET_ID", uuid.v4())

local service, endpoint

local function main()
  step("owner: publishing an endpoint service that needs approval")
  service = owner:create_endpoint_service{
    vpc_id = vpc_id, port_id = port_id, server_type = "VM",
    ports = { { client_port = 80, server_port = 8080, protocol = "TCP" } },
    service_name = "luademo", approval_enabled = true,
    description = "lua-hwcloud example: examples/publish_service.lua",
  }
  print("   " .. service.id .. "  " .. tostring(service.service_name) .. "  " .. tostring(service.status))
  service = owner:wait_endpoint_service(waiting{ vpc_endpoint_service_id = service.id })

  local domain_id = second.domain_id or consumer_client:get_domain_id()
  if not domain_id then error("the second account's domain id is unknown: set HWCLOUD_SECOND_DOMAIN_ID", 0) end
  step("owner: whitelisting account " .. tostring(domain_id))
  owner:batch_add_endpoint_service_permissions{
    vpc_endpoint_service_id = service.id,
    permissions = { { permission = "iam:domain::" .. domain_id, description = "the example's second account" } },
  }
  for p in owner:each_permission{ vpc_endpoint_service_id = service.id } do
    print("   " .. tostring(p.permission) .. "  (" .. tostring(p.permission_type) .. ")")
  end

  step("consumer: looking the service up and creating an endpoint")
  local found = consumer:list_service_describe_details{ id = service.id }
  print("   found " .. tostring(found.service_name) .. " (" .. tostring(found.service_type) .. ")")
  endpoint = consumer:create_endpoint{
    endpoint_service_id = service.id, vpc_id = consumer_vpc_id, subnet_id = consumer_subnet_id,
    description = "lua-hwcloud example endpoint",
  }
  endpoint = consumer:wait_endpoint(waiting{ vpc_endpoint_id = endpoint.id })
  print("   endpoint " .. endpoint.id .. " is " .. endpoint.status)

  step("owner: accepting the connection")
  for c in owner:each_connection{ vpc_endpoint_service_id = service.id, status = "pendingAcceptance" } do
    print("   pending: endpoint " .. tostring(c.id) .. " of account " .. tostring(c.domain_id))
  end
  owner:accept_or_reject_endpoint{ vpc_endpoint_service_id = service.id, action = "receive", endpoints = { endpoint.id } }

  step("consumer: waiting until accepted")
  endpoint = consumer:wait_endpoint(waiting{ vpc_endpoint_id = endpoint.id, status = "accepted" })
  print("   endpoint " .. endpoint.id .. " is " .. endpoint.status .. ", ip " .. tostring(endpoint.ip))
end

local ok, err = pcall(main)
if not ok then io.stderr:write("publish_service: FAILED: ", tostring(err), "\n") end

-- Clean up whatever was created, endpoint first (a service with a
-- connected endpoint cannot be deleted).
local function cleanup(what, fn)
  local done, cerr = pcall(fn)
  if done then
    print("   deleted " .. what)
  else
    io.stderr:write("publish_service: deleting ", what, " FAILED: ", tostring(cerr), "\n")
    ok = false
  end
end
if endpoint or service then step("cleaning up") end
if endpoint then
  cleanup("endpoint " .. endpoint.id, function()
    consumer:delete_endpoint{ vpc_endpoint_id = endpoint.id }
    consumer:wait_endpoint_deleted(waiting{ vpc_endpoint_id = endpoint.id })
  end)
end
if service then
  cleanup("endpoint service " .. service.id, function()
    owner:delete_endpoint_service{ vpc_endpoint_service_id = service.id }
    owner:wait_endpoint_service_deleted(waiting{ vpc_endpoint_service_id = service.id })
  end)
end
owner_client:close()
consumer_client:close()
print(ok and "publish_service: OK" or "publish_service: FAILED")
os.exit(ok and 0 or 1)
