use larder::prelude::*;

#[multi_asset(outs(a, b(is_required = false)))]
fn ab() -> (i64, i64) {
    (1, 2)
}

fn main() {}
