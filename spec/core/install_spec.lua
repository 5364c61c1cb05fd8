-- The two install paths work from this checkout, offline: `luarocks make`
-- with the rockspec, and CMake's install rules; the installed modules load.
describe("installing #install", function()
  local function run(cmd)
    local p = io.popen(cmd .. " 2>&1")
    local out = p:read("a")
    local ok, _, code = p:close()
    return ok == true or code == 0, out
  end

  local function tmpdir()
    local p = io.popen("mktemp -d /tmp/hwcloud-install-XXXXXX")
    local d = p:read("l")
    p:close()
    return d
  end

  it("luarocks make installs core.so and the Lua modules", function()
    local tree = tmpdir()
    local ok, out = run(("luarocks --lua-version=5.4 --tree=%s make --deps-mode=none lua-hwcloud-0.1.0-1.rockspec"):format(tree))
    assert.is_true(ok, out)
    local ok2, out2 = run(("LUA_PATH='%s/share/lua/5.4/?.lua;%s/share/lua/5.4/?/init.lua;;' LUA_CPATH='%s/lib/lua/5.4/?.so;;' "
      .. "lua5.4 -e 'local h = require \"hwcloud\"; local c = require \"hwcloud.core\"; "
      .. "print(package.searchpath(\"hwcloud.core\", package.cpath), h.VERSION, c.version)'"):format(tree, tree, tree))
    run("rm -rf " .. tree .. " build.luarocks")
    assert.is_true(ok2, out2)
    assert.matches(tree .. "/lib/lua/5.4/hwcloud/core.so", out2, 1, true)
  end)

  it("cmake --install puts them where Lua 5.4 looks under the prefix", function()
    local prefix = tmpdir()
    local ok, out = run(("cmake --install build --prefix %s"):format(prefix))
    assert.is_true(ok, out)
    local f = io.open(prefix .. "/lib/x86_64-linux-gnu/lua/5.4/hwcloud/core.so")
    local g = io.open(prefix .. "/share/lua/5.4/hwcloud/init.lua")
    run("rm -rf " .. prefix)
    assert.is_not_nil(f, out)
    assert.is_not_nil(g, out)
    f:close()
    g:close()
  end)
end)
