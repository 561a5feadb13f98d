use larder::prelude::*;

#[multi_asset(outs(a, b))]
fn ab() -> Vec<i64> {
    vec![1, 2]
}

fn main() {}
