use larder::prelude::*;

#[io_manager(key = "warehouse")]
fn warehouse() {}

fn main() {}
