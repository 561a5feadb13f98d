use larder::prelude::*;
use larder_ui_fixture as _;
use larder_ui_fixture_rival as _;

// Both dependencies declare `shared_store`; neither sees the other, so the
// conflict is reported here, where the key is used.
#[asset(io_manager_key = "shared_store")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
