use larder::prelude::*;

pub struct HnClient;

#[resource(key = "hn_client")]
fn hn_client() -> HnClient {
    HnClient
}

#[resource(key = "hn_client")]
fn fake_hn_client() -> HnClient {
    HnClient
}

fn main() {}
