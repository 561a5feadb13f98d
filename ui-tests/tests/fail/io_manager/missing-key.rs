use larder::prelude::*;

#[io_manager(description = "where tables go")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

fn main() {}
