-- Helpers for the RFS emulator specs (spec/emulator/rfs_*_spec.lua): start
-- the emulator (spec.helpers.emulator), call RFS with a fresh
-- Client-Request-Id, slow down or speed up the asynchronous steps, and small
-- template fixtures in HCL and .tf.json.

local H = require("spec.helpers.emulator")

local M = {}

M.json = H.json

local n = 0
--- A fresh Client-Request-Id (36 characters).
function M.crid()
  n = n + 1
  return string.format("00000000-0000-4000-8000-%012d", n)
end

--- Start an emulator at speed 0 and return a handle with RFS helpers.
function M.start(opts)
  local e = H.start(opts or { speed = 0 })
  local P = "/v1/" .. e.project_id

  --- Call RFS: path relative to /v1/{project_id} unless it starts with "/v1/".
  function e.rfs(method, path, body, opts2)
    opts2 = opts2 or {}
    local headers = opts2.headers or {}
    if opts2.crid ~= false then headers[#headers + 1] = { "Client-Request-Id", opts2.crid or M.crid() } end
    local full = path:sub(1, 4) == "/v1/" and path or (P .. path)
    return e.call(method, full, body, { headers = headers, as = opts2.as })
  end

  --- Set emulator settings (speed, delays, rfs_fail_types).
  function e.settings(t)
    local status = e.control("POST", "/_emulator/config", t)
    assert(status == 200, "config failed: " .. tostring(status))
  end

  --- Make every RFS step slow (so a stack stays *_IN_PROGRESS).
  function e.slow()
    e.settings({ speed = 1, delays = { rfs_prepare = 60, rfs_resource = 60, rfs_finish = 60, rfs_delete = 60,
      rfs_plan = 60, rfs_stack_set_queue = 60 } })
  end

  --- Make every step instant again (pending steps finish on the next read).
  function e.fast() e.settings({ speed = 0 }) end

  --- GetStackMetadata body.
  function e.stack(name)
    local r = e.rfs("GET", "/stacks/" .. name .. "/metadata")
    return r.body, r
  end

  --- Events of a stack (all, newest first), optionally of one deployment.
  function e.events(name, deployment_id)
    local q = deployment_id and ("?deployment_id=" .. deployment_id) or ""
    return e.rfs("GET", "/stacks/" .. name .. "/events" .. q).body.stack_events
  end

  --- A stack's outputs as {name -> JSON-encoded value}.
  function e.outputs(name)
    local o = {}
    for _, x in ipairs(e.rfs("GET", "/stacks/" .. name .. "/outputs").body.outputs) do o[x.name] = x.value end
    return o
  end

  --- Create a stack (with a template when given) and return the response.
  function e.create(name, tf, extra)
    local body = { stack_name = name, template_body = tf }
    for k, v in pairs(extra or {}) do body[k] = v end
    return e.rfs("POST", "/stacks", body)
  end

  return e
end

--- A template with one VPC named by var.vpc_name and outputs.
M.VPC_TF = [[
variable "vpc_name" {
  type    = string
  default = "demo"
}
variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
resource "huaweicloud_vpc" "main" {
  name = var.vpc_name
  cidr = "10.0.0.0/16"
}
output "vpc_id" {
  value       = huaweicloud_vpc.main.id
  description = "the VPC id"
}
output "name" { value = "${huaweicloud_vpc.main.name}-x" }
output "secret" {
  value     = var.secret
  sensitive = true
}
]]

--- A subnet of VPC_TF's VPC (appended to it for two-resource stacks).
M.SUBNET_TF = [[
resource "huaweicloud_vpc_subnet" "sub" {
  name       = "s"
  vpc_id     = huaweicloud_vpc.main.id
  cidr       = "10.0.0.0/24"
  gateway_ip = "10.0.0.1"
}
]]

--- The same in .tf.json.
M.VPC_JSON = [[{
  "variable": {"vpc_name": {"type": "string", "default": "demo"}},
  "resource": {"huaweicloud_vpc": {"main": {"name": "${var.vpc_name}", "cidr": "10.0.0.0/16"}}},
  "output": {"vpc_id": {"value": "${huaweicloud_vpc.main.id}"}, "name": {"value": "${huaweicloud_vpc.main.name}-x"}}
}]]

--- A template whose second resource fails (emulator_fail) after the first is created.
function M.failing_tf(extra)
  return [[
resource "huaweicloud_vpc" "ok" {
  name = "ok"
}
resource "huaweicloud_vpc_subnet" "bad" {
  name       = "bad"
  vpc_id     = huaweicloud_vpc.ok.id
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
  ]] .. (extra or "emulator_fail = true") .. "\n}\n"
end

--- Find the first event of a type.
function M.find_event(events, event_type, pattern)
  for _, ev in ipairs(events or {}) do
    if ev.event_type == event_type and (not pattern or (ev.event_message or ""):find(pattern)) then return ev end
  end
  return nil
end

return M
