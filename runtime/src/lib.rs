//! # larder
//!
//! Dagster's I/O managers in Rust. Annotate plain functions with
//! `#[asset]` and `#[op]`, write IO managers as structs
//! (`#[derive(ConfigurableIOManager)]`) or functions (`#[io_manager]`,
//! `#[input_manager]`), and larder stores every output with its manager and
//! loads every input back — with the mistakes Dagster finds at run time (a
//! key no manager declares, a manager that cannot store the type) reported
//! by the compiler instead.
//!
//! ```
//! use larder::prelude::*;
//!
//! let numbers = AssetDefinition::builder("numbers")
//!     .output_type(larder::type_info!(Vec<i64>))
//!     .compute(|io| io.output("result", vec![1_i64, 2, 3]));
//! let total = AssetDefinition::builder("total")
//!     .input(AssetIn::new("numbers", larder::type_info!(Vec<i64>)))
//!     .output_type(larder::type_info!(i64))
//!     .compute(|io| {
//!         let numbers: Vec<i64> = io.input("numbers")?;
//!         io.output("result", numbers.iter().sum::<i64>())
//!     });
//! let dir = tempfile::tempdir().unwrap();
//! let result = Definitions::new()
//!     .assets([numbers, total])
//!     .resource("io_manager", FilesystemIOManager::new(dir.path()))
//!     .materialize_all()
//!     .unwrap();
//! assert_eq!(*result.asset_value::<i64>("total").unwrap(), 6);
//! assert!(dir.path().join("total").is_file());
//! ```
//!
//! ## The pieces
//!
//! - [`Definitions`]: assets, jobs and resource bindings, validated as a
//!   whole ([`Definitions::validate`]) before anything runs.
//! - [`IOManager`] / [`InputManager`]: what a manager stores and loads, per
//!   Rust type. [`DynIOManager`]: managers that serve any type with the
//!   capabilities they need (the built-ins).
//! - [`OutputContext`] / [`InputContext`]: what a manager knows, with
//!   [`build_output_context`] / [`build_input_context`] for unit tests.
//! - [`StepIo`]: what a step body gets — inputs, config, resources
//!   (`#[resource]`, `#[derive(ConfigurableResource)]`), partitions, and
//!   output metadata ([`Output`], [`MaterializeResult`]); built for unit
//!   tests by [`build_asset_context`].
//! - [`InMemoryIOManager`], [`FilesystemIOManager`]: the built-in managers.
//! - [`AssetSelection`], [`AssetJob`], [`Definitions::backfill`]: selections
//!   in Dagster's syntax, asset jobs, one run per partition.
//! - [`RetryPolicy`], [`RetryRequested`], [`Failure`]: retries and
//!   structured failures; [`ReexecutionOptions`]: re-running from a parent
//!   run's stored outputs.
//! - [`RunResult`]: events, step outcomes, attempts and values of a run.
//!
//! ## Layout
//!
//! The modules are layers, bottom up, each importing only from those below:
//! [`model`] (keys, metadata, types, partitions, config, events: plain
//! data), [`io`] (manager traits, contexts, resources), [`definitions`]
//! (assets, ops, jobs, [`Definitions`], and the descriptors `#[asset]` and
//! `#[op]` emit), [`storage`] (the built-in managers), [`run`] (plan,
//! executor, history, entry points) and `cli`.

#![warn(missing_docs)]

// The folders are the layers, bottom up; an import points down, never up
// (`tests/layers.rs` checks it). `error`, `guard` and `suggest` serve all.
pub mod error;
mod guard;
mod suggest;

pub mod model;

pub mod io;

pub mod definitions;

pub mod storage;

pub mod run;

#[cfg(feature = "cli")]
pub mod cli;

// The namespaces users name in paths, at the root as before.
pub use model::{config, dynamic, partitions};

