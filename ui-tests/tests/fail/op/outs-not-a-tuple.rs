use larder::prelude::*;

#[op(outs(first, second))]
fn compute() -> larder::Result<i64> {
    Ok(1)
}

fn main() {}
