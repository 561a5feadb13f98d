use larder::prelude::*;

#[op]
fn split() -> DynamicOut<i64> {
    DynamicOut::new()
}

#[op]
fn double(x: i64) -> i64 {
    2 * x
}

#[op]
fn total(first: i64) -> i64 {
    first
}

#[job]
fn my_job() {
    let doubled = split().map(|x| double(x));
    total(doubled.collect());
}

fn main() {}
