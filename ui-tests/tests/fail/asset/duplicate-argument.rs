use larder::prelude::*;

#[asset(group_name = "a", group_name = "b")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
