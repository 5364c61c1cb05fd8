-- IAM (Keystone v3 subset) in the emulator: password tokens, token
-- validation, project lookup (the SDK's project-id resolution), the
-- account's domains, temporary security credentials and version discovery.
-- Errors use Keystone's shape C ({"error": {"code": 401, "message", "title"}}).

local projects = require "emu.iam.projects"
local securitytokens = require "emu.iam.securitytokens"
local token_api = require "emu.iam.token_api"
local tokens = require "emu.iam.tokens"
local versions = require "emu.iam.versions"

return {
  error_shape = "C",
  frame_errors = { bad_json = { 400, "IAM.0011", "The request body is malformed." } },
  routes = {
    { method = "POST", path = "/v3/auth/tokens", handler = token_api.create, auth = false },
    { method = "GET", path = "/v3/auth/tokens", handler = token_api.validate },
    { method = "GET", path = "/v3/auth/projects", handler = projects.list_auth },
    { method = "GET", path = "/v3/auth/domains", handler = projects.list_domains },
    { method = "GET", path = "/v3/projects", handler = projects.list },
    { method = "GET", path = "/v3/projects/{project_id}", handler = projects.show, project = false },
    { method = "POST", path = "/v3.0/OS-CREDENTIAL/securitytokens", handler = securitytokens.create },
    { method = "GET", path = "/", handler = versions.list, auth = false, host = "iam" },
    { method = "GET", path = "/v3", handler = versions.show, auth = false },
  },
  reset = function()
    tokens.reset()
  end,
}
