#!/usr/bin/env bash
# Runs the same workloads in Dagster 1.7.2 and in larder on this machine, in
# one script, and prints each pair of JSON lines with the speed-up. Optional:
# not part of CI (it installs Dagster from PyPI into target/dagster-venv).
# Usage: bench/scripts/compare_dagster.sh [N]   (chain length, default 100)
set -euo pipefail
n=${1:-100}
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/target/dagster-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "dagster==1.7.2"
fi
cd "$root"
cargo build -q --release -p larder-bench
bin="$root/target/release/larder-bench"
py="$venv/bin/python"
field() { sed -E "s/.*\"$1\": ?([0-9.e-]+).*/\1/"; }
pair() {
  local name=$1 d=$2 l=$3
  echo "$d"
  echo "$l"
  echo "{\"workload\":\"$name\",\"speedup\":$(echo "scale=1; $(echo "$d" | field per_asset_s) / $(echo "$l" | field per_asset_s)" | bc)}"
}
pair chain_mem "$("$py" bench/dagster/workloads.py chain "$n" mem 2>/dev/null | tail -1)" "$("$bin" chain "$n" --io mem)"
pair chain_fs "$("$py" bench/dagster/workloads.py chain "$n" fs 2>/dev/null | tail -1)" "$("$bin" chain "$n" --io fs --writes plain)"
pair chain_multiprocess "$("$py" bench/dagster/workloads.py chain_mp "$n" 2>/dev/null | tail -1)" "$("$bin" chain "$n" --executor multiprocess --writes plain)"
seconds() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo "scale=4; ($e - $s) / 1000000000" | bc; }
d=$(seconds "$py" bench/dagster/workloads.py one_asset)
l=$(seconds "$bin" one-asset)
echo "{\"workload\":\"one_asset_process\",\"dagster_s\":$d,\"larder_s\":$l,\"speedup\":$(echo "scale=1; $d / $l" | bc)}"
