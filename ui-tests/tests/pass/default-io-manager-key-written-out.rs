//! The default key written out, as Dagster users do, means the same as
//! leaving it out: it needs no declaration.
#![deny(warnings)]

use larder::prelude::*;

#[asset(io_manager_key = "io_manager")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

#[op(out(io_manager_key = "io_manager"))]
fn one() -> i64 {
    1
}

#[op(outs(first(io_manager_key = "io_manager"), second()))]
fn two() -> (i64, i64) {
    (1, 2)
}

fn main() {
    assert_eq!(numbers::definition().io_manager_key(), "io_manager");
    let op = one::definition();
    assert_eq!(op.outputs()[0].get_io_manager_key(), "io_manager");
    let _ = two::definition();
}
