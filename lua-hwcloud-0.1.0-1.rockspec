-- luarocks make installs lua-hwcloud from this checkout, offline:
--   luarocks --lua-version=5.4 make
rockspec_format = "3.0"
package = "lua-hwcloud"
version = "0.1.0-1"
source = { url = "git+file://." }
description = {
  summary = "Huawei Cloud for Lua: AK/SK signing, libcurl transport, RFS and VPCEP helpers, a local emulator",
  license = "MIT",
}
-- lua-cjson, libcurl and libcrypto come from Debian's packages (lua-cjson,
-- libcurl4-openssl-dev, libssl-dev); CMake finds the libraries with pkg-config.
-- lua-cjson is not listed here so that `luarocks make` works offline.
dependencies = { "lua >= 5.1" }
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    HWCLOUD_LUAJIT = "OFF",
    HWCLOUD_INSTALL_CMOD = "$(LIBDIR)",
    HWCLOUD_INSTALL_LMOD = "$(LUADIR)",
  },
}
