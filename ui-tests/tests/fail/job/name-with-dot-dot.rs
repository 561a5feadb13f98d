use larder::prelude::*;

#[op]
fn one() -> i64 {
    1
}

#[job(name = "..")]
fn parent() {
    one();
}

fn main() {}
