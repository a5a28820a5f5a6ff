#!/usr/bin/env bash
# The adversarial suite: attack and load clients no one here wrote, against the published binary, each run short and
# bounded, one fresh server per attack (so its descriptors and memory are its own) on RECFEED_TRANSPORT (epoll if
# unset). It judges nothing: it prints one line of key=value figures per attack, which
# tests/RecFeed.Tests/Adversarial/AdversarialTests.cs parses and asserts.
#   tests/adversarial/attack.sh [ATTACK...]      default: all of them, in this order
#   slowloris         slowhttptest -H: headers that never finish; Kestrel's 5 s header timeout closes them
#   slowbody          slowhttptest -B: a POST body trickled in; the public listener takes no body and closes
#   slowread          slowhttptest -X against /feed and against /metrics at once, each on its own server: answers
#                     read a few bytes at a time; Kestrel's 75 s keep-alive timeout closes them (the answers sit
#                     in the socket buffers, so the minimum response data rate never trips)
#   wrk-10k           wrk holding 10,000 keep-alive connections: 0 socket errors, descriptors back afterwards
#   h2load            h2load --h1 as a second real client, keep-alive and 10 pipelined requests per connection
# Figures: probes_ok/probes (this script's curl of the attacked URL, once a second, 5 s timeout) and
# tool_probes_ok/tool_probes (slowhttptest's own "service available" lines); held (connections the server had open
# at the peak) and closed_by_server (of those, closed before the attacker's time limit, while it still held them);
# descriptors (fds_*) and resident memory (rss_kib now, peak_rss_kib VmHWM) of the server from /proc.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ensure-packages.sh
ensure_packages slowhttptest=slowhttptest wrk=wrk h2load=nghttp2-client curl=curl

