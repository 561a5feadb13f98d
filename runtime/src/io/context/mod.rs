//! The contexts IO managers receive: [`OutputContext`] when storing,
//! [`InputContext`] when loading, and builders that make them in unit tests.

mod build;
mod input;
mod op_info;
mod output;
pub(crate) mod partitions;

pub(crate) use partitions::AssetPartitions;

pub use build::{
    InputContextBuilder, OutputContextBuilder, build_input_context, build_output_context,
};
pub use input::InputContext;
pub(crate) use input::InputParts;
pub use op_info::OpInfo;
pub use output::OutputContext;
pub(crate) use output::{OutputParts, RunOfOutput};

use crate::error::{Error, Result};

/// Dagster's `build_output_context` default run id.
pub const EPHEMERAL_RUN_ID: &str = "__EPHEMERAL_RUN_ID";

/// Merges `add` into `into`, refusing keys that are already there.
pub(crate) fn merge_metadata(
    into: &mut crate::model::metadata::Metadata,
    add: crate::model::metadata::Metadata,
) -> Result<()> {
    let dup: Vec<String> = add
        .keys()
        .filter(|k| into.contains_key(*k))
        .cloned()
        .collect();
    if !dup.is_empty() {
        return Err(Error::DuplicateMetadata { keys: dup });
    }
    into.extend(add);
    Ok(())
}
