//! `OutputContext`: what an IO manager knows when it stores an output.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::OpInfo;
use super::merge_metadata;
use super::partitions::{AssetPartitions, PartitionSubject, PartitionView};
use crate::error::{Error, Result};
use crate::io::resources::Resources;
use crate::model::asset_key::AssetKey;
use crate::model::events::{Logger, UserEvent};
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionKeyRange, PartitionsDefinition, TimeWindow};
use crate::model::types::TypeInfo;

/// What an IO manager knows about the output it is storing (Dagster's
/// `OutputContext`). Accessors that do not apply return an error saying
/// why; none panics.
#[derive(Clone, Debug)]
pub struct OutputContext {
    pub(crate) step_key: Option<Arc<str>>,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) job_name: Option<Arc<str>>,
    pub(crate) run_id: Option<Arc<str>>,
    pub(crate) mapping_key: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) config: serde_json::Value,
    pub(crate) definition_metadata: Arc<Metadata>,
    pub(crate) output_metadata: Metadata,
    pub(crate) resource_config: Arc<serde_json::Value>,
    pub(crate) resources: Resources,
    pub(crate) op_def: Option<Arc<OpInfo>>,
    pub(crate) asset_key: Option<AssetKey>,
    pub(crate) type_info: Option<&'static TypeInfo>,
    pub(crate) manager_key: Option<Arc<str>>,
    pub(crate) logged_events: Vec<UserEvent>,
    pub(crate) log: Logger,
    pub(crate) partition_key: Option<Arc<str>>,
    pub(crate) asset_partitions: Option<AssetPartitions>,
}

/// What the executor knows of an output it stores or reads back.
pub(crate) struct OutputParts {
    pub(crate) step_key: Arc<str>,
    pub(crate) name: Arc<str>,
    pub(crate) op: Arc<OpInfo>,
    pub(crate) version: Option<String>,
    pub(crate) definition_metadata: Arc<Metadata>,
    pub(crate) type_info: &'static TypeInfo,
    pub(crate) manager_key: Arc<str>,
    /// The manager's resource config and the resources it may use.
    pub(crate) manager: (Arc<serde_json::Value>, Resources),
    pub(crate) asset_key: Option<AssetKey>,
    pub(crate) log: Logger,
}

/// The run a step's output belongs to.
pub(crate) struct RunOfOutput {
    pub(crate) job_name: Arc<str>,
    pub(crate) run_id: Arc<str>,
    pub(crate) config: serde_json::Value,
    pub(crate) partition_key: Option<Arc<str>>,
    pub(crate) asset_partitions: Option<AssetPartitions>,
}

impl OutputContext {
    fn from_parts(p: OutputParts) -> Self {
        let (resource_config, resources) = p.manager;
        OutputContext {
            step_key: Some(p.step_key),
            name: Some(p.name),
            job_name: None,
            run_id: None,
            mapping_key: None,
            version: p.version,
            config: serde_json::Value::Null,
            definition_metadata: p.definition_metadata,
            output_metadata: Metadata::new(),
            resource_config,
            resources,
            op_def: Some(p.op),
            asset_key: p.asset_key,
            type_info: Some(p.type_info),
            manager_key: Some(p.manager_key),
            logged_events: Vec::new(),
            log: p.log,
            partition_key: None,
            asset_partitions: None,
        }
    }

    /// The context of a step's output in this run.
    pub(crate) fn for_run_output(parts: OutputParts, run: RunOfOutput) -> Self {
        OutputContext {
            job_name: Some(run.job_name),
            run_id: Some(run.run_id),
            config: run.config,
            partition_key: run.partition_key,
            asset_partitions: run.asset_partitions,
            ..OutputContext::from_parts(parts)
        }
    }

    /// The context of an asset an earlier run stored, read as an upstream:
    /// no run, no config, no partitions of its own.
    pub(crate) fn for_stored_asset(parts: OutputParts) -> Self {
        OutputContext::from_parts(parts)
    }

    /// This output as the value of one mapping key (a dynamic output),
    /// or unchanged.
    pub(crate) fn with_mapping_key(mut self, key: Option<Arc<str>>) -> Self {
        if let Some(k) = key {
            self.mapping_key = Some(k.to_string());
        }
        self
    }

