#!/usr/bin/env bash
# A recfeed cluster on simulated hosts: Linux network namespaces on a private bridge, one machine, run as root.
#   router  10.77.0.2  HAProxy (the config `recfeed haproxy-config` writes), stats on :8404
#   redis   10.77.0.3  redis-server (only with --positions redis)
#   client  10.77.0.4  the load (bench/FeedWalk)
#   s0r0 10.77.0.11, s1r0 10.77.0.12, s0r1 10.77.0.13, s1r1 10.77.0.14: 2 shards x 2 replicas, `recfeed serve`
# The bridge has no address and nothing is routed out, so no traffic leaves the namespaces. A load runs through
# the router; after a third of --seconds, host s0r0 fails (--fail kill: its processes get SIGKILL; --fail link: its
# link goes down), a third later it comes back (restarted on its own state file, or link up), and the load goes
# on for a last third once the router has it in rotation again. The last line holds
# the figures (docs/scale.md explains each one). Everything the script created is removed when it ends, however
# it ends.
# Usage: deploy/cluster-demo.sh [--positions local|redis] [--fail kill|link] [--users N] [--seconds S] [--rate R]
#   local (default): each replica keeps its own read positions. redis: replicas share them through Redis.
#   Defaults: 2000 users (200 items each), 30 s, 1000 requests/s of size 2, so a user reads 1 item a second.
# Publishes the binary first (SKIP_PUBLISH=1 reuses artifacts/recfeed); DATA_DIR (artifacts/cluster-demo) holds
# the files and each host's log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-packages.sh

positions=local fail=kill users=2000 seconds=30 rate=1000 size=2 sync=1
usage() { echo "usage: deploy/cluster-demo.sh [--positions local|redis] [--fail kill|link] [--users N] [--seconds S] [--rate R]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || usage
  case $1 in
    --positions) positions=$2 ;;
    --fail) fail=$2 ;;
    --users) users=$2 ;;
    --seconds) seconds=$2 ;;
    --rate) rate=$2 ;;
    *) usage ;;
  esac
  shift 2
done
[[ $positions =~ ^(local|redis)$ && $fail =~ ^(kill|link)$ && $users =~ ^[1-9][0-9]*$ && $seconds =~ ^[1-9][0-9]*$ \
  && $rate =~ ^[1-9][0-9]*$ ]] || usage
(( seconds >= 9 )) || { echo "cluster-demo: --seconds must be at least 9 (a third before the failure, a third down, a third back)" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "cluster-demo: must run as root (it creates network namespaces and a bridge)" >&2; exit 1; }

ensure_packages haproxy=haproxy curl=curl ip=iproute2
[[ $positions == local ]] || ensure_packages redis-server=redis-server
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
[[ ${SKIP_PUBLISH:-} == 1 && -x artifacts/recfeed ]] || ./build.sh
recfeed=$(pwd)/artifacts/recfeed
dotnet build bench/FeedWalk -c Release -o artifacts/feedwalk -v quiet -nologo >/dev/null
data=$(realpath -m "${DATA_DIR:-artifacts/cluster-demo}")
rm -rf "$data" && mkdir -p "$data/logs"
"$recfeed" generate --users "$users" --shards 2 --items-per-user 200 --out "$data/feeds.bin" >/dev/null

# Names carry this run's pid, so two runs (or a run and a leftover) never share a namespace or a link.
tag=rfc$(( $$ % 100000 ))
bridge=${tag}br
declare -A address=([router]=10.77.0.2 [redis]=10.77.0.3 [client]=10.77.0.4
  [s0r0]=10.77.0.11 [s1r0]=10.77.0.12 [s0r1]=10.77.0.13 [s1r1]=10.77.0.14)
hosts=(router redis client s0r0 s1r0 s0r1 s1r1)
replicas=(s0r0 s1r0 s0r1 s1r1)
ns() { echo "$tag-$1"; }
on() { local host=$1; shift; ip netns exec "$(ns "$host")" "$@"; }
# start HOST LOG COMMAND...: in the background on HOST; $! is the command itself (ip netns exec execs it).
start() { ip netns exec "$(ns "$1")" "${@:3}" >>"$2" 2>&1 & }

