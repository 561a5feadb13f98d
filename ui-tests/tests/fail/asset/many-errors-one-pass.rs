//! Every mistake in the attribute is reported at once, and the function is
//! still emitted: calling it in `main` adds no error.
use larder::prelude::*;

#[asset(
    io_manger_key = "warehouse",
    group_name = 3,
    group_name = "again",
    key_prefix = ["raw", ""],
    ins(upstream(input_manager_key = "bad key")),
    metadata(owner = "me", owner = "you")
)]
fn numbers(upstreem: Vec<i64>) -> Vec<i64> {
    upstreem
}

fn main() {
    let _ = numbers(vec![1]);
}
