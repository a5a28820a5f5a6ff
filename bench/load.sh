#!/usr/bin/env bash
# recfeed load bench: recfeed on each of its transports (epoll, the default, and Kestrel's sockets) against two
# ceilings (nginx and a fixed-body Kestrel app), the floor of the kernel path (bench/cfloor: a C epoll responder that
# parses nothing) and the Go design it replaces (bench/godesign), same wrk command, one run, optionally in
# interleaved rounds and with syscalls per request counted under strace.
#
#   bench/load.sh [--users N] [--duration S] [--connections C] [--threads T] [--soak S] [--rounds R] [--strace S]
#                 [--warmup S] [--port-base P] [--pin] [--no-build] [--targets LIST] [--chart FILE]
#                 [--format-version V] [--io-threads N] [--fast-lane on|off]
#
#   --users N        users in the feeds file (default 5000000; bench/data/feeds-N-vV.bin, 200 items each, generated if missing)
#   --format-version V  feeds file format 1 or 2 (default 2), to compare the two on the same users
#   --duration S     measured seconds per target (default 30)
#   --connections C  wrk connections (default 64)
#   --threads T      wrk threads (default 1)
#   --warmup S       unmeasured wrk seconds before each measurement (default 5)
#   --soak S         after the measurement, S more seconds of full load on recfeed, sampling its RSS each second:
#                    fails unless RSS stays within 1 % and no request fails (default 0: no soak)
#   --rounds R       measure every target R times, interleaved (round 1: all targets, round 2: all again, ...),
#                    so a slow spell of the machine hits every target alike (default 1)
#   --strace S       afterwards, S seconds of load on recfeed, recfeed-sockets and nginx each under strace -c -f:
#                    system calls per request, counts only (strace slows the server; default 0: off)
#   --port-base P    listen on 127.0.0.1:P (recfeed), P+1 (Kestrel ceiling), P+2 (nginx), P+3 (Go),
#                    P+4 (recfeed-sockets), P+5 (C floor) (default 18080)
#   --pin            pin the server to CPU 0 and wrk to CPU 1
#   --no-build       use the binaries already in artifacts/ instead of publishing (builds only what is missing)
#   --targets LIST   comma-separated subset of recfeed,recfeed-sockets,kestrel,nginx,cfloor,go (default all six)
#   --io-threads N   recfeed's epoll loop threads (serve --io-threads; default 1, as nginx gets one worker; 0: one per core)
#   --fast-lane M    recfeed's fast lane, on or off (serve --fast-lane; default on)
#   --chart FILE     write the chart (SVG: RPS and p50/p99/p99.9 per target) there (default bench/results/STAMP.svg)
#
# CPU per request is the server's utime + stime over the measured run, divided by the requests wrk counted.
# Exits non-zero if recfeed answered anything but 2xx, any socket error happened against it, or the soak failed.
# Results are printed and also kept in bench/results/ (gitignored), with the chart.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

