# The front door of lua-hwcloud.
#   make          build hwcloud/core.so for Lua 5.4 into build/
#   make test     install missing Debian packages (as root), build, run every suite
#   make demo     build, start the emulator, run the examples, stop it
#   make bench    the decoder micro-benchmark (core.decode vs cjson.decode) on 5.4 and LuaJIT
#   make deps     install the missing Debian packages (or print the command)
#   make install  install core.so and lua/ where Lua 5.4 finds them
DEB_PACKAGES := lua5.4 liblua5.4-dev libcurl4-openssl-dev libssl-dev openssl lua-cjson \
  lua-busted lua-socket nginx libnginx-mod-http-lua libluajit2-5.1-dev luajit2 \
  luarocks valgrind cmake gcc make pkg-config ca-certificates
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all build luajit asan deps test demo install clean

all: build

build:
	@cmake -S . -B build $(CMAKE_FLAGS) >/dev/null
	@cmake --build build

luajit:
	@cmake -S . -B build-luajit -DHWCLOUD_LUAJIT=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-luajit

asan:
	@cmake -S . -B build-asan -DHWCLOUD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-asan

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: missing packages; run: sudo apt-get install -y $$missing"; exit 1; fi

test: deps build luajit asan
	@spec/run

.PHONY: bench
bench: build luajit
	@lua5.4 bench/decode.lua
	@echo
	@luajit bench/decode.lua

demo: deps
	@examples/demo.sh

install: build
	@cmake --install build

clean:
	rm -rf build build-luajit build-asan