bin=${RECFEED_BIN:-$PWD/artifacts/recfeed}
transport=${RECFEED_TRANSPORT:-epoll}
[[ -x $bin ]] || { echo "no recfeed binary at $bin: run ./build.sh first" >&2; exit 1; }
attacks=("$@")
[[ ${#attacks[@]} -gt 0 ]] || attacks=(slowloris slowbody slowread wrk-10k h2load)

# wrk and the server each need a descriptor per connection, 10,000 and more: both inherit this shell's limit.
ulimit -n "$(ulimit -Hn)"
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt 10500 ]]; then
  echo "the hard descriptor limit is $(ulimit -Hn): wrk-10k needs 10,500; raise it (ulimit -Hn, LimitNOFILE)" >&2
  exit 1
fi

work=$(mktemp -d)
servers=()
cleanup() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" generate --users 1000 --items-per-user 200 --fallback-size 50 --out "$work/feeds.bin" >/dev/null

# start_server NAME: a fresh `recfeed serve` on port 0; sets $pid and $port from its ready line.
start_server() {
  local dir=$work/$1
  mkdir -p "$dir"
  "$bin" serve --data "$work/feeds.bin" --state "$dir/state" --urls http://127.0.0.1:0 --transport "$transport" \
    --drain-seconds 0 --snapshot-interval 3600 >"$dir/serve.log" 2>&1 &
  pid=$!
  servers+=("$pid")
  port=
  local i
  for ((i = 0; i < 600; i++)); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/serve.log" | grep -o '[0-9]*$' || true)
    # One scrape first: it opens /proc/self/statm once for good, which must not count against the baselines.
    [[ -n $port ]] && { curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$port/metrics" || true; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "recfeed serve did not become ready:" >&2
  cat "$dir/serve.log" >&2
  exit 1
}

stop_server() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
fds() { ls "/proc/$1/fd" | wc -l; }
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
served() { curl -s --max-time 10 "http://127.0.0.1:$1/metrics" | awk '$1 == "recfeed_requests_total{outcome=\"served\"}" { print $2 }'; }
memory() { echo "rss_kib=$(status_kib "$1" VmRSS) peak_rss_kib=$(status_kib "$1" VmHWM)"; }

# probe URL FILE: one line per probe, once a second, until killed: the HTTP status, 000 for none within 5 s.
probe() {
  while :; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "$1" >>"$2" || true
    sleep 1
  done
}

# slow NAME PID PORT PATH LIMIT SLOWHTTPTEST-ARGS...: one slowhttptest attack with probes beside it, and its line.
slow() {
  local name=$1 server=$2 port=$3 path=$4 limit=$5
  shift 5
  local dir=$work/$name url="http://127.0.0.1:$port$path"
  mkdir -p "$dir"
  local baseline peak low n start=$EPOCHSECONDS
  baseline=$(fds "$server")
  peak=$baseline low=$baseline
  probe "$url" "$dir/probes" &
  local prober=$!
  slowhttptest "$@" -l "$limit" -p 5 -u "$url" >"$dir/out" 2>&1 &
  local attacker=$!
  # Sampled only while the attacker still holds its connections: at its time limit it closes them itself.
  while kill -0 "$attacker" 2>/dev/null && ((EPOCHSECONDS - start < limit - 2)); do
    n=$(fds "$server")
    if ((n > peak)); then peak=$n low=$n; elif ((n < low)); then low=$n; fi
    sleep 0.2
  done
  if ! kill -0 "$attacker" 2>/dev/null; then
    n=$(fds "$server") # it left on its own: the server had closed every connection
    if ((n < low)); then low=$n; fi
  fi
  wait "$attacker" || true
  kill "$prober" 2>/dev/null || true
  wait "$prober" 2>/dev/null || true
  local out ok total tool_ok tool_total held
  out=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/out")
  tool_total=$(grep -c 'service available:' <<<"$out" || true)
  tool_ok=$(grep -c 'service available: *YES' <<<"$out" || true)
  total=$(wc -l <"$dir/probes")
  ok=$(grep -c '^200$' "$dir/probes" || true)
  held=$((peak - baseline))
  # Why slowhttptest stopped: before its limit only when the server had closed every connection it opened.
  local ended=other connections
  if grep -q 'Exit status: *No open connections left' <<<"$out"; then ended=all-closed
  elif grep -q 'Exit status: *Hit test time limit' <<<"$out"; then ended=time-limit
  fi
  connections=$(awk '/number of connections:/ { print $NF; exit }' <<<"$out")
  echo "attack=$name transport=$transport connections=$connections seconds=$((EPOCHSECONDS - start)) limit=$limit ended=$ended" \
    "probes_ok=$ok probes=$total" \
    "tool_probes_ok=$tool_ok tool_probes=$tool_total held=$held closed_by_server=$((peak - low))" \
    "fds_baseline=$baseline fds_peak=$peak fds_low=$low $(memory "$server")"
}

slowloris() {
  start_server slowloris
  slow slowloris "$pid" "$port" /feed/1 30 -H -c 1000 -r 500 -i 10
  stop_server "$pid"
}

slowbody() {
  start_server slowbody
  slow slowbody "$pid" "$port" /feed/1 30 -B -c 1000 -r 500 -i 10 -s 8192
  stop_server "$pid"
}

# Both slow reads at once, each on its own server: each waits out the keep-alive timeout, so together they take one.
slowread() {
  start_server slowread-feed
  local feed_pid=$pid feed_port=$port
  start_server slowread-metrics
  local metrics_pid=$pid metrics_port=$port
  local args=(-X -r 500 -w 1 -y 2 -n 2 -z 8 -k 3)
  # The attacker's limit is twice the 75 s keep-alive timeout: on a busy machine its ramp-up and Kestrel's heartbeat
  # run late (95 s once left 18 of 2,000 connections open at the limit), and the server must still have a whole
  # timeout for the last connection opened. Slow readers keep the attack going to its limit, so this is its length.
  local limit=150
  slow slowread-feed "$feed_pid" "$feed_port" /feed/1 "$limit" "${args[@]}" -c 1000 >"$work/slowread-feed.line" &
  local feed=$!
  # 2,000 connections: the figure of the report that found /metrics' cost growing with the connection count.
  slow slowread-metrics "$metrics_pid" "$metrics_port" /metrics "$limit" "${args[@]}" -c 2000 >"$work/slowread-metrics.line" &
  local metrics=$!
  wait "$feed" "$metrics"
  cat "$work/slowread-feed.line" "$work/slowread-metrics.line"
  stop_server "$feed_pid"
  stop_server "$metrics_pid"
}

# After the clients leave, the server's descriptors must come back to the baseline; waited for 30 s at most.
settled_fds() {
  local n i
  for ((i = 0; i < 150; i++)); do
    n=$(fds "$1")
    if ((n <= $2)); then break; fi
    sleep 0.2
  done
  echo "$n"
}

wrk_10k() {
  start_server wrk-10k
  local dir=$work/wrk-10k baseline peak n before after
  baseline=$(fds "$pid")
  peak=$baseline
  before=$(served "$port")
  wrk -t2 -c10000 -d15s --timeout 10s "http://127.0.0.1:$port/feed/1" >"$dir/out" 2>&1 &
  local client=$!
  while kill -0 "$client" 2>/dev/null; do
    n=$(fds "$pid")
    if ((n > peak)); then peak=$n; fi
    sleep 0.2
  done
  wait "$client" || true
  local after_fds requests errors non2xx
  after_fds=$(settled_fds "$pid" "$baseline")
  after=$(served "$port")
  requests=$(awk '/requests in/ { print $1 }' "$dir/out")
  # "Socket errors: connect 0, read 0, write 0, timeout 0" is printed only when some are not 0.
  errors=$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' "$dir/out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$dir/out")
  echo "attack=wrk-10k transport=$transport connections=10000 requests=${requests:-0} served=$((after - before))" \
    "socket_errors=${errors:-0} non_2xx=${non2xx:-0} fds_baseline=$baseline fds_peak=$peak fds_after=$after_fds $(memory "$pid")"
  if [[ -z $requests ]]; then cat "$dir/out" >&2; fi
  stop_server "$pid"
}

h2load_h1() {
  start_server h2load
  local dir=$work/h2load before after
  before=$(served "$port")
  h2load --h1 -n 20000 -c 100 -m 10 -t 2 "http://127.0.0.1:$port/feed/1?size=5" >"$dir/out" 2>&1 || true
  after=$(served "$port")
  # "requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored, 0 timeout"
  # "status codes: 20000 2xx, 0 3xx, 0 4xx, 0 5xx"
  local requests codes
  requests=$(awk '/^requests:/ { print "requests=" $2 " done=" $6 " succeeded=" $8 " failed=" $10 " errored=" $12 " timeout=" $14 }' "$dir/out")
  codes=$(awk '/^status codes:/ { print "status_2xx=" $3 " status_3xx=" $5 " status_4xx=" $7 " status_5xx=" $9 }' "$dir/out")
  echo "attack=h2load transport=$transport connections=100 pipelined=10 $requests $codes served=$((after - before))" \
    "$(memory "$pid")"
  if [[ -z $requests ]]; then cat "$dir/out" >&2; fi
  stop_server "$pid"
}

for attack in "${attacks[@]}"; do
  case $attack in
    slowloris | slowbody | slowread) $attack ;;
    wrk-10k) wrk_10k ;;
    h2load) h2load_h1 ;;
    *) echo "unknown attack: $attack (slowloris, slowbody, slowread, wrk-10k, h2load)" >&2; exit 2 ;;
  esac
done
