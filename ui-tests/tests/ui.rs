//! Compile-time checks of larder's macros: every `tests/fail/**/*.rs` must
//! fail to compile with exactly its `.stderr`, every `tests/pass/*.rs` must
//! compile (under `#![deny(warnings)]`) and run.
//!
//! The expected output is that of the pinned toolchain
//! (`rust-toolchain.toml`). After changing a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p larder-ui-tests --test ui` and read
//! every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/**/*.rs");
    t.pass("tests/pass/*.rs");
}
