-- POST /v3/auth/tokens (password token, project or domain scope) and
-- GET /v3/auth/tokens (validate the token in X-Subject-Token).

local accounts = require "emu.accounts"
local errors = require "emu.errors"
local tokens = require "emu.iam.tokens"
local view = require "emu.iam.view"
local util = require "emu.util"

local token_api = {}

local function bad(msg)
  error(errors.new(400, "IAM.0011", msg, "C"), 0)
end

local function unauthorized(msg)
  error(errors.new(401, "IAM.0062", msg, "C"), 0)
end

local function has(list, value)
  if type(list) ~= "table" then return false end
  for _, v in ipairs(list) do if v == value then return true end end
  return false
end

local function str(v) return type(v) == "string" and v ~= "" and v or nil end

local function find_user(pw)
  if type(pw) ~= "table" or type(pw.user) ~= "table" then bad("auth.identity.password.user is required.") end
  local u = pw.user
  local dom = type(u.domain) == "table" and u.domain or {}
  if not str(u.password) then bad("auth.identity.password.user.password is required.") end
  if not str(u.name) and not str(u.id) then bad("auth.identity.password.user.name or id is required.") end
  if str(u.name) and not str(dom.name) and not str(dom.id) then
    bad("auth.identity.password.user.domain.name is required.")
  end
  local a = accounts.find_user(str(u.name), str(u.id), str(dom.name), str(dom.id))
  if not a or a.password ~= u.password then unauthorized("The username or password is wrong.") end
  return a
end

local function find_scope(scope, a)
  if scope == nil then return {} end
  if type(scope) ~= "table" then bad("auth.scope must be an object.") end
  if type(scope.project) == "table" then
    local p = accounts.project_of(a, str(scope.project.id), str(scope.project.name))
    if not (str(scope.project.id) or str(scope.project.name)) then bad("auth.scope.project needs id or name.") end
    if not p then error(errors.new(400, "IAM.1109", "The project does not exist.", "C"), 0) end
    return { project = p }
  end
  if type(scope.domain) == "table" then
    local d = scope.domain
    if (str(d.id) and d.id ~= a.domain_id) or (str(d.name) and d.name ~= a.domain_name) then
      unauthorized("The user is not authorized for the requested domain.")
    end
    return {}
  end
  return {}
end

--- POST /v3/auth/tokens
function token_api.create(req)
  local b = req.body
  if type(b) ~= "table" or type(b.auth) ~= "table" or type(b.auth.identity) ~= "table" then
    bad("The request body must contain auth.identity.")
  end
  local id = b.auth.identity
  if not has(id.methods, "password") then bad("auth.identity.methods must contain \"password\".") end
  local a = find_user(id.password)
  local scope = find_scope(b.auth.scope, a)
  local t, rec = tokens.issue(a, scope, { "password" }, req.now)
  return 201, view.token(rec, req.base_url, req.query.nocatalog ~= nil and req.query.nocatalog ~= ""),
    { ["X-Subject-Token"] = t, ["X-IAM-Trace-Id"] = util.hex(32) }
end

--- GET /v3/auth/tokens (X-Subject-Token = the token to check)
function token_api.validate(req)
  local subject = req.headers["x-subject-token"]
  if type(subject) ~= "string" or subject == "" then
    error(errors.new(400, "IAM.0009", "X-Subject-Token is invalid in the request.", "C"), 0)
  end
  local rec = tokens.lookup(util.trim(subject))
  if not rec or req.now >= rec.expires_at then
    error(errors.new(404, "IAM.0004", "The token does not exist or has expired.", "C"), 0)
  end
  if rec.account.domain_id ~= req.account.domain_id then
    error(errors.new(403, "IAM.0002", "You are not authorized to perform the requested action.", "C"), 0)
  end
  return 200, view.token(rec, req.base_url, req.query.nocatalog ~= nil and req.query.nocatalog ~= ""),
    { ["X-Subject-Token"] = util.trim(subject), ["X-IAM-Trace-Id"] = util.hex(32) }
end

return token_api
