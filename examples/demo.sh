#!/usr/bin/env bash
# The lua-hwcloud demo (`make demo`): builds the core, starts the emulator in
# a private state directory, runs the examples against it with their
# progress visible, stops the emulator on the way out (trap), and exits
# non-zero if anything failed.
#   examples/demo.sh            demo at the emulator's normal speed
#   DEMO_SPEED=0 examples/demo.sh   everything instant
#   DEMO_LUA=luajit examples/demo.sh   the examples on LuaJIT (builds build-luajit/ too)
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LUA=${DEMO_LUA:-lua5.4}
SPEED=${DEMO_SPEED:-1}

say() { printf '\n### %s\n' "$*"; }

targets=build
if [ "$LUA" = luajit ]; then targets="build luajit"; fi
say "building (make $targets)"
make $targets || { echo "demo: build failed" >&2; exit 1; }

STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hwcloud-demo.XXXXXX")
cleanup() {
  say "stopping the emulator"
  bin/hwcloud-emulator stop --state-dir "$STATE_DIR" || true
  rm -rf "$STATE_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting the emulator (speed $SPEED)"
exports=$(bin/hwcloud-emulator start --state-dir "$STATE_DIR" --speed "$SPEED") || {
  echo "demo: the emulator did not start" >&2; exit 1; }
eval "$exports"
echo "$exports" | sed -e "s/\(SK=\)'.*'/\1'<redacted>'/"

# The second account (the one that connects to the published service):
# `start` exports it too, as HWCLOUD_SECOND_* (its project in the same region).
[ -n "${HWCLOUD_SECOND_AK:-}" ] || { echo "demo: the emulator exported no second account" >&2; exit 1; }

failed=0
run() { # name script
  say "$1"
  if "$LUA" "$2"; then
    echo "--> $1: passed"
  else
    echo "--> $1: FAILED" >&2
    failed=$((failed + 1))
  fi
}
run "examples/deploy_stack.lua: stack, events, outputs, plan, apply, delete" examples/deploy_stack.lua
run "examples/publish_service.lua: service, whitelist, endpoint, approval, cleanup" examples/publish_service.lua
run "examples/private_registry.lua: private module, policy hook, a change the hook blocks" examples/private_registry.lua

if [ "$failed" -ne 0 ]; then
  say "demo: $failed example(s) failed"
  exit 1
fi
say "demo: all examples passed"
