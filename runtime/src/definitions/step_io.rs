//! What a step body receives: its inputs, config, resources, partitions and
//! logger, and where its outputs and their metadata go. Built by the run
//! for each step, or by [`build_asset_context`](crate::build_asset_context) for a unit test.

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::op::OpDefinition;
use crate::error::{Error, Result};
use crate::io::context::AssetPartitions;
use crate::io::context::partitions::{PartitionSubject, PartitionView};
use crate::io::resources::Resources;
use crate::model::events::{Event, EventKind, EventLog, Logger};
use crate::model::metadata::{DATA_VERSION, Metadata, MetadataValue};
use crate::model::partitions::{PartitionKeyRange, TimeWindow};
use crate::model::step_result::{MaterializeResult, Output};
use crate::model::types::Value;

/// What a compute function receives (Dagster's `AssetExecutionContext` /
/// `OpExecutionContext` with the step's inputs and outputs): take inputs,
/// set outputs, read config, resources and partitions, log, and attach
/// metadata to outputs.
///
/// Owns what it hands out (shared, cheap to clone), so a unit test can
/// build one with [`build_asset_context`](crate::build_asset_context). `'a` ties a handle to the
/// call it serves.
pub struct StepIo<'a> {
    pub(crate) op: Arc<OpDefinition>,
    pub(crate) step_key: Arc<str>,
    pub(crate) run_id: Arc<str>,
    pub(crate) inputs: Vec<Option<Value>>,
    pub(crate) outputs: Vec<Option<Value>>,
    /// Per output: what the body added (`Output`, `add_output_metadata`);
    /// empty until something is added, so a step that adds nothing
    /// allocates nothing for it.
    pub(crate) output_metadata: Vec<Metadata>,
    pub(crate) config: Arc<serde_json::Value>,
    pub(crate) log: Logger,
    pub(crate) run_partition: Option<Arc<str>>,
    pub(crate) partitions: Option<AssetPartitions>,
    pub(crate) resources: Resources,
    /// Where a test context's logger writes, for [`StepIo::logged`].
    pub(crate) events: Option<Arc<EventLog>>,
    /// The mapping key of a step mapped over a dynamic output.
    pub(crate) mapping_key: Option<Arc<str>>,
    pub(crate) _call: PhantomData<&'a ()>,
}

impl std::fmt::Debug for StepIo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepIo")
            .field("step_key", &self.step_key)
            .field("run_id", &self.run_id)
            .field("partitions", &self.partition_keys().len())
            .field("resources", &self.resources)
            .finish_non_exhaustive()
    }
}

impl PartitionSubject for StepIo<'_> {
    fn partition_subject(&self) -> String {
        format!("step `{}`", self.step_key)
    }
}

