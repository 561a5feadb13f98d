use larder::prelude::*;

#[multi_asset(outs(a(io_manger_key = "x", is_required = "no"), b))]
fn ab() -> (i64, i64) {
    (1, 2)
}

fn main() {}
