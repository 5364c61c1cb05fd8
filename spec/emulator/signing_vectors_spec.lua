-- The emulator's own SDK-HMAC-SHA256 / V11 verification code reproduces
-- every public signing vector (it runs inside nginx under LuaJIT, so the
-- check runs under luajit too).
local emu = require "spec.helpers.emulator"

describe("emulator signature code", function()
  it("matches every vector in signing_vectors.json", function()
    local vectors = os.getenv("HWCLOUD_SIGNING_VECTORS") or emu.root .. "/../shared/testdata/signing_vectors.json"
    local p = io.popen("luajit " .. emu.root .. "/spec/emulator/check_vectors.lua " .. emu.root .. " " .. vectors .. " 2>&1")
    local out = p:read("*a")
    p:close()
    local n, fails = out:match("(%d+)%s+vectors%s+(%d+)%s+failures")
    assert(n, out)
    assert.equal(53, tonumber(n))
    assert.equal(0, tonumber(fails), out)
  end)
end)