users=5000000 duration=30 connections=64 threads=1 warmup=5 soak=0 port_base=18080 pin=0 build=1 format_version=2
rounds=1 strace_s=0 io_threads=1 fast_lane=on
targets=recfeed,recfeed-sockets,kestrel,nginx,cfloor,go
chart=""
usage() { sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
need_int() { [[ "$2" =~ ^[0-9]+$ ]] || { echo "load.sh: $1 needs a whole number, got '$2'" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --users|--duration|--connections|--threads|--warmup|--soak|--port-base|--format-version|--rounds|--strace|--io-threads)
      [[ $# -ge 2 ]] || usage
      need_int "$1" "$2"
      case "$1" in
        --users) users=$2 ;; --duration) duration=$2 ;; --connections) connections=$2 ;; --threads) threads=$2 ;;
        --warmup) warmup=$2 ;; --soak) soak=$2 ;; --port-base) port_base=$2 ;; --format-version) format_version=$2 ;;
        --rounds) rounds=$2 ;; --strace) strace_s=$2 ;; --io-threads) io_threads=$2 ;;
      esac
      shift 2 ;;
    --pin) pin=1; shift ;;
    --no-build) build=0; shift ;;
    --targets) [[ $# -ge 2 ]] || usage; targets=$2; shift 2 ;;
    --fast-lane)
      [[ $# -ge 2 && ($2 == on || $2 == off) ]] || { echo "load.sh: --fast-lane needs on or off" >&2; exit 2; }
      fast_lane=$2; shift 2 ;;
    --chart) [[ $# -ge 2 ]] || usage; chart=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "load.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $users -ge 1 && $duration -ge 1 && $connections -ge 1 && $threads -ge 1 && $rounds -ge 1 ]] || { echo "load.sh: --users, --duration, --connections, --threads and --rounds must be at least 1" >&2; exit 2; }
[[ $connections -ge $threads ]] || { echo "load.sh: --connections must be at least --threads" >&2; exit 2; }
wants() { [[ ",$targets," == *",$1,"* ]]; }
IFS=',' read -r -a target_list <<<"$targets"
for t in "${target_list[@]}"; do
  case "$t" in
    recfeed|recfeed-sockets|kestrel|nginx|cfloor|go) ;;
    *) echo "load.sh: unknown target '$t' (recfeed, recfeed-sockets, kestrel, nginx, cfloor, go)" >&2; exit 2 ;;
  esac
done

# --- every process this script starts is recorded here and stopped by pid on exit ---
started=()
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() { local pid; for pid in "${started[@]}"; do stop_pid "$pid"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools ---
have_nginx() { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; }
# The Go design builds in GOPATH mode against Debian's fasthttp: no module downloads.
gopath=/usr/share/gocode
have_go() { command -v go >/dev/null && [[ -d $gopath/src/github.com/valyala/fasthttp ]]; }
if ! command -v wrk >/dev/null || ! have_nginx || ! command -v curl >/dev/null || ! have_go || ! command -v gnuplot >/dev/null \
  || ! command -v strace >/dev/null; then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "installing wrk, nginx, Go with fasthttp, gnuplot and strace from Debian packages" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk nginx-light curl golang-go golang-github-valyala-fasthttp-dev gnuplot-nox strace >&2
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if wants cfloor; then
  source "$root/scripts/ensure-packages.sh"
  ensure_packages gcc=gcc
fi
command -v curl >/dev/null || { echo "load.sh: curl is needed" >&2; exit 1; }

case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64|arm64) rid=linux-arm64 ;; *) echo "unsupported machine" >&2; exit 1 ;; esac
recfeed=$root/artifacts/recfeed
fixedbody=$root/artifacts/bench/fixedbody/fixedbody
godesign=$root/artifacts/bench/godesign/godesign
cfloor=$root/artifacts/bench/cfloor/cfloor
if [[ $build -eq 1 || ! -x $recfeed ]]; then ./build.sh >&2; fi
if wants kestrel && [[ $build -eq 1 || ! -x $fixedbody ]]; then
  dotnet publish bench/FixedBody/FixedBody.csproj -c Release -r "$rid" -o artifacts/bench/fixedbody -p:TreatWarningsAsErrors=true >&2
fi
if wants go && [[ $build -eq 1 || ! -x $godesign ]]; then
  mkdir -p "$(dirname "$godesign")"
  GO111MODULE=off GOPATH=$gopath GOFLAGS= go build -o "$godesign" ./bench/godesign >&2
fi

if wants cfloor && [[ $build -eq 1 || ! -x $cfloor || bench/cfloor/cfloor.c -nt $cfloor ]]; then
  mkdir -p "$(dirname "$cfloor")"
  gcc -O2 -Wall -Wextra -Werror -o "$cfloor" bench/cfloor/cfloor.c >&2
fi

# --- data ---
data=$root/bench/data/feeds-$users-v$format_version.bin
generate_s="(existing file)"
if [[ ! -f $data ]]; then
  mkdir -p "$root/bench/data"
  t0=$(date +%s.%N)
  "$recfeed" generate --users "$users" --out "$data" --format-version "$format_version" >&2
  generate_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f s", b - a }')
fi
# The Go design reads format 1 only: the same lists (same seed), written as format 1.
go_data=$root/bench/data/feeds-$users-v1.bin
if wants go && [[ ! -f $go_data ]]; then
  "$recfeed" generate --users "$users" --out "$go_data" --format-version 1 >&2
fi

run_dir=$(mktemp -d /tmp/recfeed-bench.XXXXXX)
mkdir -p "$root/bench/results"
results=$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ).txt
server_cpu=() wrk_cpu=()
if [[ $pin -eq 1 ]]; then server_cpu=(taskset -c 0); wrk_cpu=(taskset -c 1); fi

