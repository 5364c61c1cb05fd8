-- Keystone version discovery: GET / (with an iam.* Host) and GET /v3.

local json = require "emu.json"

local versions = {}

local function v3(base_url)
  return {
    id = "v3.0", status = "stable", updated = "2013-03-06T00:00:00Z",
    links = json.array({ { rel = "self", href = base_url .. "/v3/" } }),
    ["media-types"] = json.array({ { base = "application/json", type = "application/vnd.openstack.identity-v3+json" } }),
  }
end

--- GET /
function versions.list(req)
  return 300, { versions = { values = json.array({ v3(req.base_url) }) } }
end

--- GET /v3
function versions.show(req)
  return 200, { version = v3(req.base_url) }
end

return versions
