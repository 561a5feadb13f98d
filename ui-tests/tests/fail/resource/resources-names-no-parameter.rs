use larder::prelude::*;

pub struct HnClient;

#[resource(key = "hn_client")]
fn hn_client() -> HnClient {
    HnClient
}

#[asset(resources(hn_clent))]
fn items(hn_client: &HnClient) -> Vec<i64> {
    let _ = hn_client;
    vec![]
}

fn main() {}
