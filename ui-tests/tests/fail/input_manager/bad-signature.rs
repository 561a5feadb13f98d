use larder::prelude::*;

#[input_manager(key = "loader")]
fn loader(ctx: &mut OutputContext) -> Vec<i64> {
    let _ = ctx;
    vec![]
}

fn main() {}
