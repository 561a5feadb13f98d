#!/usr/bin/env bash
# Compile-time cost of definitions: for each N, generates four crates of N
# one-line assets -- plain `pub fn`s, assets written by hand with the
# builder API, assets written by hand as `static AssetDescriptor`s, and
# `#[asset]` functions (which also register for `Definitions::discover`,
# which no hand-written crate does) -- and reports each one's clean build
# (of that crate alone, larder already built) and incremental rebuild (after
# touching its source), debug profile, with the ratios, as one JSON line per
# N.  Timings share the machine with whatever else is compiling, so treat
# them as noisy.  Usage: bench/scripts/compile_cost.sh [N...]   (default 200)
set -euo pipefail
export LC_ALL=C  # printf %f reads and writes a decimal point
[ $# -eq 0 ] && set -- 200
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/rust-toolchain.toml" "$work/"
cat > "$work/Cargo.toml" <<EOF
[workspace]
resolver = "3"
members = ["plain", "builder", "descriptor", "with_macros"]
EOF
for name in plain builder descriptor with_macros; do
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

generate() {
  local n=$1 i
  {
    echo '#![allow(dead_code)]'
    for i in $(seq 0 $((n - 1))); do echo "pub fn a$i() -> i64 { $i }"; done
  } > "$work/plain/src/lib.rs"
  {
    echo '#![allow(dead_code)]'
    echo 'use larder::prelude::*;'
    for i in $(seq 0 $((n - 1))); do
      echo "pub fn a$i() -> AssetDefinition { AssetDefinition::builder(\"a$i\").output_type(larder::type_info!(i64)).compute(|io| io.output(\"result\", ${i}_i64)) }"
    done
  } > "$work/builder/src/lib.rs"
  {
    echo '#![allow(dead_code)]'
    echo 'use larder::prelude::*;'
    echo 'use larder::AssetDescriptor;'
    for i in $(seq 0 $((n - 1))); do
      echo "static A$i: AssetDescriptor = AssetDescriptor { name: \"a$i\", key: &[\"a$i\"], output_type: Some(|| larder::type_info!(i64)), io_manager_key: None, typed_output: None, inputs: &[], description: None, group_name: None, code_version: None, configure: None, compute: |io| io.output(\"result\", ${i}_i64) };"
      echo "pub fn a$i() -> AssetDefinition { AssetDefinition::from_descriptor(&A$i) }"
    done
  } > "$work/descriptor/src/lib.rs"
  {
    echo '#![allow(dead_code)]'
    echo 'use larder::prelude::*;'
    for i in $(seq 0 $((n - 1))); do echo "#[asset] fn a$i() -> i64 { $i }"; done
  } > "$work/with_macros/src/lib.rs"
}

cd "$work"
export CARGO_TARGET_DIR="$work/target"
seconds() {
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null
  e=$(date +%s%N)
  # printf adds the leading zero bc leaves out (".304" is not JSON).
  printf '%.3f' "$(echo "scale=3; ($e - $s) / 1000000000" | bc)"
}
measure() {
  local crate=$1 clean incr
  cargo clean -q -p "$crate"
  clean=$(seconds cargo build -q -p "$crate")
  touch "$crate/src/lib.rs"
  incr=$(seconds cargo build -q -p "$crate")
  echo "$clean $incr"
}
ratio() { printf '%.2f' "$(echo "scale=2; $1 / $2" | bc)"; }
for n in "$@"; do
  generate "$n"
  cargo build -q   # larder and the crates, once, so only the crates are measured
  read -r plain_clean plain_incr < <(measure plain)
  read -r builder_clean builder_incr < <(measure builder)
  read -r desc_clean desc_incr < <(measure descriptor)
  read -r macro_clean macro_incr < <(measure with_macros)
  printf '{"impl":"larder","workload":"compile_cost","n":%s,"plain_clean_s":%s,"builder_clean_s":%s,"descriptor_clean_s":%s,"macros_clean_s":%s,"macros_vs_builder_clean":%s,"macros_vs_plain_clean":%s,"descriptor_vs_builder_clean":%s,"plain_incremental_s":%s,"builder_incremental_s":%s,"descriptor_incremental_s":%s,"macros_incremental_s":%s,"macros_vs_builder_incremental":%s,"macros_vs_plain_incremental":%s}\n' \
    "$n" "$plain_clean" "$builder_clean" "$desc_clean" "$macro_clean" \
    "$(ratio "$macro_clean" "$builder_clean")" "$(ratio "$macro_clean" "$plain_clean")" \
    "$(ratio "$desc_clean" "$builder_clean")" \
    "$plain_incr" "$builder_incr" "$desc_incr" "$macro_incr" "$(ratio "$macro_incr" "$builder_incr")" \
    "$(ratio "$macro_incr" "$plain_incr")"
done
