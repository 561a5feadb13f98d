//! `build_output_context` / `build_input_context`: contexts for unit tests
//! of managers, with every member settable.

use std::sync::Arc;

use super::OpInfo;
use super::{EPHEMERAL_RUN_ID, InputContext, OutputContext};
use crate::model::asset_key::AssetKey;
use crate::model::events::Logger;
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionKeyRange, PartitionsDefinition};

use super::AssetPartitions;
use crate::io::resources::Resources;
use crate::model::types::TypeInfo;

/// Starts an [`OutputContext`] for a test. The run id defaults to
/// `"__EPHEMERAL_RUN_ID"`, as in Dagster.
///
/// ```
/// use larder::prelude::*;
/// let ctx = build_output_context().step_key("s").name("n").build();
/// assert_eq!(ctx.get_identifier().unwrap(), ["__EPHEMERAL_RUN_ID", "s", "n"]);
/// ```
pub fn build_output_context() -> OutputContextBuilder {
    OutputContextBuilder(
        OutputContext {
            step_key: None,
            name: None,
            job_name: None,
            run_id: Some(Arc::from(EPHEMERAL_RUN_ID)),
            mapping_key: None,
            version: None,
            config: serde_json::Value::Null,
            definition_metadata: Arc::new(Metadata::new()),
            output_metadata: Metadata::new(),
            resource_config: Arc::new(serde_json::Value::Object(Default::default())),
            resources: Resources::new(),
            op_def: None,
            asset_key: None,
            type_info: None,
            manager_key: None,
            logged_events: Vec::new(),
            log: Logger::default(),
            partition_key: None,
            asset_partitions: None,
        },
        PartitionSpec::default(),
    )
}

/// What a test says about partitions; resolved when the context is built.
#[derive(Debug, Default)]
struct PartitionSpec {
    def: Option<PartitionsDefinition>,
    keys: Option<Vec<String>>,
    range: Option<PartitionKeyRange>,
}

impl PartitionSpec {
    /// The asset partitions: explicit keys, else the range resolved against
    /// the definition, else the run's partition key.
    fn resolve(self, run_key: Option<&str>) -> Option<AssetPartitions> {
        let def = self.def.map(Arc::new);
        let keys = match (self.keys, self.range) {
            (Some(keys), _) => Ok(keys),
            (None, Some(range)) => match &def {
                Some(d) => d
                    .keys_in_range(&range, jiff::Timestamp::now())
                    .map_err(|e| e.to_string()),
                None if range.is_single() => Ok(vec![range.start.clone()]),
                None => Err(format!(
                    "the range {} to {} needs `asset_partitions_def` to list its keys",
                    range.start, range.end
                )),
            },
            (None, None) => match run_key {
                Some(k) => Ok(vec![k.to_owned()]),
                None if def.is_some() => Ok(Vec::new()),
                None => return None,
            },
        };
        Some(AssetPartitions {
            def,
            keys: keys.map(Arc::from),
        })
    }
}

/// Builder for a test [`OutputContext`].
#[derive(Debug)]
pub struct OutputContextBuilder(OutputContext, PartitionSpec);

impl OutputContextBuilder {
    /// Sets the step key.
    pub fn step_key(mut self, s: &str) -> Self {
        self.0.step_key = Some(Arc::from(s));
        self
    }
    /// Sets the output name.
    pub fn name(mut self, s: &str) -> Self {
        self.0.name = Some(Arc::from(s));
        self
    }
    /// Sets the job name.
    pub fn job_name(mut self, s: &str) -> Self {
        self.0.job_name = Some(Arc::from(s));
        self
    }
    /// Sets the run id.
    pub fn run_id(mut self, s: &str) -> Self {
        self.0.run_id = Some(Arc::from(s));
        self
    }
    /// Removes the run id (as for an asset not materialized in this run).
    pub fn no_run_id(mut self) -> Self {
        self.0.run_id = None;
        self
    }
    /// Sets the mapping key.
    pub fn mapping_key(mut self, s: &str) -> Self {
        self.0.mapping_key = Some(s.to_owned());
        self
    }
    /// Sets the version.
    pub fn version(mut self, s: &str) -> Self {
        self.0.version = Some(s.to_owned());
        self
    }
    /// Sets the per-output config.
    pub fn config(mut self, config: serde_json::Value) -> Self {
        self.0.config = config;
        self
    }
    /// Sets the definition metadata.
    pub fn definition_metadata(mut self, metadata: Metadata) -> Self {
        self.0.definition_metadata = Arc::new(metadata);
        self
    }
    /// Sets the resource config.
    pub fn resource_config(mut self, config: serde_json::Value) -> Self {
        self.0.resource_config = Arc::new(config);
        self
    }
    /// Sets the resources.
    pub fn resources(mut self, resources: Resources) -> Self {
        self.0.resources = resources;
        self
    }
    /// Sets the op (`OpDefinition::info` gives it for a definition).
    pub fn op_def(mut self, op: OpInfo) -> Self {
        self.0.op_def = Some(Arc::new(op));
        self
    }
    /// Sets the asset key (`"a/b"`, `["a", "b"]` or an `AssetKey`).
    pub fn asset_key(mut self, key: impl Into<AssetKey>) -> Self {
        self.0.asset_key = Some(key.into());
        self
    }
    /// Sets the output's Rust type.
    pub fn type_info(mut self, info: &'static TypeInfo) -> Self {
        self.0.type_info = Some(info);
        self
    }
    /// Sets the run's partition key (and, unless set otherwise, the one
    /// asset partition the output writes).
    pub fn partition_key(mut self, key: &str) -> Self {
        self.0.partition_key = Some(Arc::from(key));
        self
    }
    /// Sets the asset's partitions definition.
    pub fn asset_partitions_def(mut self, def: impl Into<PartitionsDefinition>) -> Self {
        self.1.def = Some(def.into());
        self
    }
    /// Sets the asset partition keys the output covers.
    pub fn asset_partition_keys<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        keys: I,
    ) -> Self {
        self.1.keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }
    /// Sets the asset partition range the output covers (resolved with the
    /// partitions definition).
    pub fn asset_partition_key_range(mut self, range: PartitionKeyRange) -> Self {
        self.1.range = Some(range);
        self
    }
    /// The context.
    pub fn build(self) -> OutputContext {
        let mut ctx = self.0;
        ctx.asset_partitions = self.1.resolve(ctx.partition_key.as_deref());
        ctx
    }
}

