use larder::prelude::*;

#[derive(ConfigurableIOManager, Deserialize)]
struct Store {
    path: String,
}

fn main() {}
