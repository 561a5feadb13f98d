//! The model: ops, assets, jobs and `Definitions`, and how they are checked
//! as a whole before anything runs.

mod asset;
mod asset_context;
pub(crate) mod asset_job;
#[doc(hidden)]
pub mod checks;
#[allow(clippy::module_inception)]
mod definitions;
pub(crate) mod descriptor;
pub(crate) mod dynamic;
pub(crate) mod fan_in;
pub(crate) mod graph;
pub(crate) mod graph_asset;
pub(crate) mod job;
pub(crate) mod multi_asset;
pub(crate) mod op;
pub(crate) mod registry;
pub(crate) mod selection;
pub(crate) mod step_io;

pub use asset::{AssetBuilder, AssetDefinition, AssetIn, IntoPartitionsDefinition};
pub use asset_context::{AssetContextBuilder, build_asset_context};
pub use asset_job::{AssetJob, define_asset_job};
pub use definitions::{ASSET_JOB_NAME, Definitions};
pub use descriptor::{AssetDescriptor, InputDescriptor, OpDescriptor, OutputDescriptor, StepFn};
pub use fan_in::{FanInShape, Nothing};
pub use graph::{GraphBuilder, GraphDefinition, Upstream};
pub use graph_asset::{GraphAssetBuilder, NodeInput};
pub use job::{Invocation, JobBuilder, JobDefinition, Node, OutputHandle};
pub use multi_asset::{
    AssetOut, AssetOutDescriptor, MultiAssetBuilder, MultiAssetDefinition, MultiAssetDescriptor,
};
pub use op::{ComputeFn, In, OpBuilder, OpDefinition, Out, StepIo};
pub use selection::AssetSelection;

/// The default IO manager key.
pub const DEFAULT_IO_MANAGER_KEY: &str = "io_manager";
/// The default output name.
pub const DEFAULT_OUTPUT: &str = "result";
