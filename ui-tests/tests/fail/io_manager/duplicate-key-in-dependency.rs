use larder::prelude::*;
use larder_ui_fixture as _;

#[io_manager(key = "shared_store")]
fn my_store() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

fn main() {}
