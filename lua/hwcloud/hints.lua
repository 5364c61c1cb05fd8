-- Hints: a sentence added to the message of an error, saying what the
-- failure probably means for the user and what to do. `append` is the one
-- way a hint joins a message, whichever transport raised the error;
-- `connection` finds the hint of a failed connection: a Huawei host whose
-- region is not a known one (hwcloud.endpoints keeps the region table), or
-- a refused connection to a local address an endpoint override names (the
-- emulator is not running).

local endpoints = require "hwcloud.endpoints"
local keys = require "hwcloud.keys"
local urls = require "hwcloud.url"

local M = {}

local CURL_COULDNT_RESOLVE_HOST, CURL_COULDNT_CONNECT = 6, 7

--- A message with a hint added: `message (hint: hint)`.
-- @tparam string message
-- @tparam string hint
-- @treturn string
function M.append(message, hint)
  return message .. " (hint: " .. hint .. ")"
end

-- The regions in brace form, one group per prefix:
-- "cn-north-{1,2,4}, eu-west-{0,101}, ..." (the list fits in one line)
local function brief(regions)
  local groups, order = {}, {}
  for _, r in ipairs(regions) do
    local prefix, n = r:match("^(.-%-)(%d+)$")
    prefix = prefix or r
    if not groups[prefix] then
      groups[prefix] = {}
      order[#order + 1] = prefix
    end
    groups[prefix][#groups[prefix] + 1] = n
  end
  local out = {}
  for _, prefix in ipairs(order) do
    local ns = groups[prefix]
    table.sort(ns, function(a, b) return tonumber(a) < tonumber(b) end)
    out[#out + 1] = #ns == 1 and prefix .. ns[1] or prefix .. "{" .. table.concat(ns, ",") .. "}"
  end
  return table.concat(out, ", ")
end

-- host[:port] of a URL, and the host alone
local function host_of(url)
  local _, authority = urls.split(url or "")
  if not authority then
    return nil
  end
  return authority, (urls.host_port(authority))
end

-- a host name that did not resolve: a Huawei host
-- (<service>.<region>.myhuaweicloud.<suffix>) whose region is not a known
-- one, or whose service is not offered there
local function unresolved(host)
  local service, region = host:lower():match("^([^.]*)%.+([^.]+)%.myhuaweicloud%.%a+$")
  if not region then
    return nil
  end
  local known, set = endpoints.regions(), {}
  for _, r in ipairs(known) do
    set[r] = true
  end
  if not set[region] then
    local near = keys.closest(region, set, 2)
    if near then
      return region .. " is not a known region: did you mean " .. near .. "?"
    end
    return region .. " is not a known region (known: " .. brief(known) .. ")"
  end
  local offered = endpoints.regions(service)
  if offered then
    for _, r in ipairs(offered) do
      if r == region then
        return nil
      end
    end
    return endpoints.canonical(service) .. " is not offered in " .. region .. " (it is in "
      .. brief(offered) .. ")"
  end
  return nil
end

-- loopback and unspecified addresses: where the emulator listens
local function is_local(host)
  host = host:lower():match("^%[(.*)%]$") or host:lower()
  return host == "localhost" or host == "::1" or host == "0.0.0.0" or host:find("^127%.%d+%.%d+%.%d+$") ~= nil
end

--- The hint for a failed connection, or nil.
-- @tparam table err an hwcloud.Error (its `curl_code` and `url` are read)
-- @tparam[opt] string source what set the endpoint (the second result of
--   hwcloud.endpoints.resolve: "HWCLOUD_ENDPOINT", "the endpoint option", ...),
--   false or nil for Huawei's own
-- @treturn string|nil
function M.connection(err, source)
  local code = err.curl_code
  if code ~= CURL_COULDNT_RESOLVE_HOST and code ~= CURL_COULDNT_CONNECT then
    return nil
  end
  local authority, host = host_of(err.url)
  if not host then
    return nil
  end
  if code == CURL_COULDNT_RESOLVE_HOST then
    return unresolved(host)
  end
  if source and is_local(host) then
    return source .. " points at " .. authority .. ", where nothing listens: the emulator may not be "
      .. "running; start it with eval \"$(bin/hwcloud-emulator start)\" (it sets HWCLOUD_ENDPOINT)"
  end
  return nil
end

--- Add the hint of a failed connection (M.connection) to the error's message.
-- @tparam table err an hwcloud.Error
-- @tparam[opt] string source what set the endpoint, as for M.connection
-- @treturn table err
function M.add(err, source)
  local hint = M.connection(err, source)
  if hint and type(err.message) == "string" then
    err.message = M.append(err.message, hint)
  end
  return err
end

return M
