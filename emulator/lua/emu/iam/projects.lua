-- IAM project and domain lookups: GET /v3/projects (the SDK resolves a
-- project id with ?name=<region>), /v3/projects/{id}, /v3/auth/projects,
-- /v3/auth/domains. A caller only ever sees its own account's projects.

local accounts = require "emu.accounts"
local errors = require "emu.errors"
local json = require "emu.json"
local view = require "emu.iam.view"
local util = require "emu.util"

local projects = {}

local function account_of(req)
  return accounts.by_domain_id(req.account.domain_id)
end

local function trace()
  return { ["X-IAM-Trace-Id"] = util.hex(32) }
end

--- GET /v3/projects?name=&domain_id=&parent_id=&enabled=&page=&per_page=
function projects.list(req)
  local a = account_of(req)
  local q = req.query
  for _, k in ipairs({ "name", "domain_id", "parent_id", "enabled", "page", "per_page", "is_domain" }) do
    if type(q[k]) == "table" then error(errors.new(400, "IAM.0007", "Query parameter " .. k .. " is repeated.", "C"), 0) end
  end
  if (q.page == nil) ~= (q.per_page == nil) then
    error(errors.new(400, "IAM.0007", "page and per_page must be given together.", "C"), 0)
  end
  local page, per_page = tonumber(q.page or "1"), tonumber(q.per_page or "5000")
  if not page or page < 1 or page ~= math.floor(page) or not per_page or per_page < 1 or per_page > 5000
     or per_page ~= math.floor(per_page) then
    error(errors.new(400, "IAM.0007", "Invalid page or per_page.", "C"), 0)
  end
  local matched = {}
  for _, p in ipairs(a.projects) do
    local ok = (q.name == nil or q.name == p.name)
      and (q.domain_id == nil or q.domain_id == a.domain_id)
      and (q.parent_id == nil or q.parent_id == a.domain_id)
      and (q.enabled == nil or q.enabled == "true")
      and (q.is_domain == nil or q.is_domain == "false")
    if ok then matched[#matched + 1] = view.project(p, a, req.base_url) end
  end
  local out = json.array({})
  for i = (page - 1) * per_page + 1, math.min(#matched, page * per_page) do out[#out + 1] = matched[i] end
  return 200, {
    projects = out,
    links = { self = req.base_url .. "/v3/projects", previous = json.null, next = json.null },
  }, trace()
end

--- GET /v3/projects/{project_id}
function projects.show(req)
  local a = account_of(req)
  local p = accounts.project_of(a, req.params.project_id)
  if not p then error(errors.new(404, "IAM.0004", "Could not find project: " .. req.params.project_id .. ".", "C"), 0) end
  return 200, { project = view.project(p, a, req.base_url) }, trace()
end

--- GET /v3/auth/projects
function projects.list_auth(req)
  local a = account_of(req)
  local out = json.array({})
  for i, p in ipairs(a.projects) do
    local item = view.project(p, a, req.base_url)
    item.links = { self = item.links.self }
    out[i] = item
  end
  return 200, { projects = out, links = { self = req.base_url .. "/v3/auth/projects" } }, trace()
end

--- GET /v3/auth/domains
function projects.list_domains(req)
  local a = account_of(req)
  return 200, {
    domains = json.array({ {
      id = a.domain_id, name = a.domain_name, enabled = true, description = "",
      links = { self = req.base_url .. "/v3/domains/" .. a.domain_id },
    } }),
    links = { self = req.base_url .. "/v3/auth/domains", previous = json.null, next = json.null },
  }, trace()
end

return projects
