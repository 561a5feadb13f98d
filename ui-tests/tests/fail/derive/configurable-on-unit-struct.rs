use larder::prelude::*;

#[derive(ConfigurableIOManager, Deserialize)]
#[io_manager(key = "store")]
struct Store;

fn main() {}
