use larder::prelude::*;

#[multi_asset(group_name = "g")]
fn ab() -> (i64, i64) {
    (1, 2)
}

fn main() {}
