-- The Resource Formation (RFS) service object: one method per API operation
-- (generated from lua/hwcloud/ops/rfs.lua), one each_* iterator per list
-- operation, waiters that stream a deployment's events (wait_stack,
-- wait_stack_deleted, wait_execution_plan, wait_stack_set_operation), and
-- conveniences: outputs() as {name = value}, deploy_from_file(), and for the
-- private registries publish_module_version() (zip a folder, upload it,
-- create the version, return its `source`), publish_hook_version() (a .rego
-- file made the default) and read_hook_policy() / read_module_package()
-- (through the 307 redirect).
-- Get one with client:rfs() or require("hwcloud.rfs").new(client).

local core = require("hwcloud.core")
local operation = require("hwcloud.operation")
local scheduler = require("hwcloud.scheduler")
local wait = require("hwcloud.wait")
local text = require("hwcloud.text")
local zip = require("hwcloud.zip")

-- M.operations (the compiled data) and M.new(client), see hwcloud.service
local M, Rfs = require("hwcloud.service").new(require("hwcloud.ops.rfs"))
local compiled = M.operations

-- The API fields of `args` that operation `name` knows (and project_id).
local function fields_for(name, args)
  local op, out = compiled.by_name[name], { project_id = args.project_id }
  for k, v in pairs(args) do
    if op.fields[k] then out[k] = v end
  end
  return out
end

-- The names a helper accepts: the fields of the operations it passes them
-- to, plus `extra`, minus `except`; `on_event` everywhere (one option table
-- can serve every RFS waiter; only the stack waiters have events); the poll
-- options and project_id (wait.accepts).
local function accepts(op_names, extra, except)
  local set = { on_event = true }
  for _, name in ipairs(op_names) do
    for k in pairs(compiled.by_name[name].fields) do set[k] = true end
  end
  for _, k in ipairs(extra or {}) do set[k] = true end
  for _, k in ipairs(except or {}) do set[k] = nil end
  return wait.accepts(set)
end

local ACCEPTS = {
  wait_stack = accepts({ "get_stack_metadata" }, { "deployment_id" }),
  wait_stack_deleted = accepts({ "get_stack_metadata" }),
  wait_execution_plan = accepts({ "get_execution_plan_metadata" }, { "status" }),
  wait_stack_set_operation = accepts({ "show_stack_set_operation_metadata" }),
  deploy_from_file = accepts({ "create_stack" }, { "template_file", "vars", "vars_file" },
    { "template_body", "template_uri", "vars_body", "vars_uri", "vars_structure" }),
  publish_module_version = accepts({ "create_private_module", "create_private_module_version" },
    { "dir", "files", "upload" }, { "module_uri", "module_id", "on_event" }),
  publish_hook_version = accepts({ "create_private_hook", "create_private_hook_version" },
    { "policy_file" }, { "policy_body", "policy_uri", "hook_id", "on_event" }),
  read_hook_policy = accepts({ "show_private_hook_version_policy" }, { "transport" }, { "on_event" }),
  read_module_package = accepts({ "show_private_module_version_content" }, { "transport" }, { "on_event" }),
}

local function check_args(fname, args, required)
  wait.check_args("rfs." .. fname, args, required, ACCEPTS[fname])
end

local function poll_options(fname, what, args)
  return wait.options("rfs." .. fname, what, args)
end

-- Events -------------------------------------------------------------------

-- "2026-01-05T08:00:00Z" and "2026-01-05T08:00:00.123Z" compare at seconds.
local function seconds(t)
  return type(t) == "string" and t:sub(1, 19) or ""
end

local function event_key(e)
  local parts = {}
  for i, k in ipairs({ "time", "event_type", "resource_type", "resource_name", "resource_key",
                       "resource_id_value", "event_message", "elapsed_seconds" }) do
    parts[i] = tostring(e[k])
  end
  return table.concat(parts, "\0")
end

