#!/usr/bin/env bash
# Compile-time cost of the macros: generates a crate with N `#[asset]`
# functions and one with the same N plain functions, then reports each one's
# clean build (of that crate alone, dependencies already built) and
# incremental rebuild (after touching its source), and the ratios, as one
# JSON line.  Usage: bench/scripts/compile_cost.sh [N]   (default 200)
set -euo pipefail
n=${1:-200}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/rust-toolchain.toml" "$work/"
cat > "$work/Cargo.toml" <<EOF
[workspace]
resolver = "3"
members = ["with_macros", "plain"]
EOF
for name in with_macros plain; do
  mkdir -p "$work/$name/src"
  cat > "$work/$name/Cargo.toml" <<EOF
[package]
name = "$name"
version = "0.1.0"
edition = "2024"

[dependencies]
larder = { path = "$root/runtime", default-features = false }
EOF
done
{
  echo '#![allow(dead_code)]'
  echo 'use larder::prelude::*;'
  echo '#[asset] fn a0() -> u64 { 0 }'
  for i in $(seq 1 $((n - 1))); do echo "#[asset] fn a$i(a$((i - 1)): u64) -> u64 { a$((i - 1)) + 1 }"; done
} > "$work/with_macros/src/lib.rs"
{
  echo '#![allow(dead_code)]'
  echo 'fn a0() -> u64 { 0 }'
  for i in $(seq 1 $((n - 1))); do echo "fn a$i(a$((i - 1)): u64) -> u64 { a$((i - 1)) + 1 }"; done
} > "$work/plain/src/lib.rs"

cd "$work"
export CARGO_TARGET_DIR="$work/target"
cargo build -q   # dependencies, once
seconds() {
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null
  e=$(date +%s%N)
  echo "scale=3; ($e - $s) / 1000000000" | bc
}
measure() {
  local crate=$1 clean incr
  cargo clean -q -p "$crate"
  clean=$(seconds cargo build -q -p "$crate")
  touch "$crate/src/lib.rs"
  incr=$(seconds cargo build -q -p "$crate")
  echo "$clean $incr"
}
read -r plain_clean plain_incr < <(measure plain)
read -r macro_clean macro_incr < <(measure with_macros)
ratio() { echo "scale=2; $1 / $2" | bc; }
printf '{"impl":"larder","workload":"compile_cost","n":%s,"plain_clean_s":%s,"macros_clean_s":%s,"clean_ratio":%s,"plain_incremental_s":%s,"macros_incremental_s":%s,"incremental_ratio":%s}\n' \
  "$n" "$plain_clean" "$macro_clean" "$(ratio "$macro_clean" "$plain_clean")" \
  "$plain_incr" "$macro_incr" "$(ratio "$macro_incr" "$plain_incr")"
