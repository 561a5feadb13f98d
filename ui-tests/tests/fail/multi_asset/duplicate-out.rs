use larder::prelude::*;

#[multi_asset(outs(a, a))]
fn aa() -> (i64, i64) {
    (1, 2)
}

fn main() {}
