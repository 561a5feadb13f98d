use larder::prelude::*;

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

#[asset(io_manager_key = "warehose")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
