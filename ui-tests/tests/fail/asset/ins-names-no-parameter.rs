use larder::prelude::*;

#[asset(ins(upstrem(key_prefix = "raw")))]
fn downstream(upstream: Vec<i64>, other: i64) -> i64 {
    upstream.len() as i64 + other
}

fn main() {}
