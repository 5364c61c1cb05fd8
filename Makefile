# The front door of lua-hwcloud.
#   make          build hwcloud/core.so for Lua 5.4 into build/
#   make test     install missing Debian packages (as root), build, run every suite
#   make demo     install missing Debian packages (as root, saying so first), build, start the
#                 emulator, run the examples, stop it
#   make bench    micro-benchmarks on 5.4 and LuaJIT: the decoder (core.decode vs cjson.decode),
#                 the response path (core.response vs core.decode) and what the client adds
#                 per request over the core (bench/client.lua)
#   make deps     install the missing Debian packages (or print the command)
#   make fuzz     build the libFuzzer targets of spec/fuzz with clang into build-fuzz/
#                 (spec/fuzz/run SECONDS runs them; make test runs each for 10 s)
#   make install  install core.so and lua/ where Lua 5.4 finds them under PREFIX (/usr/local:
#                 lib/lua/5.4, share/lua/5.4; /usr: the multiarch lib dir), staged under DESTDIR
#   make install-luajit  the same for LuaJIT/OpenResty (lib/lua/5.1, share/lua/5.1)
DEB_PACKAGES := lua5.4 liblua5.4-dev libcurl4-openssl-dev libssl-dev openssl lua-cjson \
  lua-busted lua-socket nginx libnginx-mod-http-lua libluajit2-5.1-dev luajit2 \
  luarocks valgrind cmake gcc make pkg-config ca-certificates clang libclang-rt-dev curl
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
PREFIX ?= /usr/local
# cmake --build runs make in build/: no "Entering directory" lines from it
MAKEFLAGS += --no-print-directory
# The sanitizer build prefers clang (looked for when the recipe runs, after
# `make deps` may have installed it): its UBSan also catches float-to-integer
# overflow (gcc's lacks it); spec/run preloads the runtime of whichever built it.
# SANITIZE_CC=gcc make asan picks another.

.PHONY: all build luajit asan fuzz deps test demo install install-luajit clean

all: build

build:
	@cmake -S . -B build $(CMAKE_FLAGS) >/dev/null
	@cmake --build build

luajit:
	@cmake -S . -B build-luajit -DHWCLOUD_LUAJIT=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-luajit

asan:
	@cc=$${SANITIZE_CC:-$$(command -v clang || command -v gcc)}; \
	  cmake -S . -B build-asan -DHWCLOUD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$$cc" >/dev/null
	@cmake --build build-asan

fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang and libclang-rt-dev (make deps installs them)"; exit 1; }
	@cmake -S . -B build-fuzz -DHWCLOUD_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-fuzz

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: running apt-get as root to install the missing Debian packages:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: missing Debian packages; run: sudo apt-get install -y" $$missing; exit 1; fi

test: deps build luajit asan fuzz
	@spec/run

.PHONY: bench
bench: build luajit
	@lua5.4 bench/decode.lua
	@echo
	@luajit bench/decode.lua
	@echo
	@lua5.4 bench/response.lua
	@echo
	@luajit bench/response.lua
	@echo
	@lua5.4 bench/client.lua
	@echo
	@luajit bench/client.lua

demo: deps
	@examples/demo.sh

# The prefix is given when installing (CMake derives the lib dir from it,
# GNUInstallDirs), so a plain `make` never changes where an install goes.
install: build
	@cmake -S . -B build -DCMAKE_INSTALL_PREFIX="$(PREFIX)" >/dev/null
	@DESTDIR="$(DESTDIR)" cmake --install build

install-luajit: luajit
	@cmake -S . -B build-luajit -DCMAKE_INSTALL_PREFIX="$(PREFIX)" >/dev/null
	@DESTDIR="$(DESTDIR)" cmake --install build-luajit

clean:
	rm -rf build build-luajit build-asan build-fuzz
