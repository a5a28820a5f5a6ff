#!/usr/bin/env bash
# In-process micro-benchmarks of the request core (BenchmarkDotNet, [MemoryDiagnoser]).
#   bench/micro.sh            all benchmarks, default BenchmarkDotNet job
#   bench/micro.sh --job short  quicker, noisier; any BenchmarkDotNet arguments pass through
# Kept out of RecFeed.sln so the test build does not restore BenchmarkDotNet; this script builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
exec dotnet run -c Release --project bench/RecFeed.Bench/RecFeed.Bench.csproj -- --filter '*' --artifacts artifacts/bench/micro "$@"
