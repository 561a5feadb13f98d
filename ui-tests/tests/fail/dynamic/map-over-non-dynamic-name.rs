use larder::prelude::*;

#[op]
fn numbers() -> Vec<i64> {
    vec![1, 2]
}

#[op]
fn double(x: i64) -> i64 {
    2 * x
}

#[job]
fn my_job() {
    let all = numbers();
    let doubled = all.map(double);
}

fn main() {}
