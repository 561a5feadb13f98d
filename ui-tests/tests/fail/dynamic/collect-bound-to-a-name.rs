use larder::prelude::*;

#[op]
fn split() -> DynamicOut<i64> {
    DynamicOut::new()
}

#[op]
fn total(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

#[job]
fn my_job() {
    let all = split().collect();
    total(all);
}

fn main() {}
