use larder::prelude::*;

#[io_manager(key = "warehouse")]
fn warehouse(base_dir: String) -> FilesystemIOManager {
    FilesystemIOManager::new(base_dir)
}

fn main() {}
