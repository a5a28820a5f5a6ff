#!/usr/bin/env bash
# Throughput of recfeed direct vs through HAProxy, with wrk and random user ids (docs/scale.md has the figures).
#   direct     wrk -> one recfeed serving all users
#   routed-1   wrk -> HAProxy -> that same one process (the router's cost alone)
#   routed-2   wrk -> HAProxy -> two shards, each holding half the users
# Usage: bench/shards.sh [USERS]   env: DURATION (10s), CONNECTIONS (64), THREADS (1), BASE_PORT (9100; uses 4 ports)
# Everything runs on this machine, so client, router and shards share its cores: read the ratio, not the absolutes,
# and on a busy machine repeat it. Installs wrk, haproxy and curl when missing and publishes the binary
# (SKIP_PUBLISH=1 reuses artifacts/recfeed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-packages.sh
users=${1:-1000000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-1}
base=${BASE_PORT:-9100}

ensure_packages wrk=wrk haproxy=haproxy curl=curl
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
[[ ${SKIP_PUBLISH:-} == 1 && -x artifacts/recfeed ]] || ./build.sh >/dev/null
bin=artifacts/recfeed
data=bench/data/shards-$users
mkdir -p "$data" bench/results
[[ -f $data/whole.bin ]] || $bin generate --users "$users" --out "$data/whole.bin"
[[ -f $data/feeds.0-of-2.bin && -f $data/feeds.1-of-2.bin ]] || $bin generate --users "$users" --shards 2 --out "$data/feeds.bin"

pids=()
stop() { [[ ${#pids[@]} -eq 0 ]] || kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=(); }
trap stop EXIT

serve() { # file port
  $bin serve --data "$1" --urls "http://127.0.0.1:$2" >"$data/serve-$2.log" 2>&1 &
  pids+=($!)
  until curl -fs "http://127.0.0.1:$2/healthz" >/dev/null; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "recfeed serve on port $2 did not start:" >&2; cat "$data/serve-$2.log" >&2; exit 1; }
    sleep 0.1
  done
}

route() { # shards backend...
  local shards=$1 config=$data/router.cfg args=()
  shift
  for backend in "$@"; do args+=(--backend "$backend"); done
  $bin haproxy-config --shards "$shards" --bind "127.0.0.1:$base" "${args[@]}" >"$config"
  "$haproxy" -db -f "$config" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "haproxy did not come up" >&2; exit 1
}

run() { # name port -> prints RPS, keeps wrk's report
  local out=bench/results/shards-$1.txt
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s bench/shards-random-user.lua "http://127.0.0.1:$2" -- "$users" 10 >"$out"
  if grep -q "Non-2xx" "$out"; then echo "$1: wrk saw errors: $(grep Non-2xx "$out")" >&2; exit 1; fi
  awk '/Requests\/sec/ { print $2 }' "$out"
}

serve "$data/whole.bin" $((base + 1))
direct=$(run direct $((base + 1)))
route 1 "127.0.0.1:$((base + 1))"
routed1=$(run routed-1 "$base")
stop

serve "$data/feeds.0-of-2.bin" $((base + 2))
serve "$data/feeds.1-of-2.bin" $((base + 3))
route 2 "127.0.0.1:$((base + 2))" "127.0.0.1:$((base + 3))"
routed2=$(run routed-2 "$base")
stop

printf '%s users, wrk -t%s -c%s -d%s, %s cores (client, router and shards on the same machine)\n' "$users" "$threads" "$connections" "$duration" "$(nproc)"
printf '%-10s %12s %8s\n' setup requests/s "vs direct"
awk -v d="$direct" -v r1="$routed1" -v r2="$routed2" 'BEGIN {
  printf "%-10s %12.0f %8s\n", "direct", d, "1.00"
  printf "%-10s %12.0f %8.2f\n", "routed-1", r1, r1 / d
  printf "%-10s %12.0f %8.2f\n", "routed-2", r2, r2 / d
}'
echo "wrk reports with latency percentiles: bench/results/shards-{direct,routed-1,routed-2}.txt"
