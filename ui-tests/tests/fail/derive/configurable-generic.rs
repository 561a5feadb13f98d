use larder::prelude::*;

#[derive(ConfigurableIOManager, Deserialize)]
#[io_manager(key = "store")]
struct Store<T> {
    inner: T,
}

fn main() {}
