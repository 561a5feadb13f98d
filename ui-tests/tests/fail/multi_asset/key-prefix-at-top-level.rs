use larder::prelude::*;

#[multi_asset(key_prefix = "raw", outs(a, b))]
fn ab() -> (i64, i64) {
    (1, 2)
}

fn main() {}
