//! `LARDER_DEFAULT_IO_MANAGER` swaps the default `io_manager` for a declared
//! one without code changes (Dagster's `DAGSTER_DEFAULT_IO_MANAGER_*`). One
//! test: it sets process-wide environment variables.

use std::path::PathBuf;
use std::sync::OnceLock;

use larder::prelude::*;
use larder::{DEFAULT_IO_MANAGER_ENV, SILENCE_FAILURES_ENV, type_info};

static SCRATCH: OnceLock<PathBuf> = OnceLock::new();

#[io_manager(key = "scratch_files")]
fn scratch_files() -> FilesystemIOManager {
    FilesystemIOManager::new(SCRATCH.get().cloned().unwrap_or_else(std::env::temp_dir))
}

fn numbers() -> AssetDefinition {
    AssetDefinition::builder("numbers")
        .output_type(type_info!(Vec<i64>))
        .compute(|io| io.output("result", vec![1_i64, 2]))
}

#[test]
fn the_environment_names_the_default_io_manager() {
    let scratch = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    SCRATCH.set(scratch.path().to_owned()).unwrap();
    let run = || {
        Definitions::new()
            .asset(numbers())
            .run(RunOptions::new().instance(larder::Instance::at(home.path())))
    };

    // SAFETY: the only test of this binary; nothing else reads the environment concurrently.
    unsafe { std::env::set_var(DEFAULT_IO_MANAGER_ENV, "scratch_files") };
    run().unwrap();
    assert!(scratch.path().join("numbers").is_file());
    assert!(!home.path().join("storage/numbers").exists());

    unsafe { std::env::set_var(DEFAULT_IO_MANAGER_ENV, "scratch_file") };
    let err = run().unwrap_err().to_string();
    assert!(
        err.contains("LARDER_DEFAULT_IO_MANAGER=scratch_file names no declared manager; declared keys: scratch_files"),
        "{err}"
    );
    assert!(err.contains("did you mean `scratch_files`?"), "{err}");

    unsafe { std::env::set_var(SILENCE_FAILURES_ENV, "true") };
    run().unwrap();
    assert!(home.path().join("storage/numbers").is_file());

    unsafe {
        std::env::remove_var(DEFAULT_IO_MANAGER_ENV);
        std::env::remove_var(SILENCE_FAILURES_ENV);
    }
}
