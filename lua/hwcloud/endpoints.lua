-- Endpoint resolution: which base URL a request for a service goes to.
-- Order: a per-service override (opts.endpoints[service]), one override for
-- every service (opts.endpoint, then the HWCLOUD_ENDPOINT environment
-- variable), HUAWEICLOUD_SDK_IAM_ENDPOINT for IAM, then Huawei's public host
-- pattern https://<service>.<region>.myhuaweicloud.com with the documented
-- exceptions (RFS is "aos" in Huawei's SDKs but lives on rfs.* hosts, and on
-- aos.myhuaweicloud.eu in eu-west-101; IAM is global unless the region has a
-- regional IAM). Every URL is normalised so the Host the signer sees is the
-- Host libcurl sends: lower-case host, default port dropped.

local text = require "hwcloud.text"
local urls = require "hwcloud.url"

local M = {}

-- SDK service names that are spelled differently here
local ALIASES = { aos = "rfs" }

-- services addressed per account (X-Domain-Id), not per project
local GLOBAL = { iam = true }

-- regions with a regional IAM endpoint (iam.md section 1)
local IAM_REGIONS = {}
for _, r in ipairs({
  "cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-12",
  "cn-east-2", "cn-east-3", "cn-east-4", "cn-east-5", "cn-south-1", "cn-south-2",
  "cn-southwest-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
  "ap-southeast-4", "af-south-1", "sa-brazil-1", "la-south-2", "la-north-2",
  "na-mexico-1", "eu-west-0", "my-kualalumpur-1", "ru-moscow-1", "me-east-1",
  "ae-ad-1", "tr-west-1", "eu-west-101",
}) do
  IAM_REGIONS[r] = true
end

-- regions whose hosts use another domain suffix (common.md section 9)
local SUFFIX = { ["eu-west-101"] = "myhuaweicloud.eu" }

-- full host exceptions: HOSTS[service][region]
local HOSTS = {
  rfs = { ["eu-west-101"] = "aos.myhuaweicloud.eu" },
}

local DEFAULT_SUFFIX = "myhuaweicloud.com"

--- The canonical name of a service ("aos" gives "rfs"; names are lower-cased).
-- @tparam string service
-- @treturn string
function M.canonical(service)
  service = service:lower()
  return ALIASES[service] or service
end

--- Whether a service is global (account-level, sends X-Domain-Id).
-- @tparam string service
-- @treturn boolean
function M.is_global(service)
  return GLOBAL[M.canonical(service)] == true
end

--- Normalise a base URL: add `https://` when the scheme is missing, lower-case
-- the scheme and host, drop a default port (:443 for https, :80 for http),
-- drop a trailing slash. A path prefix is kept.
-- @tparam string url
-- @treturn[1] string normalised URL
-- @treturn[2] nil
-- @treturn[2] string what is wrong with it
function M.normalize(url)
  if type(url) ~= "string" or url == "" then
    return nil, "must be a non-empty string"
  end
  url = text.trim(url)
  if not url:find("^%a[%w+.-]*://") then
    url = "https://" .. url
  end
  local scheme, hostport, path, userinfo = urls.split(url)
  if not scheme or path:find("[?#]") then
    return nil, "is not a URL without query or fragment: " .. url
  end
  scheme = scheme:lower()
  if scheme ~= "http" and scheme ~= "https" then
    return nil, "has an unsupported scheme: " .. scheme
  end
  if userinfo then
    return nil, "must not contain user information"
  end
  local host, port = urls.host_port(hostport)
  if not host or host == "" or (port == "" and hostport:sub(-1) == ":") then
    return nil, "has no valid host[:port]: " .. url
  end
  host = host:lower()
  port = port ~= "" and ":" .. port or ""
  if (scheme == "https" and port == ":443") or (scheme == "http" and port == ":80") then
    port = ""
  end
  path = text.rstrip(path, "/")
  return scheme .. "://" .. host .. port .. path
end

--- The host[:port] part of a normalised URL (the Host header sent for it).
-- @tparam string url
-- @treturn string
function M.host(url)
  return (select(2, urls.split(url)))
end

--- The public endpoint of a service in a region (no override applied).
-- @tparam string service
-- @tparam[opt] string region (nil: only global services resolve)
-- @treturn[1] string base URL
-- @treturn[2] nil
-- @treturn[2] string why it cannot be resolved
function M.default(service, region)
  service = M.canonical(service)
  if service == "iam" then
    if region and IAM_REGIONS[region] then
      return "https://iam." .. region .. "." .. (SUFFIX[region] or DEFAULT_SUFFIX)
    end
    return "https://iam." .. DEFAULT_SUFFIX
  end
  if GLOBAL[service] then
    return "https://" .. service .. "." .. DEFAULT_SUFFIX
  end
  if not region or region == "" then
    return nil, "no region is set for service " .. service
  end
  if not region:find("^[%w%-]+$") then
    return nil, "region " .. region .. " is not a region id"
  end
  local host = HOSTS[service] and HOSTS[service][region]
  if host then
    return "https://" .. host
  end
  return "https://" .. service .. "." .. region .. "." .. (SUFFIX[region] or DEFAULT_SUFFIX)
end

--- Resolve the base URL for a service.
-- @tparam string service e.g. "rfs", "aos", "vpcep", "iam"
-- @tparam[opt] string region
-- @tparam table cfg `{endpoints = {service = url}, endpoint = url,
--   env_endpoint = url (HWCLOUD_ENDPOINT), iam_endpoint = url}`; URLs may
--   contain `{region}`
-- @treturn[1] string normalised base URL
-- @treturn[1] boolean true when it came from an override
-- @treturn[2] nil
-- @treturn[2] string why it cannot be resolved
function M.resolve(service, region, cfg)
  cfg = cfg or {}
  local name = M.canonical(service)
  local url
  local eps = cfg.endpoints
  if eps then
    url = eps[name] or eps[service]
    if not url then
      for k, v in pairs(eps) do
        if type(k) == "string" and M.canonical(k) == name then
          url = v
          break
        end
      end
    end
  end
  url = url or cfg.endpoint or cfg.env_endpoint
  if not url and name == "iam" then
    url = cfg.iam_endpoint
  end
  if url then
    if url:find("{region}", 1, true) then
      if not region or region == "" then
        return nil, "endpoint " .. url .. " needs a region"
      end
      url = url:gsub("{region}", (region:gsub("%%", "%%%%")))
    end
    local norm, why = M.normalize(url)
    if not norm then
      return nil, "endpoint for " .. name .. " " .. why
    end
    return norm, true
  end
  local def, why = M.default(name, region)
  if not def then
    return nil, why
  end
  return def, false
end

return M