/// Starts an [`InputContext`] for a test.
///
/// ```
/// use larder::prelude::*;
/// let up = build_output_context().step_key("up").name("result").build();
/// let ctx = build_input_context().name("x").upstream_output(up).build();
/// assert_eq!(ctx.get_identifier().unwrap(), ["__EPHEMERAL_RUN_ID", "up", "result"]);
/// ```
pub fn build_input_context() -> InputContextBuilder {
    InputContextBuilder(
        InputContext {
            name: None,
            step_key: None,
            job_name: None,
            op_def: None,
            config: serde_json::Value::Null,
            definition_metadata: Arc::new(Metadata::new()),
            upstream_output: None,
            type_info: None,
            resource_config: Arc::new(serde_json::Value::Object(Default::default())),
            resources: Resources::new(),
            asset_key: None,
            input_metadata: Metadata::new(),
            observations: Vec::new(),
            log: Logger::default(),
            partition_key: None,
            asset_partitions: None,
        },
        PartitionSpec::default(),
    )
}

/// Builder for a test [`InputContext`].
#[derive(Debug)]
pub struct InputContextBuilder(InputContext, PartitionSpec);

impl InputContextBuilder {
    /// Sets the input name.
    pub fn name(mut self, s: &str) -> Self {
        self.0.name = Some(Arc::from(s));
        self
    }
    /// Sets the loading step's key.
    pub fn step_key(mut self, s: &str) -> Self {
        self.0.step_key = Some(Arc::from(s));
        self
    }
    /// Sets the job name.
    pub fn job_name(mut self, s: &str) -> Self {
        self.0.job_name = Some(Arc::from(s));
        self
    }
    /// Sets the op (`OpDefinition::info` gives it for a definition).
    pub fn op_def(mut self, op: OpInfo) -> Self {
        self.0.op_def = Some(Arc::new(op));
        self
    }
    /// Sets the per-input config.
    pub fn config(mut self, config: serde_json::Value) -> Self {
        self.0.config = config;
        self
    }
    /// Sets the input definition metadata.
    pub fn definition_metadata(mut self, metadata: Metadata) -> Self {
        self.0.definition_metadata = Arc::new(metadata);
        self
    }
    /// Sets the upstream output context. Its asset key becomes this input's
    /// asset key unless one is set.
    pub fn upstream_output(mut self, upstream: OutputContext) -> Self {
        if self.0.asset_key.is_none() {
            self.0.asset_key = upstream.asset_key.clone();
        }
        self.0.upstream_output = Some(Box::new(upstream));
        self
    }
    /// Sets the input's Rust type.
    pub fn type_info(mut self, info: &'static TypeInfo) -> Self {
        self.0.type_info = Some(info);
        self
    }
    /// Sets the resource config.
    pub fn resource_config(mut self, config: serde_json::Value) -> Self {
        self.0.resource_config = Arc::new(config);
        self
    }
    /// Sets the resources.
    pub fn resources(mut self, resources: Resources) -> Self {
        self.0.resources = resources;
        self
    }
    /// Sets the upstream asset key.
    pub fn asset_key(mut self, key: impl Into<AssetKey>) -> Self {
        self.0.asset_key = Some(key.into());
        self
    }
    /// Sets the run's partition key (and, unless set otherwise, the one
    /// upstream partition loaded).
    pub fn partition_key(mut self, key: &str) -> Self {
        self.0.partition_key = Some(Arc::from(key));
        self
    }
    /// Sets the upstream asset's partitions definition.
    pub fn asset_partitions_def(mut self, def: impl Into<PartitionsDefinition>) -> Self {
        self.1.def = Some(def.into());
        self
    }
    /// Sets the upstream partition keys loaded.
    pub fn asset_partition_keys<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        keys: I,
    ) -> Self {
        self.1.keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }
    /// Sets the upstream partition range loaded (resolved with the
    /// partitions definition).
    pub fn asset_partition_key_range(mut self, range: PartitionKeyRange) -> Self {
        self.1.range = Some(range);
        self
    }
    /// The context. Without partitions of its own, it takes the upstream
    /// output's.
    pub fn build(self) -> InputContext {
        let mut ctx = self.0;
        ctx.asset_partitions = self.1.resolve(ctx.partition_key.as_deref()).or_else(|| {
            ctx.upstream_output
                .as_ref()
                .and_then(|u| u.asset_partitions.clone())
        });
        ctx
    }
}
