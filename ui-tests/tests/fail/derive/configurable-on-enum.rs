use larder::prelude::*;

#[derive(ConfigurableIOManager, Deserialize)]
#[io_manager(key = "store")]
enum Store {
    Disk { path: String },
    Memory,
}

fn main() {}
