-- emu.rfs: the Resource Formation Service (RFS, "aos") of the emulator. Puts
-- together the routes of the 46 operations of the RFS API reference
-- (https://support.huaweicloud.com/api-aos/: stacks, events,
-- resources, outputs, execution plans, template analysis, templates, stack
-- sets), the 29 of its private registry APIs (private providers, hooks and modules),
-- plus the emulator-only blob URLs that 307 answers point at, and the
-- reset of all RFS state. See emulator/README.md "RFS in the emulator".

local store = require("emu.rfs.store")
local blobs = require("emu.rfs.blobs")
local registry = require("emu.rfs.registry")

local M = {}

M.routes = {}
for _, name in ipairs({ "stacks", "resources", "plans", "analysis", "templates", "stack_sets", "stack_set_instances",
                        "private_providers", "private_hooks", "private_modules" }) do
  for _, r in ipairs(require("emu.rfs." .. name).routes) do M.routes[#M.routes + 1] = r end
end
for _, r in ipairs(blobs.routes) do M.routes[#M.routes + 1] = r end

--- Errors the frame raises for this service, in RFS terms.
M.frame_errors = {
  bad_json = { 400, "RF.10011033", "the request body is not valid JSON" },
}

--- Forget every stack, template, stack set, private provider, hook, module and blob.
function M.reset()
  store.reset()
  registry.reset()
  blobs.reset()
end

return M
