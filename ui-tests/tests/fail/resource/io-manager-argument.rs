use larder::prelude::*;

pub struct HnClient;

#[resource(key = "hn_client", output_config = String)]
fn hn_client() -> HnClient {
    HnClient
}

fn main() {}
