use larder::prelude::*;

#[asset(io_manager_key = 5)]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
