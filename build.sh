#!/usr/bin/env bash
# recfeed build entry point.
#   ./build.sh          publish the Native AOT binary to artifacts/recfeed
#   ./build.sh run      publish, generate a 1,000,000-user demo file if missing, serve it on http://127.0.0.1:8080
#   ./build.sh test     publish (through build.ps1 under PowerShell, so both scripts stay working), run every test
#                       once per transport (epoll, sockets)
# Needs only the .NET 10 SDK; everything else (PowerShell as a .NET tool, NuGet packages, Debian packages the tests
# run) is fetched here.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rid() {
  case "$(uname -m)" in
    x86_64) echo linux-x64 ;;
    aarch64|arm64) echo linux-arm64 ;;
    *) echo "unsupported machine: $(uname -m)" >&2; exit 1 ;;
  esac
}

publish() {
  dotnet publish src/RecFeed/RecFeed.csproj -c Release -r "$(rid)" -o artifacts/publish -p:TreatWarningsAsErrors=true
  cp artifacts/publish/recfeed artifacts/recfeed
  echo "published artifacts/recfeed"
}

pwsh_tool() {
  local pwsh="$root/.tools/pwsh"
  if [[ ! -x "$pwsh" ]]; then
    dotnet tool install PowerShell --version 7.6.9 --tool-path "$root/.tools" >&2
  fi
  echo "$pwsh"
}

run_tests() {
  # Real tools the tests drive: the sharding end-to-end tests route through HAProxy; Prometheus and promtool judge
  # /metrics and the alert rules; systemd-analyze verifies the unit; strace counts what a scrape asks the kernel and
  # prlimit fills a server's descriptor table.
  source scripts/ensure-packages.sh
  ensure_packages haproxy=haproxy curl=curl prometheus=prometheus promtool=prometheus systemd-analyze=systemd strace=strace prlimit=util-linux redis-server=redis-server
  # build.ps1 does the publish here, so the Windows script is exercised on every test run.
  "$(pwsh_tool)" -NoProfile -NonInteractive -File ./build.ps1 publish
  [[ -x artifacts/recfeed ]] || { echo "build.ps1 did not produce artifacts/recfeed" >&2; exit 1; }
  rm -rf artifacts/test-results
  # The whole suite once per transport of the public listener (serve --transport): the tests start servers on
  # RECFEED_TRANSPORT, in process and as the published binary alike.
  local status=0 transport build=()
  for transport in epoll sockets; do
    echo "== tests on the $transport transport"
    RECFEED_TRANSPORT=$transport RECFEED_BIN="$root/artifacts/recfeed" dotnet test RecFeed.sln -c Release "${build[@]}" \
      --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" \
      --results-directory "artifacts/test-results/$transport" || status=$?
    build=(--no-build)
  done
  local passed=0 failed=0 trx
  for transport in epoll sockets; do
    local p=0 f=0
    for trx in "artifacts/test-results/$transport"/*.trx; do
      [[ -f "$trx" ]] || continue
      p=$((p + $(grep -o 'passed="[0-9]*"' "$trx" | head -1 | grep -o '[0-9]*')))
      f=$((f + $(grep -o 'failed="[0-9]*"' "$trx" | head -1 | grep -o '[0-9]*')))
    done
    echo "tests on $transport: $p passed, $f failed"
    if [[ $p -eq 0 ]]; then status=1; fi
    passed=$((passed + p)) failed=$((failed + f))
  done
  echo "tests: $passed passed, $failed failed"
  if [[ $status -ne 0 || $passed -eq 0 ]]; then exit 1; fi
}

run_demo() {
  publish
  local data=artifacts/demo/feeds.bin
  if [[ ! -f "$data" ]]; then
    mkdir -p artifacts/demo
    artifacts/recfeed generate --users 1000000 --out "$data"
  fi
  echo "try: curl 'http://127.0.0.1:8080/feed/42?size=5'"
  exec artifacts/recfeed serve --data "$data" --urls http://127.0.0.1:8080
}

case "${1:-publish}" in
  publish) publish ;;
  test) run_tests ;;
  run) run_demo ;;
  *) echo "usage: ./build.sh [publish|run|test]" >&2; exit 2 ;;
esac
