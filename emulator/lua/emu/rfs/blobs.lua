-- Downloadable content of the RFS emulator: what the 307 answers of
-- GetStackTemplate, ShowTemplateVersionContent and ShowStackSetTemplate point
-- at (Location: <base>/_rfs/blobs/<id>/<file>), and uploads a user can make
-- (POST /_rfs/blobs?file_name=main.tf) to get a URL usable as template_uri or
-- vars_uri. No authentication, like an OBS pre-signed URL; blobs live until
-- reset (the 5-minute pre-signed lifetime is not enforced).

local fail = require("emu.errors").raise
local U = require("emu.rfs.util")
local util = require("emu.util")
local template = require("emu.rfs.template")

local M = {}

local blobs, by_content

--- Forget every blob.
function M.reset()
  blobs, by_content = {}, {}
end
M.reset()

M.PREFIX = "/_rfs/blobs/"

--- Store content under a file name; returns the blob id (same content and
-- name give the same id).
function M.put(content, file_name)
  local key = file_name .. "\0" .. content
  local id = by_content[key]
  if id then return id end
  id = util.uuid()
  blobs[id] = { content = content, file_name = file_name }
  by_content[key] = id
  return id
end

--- The URL a client can GET for a blob.
function M.url(req, id)
  local b = blobs[id]
  local base = req.base_url
  if not base then
    local host = util.header(req.headers, "host") or "127.0.0.1"
    base = "http://" .. host
  end
  return base .. M.PREFIX .. id .. "/" .. b.file_name
end

--- A 307 answer redirecting to content stored under a file name.
function M.redirect(req, content, file_name)
  local id = M.put(content, file_name or template.file_name(content))
  return 307, nil, { Location = M.url(req, id) }
end

--- Content behind a URL served by this emulator, or nil.
function M.resolve(uri)
  if type(uri) ~= "string" then return nil end
  local id = uri:match("/_rfs/blobs/([%w%-]+)/")
  local b = id and blobs[id]
  return b and b.content or nil
end

local function get(req)
  local b = blobs[req.params.blob_id]
  if not b or b.file_name ~= req.params.file_name then
    return 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
      { ["Content-Type"] = "application/xml" }
  end
  return 200, b.content, { ["Content-Type"] = "application/octet-stream" }
end

local function post(req)
  local name = U.query(req, "file_name") or "main.tf"
  if not name:match("^[%w_%.%-]+$") then fail(400, "RF.10011038", "file_name may contain only letters, digits, '.', '_' and '-'") end
  local id = M.put(req.raw_body or "", name)
  return 201, { url = M.url(req, id), blob_id = id }
end

M.routes = {
  { method = "GET", path = "/_rfs/blobs/{blob_id}/{file_name}", handler = get, auth = false },
  { method = "POST", path = "/_rfs/blobs", handler = post, auth = false },
}

return M
