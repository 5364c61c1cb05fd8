-- The two install paths work from this checkout, offline: `luarocks make`
-- with the rockspec, and CMake's install rules; the installed modules load
-- from where the interpreter itself looks (its own package.cpath and
-- package.path, moved under the prefix), whatever the machine's multiarch
-- directory is.
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

  -- Loads hwcloud and hwcloud.core with lua5.4's own default search paths,
  -- every "<from>/" in them replaced by "<root>/".
  local function loads_under(root, from)
    local script = ([[
      local function moved(p) return (p:gsub("%s/", "%s/")) end
      package.path, package.cpath = moved(package.path), moved(package.cpath)
      local c = require "hwcloud.core"
      require "hwcloud"
      print(package.searchpath("hwcloud.core", package.cpath), c.version)
    ]]):format(from:gsub("%p", "%%%0"), root:gsub("%%", "%%%%"))
    local f = assert(io.open(root .. "/check.lua", "w"))
    f:write(script)
    f:close()
    return run("env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 lua5.4 " .. root .. "/check.lua")
  end

  it("cmake --install puts them where Lua 5.4 looks under /usr/local (the default prefix)", function()
    local prefix = tmpdir()
    local ok, out = run(("cmake --install build --prefix %s"):format(prefix))
    local ok2, out2 = loads_under(prefix, "/usr/local")
    run("rm -rf " .. prefix)
    assert.is_true(ok, out)
    assert.is_true(ok2, out2)
    assert.matches(prefix .. "/", out2, 1, true)
  end)

  it("cmake --install puts them where Lua 5.4 looks under /usr (the multiarch directory)", function()
    local dir = tmpdir()
    local ok, out = run(("cmake -S . -B %s/build -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=Release >/dev/null"
      .. " && cmake --build %s/build >/dev/null && DESTDIR=%s/root cmake --install %s/build"):format(dir, dir, dir, dir))
    local ok2, out2 = loads_under(dir .. "/root/usr", "/usr")
    run("rm -rf " .. dir)
    assert.is_true(ok, out)
    assert.is_true(ok2, out2)
    assert.matches(dir .. "/root/usr/lib/", out2, 1, true)
  end)
end)
