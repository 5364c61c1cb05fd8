-- Measures the pieces behind private hooks and modules: compiling and
-- evaluating a hook policy (emu.rfs.rego) over plans of 10, 100 and 1000
-- resource changes, and building (hwcloud.zip) and reading (emu.rfs.zip) a
-- module package near the 1 MB limit.
--   lua5.4 bench/private.lua        luajit bench/private.lua
package.path = "lua/?.lua;lua/?/init.lua;emulator/lua/?.lua;" .. package.path
package.cpath = (rawget(_G, "jit") and "build-luajit/?.so;" or "build/?.so;") .. package.cpath
local core = require "hwcloud.core"
local json = require "emu.json"
local rego = require "emu.rfs.rego"
local zip = require "hwcloud.zip"
local zread = require "emu.rfs.zip"

local function bench(name, n, fn)
  fn() -- warm up
  local t0 = core.now()
  for _ = 1, n do fn() end
  local dt = core.now() - t0
  print(string.format("%-52s %6d in %6.3f s  %10.1f us/op", name, n, dt, dt / n * 1e6))
end

local POLICY = [[
package policy
import rego.v1

bad contains msg if {
  some rc in input.plan.resource_changes
  rc.type == "huaweicloud_vpc"
  some action in rc.actions
  action in {"create", "update"}
  not startswith(rc.after.name, "prod-")
  msg := sprintf("%s: the name %q must start with prod-", [rc.address, rc.after.name])
}

hook_result := {"is_passed": count(bad) == 0, "err_msg": concat("; ", sort(bad))}
]]

local function input(n)
  local changes = json.array()
  for i = 1, n do
    changes[i] = { address = "huaweicloud_vpc.v" .. i, type = "huaweicloud_vpc", name = "v" .. i,
      actions = json.array({ "create" }), before = json.null,
      after = { name = (i % 10 == 0 and "dev-" or "prod-") .. i, cidr = "10.0.0.0/16" } }
  end
  return { action = "DeployStack", plan = { resource_changes = changes } }
end

print(jit and jit.version or _VERSION)
bench("rego.compile (a 13-line policy)", 2000, function() assert(rego.compile({ { name = "p", text = POLICY } })) end)
local compiled = assert(rego.compile({ { name = "p", text = POLICY } }))
for _, n in ipairs({ 10, 100, 1000 }) do
  local doc = input(n)
  bench("rego.evaluate over " .. n .. " resource changes", n >= 1000 and 20 or 200, function()
    local r = rego.evaluate(compiled, doc)
    assert(r.is_passed == false)
  end)
end

local files = {}
for i = 1, 90 do files[i] = { name = string.format("m/f%02d.tf", i), data = string.rep("# padding line of a module file\n", 350) } end
local size = 0
for _, f in ipairs(files) do size = size + #f.data end
local bytes
bench(string.format("hwcloud.zip.build (90 files, %d KB)", math.floor(size / 1024)), 10, function() bytes = zip.build(files) end)
bench(string.format("emu.rfs.zip.read (90 stored files, %d KB)", math.floor(#bytes / 1024)), 50, function() assert(zread.read(bytes)) end)
