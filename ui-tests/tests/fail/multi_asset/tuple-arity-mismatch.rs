use larder::prelude::*;

#[multi_asset(outs(a, b, c))]
fn abc() -> (i64, i64) {
    (1, 2)
}

fn main() {}