    /// This upstream as the partitions a downstream input reads of it.
    pub(crate) fn with_asset_partitions(mut self, partitions: AssetPartitions) -> Self {
        self.asset_partitions = Some(partitions);
        self
    }
}

impl OutputContext {
    fn describe(&self) -> String {
        match (&self.name, &self.step_key) {
            (Some(n), Some(s)) => format!("output `{n}` of step `{s}`"),
            (Some(n), None) => format!("output `{n}`"),
            (None, Some(s)) => format!("an output of step `{s}`"),
            (None, None) => "this output".to_owned(),
        }
    }

    fn missing(&self, member: &str) -> Error {
        Error::context(format!(
            "{member} was not provided when building the OutputContext for {}",
            self.describe()
        ))
    }

    /// The step key (`op_a`, `one__two__asset1`).
    pub fn step_key(&self) -> Result<&str> {
        self.step_key
            .as_deref()
            .ok_or_else(|| self.missing("step_key"))
    }

    /// Whether the output has a name.
    pub fn has_output_name(&self) -> bool {
        self.name.is_some()
    }

    /// The output name (`result` by default).
    pub fn name(&self) -> Result<&str> {
        self.name.as_deref().ok_or_else(|| self.missing("name"))
    }

    /// The job (or asset job) being run.
    pub fn job_name(&self) -> Result<&str> {
        self.job_name
            .as_deref()
            .ok_or_else(|| self.missing("job_name"))
    }

    /// The run id. Absent on the upstream context of an asset that was not
    /// materialized in this run.
    pub fn run_id(&self) -> Result<&str> {
        self.run_id.as_deref().ok_or_else(|| {
            Error::context(format!(
                "{} has no run id: it was not produced in this run{}",
                self.describe(),
                self.asset_key
                    .as_ref()
                    .map(|k| format!(" (asset `{k}`)"))
                    .unwrap_or_default()
            ))
        })
    }

    /// The dynamic mapping key, if any.
    pub fn mapping_key(&self) -> Option<&str> {
        self.mapping_key.as_deref()
    }

    /// The output's version, if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Per-output config (`ops.<op>.outputs.<name>`); `null` when none.
    pub fn config(&self) -> &serde_json::Value {
        &self.config
    }

    /// Per-output config as `C`; errors name the field path.
    pub fn config_as<C: DeserializeOwned>(&self) -> Result<C> {
        let path = format!(
            "ops.{}.outputs.{}",
            self.step_key.as_deref().unwrap_or("?"),
            self.name.as_deref().unwrap_or("?")
        );
        crate::model::config::deserialize_at(&self.config, &path)
            .map_err(|e| Error::Config(vec![e]))
    }

    /// Metadata from the definition: the asset's metadata for assets, the
    /// `Out` metadata for ops.
    pub fn definition_metadata(&self) -> &Metadata {
        &self.definition_metadata
    }

    /// Metadata added while handling this output.
    pub fn output_metadata(&self) -> &Metadata {
        &self.output_metadata
    }

    /// The manager's resource config.
    pub fn resource_config(&self) -> &serde_json::Value {
        &self.resource_config
    }

    /// The resources the manager requires.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// The op (or asset's op) that produced the output.
    pub fn op_def(&self) -> Result<&OpInfo> {
        self.op_def.as_deref().ok_or_else(|| self.missing("op_def"))
    }

