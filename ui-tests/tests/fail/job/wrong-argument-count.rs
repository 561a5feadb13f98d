use larder::prelude::*;

#[op]
fn one() -> i64 {
    1
}

#[op]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[job]
fn my_job() {
    add(one());
}

fn main() {}
