#!/usr/bin/env bash
# In-process micro-benchmarks of the request core (BenchmarkDotNet, [MemoryDiagnoser]).
#   bench/micro.sh              all benchmarks, default BenchmarkDotNet job
#   bench/micro.sh --job short  quicker, noisier; any BenchmarkDotNet arguments pass through
#   bench/micro.sh --dry        each benchmark once, in this process (BenchmarkDotNet's dry job): proves they run
#                               and shows the Allocated column, no timing worth reading; what CI runs
# Kept out of RecFeed.sln so the test build does not restore BenchmarkDotNet; this script builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
args=()
for a in "$@"; do
  if [[ $a == --dry ]]; then args+=(--job dry --inProcess); else args+=("$a"); fi
done
exec dotnet run -c Release --project bench/RecFeed.Bench/RecFeed.Bench.csproj -- --filter '*' --artifacts artifacts/bench/micro "${args[@]}"