ticks_per_s=$(getconf CLK_TCK)
cpu_ticks() { local s; s=$(<"/proc/$1/stat"); s=${s##*) }; read -r -a f <<<"$s"; echo $((f[11] + f[12])); }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# Waits until GET $1 answers 200; prints the seconds it took since $2 (a date +%s.%N stamp).
wait_ready() {
  local url=$1 t0=$2 pid=$3
  for _ in $(seq 3000); do
    kill -0 "$pid" 2>/dev/null || { echo "load.sh: server exited before it was ready; log: $run_dir" >&2; exit 1; }
    if curl -sf -o /dev/null "$url"; then
      awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
      return
    fi
    sleep 0.02
  done
  echo "load.sh: $url not ready after 60 s" >&2; exit 1
}

run_wrk() { # url seconds -> the WRKRESULT line
  "${wrk_cpu[@]}" wrk -t"$threads" -c"$connections" -d"${2}s" --latency -s "$root/bench/random-user.lua" "$1" -- "$users" \
    | grep '^WRKRESULT'
}
field() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"; }

# The process-wide managed allocation counter of a server with recfeed's /metrics; empty for the others.
allocated_bytes() { curl -sf "${1%/}/metrics" 2>/dev/null | awk '$1 == "dotnet_gc_allocated_bytes_total" { print $2 }' || true; }

# Results are kept per row: "NAME" in a one-round run, "NAME/R" for round R otherwise.
declare -A rps p50 p99 p999 sockerr non2xx cpu_us rss_mb bytes_req
rows=()
measure() { # row pid url
  local name=$1 pid=$2 url=$3 line c0 c1 a0 a1 requests seconds
  if [[ $warmup -gt 0 ]]; then run_wrk "$url" "$warmup" >/dev/null; fi
  a0=$(allocated_bytes "$url")
  c0=$(cpu_ticks "$pid")
  line=$(run_wrk "$url" "$duration")
  c1=$(cpu_ticks "$pid")
  a1=$(allocated_bytes "$url")
  requests=$(field "$line" requests)
  seconds=$(field "$line" duration_us)
  rps[$name]=$(awk -v r="$requests" -v d="$seconds" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  p50[$name]=$(awk -v v="$(field "$line" p50_us)" 'BEGIN { printf "%.2f", v / 1000 }')
  p99[$name]=$(awk -v v="$(field "$line" p99_us)" 'BEGIN { printf "%.2f", v / 1000 }')
  p999[$name]=$(awk -v v="$(field "$line" p999_us)" 'BEGIN { printf "%.2f", v / 1000 }')
  sockerr[$name]=$(( $(field "$line" connect) + $(field "$line" read) + $(field "$line" write) + $(field "$line" timeout) ))
  non2xx[$name]=$(field "$line" status)
  cpu_us[$name]=$(awk -v t=$((c1 - c0)) -v hz="$ticks_per_s" -v r="$requests" 'BEGIN { printf "%.1f", t * 1e6 / hz / (r > 0 ? r : 1) }')
  bytes_req[$name]=-
  if [[ -n $a0 && -n $a1 ]]; then bytes_req[$name]=$(awk -v a="$a0" -v b="$a1" -v r="$requests" 'BEGIN { printf "%.1f", (b - a) / (r > 0 ? r : 1) }'); fi
  rss_mb[$name]=$(awk -v k="$(status_kb "$pid" VmHWM)" 'BEGIN { printf "%.0f", k / 1024 }')
  rows+=("$name")
  echo "$name: $line" >>"$results"
}

soak_report=""
soak_failed=0
soak() { # pid url
  local pid=$1 url=$2 first min max last line errors
  first=$(status_kb "$pid" VmRSS); min=$first; max=$first
  run_wrk "$url" "$soak" >"$run_dir/soak.out" &
  local wrk_pid=$!
  started+=("$wrk_pid")
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 1
    last=$(status_kb "$pid" VmRSS)
    ((last < min)) && min=$last
    ((last > max)) && max=$last
    echo "soak rss_kb=$last" >>"$results"
  done
  wait "$wrk_pid" || true
  line=$(<"$run_dir/soak.out")
  errors=$(( $(field "$line" connect) + $(field "$line" read) + $(field "$line" write) + $(field "$line" timeout) + $(field "$line" status) ))
  local drift
  drift=$(awk -v a="$first" -v lo="$min" -v hi="$max" 'BEGIN { d1 = (hi - a) / a * 100; d2 = (a - lo) / a * 100; printf "%.2f", (d1 > d2 ? d1 : d2) }')
  soak_report="soak ${soak} s: $(field "$line" requests) requests, $errors errors, RSS start $((first / 1024)) MB, min $((min / 1024)) MB, max $((max / 1024)) MB, last $((last / 1024)) MB, drift ${drift} %"
  if [[ $errors -ne 0 ]] || awk -v d="$drift" 'BEGIN { exit !(d > 1) }'; then soak_failed=1; fi
  echo "$soak_report" >>"$results"
}

# --- servers: each started for its measurement and stopped after it ---
# recfeed serves with the transport given explicitly, so a RECFEED_TRANSPORT in the environment changes nothing.
# One epoll loop thread, as nginx gets one worker: wrk needs the other core of a 2-core machine, and a second loop
# contending with it for a core costs more than it serves (bench/README.md). Kestrel's sockets engine has one
# thread below 32 cores by its own rule.
start_recfeed() { # name transport port -> sets server_pid
  "${server_cpu[@]}" "$recfeed" serve --data "$data" --urls "http://127.0.0.1:$3" --transport "$2" --io-threads "$io_threads" \
    --fast-lane "$fast_lane" --drain-seconds 0 >"$run_dir/$1.log" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
}

start_nginx() { # port -> sets server_pid
  local port=$1 prefix=$run_dir/nginx fixed
  mkdir -p "$prefix/logs" "$prefix/tmp"
  fixed=$(printf '[%s]' "$(head -c $((body_length - 2)) /dev/zero | tr '\0' '1')")
  cat >"$prefix/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  keepalive_requests 1000000000;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '$fixed'; }
  }
}
EOF
  "${server_cpu[@]}" "$nginx_bin" -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/nginx.conf" >"$run_dir/nginx.log" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
}

# Starts target $1 and waits until it answers; sets server_pid and target_url.
start_target() {
  local port
  case "$1" in
    recfeed) port=$port_base; start_recfeed recfeed epoll "$port"; target_url=http://127.0.0.1:$port/ ;;
    recfeed-sockets) port=$((port_base + 4)); start_recfeed recfeed-sockets sockets "$port"; target_url=http://127.0.0.1:$port/ ;;
    kestrel)
      port=$((port_base + 1)); target_url=http://127.0.0.1:$port/
      "${server_cpu[@]}" "$fixedbody" --urls "http://127.0.0.1:$port" --length "$body_length" >"$run_dir/kestrel.log" 2>&1 &
      server_pid=$!; started+=("$server_pid") ;;
    nginx) port=$((port_base + 2)); start_nginx "$port"; target_url=http://127.0.0.1:$port/ ;;
    cfloor)
      port=$((port_base + 5)); target_url=http://127.0.0.1:$port/
      "${server_cpu[@]}" "$cfloor" "$port" "$body_length" >"$run_dir/cfloor.log" 2>&1 &
      server_pid=$!; started+=("$server_pid") ;;
    go)
      port=$((port_base + 3)); target_url=http://127.0.0.1:$port/
      "${server_cpu[@]}" "$godesign" --data "$go_data" --addr "127.0.0.1:$port" >"$run_dir/go.log" 2>&1 &
      server_pid=$!; started+=("$server_pid") ;;
  esac
  local ready=$target_url
  [[ $1 == go || $1 == recfeed* ]] && ready=${target_url}healthz
  wait_ready "$ready" "$(date +%s.%N)" "$server_pid" >/dev/null
}

