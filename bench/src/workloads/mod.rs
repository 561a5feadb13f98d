//! One module per workload.

pub mod chain;
pub mod fanout;
pub mod one_asset;
pub mod partitions;
pub mod payload;

use larder::prelude::*;

/// Options for a run: in memory, or on disk under `dir`.
pub fn options(dir: Option<&std::path::Path>) -> RunOptions {
    let options = RunOptions::new().capture_outputs(false);
    match dir {
        Some(d) => options.on_disk().instance(Instance::at(d)),
        None => options.in_memory(),
    }
}

/// The filesystem manager the workloads use (default codec).
pub fn fs_manager(dir: &std::path::Path, durable: bool) -> FilesystemIOManager {
    FilesystemIOManager::new(dir.join("storage")).durable(durable)
}
