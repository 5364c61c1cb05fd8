-- Share a module and enforce a policy with RFS's private registries:
-- publish examples/modules/net as the private module "demo_net", publish
-- examples/policies/no_public_ip.rego as a FAIL-mode private hook, deploy a
-- stack that uses the module, then watch the hook block a forbidden change
-- (adding an elastic IP) while the stack keeps its resources; clean up.
-- Runs against the emulator (it uploads the module package there):
--   eval "$(bin/hwcloud-emulator start)"; lua5.4 examples/private_registry.lua
-- Against Huawei Cloud, upload the zip to OBS yourself (see `upload` below).
-- Usage: lua5.4 examples/private_registry.lua [stack_name]
-- Exits non-zero when a step does not go as described.

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local args = dofile(here .. "/cli.lua").args(arg, 1)
package.path = here .. "/../lua/?.lua;" .. here .. "/../lua/?/init.lua;" .. package.path
package.cpath = here .. (rawget(_G, "jit") and "/../build-luajit/?.so;" or "/../build/?.so;") .. package.cpath

local hwcloud = require("hwcloud")
local rfs_mod = require("hwcloud.rfs")

io.stdout:setvbuf("line")

local MODULE, HOOK, STACK = "demo_net", "no-public-ip-hook", args[1] or "demo-private-registry"

local function step(text) print("== " .. text) end

if not os.getenv("HWCLOUD_ENDPOINT") then
  io.stderr:write("private_registry: set HWCLOUD_ENDPOINT to the emulator (eval \"$(bin/hwcloud-emulator start)\");\n" ..
    "against Huawei Cloud, replace `upload` with an upload to OBS that returns the object's URL\n")
  os.exit(1)
end

local client = hwcloud.new()
local rfs = client:rfs()
local upload = rfs_mod.emulator_upload(client)

local function wait(deployment_id)
  return rfs:wait_stack{ stack_name = STACK, deployment_id = deployment_id, interval = 0.2, timeout = 120,
    on_event = function(e) print("   " .. rfs_mod.format_event(e)) end, on_progress = false }
end

local function stack_template(source, with_eip)
  local tf = ([[
module "net" {
  source = "%s"
  name   = "demo-net"
}
output "vpc_id" {
  value = module.net.vpc_id
}
]]):format(source)
  if with_eip then
    tf = tf .. [[
resource "huaweicloud_vpc_eip" "public" {
  name = "demo-ip"
  publicip {
    type = "5_bgp"
  }
  bandwidth {
    share_type = "PER"
    name       = "demo-bw"
    size       = 5
  }
}
]]
  end
  return tf
end

local function main()
  step("publishing " .. here .. "/modules/net as private module " .. MODULE .. " 1.0.0")
  local source = rfs:publish_module_version{ module_name = MODULE, module_version = "1.0.0",
    dir = here .. "/modules/net", upload = upload, module_description = "a VPC with one subnet" }
  print("   source: " .. source)

  step("publishing " .. here .. "/policies/no_public_ip.rego as private hook " .. HOOK .. " (FAIL, all stacks)")
  local hook = rfs:publish_hook_version{ hook_name = HOOK, hook_version = "1.0.0",
    policy_file = here .. "/policies/no_public_ip.rego", configuration = { target_stacks = "ALL", failure_mode = "FAIL" } }
  print("   default version " .. hook.default_version .. ", " .. hook.configuration.failure_mode .. " mode")

  step("creating stack " .. STACK .. " from the module")
  local created = rfs:create_stack{ stack_name = STACK, template_body = stack_template(source, false) }
  local meta = wait(created.deployment_id)
  print("   status: " .. meta.status)
  if meta.status ~= "DEPLOYMENT_COMPLETE" then error("the stack did not deploy", 0) end
  for r in rfs:each_stack_resource{ stack_name = STACK } do
    print(string.format("   resource %s.%s (%s)", r.logical_resource_type, r.logical_resource_name, r.physical_resource_id))
  end
  print("   vpc_id = " .. tostring(rfs:outputs(STACK).vpc_id))

  step("deploying a forbidden change: an elastic IP")
  local dep = rfs:deploy_stack{ stack_name = STACK, template_body = stack_template(source, true) }
  if pcall(wait, dep.deployment_id) then error("the hook did not block the change", 0) end
  print("   blocked: " .. tostring(rfs:get_stack_metadata{ stack_name = STACK }.status_message))
  local n = 0
  for _ in rfs:each_stack_resource{ stack_name = STACK } do n = n + 1 end
  print("   the stack still has " .. n .. " resources and no elastic IP")
  if n ~= 2 then error("the blocked deployment changed resources", 0) end
end

local function cleanup()
  step("cleaning up")
  local function try(what, fn, args)
    local ok, err = pcall(fn, rfs, args)
    if ok then print("   deleted " .. what) elseif not (type(err) == "table" and err.status == 404) then
      print("   could not delete " .. what .. ": " .. tostring(type(err) == "table" and err.message or err))
    end
  end
  try("stack " .. STACK, rfs.delete_stack, { stack_name = STACK })
  pcall(rfs.wait_stack_deleted, rfs, { stack_name = STACK, interval = 0.2, timeout = 120, on_progress = false })
  try("hook " .. HOOK, rfs.delete_private_hook, { hook_name = HOOK })
  try("module " .. MODULE, rfs.delete_private_module, { module_name = MODULE })
end

local ok, err = xpcall(main, function(e)
  return type(e) == "table" and (e.message or tostring(e)) or debug.traceback(tostring(e), 2)
end)
cleanup()
client:close()
if not ok then
  print("private_registry: FAILED: " .. tostring(err))
  os.exit(1)
end
print("private_registry: OK")
