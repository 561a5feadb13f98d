//! `shared_store` is declared by the dependency `larder-ui-fixture`; this
//! crate uses the key without importing any name from it. The dependency
//! only has to be linked (rustc loads an extern crate when it is referred
//! to), which `Definitions::discover` needs anyway.
#![deny(warnings)]

use larder::prelude::*;
use larder_ui_fixture as _;

#[asset(io_manager_key = "shared_store")]
fn rows() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {
    assert_eq!(rows::definition().io_manager_key(), "shared_store");
}
