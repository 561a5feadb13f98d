//! Compile-time checks: a type the Parquet manager cannot store, returned
//! by an asset bound to it, is a compile error at the user's type. Every
//! `tests/fail/*.rs` must fail with exactly its `.stderr`; regenerate with
//! `TRYBUILD=overwrite cargo test -p larder-arrow --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*.rs");
}
