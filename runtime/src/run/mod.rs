//! Running a plan: dependency order, independent steps concurrently on a
//! bounded pool, every event recorded, failures kept with their causes.

mod asset_jobs;
mod backfill;
mod default_manager;
mod dynamic;
mod dynamic_partitions;
mod entry;
mod executor;
mod graph_asset_plan;
pub mod history;
mod job_partitions;
mod load_value;
mod multi_asset_plan;
mod multiprocess;
mod optional_outputs;
mod options;
mod partition_plan;
pub(crate) mod plan;
pub mod ranges;
mod reexecute;
mod result;
mod run_config_check;
mod step;
pub mod step_plan;
mod step_resources;
mod step_selection;
mod stored_outputs;
pub mod worker;

pub use backfill::{
    BackfillOptions, BackfillPartitions, BackfillResult, PartitionOutcome, PartitionRun,
};
pub use default_manager::{DEFAULT_IO_MANAGER_ENV, SILENCE_FAILURES_ENV};
pub use entry::{materialize, materialize_to_memory};
pub(crate) use executor::execute;
pub use options::RunOptions;
pub use reexecute::ReexecutionOptions;
pub use result::{RunResult, StepOutcome};
