use larder::prelude::*;

#[op(out(io_manager_key = "object_store"))]
fn compute() -> Vec<u8> {
    vec![1]
}

fn main() {}