# --- start-up: recfeed's load time and memory, and the body length the ceilings answer with ---
t0=$(date +%s.%N)
start_recfeed startup epoll "$port_base"
ready_s=$(wait_ready "http://127.0.0.1:$port_base/healthz" "$t0" "$server_pid")
load_s=$(sed -n 's/.*loaded in \([0-9.]*\) s.*/\1/p' "$run_dir/startup.log" | head -1)
# CPU spent until ready: on a busy machine the wall-clock load time mostly measures the other processes.
load_cpu_s=$(awk -v t="$(cpu_ticks "$server_pid")" -v hz="$ticks_per_s" 'BEGIN { printf "%.2f", t / hz }')
load_rss_mb=$(awk -v k="$(status_kb "$server_pid" VmHWM)" 'BEGIN { printf "%.0f", k / 1024 }')
# The ceilings answer with a body as long as a real 10-item feed (user ids are random, so lengths vary by a byte or two).
body_length=$(curl -sf "http://127.0.0.1:$port_base/feed/$((users - 1))" | wc -c)
stop_pid "$server_pid"

# --- the rounds ---
# The Go design goes first in each round and the small ceilings after it: the Go map's ~11 GB, freed when it stops,
# left the next server's p99 at 13-19 ms (seen on both recfeed transports) where it is 1-5 ms otherwise.
ordered=()
for t in go kestrel nginx cfloor recfeed recfeed-sockets; do if wants "$t"; then ordered+=("$t"); fi; done
for ((round = 1; round <= rounds; round++)); do
  for t in "${ordered[@]}"; do
    row=$t; [[ $rounds -gt 1 ]] && row=$t/$round
    start_target "$t"
    measure "$row" "$server_pid" "$target_url"
    if [[ $t == recfeed && $soak -gt 0 && $round -eq $rounds ]]; then soak "$server_pid" "$target_url"; fi
    stop_pid "$server_pid"
  done
