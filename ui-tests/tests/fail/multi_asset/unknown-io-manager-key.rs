use larder::prelude::*;

#[multi_asset(outs(a, b(io_manager_key = "nowhere")))]
fn ab() -> (i64, i64) {
    (1, 2)
}

fn main() {}