impl StepIo<'_> {
    fn input_index(&self, name: &str) -> Result<usize> {
        self.op
            .inputs
            .iter()
            .position(|i| i.name == name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "step `{}` has no input `{name}`; its inputs: {}",
                    self.step_key,
                    names(self.op.inputs.iter().map(|i| i.name.as_str()))
                ))
            })
    }

    fn output_index(&self, name: &str) -> Result<usize> {
        self.op
            .outputs
            .iter()
            .position(|o| o.name == name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "step `{}` has no output `{name}`; its outputs: {}",
                    self.step_key,
                    names(self.op.outputs.iter().map(|o| o.name.as_str()))
                ))
            })
    }

    /// Takes the value of input `name`.
    pub fn input<T: Any>(&mut self, name: &str) -> Result<T> {
        let index = self.input_index(name)?;
        self.take_input(index)
    }

    /// Takes the value of the input at `index` (in declaration order).
    pub fn take_input<T: Any>(&mut self, index: usize) -> Result<T> {
        let name = self
            .op
            .inputs
            .get(index)
            .map(|i| i.name.as_str())
            .unwrap_or("?");
        let value = self
            .inputs
            .get_mut(index)
            .and_then(Option::take)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "input `{name}` of step `{}` was already taken or is missing",
                    self.step_key
                ))
            })?;
        match value.downcast::<T>() {
            Ok(v) => Ok(*v),
            Err(_) => Err(Error::TypeMismatch {
                what: format!("input `{name}` of step `{}`", self.step_key),
                expected: std::any::type_name::<T>(),
                found: self
                    .op
                    .inputs
                    .get(index)
                    .map(|i| i.ty.name)
                    .unwrap_or("?")
                    .to_owned(),
            }),
        }
    }

    /// Sets output `name`.
    pub fn output<T: Any + Send + Sync>(&mut self, name: &str, value: T) -> Result<()> {
        let index = self.output_index(name)?;
        self.set_output(index, value)
    }

    /// Sets the output at `index` (in declaration order).
    pub fn set_output<T: Any + Send + Sync>(&mut self, index: usize, value: T) -> Result<()> {
        let out = self.op.outputs.get(index).ok_or_else(|| {
            Error::NotFound(format!(
                "step `{}` has no output number {index}",
                self.step_key
            ))
        })?;
        if out.ty.id != TypeId::of::<T>() {
            return Err(Error::TypeMismatch {
                what: format!("output `{}` of step `{}`", out.name, self.step_key),
                expected: out.ty.name,
                found: std::any::type_name::<T>().to_owned(),
            });
        }
        self.outputs[index] = Some(Box::new(value));
        Ok(())
    }

    /// Sets the output at `index` to an [`Output`]'s value, and records its
    /// metadata and data version on the output.
    pub fn set_output_with<T: Any + Send + Sync>(
        &mut self,
        index: usize,
        output: Output<T>,
    ) -> Result<()> {
        let (value, metadata, data_version) = output.into_parts();
        self.set_output(index, value)?;
        // Dagster: what the body added with `add_output_metadata` wins
        // over the `Output`'s own metadata.
        let added = std::mem::replace(self.metadata_of(index), metadata);
        self.metadata_of(index).extend(added);
        if let Some(v) = data_version {
            self.metadata_of(index)
                .insert(DATA_VERSION.to_owned(), MetadataValue::Text(v));
        }
        Ok(())
    }

    /// Records what an asset that stores its own data returned: nothing is
    /// handed to a manager, the materialization carries this metadata.
    pub fn materialize_result(&mut self, result: MaterializeResult) -> Result<()> {
        let index = self.single_output("materialize_result")?;
        let added = std::mem::replace(self.metadata_of(index), result.metadata);
        self.metadata_of(index).extend(added);
        if let Some(v) = result.data_version {
            self.metadata_of(index)
                .insert(DATA_VERSION.to_owned(), MetadataValue::Text(v));
        }
        Ok(())
    }

    fn single_output(&self, member: &str) -> Result<usize> {
        match self.op.outputs.len() {
            1 => Ok(0),
            0 => Err(Error::context(format!(
                "cannot use `{member}`: step `{}` has no outputs",
                self.step_key
            ))),
            _ => Err(Error::context(format!(
                "cannot use `{member}`: step `{}` has outputs {}; name one with `{member}_for`",
                self.step_key,
                names(self.op.outputs.iter().map(|o| o.name.as_str()))
            ))),
        }
    }

    /// Adds metadata to the step's one output, recorded on its
    /// materialization and its `HANDLED_OUTPUT` (Dagster's
    /// `context.add_output_metadata`). Later keys replace earlier ones; the
    /// manager's own metadata replaces both.
    pub fn add_output_metadata(&mut self, metadata: Metadata) -> Result<()> {
        let index = self.single_output("add_output_metadata")?;
        self.metadata_of(index).extend(metadata);
        Ok(())
    }

    /// Adds metadata to output `name`.
    pub fn add_output_metadata_for(&mut self, name: &str, metadata: Metadata) -> Result<()> {
        let index = self.output_index(name)?;
        self.metadata_of(index).extend(metadata);
        Ok(())
    }

    /// What the body has added to output `name` so far (for tests).
    pub fn output_metadata(&self, name: &str) -> Result<&Metadata> {
        static NONE: std::sync::OnceLock<Metadata> = std::sync::OnceLock::new();
        let index = self.output_index(name)?;
        Ok(self
            .output_metadata
            .get(index)
            .unwrap_or_else(|| NONE.get_or_init(Metadata::new)))
    }

    /// The metadata of output `index`, made room for on first use.
    fn metadata_of(&mut self, index: usize) -> &mut Metadata {
        if self.output_metadata.len() <= index {
            let n = self.op.outputs.len().max(index + 1);
            self.output_metadata.resize_with(n, Metadata::new);
        }
        &mut self.output_metadata[index]
    }

    /// The op's config (`ops.<op>.config`); `null` when none.
    pub fn config(&self) -> &serde_json::Value {
        &self.config
    }

    /// The op's config as `C`; errors name the field path.
    pub fn config_as<C: DeserializeOwned>(&self) -> Result<C> {
        crate::model::config::deserialize_at(&self.config, &format!("ops.{}.config", self.step_key))
            .map_err(|e| Error::Config(vec![e]))
    }

    /// The resource bound to `key`, as `R`. Inside a run, only the keys the
    /// step declares (`resources(..)`, `required_resource_keys`) are
    /// available; errors name the key and the step.
    pub fn resource<R: Any>(&self, key: &str) -> Result<&R> {
        self.resources.get(key)
    }

    /// The resources available to the step.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    fn partition_view(&self) -> PartitionView<'_> {
        PartitionView {
            subject: self,
            run_key: self.run_partition.as_deref(),
            asset: self.partitions.as_ref(),
        }
    }

    /// Whether the run is for one partition (of the partitioned assets, or
    /// of a partitioned job), as Dagster's `has_partition_key`: false for
    /// unpartitioned runs and for runs over a range.
    pub fn has_partition_key(&self) -> bool {
        self.run_partition.is_some()
    }

    /// The partition this step materializes, when it is exactly one.
    pub fn partition_key(&self) -> Result<&str> {
        match self.partition_keys() {
            [one] => Ok(one),
            [] => Err(Error::Context(format!(
                "step `{}` does not materialize a partition",
                self.step_key
            ))),
            keys => Err(Error::Context(format!(
                "step `{}` materializes {} partitions ({} to {}); use `partition_keys` or `partition_key_range`",
                self.step_key,
                keys.len(),
                keys[0],
                keys[keys.len() - 1]
            ))),
        }
    }

    /// The partitions this step materializes, in partition order (empty
    /// when it is not partitioned).
    pub fn partition_keys(&self) -> &[String] {
        match self.partitions.as_ref().map(|p| &p.keys) {
            Some(Ok(keys)) => keys,
            _ => &[],
        }
    }

    /// The first and last partition this step materializes.
    pub fn partition_key_range(&self) -> Result<PartitionKeyRange> {
        self.partition_view().asset_partition_key_range()
    }

    /// The time window the step's partitions cover, from the start of the
    /// first to the end of the last (time-partitioned assets only).
    pub fn partition_time_window(&self) -> Result<TimeWindow> {
        self.partition_view().asset_partitions_time_window()
    }

    /// The mapping key of this step when it is mapped over a dynamic
    /// output (`k1` in `double[k1]`; Dagster's `context.get_mapping_key()`).
    pub fn mapping_key(&self) -> Option<&str> {
        self.mapping_key.as_deref()
    }

    /// The step key.
    pub fn step_key(&self) -> &str {
        &self.step_key
    }

    /// The run id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The logger.
    pub fn log(&self) -> &Logger {
        &self.log
    }

    /// What was logged through [`StepIo::log`], as `(level, message)`, in a
    /// context built by [`build_asset_context`](crate::build_asset_context) (empty inside a run: the
    /// run's events have them).
    pub fn logged(&self) -> Vec<(String, String)> {
        let Some(events) = &self.events else {
            return Vec::new();
        };
        events
            .snapshot()
            .into_iter()
            .filter_map(|e: Event| match e.kind {
                EventKind::Log { level, message } => Some((level.to_owned(), message)),
                _ => None,
            })
            .collect()
    }
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
