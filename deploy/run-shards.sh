#!/usr/bin/env bash
# recfeed as two shards behind HAProxy on this machine, wired as deploy/haproxy/recfeed.cfg says:
#   router  http://127.0.0.1:8080  (GET /feed/{userId} goes to shard userId mod 2; /healthz is the router's own)
#   shard 0 http://127.0.0.1:8081  (users 0, 2, 4, ...)     shard 1 http://127.0.0.1:8082  (users 1, 3, 5, ...)
#   router metrics http://127.0.0.1:8404/metrics, status page http://127.0.0.1:8404/stats
# Usage: deploy/run-shards.sh [USERS]    (default 1000000; Ctrl-C stops all three processes)
# Publishes the binary first (./build.sh; SKIP_PUBLISH=1 reuses artifacts/recfeed) and generates artifacts/shards/feeds.{0,1}-of-2.bin if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}

haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
[[ -x $haproxy ]] || { echo "haproxy is not installed: apt-get install haproxy (Debian/Ubuntu), then run this again" >&2; exit 1; }

[[ ${SKIP_PUBLISH:-} == 1 && -x artifacts/recfeed ]] || ./build.sh
data=artifacts/shards
if [[ ! -f $data/feeds.0-of-2.bin || ! -f $data/feeds.1-of-2.bin ]]; then
  mkdir -p "$data"
  artifacts/recfeed generate --users "$users" --shards 2 --out "$data/feeds.bin"
else
  echo "using the existing $data/feeds.{0,1}-of-2.bin (delete them to generate $users users)"
fi

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

for k in 0 1; do
  artifacts/recfeed serve --data "$data/feeds.$k-of-2.bin" --urls "http://127.0.0.1:808$((k + 1))" &
  pids+=($!)
done
for k in 0 1; do
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:808$((k + 1))/healthz" >/dev/null && break
    sleep 0.1
  done
done
"$haproxy" -db -f deploy/haproxy/recfeed.cfg &
pids+=($!)

echo "router on http://127.0.0.1:8080 -- try: curl 'http://127.0.0.1:8080/feed/42?size=5'   (Ctrl-C stops)"
# Whichever process dies first takes the others down with it, so a half-running setup never lingers.
wait -n
