use larder::prelude::*;

#[op(outs(first(), second(), third()))]
fn compute() -> (i64, String) {
    (1, "two".into())
}

fn main() {}
