use larder::prelude::*;

#[asset(io_manger_key = "warehouse")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
