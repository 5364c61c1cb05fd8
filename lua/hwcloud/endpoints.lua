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

-- The known regions: the ids of the region tables in Huawei's SDKs
-- (huaweicloud-sdk-go-v3 services/vpcep/v1/region/region.go,
-- services/aos/v1/region/region.go for RFS, and the regional IAM endpoints of
-- the IAM API reference, https://support.huaweicloud.com/intl/en-us/api-iam/),
-- with the services of this library each one offers. Other services may
-- exist in a region; a region missing here still works (it is only named in
-- a hint when a host does not resolve, see hwcloud.hints).
local REGIONS = {}
for _, row in ipairs({
  { "af-north-1", "rfs vpcep" }, { "af-south-1", "iam rfs vpcep" }, { "ae-ad-1", "iam vpcep" },
  { "ap-southeast-1", "iam rfs vpcep" }, { "ap-southeast-2", "iam rfs vpcep" },
  { "ap-southeast-3", "iam rfs vpcep" }, { "ap-southeast-4", "iam rfs vpcep" },
  { "ap-southeast-5", "rfs vpcep" },
  { "cn-east-2", "iam vpcep" }, { "cn-east-3", "iam rfs vpcep" }, { "cn-east-4", "iam rfs vpcep" },
  { "cn-east-5", "iam rfs vpcep" },
  { "cn-north-1", "iam vpcep" }, { "cn-north-2", "iam vpcep" }, { "cn-north-4", "iam rfs vpcep" },
  { "cn-north-9", "iam rfs vpcep" }, { "cn-north-11", "rfs vpcep" }, { "cn-north-12", "iam rfs vpcep" },
  { "cn-south-1", "iam rfs vpcep" }, { "cn-south-2", "iam vpcep" }, { "cn-south-4", "vpcep" },
  { "cn-southwest-2", "iam rfs vpcep" }, { "cn-southwest-3", "rfs vpcep" },
  { "eu-west-0", "iam vpcep" }, { "eu-west-101", "iam rfs vpcep" },
  { "la-north-2", "iam rfs vpcep" }, { "la-south-2", "iam rfs vpcep" },
  { "me-east-1", "iam rfs vpcep" }, { "my-kualalumpur-1", "iam rfs vpcep" },
  { "na-mexico-1", "iam rfs vpcep" }, { "ru-moscow-1", "iam vpcep" }, { "ru-northwest-2", "vpcep" },
  { "sa-brazil-1", "iam rfs vpcep" }, { "tr-west-1", "iam rfs vpcep" },
}) do
  local offers = {}
  for name in row[2]:gmatch("%S+") do
    offers[name] = true
  end
  REGIONS[row[1]] = offers
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
    if region and REGIONS[region] and REGIONS[region].iam then
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

--- The known regions, sorted: all of them, or those where Huawei's SDKs
-- place a service this library knows the regions of (`rfs`, `vpcep`, `iam`,
-- regional IAM). A region missing here still works: see REGIONS above.
-- @tparam[opt] string service
-- @treturn table list of region ids; nil for a service whose regions are not known here
function M.regions(service)
  local name = service and M.canonical(service)
  if name and name ~= "rfs" and name ~= "vpcep" and name ~= "iam" then
    return nil
  end
  local out = {}
  for id, offers in pairs(REGIONS) do
    if not name or offers[name] then
      out[#out + 1] = id
    end
  end
  table.sort(out)
  return out
end

--- Resolve the base URL for a service.
-- @tparam string service e.g. "rfs", "aos", "vpcep", "iam"
-- @tparam[opt] string region
-- @tparam table cfg `{endpoints = {service = url}, endpoint = url,
--   env_endpoint = url (HWCLOUD_ENDPOINT), iam_endpoint = url}`; URLs may
--   contain `{region}`
-- @treturn[1] string normalised base URL
-- @treturn[1] string what overrode Huawei's endpoint: "the endpoints option",
--   "the endpoint option", "HWCLOUD_ENDPOINT" or "the IAM endpoint"; false for Huawei's own
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
  local source = url and "the endpoints option"
  if not url and cfg.endpoint then
    url, source = cfg.endpoint, "the endpoint option"
  elseif not url and cfg.env_endpoint then
    url, source = cfg.env_endpoint, "HWCLOUD_ENDPOINT"
  end
  if not url and name == "iam" and cfg.iam_endpoint then
    url, source = cfg.iam_endpoint, "the IAM endpoint"
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
    return norm, source
  end
  local def, why = M.default(name, region)
  if not def then
    return nil, why
  end
  return def, false
end

return M
