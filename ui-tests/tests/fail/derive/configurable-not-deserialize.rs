use larder::prelude::*;

#[derive(ConfigurableIOManager)]
#[io_manager(key = "store")]
struct Store {
    path: String,
}

fn main() {}
