use larder::prelude::*;

#[op(name = "")]
fn unnamed() -> i64 {
    1
}

fn main() {}
