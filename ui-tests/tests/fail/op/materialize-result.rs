use larder::prelude::*;

#[op]
fn export() -> MaterializeResult {
    MaterializeResult::new()
}

fn main() {}
