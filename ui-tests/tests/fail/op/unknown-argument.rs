use larder::prelude::*;

#[op(out(io_manager = "warehouse"), config_schema = i64)]
fn compute() -> i64 {
    1
}

fn main() {}
