use larder::prelude::*;

#[derive(ConfigurableIOManager)]
#[io_manager(key = "store")]
union Store {
    bits: u64,
    float: f64,
}

fn main() {}