    /// The Rust type of the output (Dagster's `dagster_type`).
    pub fn type_name(&self) -> Result<&'static str> {
        self.type_info
            .map(|t| t.name)
            .ok_or_else(|| self.missing("the output type"))
    }

    /// The key of the manager handling this output.
    pub fn manager_key(&self) -> Option<&str> {
        self.manager_key.as_deref()
    }

    /// Whether the output is an asset.
    pub fn has_asset_key(&self) -> bool {
        self.asset_key.is_some()
    }

    /// The asset key, for asset outputs.
    pub fn asset_key(&self) -> Result<&AssetKey> {
        let key = self.asset_key.as_ref().ok_or_else(|| {
            Error::context(format!(
                "{} is not an asset output, so it has no asset key",
                self.describe()
            ))
        })?;
        // Contexts built by hand can carry any key; none reaches a manager
        // unless it can name an asset.
        key.check()?;
        Ok(key)
    }

    /// The logger.
    pub fn log(&self) -> &Logger {
        &self.log
    }

    /// Adds metadata to the handled-output and materialization events.
    /// Adding a key twice is an error.
    pub fn add_output_metadata(&mut self, metadata: Metadata) -> Result<()> {
        merge_metadata(&mut self.output_metadata, metadata)
    }

    /// The metadata added so far.
    pub fn get_logged_metadata(&self) -> &Metadata {
        &self.output_metadata
    }

    /// Logs an extra materialization or observation. Inside a run it is
    /// recorded at once, in order with the context's log lines.
    pub fn log_event(&mut self, event: UserEvent) {
        self.log.record(event.clone());
        self.logged_events.push(event);
    }

    /// The events logged so far.
    pub fn get_logged_events(&self) -> &[UserEvent] {
        &self.logged_events
    }

    /// `[run_id, step_key, name]` (+ mapping key), or
    /// `["versioned_outputs", version, step_key, name]` when versioned.
    pub fn get_identifier(&self) -> Result<Vec<String>> {
        let step = self.step_key()?.to_owned();
        let name = self.name()?.to_owned();
        if let Some(version) = &self.version {
            if self.mapping_key.is_some() {
                return Err(Error::context(format!(
                    "output `{name}` of step `{step}` has both a mapping key and a version; dynamic mapping is not supported with versioning"
                )));
            }
            return Ok(vec![
                "versioned_outputs".to_owned(),
                version.clone(),
                step,
                name,
            ]);
        }
        let mut id = vec![self.run_id()?.to_owned(), step, name];
        if let Some(m) = &self.mapping_key {
            id.push(m.clone());
        }
        Ok(id)
    }

    /// The asset key's path, plus the partition key when the output is one
    /// asset partition.
    pub fn get_asset_identifier(&self) -> Result<Vec<String>> {
        let mut id = self.asset_key()?.path().to_vec();
        if self.asset_partitions.is_some() {
            id.push(self.asset_partition_key()?.to_owned());
        }
        Ok(id)
    }

    fn partitions(&self) -> PartitionView<'_> {
        PartitionView {
            subject: self,
            run_key: self.partition_key.as_deref(),
            asset: self.asset_partitions.as_ref(),
        }
    }

    /// Whether the run has a partition key.
    pub fn has_partition_key(&self) -> bool {
        self.partition_key.is_some()
    }

    /// The run's partition key.
    pub fn partition_key(&self) -> Result<&str> {
        self.partitions().partition_key()
    }

    /// Whether the output is (part of) a partitioned asset.
    pub fn has_asset_partitions(&self) -> bool {
        self.asset_partitions.is_some()
    }

    /// The one asset partition, if exactly one (for messages and events:
    /// cheap, no error built).
    pub(crate) fn single_asset_partition(&self) -> Option<&str> {
        self.asset_partitions.as_ref().and_then(|p| p.single_key())
    }

    /// The output's partition key, when it writes exactly one partition.
    pub fn asset_partition_key(&self) -> Result<&str> {
        self.partitions().asset_partition_key()
    }

    /// The partition keys the output covers, in partition order.
    pub fn asset_partition_keys(&self) -> Result<Vec<String>> {
        self.partitions()
            .keys("asset_partition_keys")
            .map(<[String]>::to_vec)
    }

    /// The first and last partition keys the output covers.
    pub fn asset_partition_key_range(&self) -> Result<PartitionKeyRange> {
        self.partitions().asset_partition_key_range()
    }

    /// The asset's partitions definition.
    pub fn asset_partitions_def(&self) -> Result<&PartitionsDefinition> {
        self.partitions().asset_partitions_def()
    }

    /// The time window the output covers (time-partitioned assets).
    pub fn asset_partitions_time_window(&self) -> Result<TimeWindow> {
        self.partitions().asset_partitions_time_window()
    }

    pub(crate) fn narrowed_to(&self, key: &str) -> OutputContext {
        let mut ctx = self.clone();
        ctx.asset_partitions = self.asset_partitions.as_ref().map(|a| a.only(key));
        ctx.output_metadata = Metadata::new();
        ctx.logged_events = Vec::new();
        ctx
    }
}

impl PartitionSubject for OutputContext {
    fn partition_subject(&self) -> String {
        match &self.asset_key {
            Some(k) => format!("{} (asset `{k}`)", self.describe()),
            None => self.describe(),
        }
    }
}
