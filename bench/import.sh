#!/usr/bin/env bash
# Import benchmark: a generated wide Parquet file (default 1,000,000 users x 200 items) through the published binary,
# timed with /usr/bin/time -v for wall time, CPU time and peak RSS. Prints a Markdown table row for bench/README.md
# (ROWS_PER_GROUP sets the Parquet row group size: the importer holds one decoded row group at a time).
#   bench/import.sh                       # defaults
#   USERS=100000 ITEMS=200 bench/import.sh
#   LENGTHS=varied FORMAT_VERSION=1 bench/import.sh   # list lengths spread over 1..ITEMS; write format 1 (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-packages.sh
users=${USERS:-1000000}
items=${ITEMS:-200}
rows_per_group=${ROWS_PER_GROUP:-50000}
lengths=${LENGTHS:-full}
format_version=${FORMAT_VERSION:-2}
dir=artifacts/bench-import
input=$dir/recs-$users-$items-$rows_per_group-$lengths.parquet
output=$dir/feeds.bin
mkdir -p "$dir"

[[ -x artifacts/recfeed ]] || ./build.sh
ensure_packages /usr/bin/time=time
if [[ ! -f "$input" ]]; then
  dotnet run -c Release --project bench/ParquetGen -- "$input.tmp" "$users" "$items" "$rows_per_group" "$lengths"
  mv "$input.tmp" "$input"
fi

rm -f "$output"
/usr/bin/time -v -o "$dir/time.txt" artifacts/recfeed import --from "$input" --out "$output" --items-per-user "$items" --format-version "$format_version" | tee "$dir/import.txt"

field() { grep -F "$1" "$dir/time.txt" | head -1 | sed 's/.*: //'; }
wall=$(field "Elapsed (wall clock)")
user_s=$(field "User time (seconds)")
sys_s=$(field "System time (seconds)")
rss_kb=$(field "Maximum resident set size (kbytes)")
out_bytes=$(stat -c %s "$output")
in_bytes=$(stat -c %s "$input")
stored=$(grep -o '[0-9,]* items;' "$dir/import.txt" | tr -d ', items;')
awk -v wall="$wall" -v user="$user_s" -v sys="$sys_s" -v rss="$rss_kb" -v out="$out_bytes" -v inb="$in_bytes" \
    -v stored="$stored" -v users="$users" -v items="$items" -v span="$([[ $lengths == varied ]] && echo 1..)" -v format="$format_version" -v cores="$(nproc)" -v date="$(date -u +%F)" 'BEGIN {
  n = split(wall, p, ":"); secs = 0; for (i = 1; i <= n; i++) secs = secs * 60 + p[i];
  cpu = user + sys;
  printf "| %s | %d x %s%d, format %s | %.0f MB | %.1f s | %.1f s | %.1f M/s | %.1f M/s | %.0f MB | %.0f MB | %+.0f MB | %d |\n",
    date, users, span, items, format, inb / 1e6, secs, cpu, stored / secs / 1e6, stored / cpu / 1e6, rss / 1024, out / 1048576,
    rss / 1024 - out / 1048576, cores
}'
