use larder::prelude::*;

fn helper() -> i64 {
    1
}

#[job]
fn my_job() {
    helper();
}

fn main() {}
