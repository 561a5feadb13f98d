use larder::prelude::*;

#[op]
fn one() -> i64 {
    1
}

#[job(resources(io_manager = InMemoryIOManager::new()))]
fn my_job() {
    one();
}

fn main() {}
