use larder::prelude::*;

struct NotSerde;

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

#[asset(io_manager_key = "warehouse")]
fn thing() -> larder::Result<NotSerde> {
    Ok(NotSerde)
}

fn main() {}
