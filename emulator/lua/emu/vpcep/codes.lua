-- VPCEP error codes the emulator raises, with their HTTP status and the
-- literal error_msg of Huawei's error-code table (VPCEP API reference,
-- error codes, https://support.huaweicloud.com/api-vpcep/).
-- `codes.fail("EndPoint.0002")` raises it; an optional detail is appended.

local errors = require "emu.errors"

local codes = {}

local T = {
  ["EndPoint.0002"] = { 400, "Parameter error." },
  ["EndPoint.0005"] = { 404, "The requested resource is unavailable." },
  ["EndPoint.0006"] = { 400, "Invalid limit." },
  ["EndPoint.0007"] = { 400, "Invalid action." },
  ["EndPoint.0010"] = { 400, "Invalid offset." },
  ["EndPoint.0014"] = { 400, "Invalid project ID." },
  ["EndPoint.0016"] = { 400, "The number of batch operated resources exceeded the limit." },
  ["EndPoint.0017"] = { 400, "Invalid sort_key." },
  ["EndPoint.0018"] = { 400, "Invalid sort_dir." },
  ["EndPoint.0019"] = { 400, "Invalid status." },
  ["EndPoint.0020"] = { 400, "Invalid VPC ID." },
  ["EndPoint.0021"] = { 400, "Invalid marker_id." },
  ["EndPoint.0023"] = { 400, "Invalid subnet_id." },
  ["Endpoint.1018"] = { 400, "Quota exceeded." },
  ["EndPoint.1019"] = { 400, "Invalid route table ID." },
  ["EndPoint.2002"] = { 400, "The request input parameter is empty." },
  ["EndPoint.2003"] = { 400, "The endpoint service does not exist." },
  ["EndPoint.2004"] = { 400, "The endpoint service is unavailable." },
  ["EndPoint.2006"] = { 404, "The requested endpoint does not exist." },
  ["EndPoint.2010"] = { 400, "The input parameter subnet ID is empty." },
  ["EndPoint.2011"] = { 400, "The input parameter VPC ID is empty." },
  ["EndPoint.2012"] = { 400, "You have no permission to connect to the VPC endpoint service." },
  ["EndPoint.2013"] = { 400, "The endpoint does not belong to the endpoint service." },
  ["EndPoint.2014"] = { 400, "The endpoint has connected to the endpoint service." },
  ["EndPoint.2017"] = { 400, "Invalid endpoint ID." },
  ["EndPoint.2018"] = { 400, "The endpoint is being deleted." },
  ["EndPoint.2019"] = { 400, "The endpoint is being created." },
  ["EndPoint.2028"] = { 400, "The endpoint service port or protocol is empty." },
  ["EndPoint.2029"] = { 400, "The requested endpoint service ID is empty." },
  ["EndPoint.2031"] = { 400, "Only one endpoint is allowed." },
  ["EndPoint.2033"] = { 400, "The entered parameter enable_dns is invalid." },
  ["EndPoint.2039"] = { 400, "The route table is being used by another VPC endpoint." },
  ["EndPoint.2040"] = { 400, "The VPC endpoint has no route table bound." },
  ["EndPoint.2041"] = { 400, "Invalid Port IP address." },
  ["EndPoint.2042"] = { 400, "The Port IP is in use." },
  ["EndPoint.2044"] = { 400, "Invalid whitelist." },
  ["EndPoint.2045"] = { 400, "The maximum number of whitelist records has been reached." },
  ["EndPoint.2047"] = { 400, "The VPC endpoint in the Failed status cannot be modified." },
  ["EndPoint.2048"] = { 400, "The VPC endpoint policy is invalid." },
  ["EndPoint.2049"] = { 400, "The VPC endpoint has no policy associated." },
  ["EndPoint.3002"] = { 400, "Invalid permission." },
  ["EndPoint.3003"] = { 400, "Invalid port ID." },
  ["EndPoint.3006"] = { 400, "The endpoint service is being used." },
  ["EndPoint.3010"] = { 400, "Invalid IP address." },
  ["EndPoint.3021"] = { 400, "Invalid serverType." },
  ["EndPoint.3035"] = { 400, "Invalid action." },
  ["EndPoint.3036"] = { 400, "Invalid permissions." },
  ["EndPoint.3043"] = { 400, "The service port is invalid." },
  ["EndPoint.3044"] = { 400, "The parameter ports conflicted with ports in an existing endpoint service." },
  ["EndPoint.3045"] = { 400, "Other properties cannot be modified in the current endpoint service state." },
  ["EndPoint.3048"] = { 400, "Invalid netType." },
  ["EndPoint.3049"] = { 400, "The maximum number of whitelist records has been reached." },
  ["EndPoint.3052"] = { 400, "portId and ip cannot be modified at the same time." },
  ["EndPoint.3062"] = { 400, "Invalid endpoint service ID." },
  ["EndPoint.3066"] = { 400, "The tag cannot be empty." },
  ["EndPoint.3067"] = { 400, "The tag key cannot be duplicated." },
  ["EndPoint.3068"] = { 400, "Tag keys and values should meet relevant requirements." },
  ["EndPoint.3069"] = { 400, "The maximum number of tags has been reached." },
  ["EndPoint.3070"] = { 400, "Invalid resource type." },
  ["EndPoint.3071"] = { 400, "The tag value cannot be duplicated." },
  ["EndPoint.3072"] = { 400, "The tag key size is invalid." },
  ["EndPoint.3073"] = { 400, "The tag value size is invalid." },
  ["EndPoint.3074"] = { 400, "The maximum of ports has been reached." },
  ["EndPoint.3075"] = { 400, "The protocol is invalid." },
  ["EndPoint.3076"] = { 400, "Invalid service name." },
}

--- Raise a VPCEP error by code, optionally with a detail appended to the message.
function codes.fail(code, detail)
  local e = T[code] or error("emu.vpcep: unknown error code " .. code)
  local msg = e[2]
  if detail then msg = msg .. " " .. detail end
  error(errors.new(e[1], code, msg), 0)
end

--- {status, message} of a code.
function codes.get(code)
  return T[code]
end

return codes
