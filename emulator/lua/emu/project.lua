-- Which project an authenticated call acts on: the `{project_id}` in the
-- path must belong to the caller's account and agree with the token's scope
-- and with any X-Project-Id header (routes with `project = false`, such as
-- IAM's /v3/projects/{project_id}, are exempt).

local accounts = require "emu.accounts"
local errors = require "emu.errors"
local util = require "emu.util"

local project = {}

-- The error a service gives for a project mismatch (its frame_errors.project),
-- else the gateway's.
local function project_error(route)
  local fe = route.module and route.module.frame_errors
  local e = fe and fe.project
  if e then return errors.new(e[1], e[2], e[3]) end
  return errors.new(403, "APIGW.0310", "The project is unavailable or does not belong to the caller.")
end

--- The project record an authenticated call acts on (nil for calls with no
-- project). Raises the service's project error when the path's project is
-- not the caller's, differs from X-Project-Id or from the token's scope.
function project.resolve(route, params, caller, headers)
  local path_project = params.project_id
  local chosen = caller.project
  if caller.via == "aksk" then
    local hp = util.header(headers, "x-project-id")
    if hp then
      chosen = accounts.project_of(caller.account, util.trim(hp))
      if not chosen then error(project_error(route), 0) end
    end
  end
  if path_project and route.project ~= false then
    if caller.via == "token" and not caller.project then
      error(project_error(route), 0)   -- a domain-scoped token cannot call a project service
    end
    local owned = accounts.project_of(caller.account, path_project)
    if not owned or (chosen and chosen.id ~= path_project) then error(project_error(route), 0) end
    chosen = owned
  end
  return chosen
end

return project
