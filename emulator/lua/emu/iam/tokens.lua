-- IAM token store: tokens issued by POST /v3/auth/tokens, remembered with
-- their user, scope and expiry so the frame can accept them as X-Auth-Token.
-- Tokens are opaque random strings shaped like Huawei's ("MII...").

local config = require "emu.config"
local util = require "emu.util"

local tokens = {}

local store = {}   -- token string -> record
local count = 0
local MAX_TOKENS = 10000

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function random_token()
  local out = { "MIIEmu" }
  for i = 2, 257 do
    local k = math.random(1, #alphabet)
    out[i] = alphabet:sub(k, k)
  end
  return table.concat(out)
end

--- Issue a token. `scope` is {project = p} or {domain = true}.
-- @return token string, record
function tokens.issue(account, scope, methods, now)
  if count >= MAX_TOKENS then tokens.reset() end
  local t = random_token()
  local rec = {
    account = account, project = scope.project, methods = methods or { "password" },
    issued_at = now, expires_at = now + config.value("token_ttl"),
  }
  store[t] = rec
  count = count + 1
  return t, rec
end

--- The record of a token (expired ones included; check rec.expires_at).
function tokens.lookup(t)
  return store[t]
end

--- Forget every token.
function tokens.reset()
  store, count = {}, 0
end

return tokens
