use larder::prelude::*;

#[derive(Deserialize)]
struct Settings {
    base_dir: String,
}

#[derive(ConfigurableIOManager, Deserialize)]
#[io_manager(key = "store", config = Settings)]
struct Store {
    settings: Settings,
}

fn main() {}
