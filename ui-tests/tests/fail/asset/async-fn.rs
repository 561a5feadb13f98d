use larder::prelude::*;

#[asset]
async fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
