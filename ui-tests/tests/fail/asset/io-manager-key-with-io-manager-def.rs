use larder::prelude::*;

#[io_manager(key = "warehouse")]
fn warehouse() -> InMemoryIOManager {
    InMemoryIOManager::new()
}

#[asset(io_manager_key = "warehouse", io_manager_def = InMemoryIOManager::new())]
fn numbers() -> Vec<i64> {
    vec![1]
}

fn main() {}
