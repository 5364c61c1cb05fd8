-- Where credentials come from, one small provider each, in the order the
-- chain (hwcloud.credentials) asks them, as lua-resty-aws chains its
-- credential providers: the client options, the HUAWEICLOUD_SDK_*
-- environment variables (both known when the client is made), then the
-- profile file (read at first use). Each provider's `find(opts, env, reader)`
-- gives a credential record, or nil and what it looked at; an incomplete set
-- (ak without sk...) raises.

local core = require "hwcloud.core"
local profile = require "hwcloud.credentials.profile"

local M = {}

local function auth_error(message)
  return core.error({ kind = "auth", message = message })
end
M.auth_error = auth_error

--- A non-empty string, else nil.
function M.nonempty(v)
  if type(v) == "string" and v ~= "" then
    return v
  end
  return nil
end
local nonempty = M.nonempty

-- fields a credential record carries
local FIELDS = { "ak", "sk", "security_token", "token", "user", "password", "domain",
                 "project_id", "domain_id", "region", "iam_endpoint" }

-- A credential record out of a flat table of fields: `kind` "aksk" (ak +
-- sk), "token" (a ready IAM token) or "password" (user + password + domain);
-- nil when it holds none; `fail(missing, given)` raises for an incomplete set.
local function record(src, source, fail)
  local c = { source = source }
  for _, f in ipairs(FIELDS) do
    c[f] = nonempty(src[f])
  end
  if c.ak or c.sk then
    if not (c.ak and c.sk) then
      fail(c.ak and "sk" or "ak", c.ak and "ak" or "sk")
    end
    c.kind = "aksk"
  elseif c.token then
    c.kind = "token"
  elseif c.user or c.password then
    if not (c.user and c.password and c.domain) then
      local missing = not c.user and "user" or not c.password and "password" or "domain"
      fail(missing, c.user and "user" or "password")
    end
    c.kind = "password"
  else
    return nil
  end
  return c
end

--- The client options (an incomplete set is an argument error of hwcloud.new).
M.options = {
  looked = "options (ak + sk, token, or user + password + domain)",
  find = function(opts)
    local c = record(opts, "options", function(missing, given)
      error(core.error({ kind = "argument",
        message = "hwcloud.new: opts." .. given .. " is set but opts." .. missing .. " is not" }), 0)
    end)
    return c, M.options.looked
  end,
}

--- The environment snapshot (HUAWEICLOUD_SDK_AK / _SK / _SECURITY_TOKEN, with
-- _PROJECT_ID, _DOMAIN_ID and _REGION alongside).
M.environment = {
  looked = "environment variables HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
  find = function(_, env)
    local looked = M.environment.looked
    if not (env.HUAWEICLOUD_SDK_AK or env.HUAWEICLOUD_SDK_SK) then
      return nil, looked
    end
    return record({
      ak = env.HUAWEICLOUD_SDK_AK, sk = env.HUAWEICLOUD_SDK_SK,
      security_token = env.HUAWEICLOUD_SDK_SECURITY_TOKEN,
      project_id = env.HUAWEICLOUD_SDK_PROJECT_ID, domain_id = env.HUAWEICLOUD_SDK_DOMAIN_ID,
      region = env.HUAWEICLOUD_SDK_REGION,
    }, "environment", function(missing, given)
      error(auth_error("HUAWEICLOUD_SDK_" .. given:upper() .. " is set but HUAWEICLOUD_SDK_"
        .. missing:upper() .. " is not"), 0)
    end), looked
  end,
}

--- The profile file (hwcloud.credentials.profile): nil when the file or the
-- section is missing, an auth error when an explicitly requested one is.
M.profile = {
  io = true, -- reads a file: asked at first use, never when the client is made
  find = function(opts, env, reader)
    local path, section, explicit = profile.location(opts, env)
    if not path then
      return nil, "profile file (HOME is not set)"
    end
    local text = (reader or profile.read_file)(path)
    if not text then
      if opts.credentials_file or opts.profile then
        error(auth_error("credentials file " .. path .. " cannot be read"), 0)
      end
      return nil, "profile file " .. path .. " (not found)"
    end
    local sections, why = profile.parse(text, path)
    if not sections then
      error(auth_error("credentials file " .. why), 0)
    end
    local chosen = sections[section]
    if not chosen and not explicit then
      chosen = sections.global
      section = "global"
    end
    if not chosen then
      if explicit then
        error(auth_error("credentials file " .. path .. " has no [" .. section .. "] section"), 0)
      end
      return nil, "profile file " .. path .. " (no [basic] or [global] section)"
    end
    local source = "profile " .. path .. " [" .. section .. "]"
    local c = record(chosen, source, function(missing, given)
      error(auth_error(source .. " sets " .. given .. " but not " .. missing), 0)
    end)
    if not c then
      return nil, source .. " (no ak/sk or user/password)"
    end
    return c, source
  end,
}

--- The chain, in order.
M.CHAIN = { M.options, M.environment, M.profile }

--- Run the chain: the first provider that finds credentials wins.
-- @tparam table opts client options
-- @tparam table env environment snapshot
-- @tparam[opt] function reader `reader(path) -> text|nil` for the profile file
-- @tparam[opt] boolean no_io stop before a provider that does I/O
-- @treturn table|nil credential record (nil: none found, or not yet asked)
-- @raise an auth error naming every place looked at when none has them
--   (not with no_io)
function M.find(opts, env, reader, no_io)
  local looked = {}
  for _, provider in ipairs(M.CHAIN) do
    if no_io and provider.io then
      return nil
    end
    local c, what = provider.find(opts, env, reader)
    if c then
      return c
    end
    looked[#looked + 1] = what
  end
  error(auth_error("no credentials found; looked for: " .. table.concat(looked, ", ")), 0)
end

return M