#[doc(hidden)]
pub use io::key;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use definitions::registry::declared_manager;
pub use definitions::{
    AssetContextBuilder, AssetDefinition, AssetDescriptor, AssetIn, AssetJob, AssetSelection,
    Definitions, In, InputDescriptor, JobBuilder, JobDefinition, OpDefinition, OpDescriptor, Out,
    OutputHandle, StepIo, build_asset_context, define_asset_job,
};
pub use definitions::{
    AssetOut, AssetOutDescriptor, MultiAssetBuilder, MultiAssetDefinition, MultiAssetDescriptor,
};
pub use definitions::{FanInShape, GraphBuilder, GraphDefinition, Nothing, Upstream};
pub use definitions::{GraphAssetBuilder, NodeInput};
pub use error::{BoxError, Error, Result};
pub use io::configurable_resource::ConfigurableResource;
pub use io::context::{
    InputContext, OpInfo, OutputContext, build_input_context, build_output_context,
};
pub use io::lifecycle::ResourceLifecycle;
pub use io::manager::{
    ConfigurableIOManager, ConfigurableIOManagerFactory, DynIOManager, IOManager,
    IOManagerDefinition, InputManager, InputManagerDefinition, TypedLoader, TypedOutput,
    hardcoded_io_manager,
};
pub use io::resources::{
    InitContext, IntoResourceDefinition, ResourceDefinition, ResourceKind, Resources,
    build_init_resource_context,
};
pub use model::asset_key::AssetKey;
pub use model::config::RunConfig;
pub use model::dynamic::{DynamicOut, DynamicOutput};
pub use model::events::{Event, EventKind, EventListener, EventType, Logger, UserEvent};
pub use model::executor::{Executor, ExecutorKind};
pub use model::instance::Instance;
pub use model::metadata::{
    DATA_VERSION, Metadata, MetadataValue, ROW_COUNT, TableColumn, TableSummary,
};
pub use model::retry::{Backoff, Failure, Jitter, RetryPolicy, RetryRequested};
pub use model::step_result::{MaterializeResult, Output};
pub use model::types::{TypeInfo, Value};
/// Step workers: how a binary re-enters as a child of a multiprocess run.
pub use run::worker;
pub use run::{
    BackfillOptions, BackfillResult, DEFAULT_IO_MANAGER_ENV, PartitionOutcome, PartitionRun,
    ReexecutionOptions, RunOptions, RunResult, SILENCE_FAILURES_ENV, StepOutcome, materialize,
    materialize_to_memory,
};
pub use serde_bytes::ByteBuf;
pub use storage::{Codec, FilesystemIOManager, InMemoryIOManager, fs_io_manager, mem_io_manager};

pub use larder_macros::{
    ConfigurableIOManager, ConfigurableIOManagerFactory, ConfigurableResource, asset,
    input_manager, io_manager, job, multi_asset, op, resource,
};

/// The one import user code needs.
pub mod prelude {
    pub use crate::{
        AssetDefinition, AssetIn, AssetKey, AssetOut, Codec, ConfigurableIOManager,
        ConfigurableIOManagerFactory, ConfigurableResource, Definitions, DynIOManager, DynamicOut,
        DynamicOutput, Error, Failure, FilesystemIOManager, IOManager, IOManagerDefinition, In,
        InMemoryIOManager, InitContext, InputContext, InputManager, InputManagerDefinition,
        Instance, JobDefinition, MaterializeResult, Metadata, MetadataValue, MultiAssetDefinition,
        OpDefinition, Out, Output, OutputContext, ResourceDefinition, ResourceLifecycle, Resources,
        RetryPolicy, RetryRequested, RunConfig, RunOptions, RunResult, StepIo, asset,
        build_asset_context, build_input_context, build_output_context, fs_io_manager,
        input_manager, io_manager, job, materialize, materialize_to_memory, mem_io_manager,
        metadata, multi_asset, op, resource,
    };
    pub use crate::{GraphDefinition, Nothing, Upstream};
    pub use serde::{Deserialize, Serialize};
}
