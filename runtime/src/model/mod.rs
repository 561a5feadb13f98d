//! The model: what a run is about, as plain data. Asset keys, metadata,
//! the types values have, partitions, config and the events a run reports.
//! Nothing here knows how steps are stored, loaded or run.

pub mod asset_key;
pub mod config;
pub mod dynamic;
pub mod events;
pub mod executor;
pub mod instance;
pub mod metadata;
pub mod partitions;
pub mod retry;
pub mod step_result;
pub mod types;
