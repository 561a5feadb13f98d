use larder::prelude::*;

#[multi_asset(outs(a(key = "b"), b))]
fn ab() -> (i64, i64) {
    (1, 2)
}

fn main() {}
