use larder::prelude::*;

#[op]
fn split() -> DynamicOut<i64> {
    DynamicOut::new()
}

#[job]
fn my_job() {
    split().map(|x| x + 1);
}

fn main() {}
