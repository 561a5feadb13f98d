use larder::prelude::*;

#[op]
fn split() -> DynamicOut<i64> {
    DynamicOut::new()
}

fn double(x: i64) -> i64 {
    2 * x
}

#[job]
fn my_job() {
    split().map(|x| double(x));
}

fn main() {}
