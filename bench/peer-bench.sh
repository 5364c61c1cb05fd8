#!/usr/bin/env bash
# Adds this checkout's peers to a copy of the peer benchmark (../shared/peer-bench,
# copied to a scratch folder first, never run in place):
#   bench/peer-bench.sh /tmp/pb
#   cd /tmp/pb && ./setup.sh && BENCH_PORT=<free port> HWC_PROJECT=<this checkout> ./run.sh -r 3 \
#     -p c-limit,openresty,lua51-curl,py-requests,hwc-core,hwc-client,hwc-core-jit,hwc-client-jit,hwc-openresty
# The peers (bench/peers/) build this checkout (Release) into $HWC_BUILD (default
# /tmp/hwbench-hwc) and run the core (core.sign + session:send), the client
# (client:request) on lua5.4 and luajit, and the client inside nginx with its
# cosocket transport.
set -euo pipefail
pb=${1:?usage: bench/peer-bench.sh COPY_OF_PEER_BENCH}
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$pb/run.sh" ] && [ -f "$pb/peers.list" ] || { echo "$pb is not a copy of the peer benchmark" >&2; exit 2; }
case "$(cd "$pb" && pwd)" in "$(cd "$here/../.." && pwd)/shared/"*) echo "copy the peer benchmark first; never run it in place" >&2; exit 2;; esac
cp -r "$here/peers/." "$pb/peers/"
add() { grep -q "^$1 " "$pb/peers.list" || printf '%-15s %s\n' "$1" "$2" >> "$pb/peers.list"; }
add hwc-core "peers/hwc.sh core lua5.4"
add hwc-client "peers/hwc.sh client lua5.4"
add hwc-core-jit "peers/hwc.sh core luajit"
add hwc-client-jit "peers/hwc.sh client luajit"
add hwc-openresty "peers/hwc_openresty.sh"
echo "peers added to $pb/peers.list: hwc-core hwc-client hwc-core-jit hwc-client-jit hwc-openresty"
