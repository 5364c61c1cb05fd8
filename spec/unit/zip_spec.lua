-- Unit specs of hwcloud.zip (stored-entry zip writer with CRC-32) read back
-- by the emulator's zip reader (emu.rfs.zip), on Lua 5.4 and LuaJIT.

local zip = require("hwcloud.zip")
local reader = require("emu.rfs.zip")

describe("hwcloud.zip", function()
  it("computes CRC-32 check values", function()
    assert.equal(0xCBF43926, zip.crc32("123456789"))
    assert.equal(0, zip.crc32(""))
    assert.equal(0x414FA339, zip.crc32("The quick brown fox jumps over the lazy dog"))
  end)

  it("builds archives the emulator's reader reads back, byte for byte", function()
    local blob = {}
    for i = 0, 255 do blob[#blob + 1] = string.char(i) end
    local entries = {
      { name = "main.tf", data = 'resource "x" "y" {}\n' },
      { name = "modules/net/main.tf", data = "" },
      { name = "bin.dat", data = table.concat(blob):rep(10) },
    }
    local got = assert(reader.read(zip.build(entries)))
    assert.equal(3, #got)
    for i, e in ipairs(entries) do
      assert.equal(e.name, got[i].name)
      assert.equal(e.data, got[i].data)
    end
    -- the same files give the same archive
    assert.equal(zip.build(entries), zip.build(entries))
  end)

  it("refuses bad entries and the reader refuses damaged archives", function()
    assert.has_error(function() zip.build({ { name = "", data = "x" } }) end)
    assert.has_error(function() zip.build("x") end)
    local bytes = zip.build({ { name = "a.tf", data = "x" } })
    local ok, why, kind = reader.read(bytes:sub(1, 20) .. bytes:sub(30))
    assert.is_nil(ok)
    assert.equal("unreadable", kind)
    assert.is_string(why)
    assert.equal("files", select(3, reader.read(bytes, { max_files = 0 })))
  end)
end)
