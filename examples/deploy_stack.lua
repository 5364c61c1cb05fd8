-- Deploy an RFS stack end to end: create it from examples/templates/network.tf
-- (streaming its deployment events), print its outputs, plan a change (a
-- second subnet), show the plan, apply it, print the new outputs, and delete
-- the stack. Runs against whatever the environment points to: the emulator
--   eval "$(bin/hwcloud-emulator start)"; lua5.4 examples/deploy_stack.lua
-- or Huawei Cloud (HUAWEICLOUD_SDK_AK, _SK, _REGION, _PROJECT_ID; no
-- HWCLOUD_ENDPOINT). Usage: lua5.4 examples/deploy_stack.lua [stack_name]
-- Exits non-zero when any step fails (after deleting what it created).

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local args = dofile(here .. "/cli.lua").args(arg, 1)
package.path = here .. "/../lua/?.lua;" .. here .. "/../lua/?/init.lua;" .. package.path
package.cpath = here .. (rawget(_G, "jit") and "/../build-luajit/?.so;" or "/../build/?.so;") .. package.cpath

local hwcloud = require("hwcloud")
local rfs_mod = require("hwcloud.rfs")
local wait = require("hwcloud.wait")

local stack_name = args[1] or ("lua-hwcloud-demo-" .. os.date("!%H%M%S"))
local template_file = here .. "/templates/network.tf"

io.stdout:setvbuf("line")

local function step(text)
  print("== " .. text)
end

-- Progress of every waiter goes to stdout, so it shows in logs too.
local function show_event(e)
  print("   " .. rfs_mod.format_event(e))
end

local function waiting()
  return { on_event = show_event, on_progress = wait.progress_printer(function(l) print("   " .. l) end) }
end

local function with(t, extra)
  for k, v in pairs(extra) do t[k] = v end
  return t
end

local function show_outputs(outputs)
  local names = {}
  for name in pairs(outputs) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local v = outputs[name]
    print(string.format("   %-14s = %s", name, type(v) == "table" and hwcloud.encode(v) or tostring(v)))
  end
end

local client = hwcloud.new()
local rfs = client:rfs()
local created = false

local function main()
  step("creating stack " .. stack_name .. " from " .. template_file)
  local meta, outputs = rfs:deploy_from_file(with({
    stack_name = stack_name,
    template_file = template_file,
    vars = { name = stack_name, subnet_count = 1 },
    description = "lua-hwcloud example: examples/deploy_stack.lua",
  }, waiting()))
  created = true
  print("   status: " .. meta.status .. " (stack_id " .. tostring(meta.stack_id) .. ")")
  step("outputs")
  show_outputs(outputs)

  step("planning a change: subnet_count 1 -> 2")
  local f = assert(io.open(template_file, "rb"))
  local template_body = f:read("*a")
  f:close()
  local plan_name = "add-subnet"
  rfs:create_execution_plan{
    stack_name = stack_name,
    execution_plan_name = plan_name,
    description = "one more subnet",
    template_body = template_body,
    vars_structure = rfs_mod.vars_structure{ name = stack_name, subnet_count = 2 },
  }
  local plan = rfs:wait_execution_plan(with({ stack_name = stack_name, execution_plan_name = plan_name }, waiting()))
  local s = plan.summary or {}
  print(string.format("   plan %s: %s to add, %s to change, %s to delete", plan.status,
    tostring(s.resource_add or "?"), tostring(s.resource_update or "?"), tostring(s.resource_delete or "?")))
  local items = rfs:get_execution_plan{ stack_name = stack_name, execution_plan_name = plan_name }
  for _, item in ipairs(items.execution_plan_items or {}) do
    print(string.format("   %-12s %s.%s%s", tostring(item.action), tostring(item.resource_type),
      tostring(item.resource_name), item.index and ("[" .. tostring(item.index) .. "]") or ""))
  end

  step("applying the plan")
  local applied = rfs:apply_execution_plan{ stack_name = stack_name, execution_plan_name = plan_name }
  meta = rfs:wait_stack(with({ stack_name = stack_name, deployment_id = applied.deployment_id }, waiting()))
  print("   status: " .. meta.status)
  step("outputs after the change")
  show_outputs(rfs:outputs(stack_name))

  local n = 0
  for _ in rfs:each_stack_resource{ stack_name = stack_name } do n = n + 1 end
  print("   the stack manages " .. n .. " resources")
end

local ok, err = pcall(main)
if not ok then
  io.stderr:write("deploy_stack: FAILED: ", tostring(err), "\n")
  if type(err) == "table" and err.errors then
    for _, e in ipairs(err.errors) do io.stderr:write("   ", tostring(e.event_message), "\n") end
  end
end

-- Delete the stack whatever happened (if it was created).
local exists = created or pcall(rfs.get_stack_metadata, rfs, { stack_name = stack_name })
if exists then
  step("deleting stack " .. stack_name)
  local deleted, derr = pcall(function()
    rfs:delete_stack{ stack_name = stack_name }
    rfs:wait_stack_deleted(with({ stack_name = stack_name }, waiting()))
  end)
  if deleted then
    print("   deleted")
  else
    io.stderr:write("deploy_stack: delete FAILED: ", tostring(derr), "\n")
    ok = false
  end
end
client:close()
print(ok and "deploy_stack: OK" or "deploy_stack: FAILED")
os.exit(ok and 0 or 1)
