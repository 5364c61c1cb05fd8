-- Measures how the emulator's template engine scales with hostile sizes
-- (issue 7, findings 4 and 5): parsing a heredoc line of inner spaces, and
-- evaluating plus deploying count = N instances, in process (no nginx).
-- Run under LuaJIT, which the emulator runs on:
--   luajit bench/emulator_templates.lua
-- Every figure should grow linearly with its size.
package.path = "emulator/lua/?.lua;emulator/lua/?/init.lua;" .. package.path
local hcl = require "emu.rfs.hcl"
local config = require "emu.config"
local stacks = require "emu.rfs.stacks"
local deployments = require "emu.rfs.deployments"
local machine = require "emu.rfs.machine"

local clock = os.clock

print((rawget(_G, "jit") and jit.version or _VERSION))
for _, n in ipairs({ 40000, 400000, 4000000 }) do
  local text = "x = <<EOT\na" .. string.rep(" ", n) .. "b\nEOT\n"
  local t0 = clock()
  hcl.parse(text)
  print(string.format("heredoc line with %8d inner spaces: parse %7.3f s", n, clock() - t0))
end

config.init({ speed = 0, rfs_max_count = 64000, rfs_max_instances = 64000 })
for _, n in ipairs({ 8000, 16000, 32000, 64000 }) do
  local s = stacks.new_stack({ project_id = "bench", region = "r", stack_name = "b" .. n, now = 0 })
  local t0 = clock()
  deployments.deploy(s, { template_body = 'resource "huaweicloud_vpc" "v" {\n count = ' .. n .. '\n name = "v-${count.index}"\n}\n' }, 0)
  local t1 = clock()
  machine.advance(s, 1)
  local t2 = clock()
  assert(s.status == "DEPLOYMENT_COMPLETE" and #s.resources == n)
  print(string.format("count = %6d: evaluate %6.3f s, deploy %6.3f s", n, t1 - t0, t2 - t1))
end
