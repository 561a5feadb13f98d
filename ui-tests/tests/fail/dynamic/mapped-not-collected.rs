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
fn total(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

#[job]
fn my_job() {
    total(split().map(double));
}

fn main() {}
