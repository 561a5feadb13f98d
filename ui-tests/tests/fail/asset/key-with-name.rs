use larder::prelude::*;

#[asset(key = "raw/numbers", name = "numbers")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
