use larder::prelude::*;

#[asset(metadata(owner = "me", rows = ()))]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
