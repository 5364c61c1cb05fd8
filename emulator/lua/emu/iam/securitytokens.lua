-- POST /v3.0/OS-CREDENTIAL/securitytokens: temporary AK/SK plus security
-- token for the caller's user (duration 900..86400 s, default 900). The
-- emulator then accepts them with X-Security-Token until they expire.

local accounts = require "emu.accounts"
local errors = require "emu.errors"
local util = require "emu.util"

local securitytokens = {}

--- POST /v3.0/OS-CREDENTIAL/securitytokens
function securitytokens.create(req)
  local b = req.body
  local id = type(b) == "table" and type(b.auth) == "table" and b.auth.identity
  if type(id) ~= "table" or type(id.methods) ~= "table" then
    error(errors.new(400, "IAM.0011", "The request body must contain auth.identity.methods.", "C"), 0)
  end
  local duration = 900
  if type(id.token) == "table" and id.token.duration_seconds ~= nil then
    duration = tonumber(id.token.duration_seconds)
    if not duration or duration < 900 or duration > 86400 then
      error(errors.new(400, "IAM.0007", "duration_seconds must be between 900 and 86400.", "C"), 0)
    end
  end
  local a = accounts.by_domain_id(req.account.domain_id)
  local ak = "EMUTMP" .. util.hex(14):upper()
  local sk = util.hex(40)
  local token = "emu-security-token-" .. util.hex(48)
  local expires = req.now + duration
  accounts.issue_temporary(a, ak, sk, token, expires)
  return 201, { credential = {
    access = ak, secret = sk, securitytoken = token, expires_at = util.iso_micro(expires),
  } }
end

return securitytokens
