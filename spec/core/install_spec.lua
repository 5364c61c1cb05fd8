-- The install paths work from this checkout, offline: `make install` and
-- `make install-luajit` (CMake's install rules, with PREFIX and DESTDIR) and
-- `luarocks make` with the rockspec. Each installs into a temporary DESTDIR;
-- then the plain interpreter, its own default package.path and package.cpath
-- (LUA_PATH and LUA_CPATH unset) rerooted under that DESTDIR, must find
-- hwcloud and hwcloud.core there: what `sudo make install` followed by
-- `lua5.4 -e 'require "hwcloud"'` does, whatever the machine's multiarch
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

  -- Run by the interpreter under test (Lua 5.4 or LuaJIT): each absolute
  -- entry of its default search paths is tried first under arg[1] (the
  -- DESTDIR), then the system's own (lua-cjson comes from there); prints
  -- where hwcloud.core and hwcloud were found.
  local CHECK = [[
    local root = arg[1]
    local function rerooted(path)
      local moved = {}
      for entry in path:gmatch("[^;]+") do
        if entry:sub(1, 1) == "/" then moved[#moved + 1] = root .. entry end
      end
      return table.concat(moved, ";") .. ";" .. path
    end
    package.path, package.cpath = rerooted(package.path), rerooted(package.cpath)
    local core_file = package.searchpath("hwcloud.core", package.cpath)
    local lua_file = package.searchpath("hwcloud", package.path)
    local hwcloud = require "hwcloud"
    print("core " .. tostring(core_file))
    print("lua " .. tostring(lua_file))
    print("version " .. hwcloud.VERSION .. " " .. require("hwcloud.core").version)
  ]]

  -- Loads hwcloud with `lua` (lua5.4 or luajit) from DESTDIR `root`; returns
  -- ok, output.
  local function loads_under(lua, root)
    local f = assert(io.open(root .. "/check.lua", "w"))
    f:write(CHECK)
    f:close()
    return run(("cd %s && env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 %s check.lua %s")
      :format(root, lua, root))
  end

  -- Installs with `install` (a shell command given the DESTDIR), then loads;
  -- the C module must come from `<DESTDIR><prefix>/<libdir pattern>`, the Lua
  -- modules from `<DESTDIR><prefix>/share/lua/<abi>`.
  local function check(lua, abi, prefix, libdir, install)
    local root = tmpdir()
    local ok, out = run(install(root))
    local ok2, out2 = loads_under(lua, root)
    run("rm -rf " .. root)
    assert.is_true(ok, out)
    assert.is_true(ok2, out2)
    if install(root):match("^make ") then
      assert.is_nil(out:find("Entering directory", 1, true), out)   -- no make noise
    end
    local base = (root .. prefix):gsub("%p", "%%%0")
    assert.matches("core " .. base .. "/" .. libdir .. "/lua/" .. abi .. "/hwcloud/core%.so\n", out2)
    assert.matches("lua " .. base .. "/share/lua/" .. abi .. "/hwcloud/init%.lua\n", out2)
    assert.matches("version %S+ %S+", out2)
  end

  it("make install puts them where Lua 5.4 looks under /usr/local (the default PREFIX)", function()
    check("lua5.4", "5.4", "/usr/local", "lib", function(root)
      return "make install DESTDIR=" .. root
    end)
  end)

  it("make install PREFIX=/usr puts core.so in the multiarch directory Lua 5.4 searches", function()
    -- CMake's multiarch name (GNUInstallDirs), not a hard-coded one.
    check("lua5.4", "5.4", "/usr", "lib/[%w_]+%-[%w_]+%-[%w_]+", function(root)
      return "make install PREFIX=/usr DESTDIR=" .. root
    end)
  end)

  it("make install-luajit puts them where LuaJIT (and so OpenResty) looks", function()
    check("luajit", "5.1", "/usr/local", "lib", function(root)
      return "make install-luajit DESTDIR=" .. root
    end)
  end)

  it("luarocks make into the /usr/local tree puts them where Lua 5.4 looks", function()
    check("lua5.4", "5.4", "/usr/local", "lib", function(root)
      return ("luarocks --lua-version=5.4 --tree=%s/usr/local make --deps-mode=none lua-hwcloud-0.1.0-1.rockspec"
        .. " && rm -rf build.luarocks"):format(root)
    end)
  end)
end)
