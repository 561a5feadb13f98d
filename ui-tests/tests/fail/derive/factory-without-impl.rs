use larder::prelude::*;

#[derive(ConfigurableIOManagerFactory, Deserialize)]
#[io_manager(key = "database")]
struct Database {
    url: String,
}

fn main() {}
