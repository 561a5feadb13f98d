#!/usr/bin/env bash
# Compile-time cost of the key checks: a crate declaring K IO managers
# (`#[io_manager(key = "k<j>")]`) and U assets naming them
# (`io_manager_key = "k<u mod K>"`), built clean (larder already built),
# debug profile. Prints one JSON line per (K, U) pair, with the seconds per
# use, so growth in K at a fixed U shows whether resolving a key costs more
# the more keys are declared. Timings are noisy: compare lines of one run.
# Usage: bench/scripts/key_check_cost.sh [K:U ...]   (default 1:0 1:300 100:0 100:300 300:0 300:300)
set -euo pipefail
export LC_ALL=C
[ $# -eq 0 ] && set -- 1:0 1:300 100:0 100:300 300:0 300:300
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/rust-toolchain.toml" "$work/"
mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "keys"
version = "0.1.0"
edition = "2024"

[dependencies]
larder = { path = "$root/runtime", default-features = false }

[workspace]
TOML
export CARGO_TARGET_DIR="$work/target"
generate() {
  local k=$1 u=$2 j
  {
    echo '#![allow(dead_code)]'
    echo 'use larder::prelude::*;'
    for j in $(seq 0 $((k - 1))); do
      echo "#[io_manager(key = \"k$j\")] fn m$j() -> InMemoryIOManager { InMemoryIOManager::new() }"
    done
    for j in $(seq 0 $((u - 1))); do
      echo "#[asset(io_manager_key = \"k$((j % k))\")] fn a$j() -> i64 { $j }"
    done
  } > "$work/src/lib.rs"
}
cd "$work"
generate 1 1
cargo build -q 2>/dev/null || cargo build -q   # larder once
for pair in "$@"; do
  k=${pair%%:*} u=${pair##*:}
  generate "$k" "$u"
  cargo clean -q -p keys
  s=$(date +%s%N)
  cargo build -q
  e=$(date +%s%N)
  secs=$(printf '%.3f' "$(echo "scale=3; ($e - $s) / 1000000000" | bc)")
  # K:0 measures the declarations alone, to subtract from K:U.
  if [ "$u" -gt 0 ]; then per_use=$(printf '%.5f' "$(echo "scale=5; $secs / $u" | bc)"); else per_use=null; fi
  printf '{"impl":"larder","workload":"key_check_cost","declared_keys":%s,"uses":%s,"clean_s":%s,"s_per_use":%s}\n' \
    "$k" "$u" "$secs" "$per_use"
done
