-- VPCEP version discovery: GET / and GET /{version} (no project, no auth).

local codes = require "emu.vpcep.codes"
local json = require "emu.json"

local versions = {}

local function v1(base_url)
  return {
    id = "v1", version = "1", min_version = "", status = "CURRENT", updated = "2018-09-30T00:00:00Z",
    links = json.array({ { href = base_url .. "/v1", type = "application/json", rel = "self" } }),
  }
end

--- GET /
function versions.list(req)
  return 200, { versions = json.array({ v1(req.base_url) }) }
end

--- GET /{version}
function versions.show(req)
  if req.params.version ~= "v1" then codes.fail("EndPoint.0005", "Unknown version " .. req.params.version .. ".") end
  return 200, { version = v1(req.base_url) }
end

return versions
