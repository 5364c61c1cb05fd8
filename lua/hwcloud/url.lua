-- The one reading of a URL on the Lua side (the C core has its own for the
-- signer and libcurl, src/hwc_url.c, with the same rule): endpoint
-- normalisation (hwcloud.endpoints), the OpenResty transport and redaction
-- split `scheme://[userinfo@]host[:port]rest` (RFC 3986 section 3) here, and
-- percent-encode with the signer's `E` (Huawei's API Signing Guide,
-- https://support.huaweicloud.com/intl/en-us/devg-apisign/).

local M = {}

local format, byte = string.format, string.byte

--- Split an absolute URL.
-- @tparam string url
-- @treturn string|nil scheme as written (nil when `url` has no `scheme://`)
-- @treturn string host[:port] (the authority without the user information)
-- @treturn string the rest: path, query and fragment as written ("" when none)
-- @treturn string|nil the user information (`user:password`), which ends at
--   the last '@' of the authority, or nil
function M.split(url)
  local scheme, authority, rest = url:match("^(%a[%w+.-]*)://([^/?#]*)(.*)$")
  if not scheme then
    return nil
  end
  local userinfo, hostport = authority:match("^(.*)@(.*)$")
  return scheme, hostport or authority, rest, userinfo
end

--- The host and the port of `host[:port]` (an IPv6 host in brackets).
-- @tparam string hostport
-- @treturn string|nil host as written (brackets kept), nil when malformed
-- @treturn string the port's digits, "" when none
function M.host_port(hostport)
  local host, port
  if hostport:sub(1, 1) == "[" then
    host, port = hostport:match("^(%[[^%]]+%]):?(%d*)$")
  else
    host, port = hostport:match("^([^:]+):?(%d*)$")
  end
  return host, port
end

local function escape_byte(c)
  return format("%%%02X", byte(c))
end

--- Percent-encode a string the way the signer does (signing.md `E`): every
-- byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex).
-- @tparam string s
-- @treturn string
function M.escape(s)
  return (s:gsub("[^%w%-%._~]", escape_byte))
end

--- Percent-encode every byte of `s` that the Lua pattern `class` matches.
-- @tparam string s
-- @tparam string class a one-character Lua pattern class, e.g. "[^%w]"
-- @treturn string
function M.escape_class(s, class)
  return (s:gsub(class, escape_byte))
end

return M
