#!/usr/bin/env bash
# Runs test classes again and again with `stress-ng --cpu N` beside them, to catch tests that pass only on an idle
# machine (timing, memory or CPU assumptions), and prints how many runs each test passed. Not part of ./build.sh test.
#   bench/stress-loop.sh RUNS FILTER [TRANSPORT]
#   e.g. bench/stress-loop.sh 30 "FullyQualifiedName~ProcessAllocationTests|FullyQualifiedName~HotPathAllocationTests" sockets
# Needs a built suite (dotnet build RecFeed.sln -c Release) and the published binary (./build.sh). STRESS_CPUS (2)
# sets the stress-ng workers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-packages.sh
ensure_packages stress-ng=stress-ng
runs=${1:?usage: bench/stress-loop.sh RUNS FILTER [TRANSPORT]}
filter=${2:?usage: bench/stress-loop.sh RUNS FILTER [TRANSPORT]}
transport=${3:-epoll}
results=$(mktemp -d)
stress-ng --cpu "${STRESS_CPUS:-2}" --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true; wait "$stress" 2>/dev/null || true; rm -rf "$results"' EXIT

for ((run = 1; run <= runs; run++)); do
  RECFEED_TRANSPORT=$transport RECFEED_BIN=$PWD/artifacts/recfeed dotnet test tests/RecFeed.Tests -c Release --no-build \
    --filter "$filter" --logger "trx;LogFileName=run$run.trx" --results-directory "$results" >"$results/run$run.log" 2>&1 || true
  echo "run $run/$runs: $(grep -o 'Passed: *[0-9]*\|Failed: *[0-9]*' "$results/run$run.log" | tr '\n' ' ')" >&2
done

# Each test's outcome per run, from the trx files: "name passed/runs".
echo "under stress-ng --cpu ${STRESS_CPUS:-2}, transport $transport, $runs runs:"
cat "$results"/*.trx | grep -o '<UnitTestResult [^>]*' |
  sed -E 's/.*testName="([^"]*)".*outcome="([^"]*)".*/\1\t\2/' |
  awk -F'\t' '{ total[$1]++; if ($2 == "Passed") passed[$1]++ } END { for (t in total) printf "%s %d/%d passed\n", t, passed[t], total[t] }' | sort
