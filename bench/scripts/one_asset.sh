#!/usr/bin/env bash
# `one_asset` measured as a whole process from outside: builds the bench
# binary (release), runs `larder-bench one-asset` K times, and prints the mean
# wall time per process as one JSON line.  Usage: bench/scripts/one_asset.sh [K]
set -euo pipefail
k=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build -q --release -p larder-bench
bin="$root/target/release/larder-bench"
start=$(date +%s%N)
for _ in $(seq "$k"); do "$bin" one-asset >/dev/null; done
end=$(date +%s%N)
mean=$(echo "scale=4; ($end - $start) / 1000000000 / $k" | bc)
printf '{"impl":"larder","workload":"one_asset_process","runs":%s,"process_s":%s}\n' "$k" "$mean"
