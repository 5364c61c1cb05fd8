-- The credential provider chain (hwcloud.credentials.sources) and the
-- header helpers (hwcloud.headers) on their own: the order of the
-- providers, the chain that stops before file I/O when a client is made,
-- and one "nothing found" message naming every place looked at.

local core = require "hwcloud.core"
local sources = require "hwcloud.credentials.sources"
local headers = require "hwcloud.headers"

describe("hwcloud.credentials.sources", function()
  local function reader_of(files, log)
    return function(path)
      log[#log + 1] = path
      return files[path]
    end
  end

  it("asks options, then the environment, then the profile file", function()
    assert.are.same({ sources.options, sources.environment, sources.profile }, sources.CHAIN)
    local log = {}
    local env = { HOME = "/h", HUAWEICLOUD_SDK_AK = "EA", HUAWEICLOUD_SDK_SK = "ES" }
    local files = { ["/h/.huaweicloud/credentials"] = "[basic]\nak = PA\nsk = PS\n" }
    assert.are.equal("options", sources.find({ ak = "OA", sk = "OS" }, env, reader_of(files, log)).source)
    assert.are.equal("environment", sources.find({}, env, reader_of(files, log)).source)
    assert.are.same({}, log)
    local c = sources.find({}, { HOME = "/h" }, reader_of(files, log))
    assert.are.equal("PA", c.ak)
    assert.are.equal("aksk", c.kind)
    assert.are.same({ "/h/.huaweicloud/credentials" }, log)
  end)

  it("stops before the file when told to do no I/O", function()
    local log = {}
    assert.is_nil(sources.find({}, { HOME = "/h" }, reader_of({}, log), true))
    assert.are.same({}, log)
  end)

  it("names every place it looked at when none has credentials", function()
    local ok, err = pcall(sources.find, {}, { HOME = "/h" }, reader_of({}, {}))
    assert.is_false(ok)
    assert.is_true(core.is_error(err))
    assert.are.equal("auth", err.kind)
    assert.are.equal("no credentials found; looked for: options (ak + sk, token, or user + password "
      .. "+ domain), environment variables HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, profile file "
      .. "/h/.huaweicloud/credentials (not found)", err.message)
  end)

  it("tells the kinds apart and refuses incomplete sets", function()
    assert.are.equal("token", sources.options.find({ token = "t" }).kind)
    assert.are.equal("password", sources.options.find({ user = "u", password = "p", domain = "d" }).kind)
    assert.is_nil((sources.options.find({ region = "r" })))
    local ok, err = pcall(sources.options.find, { ak = "a" })
    assert.is_false(ok)
    assert.are.equal("argument", err.kind)
    ok, err = pcall(sources.environment.find, nil, { HUAWEICLOUD_SDK_SK = "s" })
    assert.is_false(ok)
    assert.are.equal("auth", err.kind)
    assert.matches("HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not", err.message, 1, true)
  end)
end)

describe("hwcloud.headers", function()
  it("reads maps and pair lists without regard to case", function()
    assert.are.equal("1", headers.get({ ["Retry-After"] = "1" }, "retry-after"))
    assert.are.equal("2", headers.get({ ["retry-after"] = "2" }, "Retry-After"))
    assert.are.equal("3", headers.get({ { "RETRY-AFTER", "3" } }, "Retry-After"))
    assert.is_nil(headers.get({ { "X", "1" } }, "Retry-After"))
    assert.is_nil(headers.get(nil, "Retry-After"))
  end)

  it("replaces a pair by a new one, never in place", function()
    local shared = { "User-Agent", "a" }
    local list = { shared }
    headers.set(list, "user-agent", "b")
    headers.set(list, "X-Extra", "c")
    assert.are.same({ { "user-agent", "b" }, { "X-Extra", "c" } }, list)
    assert.are.same({ "User-Agent", "a" }, shared)
  end)
end)
