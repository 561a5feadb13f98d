use larder::prelude::*;

#[op]
fn one() -> i64 {
    1
}

#[job(partitions_def = "2024-01-01")]
fn my_job() {
    one();
}

fn main() {}
