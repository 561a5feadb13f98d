use larder::prelude::*;

#[op(name = "../x")]
fn escape() -> i64 {
    1
}

fn main() {}
