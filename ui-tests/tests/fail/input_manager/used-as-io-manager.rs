use larder::prelude::*;

#[input_manager(key = "loader")]
fn loader() -> Vec<i64> {
    vec![]
}

#[asset(io_manager_key = "loader")]
fn numbers() -> Vec<i64> {
    vec![1]
}

fn main() {}
