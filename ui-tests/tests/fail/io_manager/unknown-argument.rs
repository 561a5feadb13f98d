use larder::prelude::*;

#[io_manager(key = "warehouse", config_schema = String)]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

fn main() {}
