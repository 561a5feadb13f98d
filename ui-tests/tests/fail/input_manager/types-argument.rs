use larder::prelude::*;

#[input_manager(key = "loader", types = [Vec<i64>])]
fn loader() -> Vec<i64> {
    vec![]
}

fn main() {}
