use larder::prelude::*;

#[asset]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

#[job]
fn my_job() {
    numbers();
}

fn main() {}
