#!/usr/bin/env bash
# Instructions per request inside OpenResty: the peer benchmark's hand-rolled `openresty` peer
# (cosocket + lua-cjson) against `hwc-openresty` (this checkout's client with its cosocket
# transport), each one's nginx run under `valgrind --tool=callgrind` for N1 and then N2
# requests; (I(N2) - I(N1)) / (N2 - N1) leaves nginx's start-up and shutdown out. Instruction
# counts stay the same on a busy machine, times do not; LuaJIT's choice of traces still moves
# them by a few per cent from one run to the next, hence the median of RUNS runs.
#   bench/openresty_callgrind.sh PEER_BENCH [workload ...]     (default: list big create)
# PEER_BENCH: a scratch copy of ../shared/peer-bench (see its README), set up once.
# env: BENCH_PORT (its server's port, 18080), HWC_BUILD (where the peer builds the LuaJIT
# core, /tmp/hwbench-hwc), PEERS ("openresty hwc-openresty"), RUNS (3).
# Starts the peer benchmark's server on 127.0.0.1 when it is not running, and then stops it.
set -euo pipefail
pb=$(cd "${1:?usage: $0 PEER_BENCH [workload ...]}" && pwd)
shift
project=$(cd "$(dirname "$0")/.." && pwd)
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(list big create)
peers=(${PEERS:-openresty hwc-openresty})
runs=${RUNS:-3}
export HWC_PROJECT="$project" HWC_BUILD="${HWC_BUILD:-/tmp/hwbench-hwc}" BENCH_MAX_SECONDS=600
# shellcheck source=/dev/null
. "$pb/bench.env"

tmp=$(mktemp -d)
started=0
cleanup() {
  if [ "$started" = 1 ]; then "$pb/server/ctl.sh" stop >/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
if ! "$pb/server/ctl.sh" status >/dev/null 2>&1; then
  "$pb/server/ctl.sh" start >/dev/null
  started=1
fi
# the peers run "$NGINX -p DIR -c CONF -e stderr": this one runs it under callgrind
cat > "$tmp/nginx" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file="\$CG_OUT" /usr/sbin/nginx "\$@" 2>>"$tmp/valgrind.log"
EOF
chmod +x "$tmp/nginx"

total() { # peer workload n -> instructions of the whole nginx run
  local out="$tmp/cg.$1.$2.$3"
  CG_OUT="$out" NGINX="$tmp/nginx" "$pb/peers/${1//-/_}.sh" "$2" "$3" > "$tmp/stdout" 2>>"$tmp/valgrind.log"
  grep -q '^RESULT .* n='"$3"' ' "$tmp/stdout" || { echo "$1 $2: no RESULT for n=$3" >&2; cat "$tmp/stdout" >&2; exit 1; }
  sed -n 's/^summary: *//p' "$out"
}

printf '%-8s %-14s %12s  %s\n' workload peer 'Ir/request' "(median of $runs runs: each run)"
for wl in "${workloads[@]}"; do
  case "$wl" in
    list) n1=50 n2=250 ;;
    big) n1=5 n2=25 ;;
    create) n1=100 n2=500 ;;
    *) echo "unknown workload $wl" >&2; exit 2 ;;
  esac
  for peer in "${peers[@]}"; do
    each=()
    for ((r = 0; r < runs; r++)); do
      i1=$(total "$peer" "$wl" "$n1")
      i2=$(total "$peer" "$wl" "$n2")
      each+=($(( (i2 - i1) / (n2 - n1) )))
    done
    sorted=($(printf '%s\n' "${each[@]}" | sort -n))
    printf '%-8s %-14s %12d  (%s)\n' "$wl" "$peer" "${sorted[$((runs / 2))]}" "${each[*]}"
  done
done
