//! The default `io_manager`: the filesystem manager (in memory for
//! in-process job runs), unless `LARDER_DEFAULT_IO_MANAGER` names a
//! declared manager to use instead, without code changes (Dagster's
//! `DAGSTER_DEFAULT_IO_MANAGER_MODULE` / `_ATTRIBUTE`).

use crate::definitions::registry::{declared_keys, declared_manager};
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::storage::{FilesystemIOManager, mem_io_manager};

/// Names a declared manager key to bind as the default `io_manager`.
pub const DEFAULT_IO_MANAGER_ENV: &str = "LARDER_DEFAULT_IO_MANAGER";
/// `true`: an unknown key in [`DEFAULT_IO_MANAGER_ENV`] falls back to the
/// filesystem manager with a warning instead of failing validation
/// (Dagster's `DAGSTER_DEFAULT_IO_MANAGER_SILENCE_FAILURES`).
pub const SILENCE_FAILURES_ENV: &str = "LARDER_DEFAULT_IO_MANAGER_SILENCE_FAILURES";

/// The manager bound as `io_manager` when the definitions bind none; a
/// problem is reported for an override naming no declared manager.
pub(crate) fn default_io_manager(
    in_memory: bool,
    problems: &mut Vec<String>,
) -> ResourceDefinition {
    if in_memory {
        return mem_io_manager().into_resource_definition();
    }
    let fallback = || FilesystemIOManager::default().into_resource_definition();
    let Some(key) = std::env::var(DEFAULT_IO_MANAGER_ENV)
        .ok()
        .filter(|k| !k.trim().is_empty())
    else {
        return fallback();
    };
    let key = key.trim();
    let declared = declared_keys();
    if declared.contains(&key) {
        return declared_manager(key);
    }
    let message = format!(
        "{DEFAULT_IO_MANAGER_ENV}={key} names no declared manager; declared keys: {}{}",
        if declared.is_empty() {
            "none".to_owned()
        } else {
            declared.join(", ")
        },
        crate::suggest::did_you_mean(key, declared.iter().map(|k| k.to_string()))
    );
    let silence = std::env::var(SILENCE_FAILURES_ENV)
        .map(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "True"))
        .unwrap_or(false);
    if silence {
        tracing::warn!(target: "larder", "{message}; using the filesystem manager ({SILENCE_FAILURES_ENV} is set)");
    } else {
        problems.push(message);
    }
    fallback()
}
