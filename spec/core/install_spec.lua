-- The install paths work from this checkout, offline: `make install` and
-- `make install-luajit` (CMake's install rules, with PREFIX and DESTDIR) and
-- `luarocks make` with the rockspec. Each installs into a temporary DESTDIR;
-- then the plain interpreter, its own default package.path and package.cpath
-- (LUA_PATH and LUA_CPATH unset) rerooted under that DESTDIR, must find
-- hwcloud and hwcloud.core there: what `sudo make install` followed by
-- `lua5.4 -e 'require "hwcloud"'` does, whatever the machine's multiarch
-- directory is. Also: README's package list against `make deps` and the
-- commands README uses, and what `make demo` says before running apt-get.
local read_file = require("spec.helpers.server").read_file

-- runs a shell command: ok, its output (stdout and stderr)
local function run(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok == true or code == 0, out
end

-- what a command prints on stdout (its complaints on stderr are not read)
local function sh_out(cmd)
  local p = io.popen("(" .. cmd .. ") 2>/dev/null")
  local out = p:read("a")
  p:close()
  return out
end

local function tmpdir(name)
  return sh_out("mktemp -d /tmp/hwcloud-" .. name .. "-XXXXXX"):match("%S+")
end

describe("installing #install", function()

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
    local root = tmpdir("install")
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

-- README's install list is the one `make deps` (and so `make test`, `make
-- demo` and CI) installs, and it holds the package of every command README
-- tells users to run.
describe("README's Debian packages #install", function()
  local function set_of(words)
    local set = {}
    for _, w in ipairs(words) do set[w] = true end
    return set
  end

  local readme = assert(read_file("README.md"))
  local function sh_blocks(text)
    local blocks = {}
    for body in text:gmatch("\n```sh\n(.-)\n```") do
      blocks[#blocks + 1] = (body:gsub("\\\n", " "))   -- continuation lines joined
    end
    return blocks
  end

  -- the packages of the install section's `apt-get install` lines
  local function readme_packages()
    local section = assert(readme:match("<!%-%- section: install %-%->(.-)\n## "), "README has no install section")
    local packages = {}
    for _, block in ipairs(sh_blocks(section)) do
      for line in block:gmatch("[^\n]+") do
        local args = line:gsub("#.*", ""):match("apt%-get install (.*)")
        for w in (args or ""):gmatch("%S+") do
          if w:sub(1, 1) ~= "-" then packages[#packages + 1] = w end
        end
      end
    end
    return packages
  end

  -- the Debian package that provides command `word` (nil for a builtin, a
  -- script of the checkout or a command no package owns), and whether it is
  -- part of every Debian system (Essential or Priority required)
  local function package_of(word)
    local path = sh_out("command -v " .. word):match("^(/%S+)")
    if not path then return nil end
    for _, p in ipairs({ path, sh_out("readlink -f " .. path):match("%S+") }) do
      local owner = sh_out("dpkg -S " .. p):match("^([^:,%s]+)")
                 or sh_out("dpkg -S " .. p:gsub("^/usr/", "/")):match("^([^:,%s]+)")
      if owner then
        local info = sh_out("dpkg-query -W -f='${Essential} ${Priority}' " .. owner)
        return owner, info:match("^yes") ~= nil or info:match("required") ~= nil
      end
    end
  end

  -- the first word of every command in README's ```sh blocks and of every
  -- inline code span that has arguments (`luarocks test`)
  local function readme_commands()
    local words = {}
    local function add(cmd)
      local w = cmd:gsub("^%s*sudo%s+", ""):match("^%s*(%S+)")
      if w and not w:find("/", 1, true) then words[w] = true end   -- not bin/hwcloud-emulator
    end
    for _, block in ipairs(sh_blocks(readme)) do
      for line in block:gsub("#[^\n]*", ""):gmatch("[^\n]+") do
        line = line:gsub("[%w_]+=%b\"\"%s*", ""):gsub("[%w_]+='[^']*'%s*", ""):gsub("[%w_]+=%S*%s+", "")
        for cmd in (line:gsub("%$%(", ";"):gsub("&&", ";"):gsub("|", ";") .. ";"):gmatch("([^;]*);") do add(cmd) end
      end
    end
    for span in readme:gmatch("`([^`\n]+)`") do
      if span:match("^[%w%._%-]+ ") then add(span) end
    end
    return words
  end

  it("lists what make deps installs, ca-certificates and luarocks included", function()
    local makefile = assert(read_file("Makefile")):gsub("\\\n", " ")
    local deb = {}
    for w in assert(makefile:match("\nDEB_PACKAGES :=([^\n]*)")):gmatch("%S+") do deb[#deb + 1] = w end
    local listed = readme_packages()
    table.sort(deb)
    table.sort(listed)
    assert.same(deb, listed)
    assert.is_true(set_of(listed)["ca-certificates"])   -- libcurl's CA bundle for https
    assert.is_true(set_of(listed)["luarocks"])
  end)

  it("make demo says it runs apt-get as root, and for what, before running it", function()
    -- apt-get stands in for itself: a script that prints its arguments and
    -- fails, so nothing is installed and the demo stops right after deps
    local dir = tmpdir("apt")
    local f = assert(io.open(dir .. "/apt-get", "w"))
    f:write('#!/bin/sh\necho "apt-get was run: $*"\nexit 1\n')
    f:close()
    local ok, out = run(("chmod +x %s/apt-get && PATH=%s:$PATH make demo DEB_PACKAGES='make no-such-package-hwcloud'")
      :format(dir, dir))
    run("rm -rf " .. dir)
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.is_false(ok, out)
    if sh_out("id -u"):match("^0") then
      assert.equal("deps: running apt-get as root to install the missing Debian packages: no-such-package-hwcloud",
        lines[1], out)
      assert.equal("apt-get was run: update -qq", lines[2], out)
    else
      assert.equal("deps: missing Debian packages; run: sudo apt-get install -y no-such-package-hwcloud", lines[1], out)
    end
    assert.is_nil(out:find("###", 1, true), out)   -- the demo did not start
  end)

  it("lists the package of every command README runs", function()
    local listed = set_of(readme_packages())
    local checked, unlisted = {}, {}
    for word in pairs(readme_commands()) do
      local owner, everywhere = package_of(word)
      if owner and not everywhere then
        checked[#checked + 1] = word
        if not listed[owner] then unlisted[#unlisted + 1] = word .. " (" .. owner .. ")" end
      end
    end
    table.sort(unlisted)
    assert.same({}, unlisted)
    -- the check sees the commands README uses (make, lua5.4, luarocks, ...)
    local seen = set_of(checked)
    for _, w in ipairs({ "make", "lua5.4", "luarocks", "luajit", "cmake" }) do
      assert.is_true(seen[w], w .. " not found among README's commands")
    end
  end)
end)
