use larder::prelude::*;

#[op(out(description = "one"), outs(a, b))]
fn compute() -> (i64, i64) {
    (1, 2)
}

fn main() {}
