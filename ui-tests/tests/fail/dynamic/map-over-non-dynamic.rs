use larder::prelude::*;

#[op]
fn numbers() -> i64 {
    1
}

#[op]
fn double(x: i64) -> i64 {
    2 * x
}

#[job]
fn my_job() {
    numbers().map(|x| double(x));
}

fn main() {}
