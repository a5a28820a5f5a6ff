#!/usr/bin/env bash
# recfeed as two shards behind HAProxy on this machine, wired as deploy/haproxy/recfeed.cfg says:
#   router  http://127.0.0.1:8080  (GET /feed/{userId} goes to shard userId mod 2; /healthz is the router's own)
#   shard 0 http://127.0.0.1:8081  (users 0, 2, 4, ...)     shard 1 http://127.0.0.1:8082  (users 1, 3, 5, ...)
#   router metrics http://127.0.0.1:8404/metrics, status page http://127.0.0.1:8404/stats
# Usage: deploy/run-shards.sh [USERS]    (default 1000000; Ctrl-C stops all three processes)
# Publishes the binary first (./build.sh; SKIP_PUBLISH=1 reuses artifacts/recfeed), installs haproxy and curl if
# missing, and generates DATA_DIR/feeds.{0,1}-of-2.bin if they are missing (DATA_DIR: artifacts/shards).
# Other ports: ROUTER_PORT, SHARD0_PORT, SHARD1_PORT, STATS_PORT. The router config is written by
# `recfeed haproxy-config` to DATA_DIR/router.cfg; with the default ports it is deploy/haproxy/recfeed.cfg exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-packages.sh
users=${1:-1000000}
router=${ROUTER_PORT:-8080} stats=${STATS_PORT:-8404}
shard_ports=("${SHARD0_PORT:-8081}" "${SHARD1_PORT:-8082}")
data=${DATA_DIR:-artifacts/shards}

ensure_packages haproxy=haproxy curl=curl
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
[[ ${SKIP_PUBLISH:-} == 1 && -x artifacts/recfeed ]] || ./build.sh
if [[ ! -f $data/feeds.0-of-2.bin || ! -f $data/feeds.1-of-2.bin ]]; then
  mkdir -p "$data"
  artifacts/recfeed generate --users "$users" --shards 2 --out "$data/feeds.bin"
else
  echo "using the existing $data/feeds.{0,1}-of-2.bin (delete them to generate $users users)"
fi
artifacts/recfeed haproxy-config --shards 2 --bind "127.0.0.1:$router" --stats "127.0.0.1:$stats" \
  --backend "0=127.0.0.1:${shard_ports[0]}" --backend "1=127.0.0.1:${shard_ports[1]}" >"$data/router.cfg"

pids=()
stop() { [[ ${#pids[@]} -eq 0 ]] || kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

for k in 0 1; do
  # Admin listeners on OS-chosen ports (each ready line names its own): two shards cannot share the default 8081.
  artifacts/recfeed serve --data "$data/feeds.$k-of-2.bin" --urls "http://127.0.0.1:${shard_ports[k]}" &
  pids+=($!)
done
for k in 0 1; do
  until curl -fs "http://127.0.0.1:${shard_ports[k]}/healthz" >/dev/null; do
    kill -0 "${pids[k]}" 2>/dev/null || { echo "shard $k did not start (its error is above)" >&2; exit 1; }
    sleep 0.1
  done
done
"$haproxy" -db -f "$data/router.cfg" &
pids+=($!)

echo "router on http://127.0.0.1:$router -- try: curl 'http://127.0.0.1:$router/feed/42?size=5'   (Ctrl-C stops)"
# Whichever process dies first takes the others down with it, so a half-running setup never lingers.
wait -n
