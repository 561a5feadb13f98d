use larder::prelude::*;

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

mod elsewhere {
    use larder::prelude::*;

    #[io_manager(key = "warehouse")]
    fn another_warehouse() -> InMemoryIOManager {
        InMemoryIOManager::new()
    }
}

fn main() {}
