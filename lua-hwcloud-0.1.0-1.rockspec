-- luarocks make installs lua-hwcloud from this checkout, offline:
--   luarocks --lua-version=5.4 make
-- The build is CMake's, given LuaRocks' compiler flags and the Lua it builds
-- for, as luv's rockspec does.
rockspec_format = "3.0"
package = "lua-hwcloud"
version = "0.1.0-1"
source = { url = "git+file://." }
description = {
  summary = "Huawei Cloud for Lua: AK/SK signing, libcurl transport, RFS and VPCEP helpers, a local emulator",
  license = "MIT",
}
-- libcurl and libcrypto come from the system (Debian: libcurl4-openssl-dev,
-- libssl-dev); CMake finds them with pkg-config. lua-cjson is Debian's
-- lua-cjson or the rock (`--deps-mode=none` installs offline without it).
dependencies = { "lua >= 5.1", "lua-cjson" }
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_C_FLAGS = "$(CFLAGS)",
    CMAKE_MODULE_LINKER_FLAGS = "$(LIBFLAG)",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    HWCLOUD_INSTALL_CMOD = "$(LIBDIR)",
    HWCLOUD_INSTALL_LMOD = "$(LUADIR)",
  },
}
test = { type = "busted" }