done

# --- system calls per request: strace -c -f attached for a short run, counts only ---
declare -A syscalls
if [[ $strace_s -gt 0 ]]; then
  for t in recfeed recfeed-sockets nginx; do
    wants "$t" || continue
    start_target "$t"
    run_wrk "$target_url" 1 >/dev/null
    strace -f -c -o "$run_dir/$t.strace" -p "$server_pid" 2>"$run_dir/$t.strace.err" &
    spid=$!
    sleep 1 # attached to every thread before the load starts
    line=$(run_wrk "$target_url" "$strace_s")
    kill -INT "$spid"; wait "$spid" || true
    requests=$(field "$line" requests)
    # strace -c rows: % time, seconds, usecs/call, calls, [errors], syscall; counts per request, most frequent first.
    syscalls[$t]=$(awk -v r="$requests" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { n[$NF] = $4; sum += $4 }
      END { printf "%.2f total:\n", sum / r; for (k in n) printf "%s %.2f\n", k, n[k] / r }' "$run_dir/$t.strace" \
      | { read -r head; echo -n "$head"; sort -k2 -g -r | head -6 | awk '{ printf " %s %s,", $1, $2 }'; } | sed 's/,$//')
    syscalls[$t]="${syscalls[$t]} ($requests requests)"
    stop_pid "$server_pid"
  done
fi

# --- report ---
ratio() { # column a b -> a/b in that column, or - if either is missing
  local -n col=$1
  if [[ -n ${col[$2]:-} && -n ${col[$3]:-} ]]; then awk -v a="${col[$2]}" -v b="${col[$3]}" 'BEGIN { printf "%.2f", a / b }'; else echo "-"; fi
}
suffix() { [[ $rounds -gt 1 ]] && echo "/$1" || true; }
{
  echo "recfeed load bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "recfeed: serve --io-threads $io_threads --fast-lane $fast_lane"
  echo "wrk -t$threads -c$connections -d${duration}s --latency, random user ids in [0, $users), warmup ${warmup} s$([[ $pin -eq 1 ]] && echo ', server on CPU 0, wrk on CPU 1')$([[ $rounds -gt 1 ]] && echo ", $rounds interleaved rounds")"
  echo "feeds file: $data ($(du -h "$data" | cut -f1)), generate: $generate_s; serve ready after ${ready_s:-?} s (load + verify ${load_s:-?} s, ${load_cpu_s:-?} s CPU, peak RSS ${load_rss_mb:-?} MB; payload $(awk -v b="$(stat -c %s "$data")" 'BEGIN { printf "%.0f", (b - 128) / 1048576 }') MB); ceiling body: ${body_length} bytes"
  printf '%-17s %9s %8s %8s %8s %8s %8s %9s %9s %9s\n' target RPS p50_ms p99_ms p99.9_ms sockerr non2xx cpu_us/req bytes/req peak_MB
  for row in "${rows[@]}"; do
    printf '%-17s %9s %8s %8s %8s %8s %8s %9s %9s %9s\n' "$row" "${rps[$row]}" "${p50[$row]}" "${p99[$row]}" "${p999[$row]}" "${sockerr[$row]}" "${non2xx[$row]}" "${cpu_us[$row]}" "${bytes_req[$row]}" "${rss_mb[$row]}"
  done
  for ((round = 1; round <= rounds; round++)); do
    r=$(suffix "$round")
    [[ $rounds -gt 1 && -n ${rps[recfeed$r]:-} ]] && echo "round $round:"
    if [[ -n ${rps[recfeed-sockets$r]:-} ]]; then
      echo "recfeed / recfeed-sockets:    RPS $(ratio rps "recfeed$r" "recfeed-sockets$r"), CPU per request $(ratio cpu_us "recfeed$r" "recfeed-sockets$r"), p99 $(ratio p99 "recfeed$r" "recfeed-sockets$r")"
    fi
    if [[ -n ${rps[kestrel$r]:-} ]]; then echo "recfeed / Kestrel fixed body: RPS $(ratio rps "recfeed$r" "kestrel$r"), CPU per request $(ratio cpu_us "recfeed$r" "kestrel$r")"; fi
    if [[ -n ${rps[nginx$r]:-} ]]; then echo "recfeed / nginx:              RPS $(ratio rps "recfeed$r" "nginx$r"), CPU per request $(ratio cpu_us "recfeed$r" "nginx$r")"; fi
    if [[ -n ${rps[cfloor$r]:-} ]]; then echo "recfeed / C floor:            RPS $(ratio rps "recfeed$r" "cfloor$r"), CPU per request $(ratio cpu_us "recfeed$r" "cfloor$r")"; fi
    if [[ -n ${rps[go$r]:-} ]]; then echo "recfeed / Go design:          RPS $(ratio rps "recfeed$r" "go$r"), CPU per request $(ratio cpu_us "recfeed$r" "go$r")"; fi
  done
  for t in recfeed recfeed-sockets nginx; do
    if [[ -n ${syscalls[$t]:-} ]]; then echo "syscalls per request, $t: ${syscalls[$t]}"; fi
  done
  # An if, not `&&`: under pipefail a false test as the group's last command would fail the whole script.
  if [[ -n $soak_report ]]; then echo "$soak_report"; fi
} | tee -a "$results"

# --- chart: RPS, and p50/p99/p99.9 per row (log scale: a p50 and a p99.9 can differ 100-fold) ---
chart=${chart:-${results%.txt}.svg}
for row in "${rows[@]}"; do echo "$row ${rps[$row]} ${p50[$row]} ${p99[$row]} ${p999[$row]}"; done >"$run_dir/chart.dat"
gnuplot <<GNUPLOT
set terminal svg size 1200,420 dynamic font "sans,11"
set output "$chart"
set multiplot layout 1,2 title "recfeed load bench, $(date -u '+%Y-%m-%d %H:%M UTC'): wrk -t$threads -c$connections -d${duration}s, $users users"
set style data histograms
set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by -30
set yrange [0:*]
set title "requests/s"
plot "$run_dir/chart.dat" using 2:xtic(1) notitle lc rgb "#4472c4"
set style histogram clustered gap 1
set logscale y
set yrange [*:*]
set title "latency, ms (log scale)"
set key top left
plot "$run_dir/chart.dat" using 3:xtic(1) title "p50" lc rgb "#70ad47", '' using 4 title "p99" lc rgb "#ffc000", '' using 5 title "p99.9" lc rgb "#c00000"
unset multiplot
GNUPLOT
echo "chart: $chart" | tee -a "$results"

status=0
for row in "${rows[@]}"; do
  [[ $row == recfeed* ]] || continue
  if [[ ${non2xx[$row]} -ne 0 || ${sockerr[$row]} -ne 0 ]]; then
    echo "FAIL: $row had ${non2xx[$row]} non-2xx responses and ${sockerr[$row]} socket errors" >&2
    status=1
  fi
done
if [[ $soak_failed -ne 0 ]]; then echo "FAIL: soak (RSS drift over 1 % or errors)" >&2; status=1; fi
rm -rf "$run_dir"
exit $status
