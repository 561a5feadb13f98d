use larder::prelude::*;

pub struct HnClient;

#[resource(key = "hn_client")]
fn hn_client() -> HnClient {
    HnClient
}

#[asset(resources(client(key = "hn_clinet")))]
fn items(client: &HnClient) -> Vec<i64> {
    let _ = client;
    vec![]
}

fn main() {}
