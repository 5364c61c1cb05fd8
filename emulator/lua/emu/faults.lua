-- Fault injection: rules that make the next N requests matching a method and
-- a path pattern answer with an error, stall, or lose their connection.
-- Rule: {method = "GET" | "*", path = "pattern (Lua pattern or plain prefix)",
-- count = N, action = "respond" | "stall" | "drop", status = 429, body = {...},
-- headers = {...}, delay = seconds}.

local json = require "emu.json"

local faults = {}

local rules = {}
local next_id = 0
local MAX_RULES = 1000

local default_bodies = {
  [429] = { "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second" },
  [500] = { "APIGW.0201", "An unexpected gateway error occurred." },
  [502] = { "APIGW.0201", "The backend service is unavailable." },
  [503] = { "APIGW.0201", "The backend service is unavailable." },
  [504] = { "APIGW.0201", "The backend service timed out." },
}

--- The default error body for an injected status.
function faults.default_body(status)
  local d = default_bodies[status] or { "APIGW.0201", "Injected fault." }
  return { error_code = d[1], error_msg = d[2] }
end

--- Validate and add a rule. Returns the stored rule, or nil and a message.
function faults.add(spec)
  if type(spec) ~= "table" then return nil, "the fault must be a JSON object" end
  local action = spec.action or "respond"
  if action ~= "respond" and action ~= "stall" and action ~= "drop" then
    return nil, "action must be respond, stall or drop"
  end
  if type(spec.path) ~= "string" or spec.path == "" then return nil, "path (a pattern) is required" end
  if spec.method ~= nil and type(spec.method) ~= "string" then return nil, "method must be a string" end
  local count = spec.count == nil and 1 or spec.count
  if type(count) ~= "number" or count < 1 or count ~= math.floor(count) then
    return nil, "count must be an integer >= 1"
  end
  local status = spec.status
  if status ~= nil and (type(status) ~= "number" or status < 100 or status > 599) then
    return nil, "status must be an HTTP status code"
  end
  if action == "respond" and status == nil then status = 500 end
  local delay = spec.delay or (action == "stall" and 5 or 0)
  if type(delay) ~= "number" or delay < 0 or delay > 3600 then return nil, "delay must be 0..3600 seconds" end
  if spec.headers ~= nil and type(spec.headers) ~= "table" then return nil, "headers must be an object" end
  if #rules >= MAX_RULES then return nil, "too many fault rules" end
  next_id = next_id + 1
  local rule = {
    id = next_id, method = spec.method and spec.method:upper() or "*", path = spec.path,
    count = count, remaining = count, action = action, status = status, delay = delay,
    body = spec.body, headers = spec.headers,
  }
  rules[#rules + 1] = rule
  return rule
end

local function path_matches(pattern, path)
  if path:sub(1, #pattern) == pattern then return true end
  local ok, found = pcall(string.find, path, pattern)
  return ok and found ~= nil
end

--- Take the first rule matching a request (and count it down). Nil when none.
function faults.take(method, path)
  for i, r in ipairs(rules) do
    if (r.method == "*" or r.method == method) and path_matches(r.path, path) then
      r.remaining = r.remaining - 1
      if r.remaining <= 0 then table.remove(rules, i) end
      return r
    end
  end
  return nil
end

--- Pending rules.
function faults.list()
  local out = json.array({})
  for i, r in ipairs(rules) do out[i] = r end
  return out
end

--- Remove every rule.
function faults.reset()
  rules = {}
end

return faults