--- Format one stack event as a single line: time, event type, the resource
-- (`type.name[key] (physical id)`, unless the message already names it) and
-- the message.
-- @tparam table e a StackEvent
-- @treturn string
function M.format_event(e)
  local line = string.format("%s %-22s", (seconds(e.time):gsub("T", " ")), tostring(e.event_type))
  local message = type(e.event_message) == "string" and e.event_message or ""
  if e.resource_type or e.resource_name then
    local address = tostring(e.resource_type or "?") .. "." .. tostring(e.resource_name or "?")
    if e.resource_key then address = address .. "[" .. tostring(e.resource_key) .. "]" end
    if message:sub(1, #address) ~= address then
      line = line .. " " .. address
      if e.resource_id_value then line = line .. " (" .. tostring(e.resource_id_value) .. ")" end
    end
  end
  if message ~= "" then line = line .. " " .. message end
  return text.rtrim(line)
end

-- Events print indented under the waiter's progress lines; inside a task of
-- client:parallel, where many stacks print at once, each line starts with
-- its stack's name.
local function default_on_event(stack_name)
  local prefix = scheduler.current() and ("  " .. stack_name .. ": ") or "  "
  return function(e)
    if wait.progress_enabled() then wait.say(prefix .. M.format_event(e)) end
  end
end

-- Follows a stack's events across polls and hands each new one to on_event
-- once, oldest first. With a deployment_id only that deployment's events;
-- without, events no older than the stack's update_time at the first poll.
-- With `deletion` (DeleteStack returns no deployment_id), the events of
-- that second already there at the first poll are skipped too, but for the
-- resources' DELETION_* ones: events carry no deployment_id (rfs.md 6.2)
-- and times in whole seconds, so the end of a deployment that failed in the
-- second the deletion started cannot be told from the deletion's first LOG
-- and ERROR events; the deletion's later events all show. A skipped ERROR
-- event that the stack's status_message repeats is the deletion's own
-- failure: errors() still counts it. With `rename` (see template_namer),
-- events and messages are passed on with the template's file name.
local function event_stream(self, args, on_event, deletion, rename)
  local seen, events, since, held = {}, {}, nil, {}
  local stream = { events = events }

  -- a message as the user should read it
  function stream.text(message)
    if rename and type(message) == "string" then return rename(message) end
    return message
  end

  function stream.pull(meta)
    if not args.deployment_id and not since then
      since = seconds(type(meta) == "table" and meta.update_time or nil)
    end
    local batch = {}
    for e in self:each_stack_event{ stack_name = args.stack_name, stack_id = args.stack_id,
                                   deployment_id = args.deployment_id, project_id = args.project_id } do
      if not args.deployment_id and seconds(e.time) < since then break end -- newest first
      batch[#batch + 1] = e
    end
    -- Oldest first: by time, then reverse API order.
    local order = {}
    for i = 1, #batch do order[i] = i end
    table.sort(order, function(a, b)
      local ta, tb = seconds(batch[a].time), seconds(batch[b].time)
      if ta ~= tb then return ta < tb end
      return a > b
    end)
    local counts = {}
    for _, i in ipairs(order) do
      local e = batch[i]
      local k = event_key(e)
      counts[k] = (counts[k] or 0) + 1
      if counts[k] > (seen[k] or 0) then
        seen[k] = counts[k]
        local ambiguous = deletion and seconds(e.time) == since
          and not tostring(e.event_type):match("^DELETION_")
        if rename and type(e.event_message) == "string" then
          local copy = {}
          for f, v in pairs(e) do copy[f] = v end
          copy.event_message = rename(e.event_message)
          e = copy
        end
        if ambiguous then
          held[#held + 1] = e
        else
          events[#events + 1] = e
          if on_event then on_event(e) end
        end
      end
    end
    deletion = false
  end

  function stream.errors(meta)
    local out = {}
    local status_message = stream.text(type(meta) == "table" and meta.status_message or nil)
    for _, e in ipairs(held) do
      if e.event_type == "ERROR" and e.event_message == status_message then out[#out + 1] = e end
    end
    for _, e in ipairs(events) do
      if e.event_type == "ERROR" then out[#out + 1] = e end
    end
    return out
  end

  return stream
end

-- why a stack failed: its status_message and its ERROR events, each once
local function failure_details(stream)
  return function(meta)
    local errors = stream.errors(meta)
    local parts = {}
    if type(meta) == "table" and type(meta.status_message) == "string" and meta.status_message ~= "" then
      parts[#parts + 1] = stream.text(meta.status_message)
    end
    for _, e in ipairs(errors) do
      parts[#parts + 1] = tostring(e.event_message)
    end
    return wait.join_once(parts), { errors = errors, events = stream.events }
  end
end

local function event_callback(args)
  if args.on_event == nil then return default_on_event(args.stack_name) end
  return args.on_event or nil
end

-- Waiters --------------------------------------------------------------------

local STACK_DONE = { "DEPLOYMENT_COMPLETE", "CREATION_COMPLETE" }
local STACK_FAILED = { "DEPLOYMENT_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETION_FAILED" }

-- What both stack waiters share: the arguments checked, the event stream,
-- the poll options getting the stack's metadata.
local function stack_poll(self, fname, args, deletion, rename)
  check_args(fname, args, { "stack_name" })
  local stream = event_stream(self, args, event_callback(args), deletion, rename)
  local o = poll_options(fname, "stack " .. args.stack_name, args)
  local get_args = fields_for("get_stack_metadata", args)
  o.get = function() return (self:get_stack_metadata(get_args)) end
  o.id = function(meta) return type(meta) == "table" and meta.stack_id or args.stack_id end
  return o, stream
end

-- wait_stack, with messages renamed by `rename` (deploy_from_file's)
local function wait_stack(self, args, rename)
  local o, stream = stack_poll(self, "wait_stack", args, false, rename)
  o.after = stream.pull
  o.success, o.failure = STACK_DONE, STACK_FAILED
  o.details = failure_details(stream)
  return wait.for_status(o)
end

--- Wait until a stack's deployment finishes, streaming each new event once.
-- @tparam table args `stack_name` (required), `stack_id`, `deployment_id`
--   (restricts events to that deployment; without it, events since the
--   stack's last update), `on_event` (function(event); false for none;
--   default prints them to stderr when it is a terminal), and the poll
--   options `timeout` (1200 s), `interval` (5 s), `clock`, `sleep`, `on_progress`.
-- @treturn table the stack metadata (status DEPLOYMENT_COMPLETE or CREATION_COMPLETE)
-- @raise kind "waiter" with code = the final state (DEPLOYMENT_FAILED,
--   ROLLBACK_COMPLETE, ROLLBACK_FAILED, DELETION_FAILED) and `errors` = every
--   ERROR event of the deployment, `events` = all events seen; code "GONE"
--   if the stack disappears; code "TIMEOUT"
function Rfs:wait_stack(args)
  return wait_stack(self, args)
end

--- Wait until a stack is gone (deleted), streaming its deletion events.
-- @tparam table args `stack_name` (required), `stack_id`, `on_event`, and
--   the poll options (see wait_stack)
-- @treturn boolean true
-- @raise kind "waiter" with code "DELETION_FAILED" (and `errors`), or "TIMEOUT"
function Rfs:wait_stack_deleted(args)
  local o, stream = stack_poll(self, "wait_stack_deleted", args, true)
  o.after = function(meta)
    local ok, err = pcall(stream.pull, meta)
    if not ok and not wait.is_not_found(err) then error(err, 0) end
  end
  o.success, o.failure, o.gone = {}, { "DELETION_FAILED" }, "success"
  o.details = failure_details(stream)
  return wait.for_status(o)
end

--- Wait until an execution plan is AVAILABLE (default) or APPLIED.
-- @tparam table args `stack_name`, `execution_plan_name` (required),
--   `stack_id`, `execution_plan_id`, `status` ("AVAILABLE" or "APPLIED"),
--   and the poll options (see wait_stack)
-- @treturn table the plan metadata
-- @raise kind "waiter" with code "CREATION_FAILED", "GONE" or "TIMEOUT"
function Rfs:wait_execution_plan(args)
  check_args("wait_execution_plan", args, { "stack_name", "execution_plan_name" })
  local target = args.status or "AVAILABLE"
  local what = "execution plan " .. args.stack_name .. "/" .. args.execution_plan_name
  local o = poll_options("wait_execution_plan", what, args)
  local get_args = fields_for("get_execution_plan_metadata", args)
  o.get = function() return (self:get_execution_plan_metadata(get_args)) end
  if target == "APPLIED" then
    o.success = { "APPLIED" }
  else
    o.success = { "AVAILABLE", "APPLY_IN_PROGRESS", "APPLIED" }
  end
  o.failure = { "CREATION_FAILED" }
  o.target = "reach " .. target
  o.id = function(meta) return type(meta) == "table" and meta.execution_plan_id or args.execution_plan_id end
  o.details = function(meta)
    return meta.status_message and tostring(meta.status_message) or nil
  end
  return wait.for_status(o)
end

--- Wait until a stack set operation finishes.
-- @tparam table args `stack_set_name`, `stack_set_operation_id` (required),
--   `stack_set_id`, `call_identity`, and the poll options (see wait_stack)
-- @treturn table the operation metadata (OPERATION_COMPLETE)
-- @raise kind "waiter" with code OPERATION_FAILED, STOP_COMPLETE or
--   STOP_FAILED (field `instances` = the failed stack instances), "GONE" or "TIMEOUT"
function Rfs:wait_stack_set_operation(args)
  check_args("wait_stack_set_operation", args, { "stack_set_name", "stack_set_operation_id" })
  local what = "stack set operation " .. args.stack_set_name .. "/" .. args.stack_set_operation_id
  local o = poll_options("wait_stack_set_operation", what, args)
  local get_args = fields_for("show_stack_set_operation_metadata", args)
  o.get = function() return (self:show_stack_set_operation_metadata(get_args)) end
  o.success = { "OPERATION_COMPLETE" }
  o.failure = { "OPERATION_FAILED", "STOP_COMPLETE", "STOP_FAILED" }
  o.details = function(meta)
    local failed = {}
    pcall(function()
      for inst in self:each_stack_instance(fields_for("list_stack_instances", args)) do
        if inst.latest_stack_set_operation_id == args.stack_set_operation_id
            and (inst.status == "OPERATION_FAILED" or inst.status == "INOPERABLE") then
          failed[#failed + 1] = inst
        end
      end
    end)
    local parts = {}
    if meta.status_message then parts[#parts + 1] = tostring(meta.status_message) end
    for _, inst in ipairs(failed) do
      parts[#parts + 1] = tostring(inst.region) .. "/" .. tostring(inst.stack_domain_id) .. " "
        .. tostring(inst.status_message or inst.status)
    end
    return wait.join_once(parts), { instances = failed }
  end
  return wait.for_status(o)
end

-- Conveniences -----------------------------------------------------------------

--- A stack's outputs as `{name = value}`. Values arrive JSON-encoded
-- (`"\"abc\""`) and are decoded (strings, numbers, lists, maps); a value that
-- is not JSON stays the raw string; sensitive outputs stay "<sensitive>".
-- @tparam string|table stack a stack name, or `{stack_name=, stack_id=}`
-- @treturn table name -> value
-- @raise what list_stack_outputs raises
function Rfs:outputs(stack)
  local args = type(stack) == "string" and { stack_name = stack } or stack
  local out = {}
  for o in self:each_stack_output(args) do
    local v = o.value
    if type(v) == "string" and not o.sensitive then
      local ok, decoded = pcall(core.decode, v)
      if ok and decoded ~= nil then v = decoded end
    end
    out[o.name] = v
  end
  return out
end

local function var_string(v)
  if type(v) == "string" then return v end
  if type(v) == "number" and v == math.floor(v) and v > -2^53 and v < 2^53 then
    return string.format("%d", v)
  end
  if type(v) == "table" then return core.encode(v) end
  return tostring(v)
end

--- Turn `{name = value}` into a vars_structure list (sorted by name; values
-- converted to strings, tables to JSON).
-- @tparam table vars
-- @treturn table list of `{var_key=, var_value=}`
function M.vars_structure(vars)
  local keys = {}
  for k in pairs(vars) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for i, k in ipairs(keys) do
    out[i] = { var_key = k, var_value = var_string(vars[k]) }
  end
  return out
end

-- A template_body has no file name: its messages place a syntax error at
-- "main.tf:3,22" (main.tf.json for JSON, as emulator/README.md "Templates the
-- emulator understands" says). deploy_from_file reads a file of another
-- name: a function turning those places into the file's name, or nil. A
-- private module's own main.tf is left alone: its places follow the
-- module's address ("module.net: main.tf:2,3: ...", "Error in module.net
-- (rf://...): main.tf:3,25: ...", emulator/lua/emu/rfs/modules.lua), so
-- only the text before the first module address is the root template's.
local function template_namer(path)
  local name = path:match("([^/]+)$") or path
  if name == "main.tf" or name == "main.tf.json" then return nil end
  local replacement = name:gsub("%%", "%%%%") .. ":"
  return function(message)
    local cut = message:find("%f[%w_%.]module%.[%a_]") or #message + 1
    local root = message:sub(1, cut - 1)
      :gsub("%f[%w_%.%-/]main%.tf%.json:", replacement):gsub("%f[%w_%.%-/]main%.tf:", replacement)
    return root .. message:sub(cut)
  end
end

local DEPLOY_KEYS = { template_file = true, vars = true, vars_file = true, on_event = true }

--- Create a stack from a template file, or redeploy it if it exists, and
-- wait for the deployment to finish.
-- @tparam table args `stack_name` (required), `template_file` (required;
--   .tf or .tf.json), `vars` (`{name = value}`, sent as vars_structure),
--   `vars_file` (a .tfvars file, sent as vars_body), any create_stack field
--   (description, agencies, enable_auto_rollback, ...; used only when the
--   stack is created), and the wait_stack options (timeout, interval,
--   on_event, on_progress, clock, sleep)
-- @treturn table the stack metadata after the deployment
-- @treturn table the outputs as `{name = value}`
-- @raise argument errors, API errors, waiter errors (see wait_stack; their
--   messages and events place a syntax error in template_file's name, not
--   main.tf; a private module's own main.tf keeps its name)
function Rfs:deploy_from_file(args)
  check_args("deploy_from_file", args, { "stack_name", "template_file" })
  local op = { full_name = "rfs.deploy_from_file" }
  local function read(field)
    local f, err = io.open(args[field], "rb")
    local text
    if f then
      -- a directory opens but does not read: without this check a stack
      -- would be created from no template at all
      text, err = f:read("*a")
      f:close()
    end
    if not text then operation.argument_error(op, field, "cannot read " .. field .. ": " .. tostring(err)) end
    return text
  end
  local fields = { template_body = read("template_file") }
  local rename = template_namer(args.template_file)
  if args.vars ~= nil then
    if type(args.vars) ~= "table" then
      operation.argument_error(op, "vars", "vars must be a table, got " .. type(args.vars))
    end
    fields.vars_structure = M.vars_structure(args.vars)
  end
  if args.vars_file ~= nil then fields.vars_body = read("vars_file") end

  local wait_args = { stack_name = args.stack_name, on_event = args.on_event, project_id = args.project_id }
  for k in pairs(wait.OPTIONS) do wait_args[k] = args[k] end

  local exists, meta = pcall(self.get_stack_metadata, self,
    { stack_name = args.stack_name, project_id = args.project_id })
  if not exists and not wait.is_not_found(meta) then error(meta, 0) end
  if exists and meta.status == "DELETION_IN_PROGRESS" then
    self:wait_stack_deleted(wait_args)
    exists = false
  elseif exists and type(meta.status) == "string" and meta.status:match("_IN_PROGRESS$") then
    -- Let the running deployment end (whatever its outcome) before deploying.
    local ok, err = pcall(self.wait_stack, self, wait_args)
    if not ok and not (core.is_error(err) and err.kind == "waiter" and err.code ~= "TIMEOUT") then
      error(err, 0)
    end
  end

  local result
  if exists then
    fields.stack_name, fields.project_id = args.stack_name, args.project_id
    result = self:deploy_stack(fields)
  else
    for k, v in pairs(args) do
      if not DEPLOY_KEYS[k] and not wait.OPTIONS[k] then fields[k] = v end
    end
    result = self:create_stack(fields)
  end
  wait_args.deployment_id = result.deployment_id
  local final = wait_stack(self, wait_args, rename)
  return final, self:outputs(args.stack_name)
end

-- Private registries ----------------------------------------------------------

-- every regular file below dir as {name = "a/b.tf", data}, sorted; names
-- starting with "." (files and directories) are left out
local function folder_entries(op, dir)
  local ok, lfs = pcall(require, "lfs")
  if not ok then operation.argument_error(op, "dir", "reading a folder needs LuaFileSystem (lfs); give files instead") end
  if lfs.attributes(dir, "mode") ~= "directory" then operation.argument_error(op, "dir", "dir is not a directory: " .. dir) end
  local out = {}
  local function walk(path, rel, depth)
    if depth > 16 then operation.argument_error(op, "dir", "dir is nested too deeply") end
    for name in lfs.dir(path) do
      if name:sub(1, 1) ~= "." then
        local full, r = path .. "/" .. name, rel == "" and name or (rel .. "/" .. name)
        local mode = lfs.attributes(full, "mode")
        if mode == "directory" then
          walk(full, r, depth + 1)
        elseif mode == "file" then
          local f = assert(io.open(full, "rb"))
          out[#out + 1] = { name = r, data = f:read("*a") }
          f:close()
        end
      end
    end
  end
  walk(dir, "", 0)
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

--- An `upload` function for publish_module_version that stores the package
-- in the emulator (`POST /_rfs/blobs`, see emulator/README.md "307 locations and
-- template_uri"); against Huawei Cloud, upload to OBS yourself and return
-- the object's URL.
-- @tparam table client the client whose RFS endpoint is the emulator
-- @treturn function `upload(bytes, file_name) -> url`
function M.emulator_upload(client)
  return function(bytes, file_name)
    local resp = client:request{ service = "rfs", method = "POST", path = "/_rfs/blobs",
      query = { file_name = file_name }, body = bytes, auth = "none",
      headers = { ["Content-Type"] = "application/octet-stream" } }
    return resp.body.url
  end
end

--- Publish a module version from a local folder: zip its files (stored
-- entries, hwcloud.zip), upload the zip with `upload`, create the module
-- (when it does not exist) or the version, and return the `source` string
-- to put in a template's `module` block.
-- @tparam table args `module_name`, `module_version` (required), `dir` (a
--   folder; every file below it but dot-files) or `files` (`{["main.tf"] =
--   text}`), `upload` (function(bytes, file_name) -> URL, e.g.
--   `rfs.emulator_upload(client)`), and `module_description`,
--   `version_description`
-- @treturn string the version's `module_source`
-- @treturn table its metadata (ShowPrivateModuleVersionMetadata)
-- @raise argument errors, API errors (a version that exists: 409)
function Rfs:publish_module_version(args)
  check_args("publish_module_version", args, { "module_name", "module_version" })
  local op = { full_name = "rfs.publish_module_version" }
  if type(args.upload) ~= "function" then operation.argument_error(op, "upload", "upload must be a function(bytes, file_name) -> url") end
  local entries
  if args.files ~= nil then
    if type(args.files) ~= "table" then operation.argument_error(op, "files", "files must be a table {name = text}") end
    entries = {}
    for name, data in pairs(args.files) do entries[#entries + 1] = { name = name, data = data } end
    table.sort(entries, function(a, b) return tostring(a.name) < tostring(b.name) end)
  elseif type(args.dir) == "string" then
    entries = folder_entries(op, args.dir)
  else
    operation.argument_error(op, "dir", "dir (a folder) or files is required")
  end
  if #entries == 0 then operation.argument_error(op, "dir", "there are no files to publish") end
  local file_name = (args.module_name .. "-" .. args.module_version):gsub("[^%w_%.%-]", "_") .. ".zip"
  local url = args.upload(zip.build(entries), file_name)
  if type(url) ~= "string" then operation.argument_error(op, "upload", "upload returned no URL") end
  local key = { module_name = args.module_name, project_id = args.project_id }
  local exists, err = pcall(self.show_private_module_metadata, self, key)
  if not exists and not wait.is_not_found(err) then error(err, 0) end
  if exists then
    self:create_private_module_version{ module_name = args.module_name, module_version = args.module_version,
      module_uri = url, version_description = args.version_description, project_id = args.project_id }
    if args.module_description ~= nil then
      self:update_private_module_metadata{ module_name = args.module_name, module_description = args.module_description,
        project_id = args.project_id }
    end
  else
    self:create_private_module{ module_name = args.module_name, module_description = args.module_description,
      module_version = args.module_version, module_uri = url, version_description = args.version_description,
      project_id = args.project_id }
  end
  local meta = self:show_private_module_version_metadata{ module_name = args.module_name,
    module_version = args.module_version, project_id = args.project_id }
  return meta.module_source, meta
end

--- Publish a hook version from a local .rego file (sent as `policy_body`)
-- and make it the hook's default version; creates the hook when it does not
-- exist (its first version is the default).
-- @tparam table args `hook_name`, `hook_version`, `policy_file` (required),
--   `hook_version_description`, `hook_description`, `configuration`
--   (`{target_stacks = "ALL", failure_mode = "FAIL"}`; set on the hook)
-- @treturn table the hook's metadata afterwards (ShowPrivateHookMetadata)
-- @raise argument errors, API errors (a policy the server refuses: 400)
function Rfs:publish_hook_version(args)
  check_args("publish_hook_version", args, { "hook_name", "hook_version", "policy_file" })
  local op = { full_name = "rfs.publish_hook_version" }
  local f, ferr = io.open(args.policy_file, "rb")
  if not f then operation.argument_error(op, "policy_file", "cannot read policy_file: " .. tostring(ferr)) end
  local text = f:read("*a")
  f:close()
  local key = { hook_name = args.hook_name, project_id = args.project_id }
  local exists, err = pcall(self.show_private_hook_metadata, self, key)
  if not exists and not wait.is_not_found(err) then error(err, 0) end
  if exists then
    self:create_private_hook_version{ hook_name = args.hook_name, hook_version = args.hook_version, policy_body = text,
      hook_version_description = args.hook_version_description, project_id = args.project_id }
    self:update_private_hook_metadata{ hook_name = args.hook_name, default_version = args.hook_version,
      configuration = args.configuration, hook_description = args.hook_description, project_id = args.project_id }
  else
    self:create_private_hook{ hook_name = args.hook_name, hook_version = args.hook_version, policy_body = text,
      hook_version_description = args.hook_version_description, hook_description = args.hook_description,
      configuration = args.configuration, project_id = args.project_id }
  end
  return self:show_private_hook_metadata(key)
end

-- GET a pre-signed URL without credentials (a fresh libcurl transport
-- unless `transport` is given) and return the bytes
local function download(url, transport)
  local t = transport or require("hwcloud.transport.curl").new({ timeout = 60 })
  local ok, resp = pcall(t.send, t, { method = "GET", url = url, headers = {} })
  if not transport then t:close() end
  if not ok then error(resp, 0) end
  return resp.raw_body or resp.body
end

--- The policy text of a hook version, read through the 307 redirect of
-- ShowPrivateHookVersionPolicy (the pre-signed URL is fetched without
-- credentials).
-- @tparam table args `hook_name`, `hook_version` (required), `hook_id`,
--   `transport` (an object with `send`, e.g. a cosocket transport; default a
--   new libcurl one)
-- @treturn string the stored policy (a .rego text, or the .zip as uploaded)
function Rfs:read_hook_policy(args)
  check_args("read_hook_policy", args, { "hook_name", "hook_version" })
  local loc = self:show_private_hook_version_policy(fields_for("show_private_hook_version_policy", args)).location
  return download(loc, args.transport)
end

--- The zip package of a module version, read through the 307 redirect of
-- ShowPrivateModuleVersionContent.
-- @tparam table args `module_name`, `module_version` (required), `module_id`, `transport`
-- @treturn string the zip bytes
function Rfs:read_module_package(args)
  check_args("read_module_package", args, { "module_name", "module_version" })
  local loc = self:show_private_module_version_content(fields_for("show_private_module_version_content", args)).location
  return download(loc, args.transport)
end

return M