cleanup() {
  local status=$?
  for host in "${hosts[@]}"; do
    if ip netns list | grep -qw "$(ns "$host")"; then
      ip netns pids "$(ns "$host")" | xargs -r kill -9 2>/dev/null || true
      ip netns del "$(ns "$host")"
    fi
  done
  # A namespace's deletion is finished by the kernel later; the host ends of the links go now, by name.
  for ((n = 1; n <= ${#hosts[@]}; n++)); do ip link del "${tag}h$n" 2>/dev/null || true; done
  ip link del "$bridge" 2>/dev/null || true
  if (( status != 0 )); then
    for log in "$data"/logs/*.log; do [[ -s $log ]] && { echo "== $log"; tail -5 "$log"; }; done >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip link add "$bridge" type bridge
ip link set "$bridge" up
n=0
for host in "${hosts[@]}"; do
  n=$((n + 1))
  ip netns add "$(ns "$host")"
  ip link add "${tag}h$n" type veth peer name "${tag}p$n"
  ip link set "${tag}h$n" master "$bridge" up
  ip link set "${tag}p$n" netns "$(ns "$host")"
  on "$host" ip link set "${tag}p$n" name eth0
  on "$host" ip addr add "${address[$host]}/24" dev eth0
  on "$host" ip link set eth0 up
  on "$host" ip link set lo up
done

redis_url=
if [[ $positions == redis ]]; then
  start redis "$data/logs/redis.log" redis-server --bind "${address[redis]}" --port 6379 --save '' --appendonly no \
    --protected-mode no
  disown
  redis_url=redis://${address[redis]}:6379/demo
fi

# serve REPLICA: shard k's file, the replica's own state file; run again by the restore, it picks up its state.
serve() {
  local host=$1 shard=${1:1:1}
  local args=(serve --data "$data/feeds.$shard-of-2.bin" --urls "http://${address[$host]}:8080"
    --state "$data/$host.state" --snapshot-interval 1 --drain-seconds 0)
  [[ -z $redis_url ]] || args+=(--positions-redis "$redis_url" --positions-sync-seconds "$sync")
  start "$host" "$data/logs/$host.log" "$recfeed" "${args[@]}"
  disown # its end (SIGKILL in the demo) is expected, not a job for the shell to report
}
for host in "${replicas[@]}"; do serve "$host"; done

"$recfeed" haproxy-config --shards 2 --bind "${address[router]}:8080" --stats "${address[router]}:8404" \
  --backend "${address[s0r0]}:8080" --backend "${address[s1r0]}:8080" \
  --backend "${address[s0r1]}:8080" --backend "${address[s1r1]}:8080" >"$data/router.cfg"
# The demo's one addition: a header naming the replica that answered, so the client can tell who moved.
sed -i '/^backend shard/a\    http-response set-header X-Served-By %[srv_name]' "$data/router.cfg"
start router "$data/logs/router.log" "$haproxy" -db -f "$data/router.cfg"
disown

# status HOST-NAME: the replica's state in the router's eyes (UP, DOWN, ...), from its stats CSV (field 18).
status() {
  on client curl -fs --max-time 1 "http://${address[router]}:8404/stats;csv" \
    | awk -F, -v s="$1" '$2 == s { print $18 }'
}
wait_status() { # NAME PREFIX: milliseconds until the router reports NAME's status starting with PREFIX
  local start=$EPOCHREALTIME
  until [[ $(status "$1") == "$2"* ]]; do
    (( ${EPOCHREALTIME%.*} - ${start%.*} < 60 )) || { echo "cluster-demo: $1 not $2 in the router after 60 s" >&2; exit 1; }
    sleep 0.05
  done
  echo $(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
}
for name in shard0-r0 shard1-r0 shard0-r1 shard1-r1; do wait_status "$name" UP >/dev/null; done

phase=$((seconds / 3))
echo "cluster-demo: 7 hosts up; positions=$positions; load at $rate requests/s; host s0r0 fails after $phase s"
start client "$data/logs/client.log" artifacts/feedwalk/feedwalk --url "http://${address[router]}:8080" \
  --users "$users" --size "$size" --rate "$rate" --connections 16
client=$!

sleep "$phase"
if [[ $fail == kill ]]; then
  ip netns pids "$(ns s0r0)" | xargs -r kill -9
else
  on s0r0 ip link set eth0 down
fi
down_ms=$(wait_status shard0-r0 DOWN)
echo "cluster-demo: s0r0 failed ($fail); the router stopped sending to it after $down_ms ms"

sleep "$phase"
if [[ $fail == kill ]]; then serve s0r0; else on s0r0 ip link set eth0 up; fi
up_ms=$(wait_status shard0-r0 UP)
echo "cluster-demo: s0r0 back; in rotation again after $up_ms ms"

# The load goes on for a last phase counted from the return, so every moved user is asked for again at home.
sleep "$phase"
kill -TERM "$client"
wait "$client" || { echo "cluster-demo: the load client failed: $(tail -1 "$data/logs/client.log")" >&2; exit 1; }
per_second=$(awk -v r="$rate" -v s="$size" -v u="$users" 'BEGIN { printf "%.2f", r * s / u }')
echo "cluster-demo: positions=$positions fail=$fail users=$users sync_seconds=$sync items_per_user_per_second=$per_second" \
  "down_after_ms=$down_ms up_after_ms=$up_ms $(tail -1 "$data/logs/client.log")"
