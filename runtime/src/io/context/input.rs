//! `InputContext`: what a manager knows when it loads an input.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::OpInfo;
use super::partitions::{AssetPartitions, PartitionSubject, PartitionView};
use super::{OutputContext, merge_metadata};
use crate::error::{Error, Result};
use crate::io::resources::Resources;
use crate::model::asset_key::AssetKey;
use crate::model::events::{Logger, UserEvent};
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionKeyRange, PartitionsDefinition, TimeWindow};
use crate::model::types::TypeInfo;

/// What a manager knows about the input it is loading (Dagster's
/// `InputContext`). Accessors that do not apply return an error saying why.
#[derive(Clone, Debug)]
pub struct InputContext {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) step_key: Option<Arc<str>>,
    pub(crate) job_name: Option<Arc<str>>,
    pub(crate) op_def: Option<Arc<OpInfo>>,
    pub(crate) config: serde_json::Value,
    pub(crate) definition_metadata: Arc<Metadata>,
    pub(crate) upstream_output: Option<Box<OutputContext>>,
    pub(crate) type_info: Option<&'static TypeInfo>,
    pub(crate) resource_config: Arc<serde_json::Value>,
    pub(crate) resources: Resources,
    pub(crate) asset_key: Option<AssetKey>,
    pub(crate) input_metadata: Metadata,
    pub(crate) observations: Vec<UserEvent>,
    pub(crate) log: Logger,
    pub(crate) partition_key: Option<Arc<str>>,
    pub(crate) asset_partitions: Option<AssetPartitions>,
}

/// What the executor knows of an input it loads.
pub(crate) struct InputParts {
    pub(crate) name: Arc<str>,
    pub(crate) step_key: Arc<str>,
    pub(crate) job_name: Arc<str>,
    pub(crate) op: Arc<OpInfo>,
    pub(crate) config: serde_json::Value,
    pub(crate) definition_metadata: Arc<Metadata>,
    pub(crate) asset_key: Option<AssetKey>,
    pub(crate) upstream: Option<OutputContext>,
    pub(crate) type_info: &'static TypeInfo,
    /// The manager's resource config and the resources it may use.
    pub(crate) manager: (Arc<serde_json::Value>, Resources),
    pub(crate) log: Logger,
    pub(crate) partition_key: Option<Arc<str>>,
    pub(crate) asset_partitions: Option<AssetPartitions>,
}

impl InputContext {
    /// The context of a step's input in this run. The asset key defaults
    /// to the upstream output's.
    pub(crate) fn for_step_input(p: InputParts) -> Self {
        let (resource_config, resources) = p.manager;
        InputContext {
            name: Some(p.name),
            step_key: Some(p.step_key),
            job_name: Some(p.job_name),
            op_def: Some(p.op),
            config: p.config,
            definition_metadata: p.definition_metadata,
            asset_key: p
                .asset_key
                .or_else(|| p.upstream.as_ref().and_then(|u| u.asset_key.clone())),
            upstream_output: p.upstream.map(Box::new),
            type_info: Some(p.type_info),
            resource_config,
            resources,
            input_metadata: Metadata::new(),
            observations: Vec::new(),
            log: p.log,
            partition_key: p.partition_key,
            asset_partitions: p.asset_partitions,
        }
    }
}

impl InputContext {
    fn describe(&self) -> String {
        match (&self.name, &self.step_key) {
            (Some(n), Some(s)) => format!("input `{n}` of step `{s}`"),
            (Some(n), None) => format!("input `{n}`"),
            (None, Some(s)) => format!("an input of step `{s}`"),
            (None, None) => "this input".to_owned(),
        }
    }

    fn missing(&self, member: &str) -> Error {
        Error::context(format!(
            "{member} was not provided when building the InputContext for {}",
            self.describe()
        ))
    }

    /// Whether the input has a name.
    pub fn has_input_name(&self) -> bool {
        self.name.is_some()
    }

    /// The input name.
    pub fn name(&self) -> Result<&str> {
        self.name.as_deref().ok_or_else(|| self.missing("name"))
    }

    /// The step loading the input.
    pub fn step_key(&self) -> Result<&str> {
        self.step_key
            .as_deref()
            .ok_or_else(|| self.missing("step_key"))
    }

    /// The job being run.
    pub fn job_name(&self) -> Result<&str> {
        self.job_name
            .as_deref()
            .ok_or_else(|| self.missing("job_name"))
    }

    /// The op loading the input.
    pub fn op_def(&self) -> Result<&OpInfo> {
        self.op_def.as_deref().ok_or_else(|| self.missing("op_def"))
    }

    /// Per-input config (`ops.<op>.inputs.<name>`); `null` when none.
    pub fn config(&self) -> &serde_json::Value {
        &self.config
    }

    /// Per-input config as `C`; errors name the field path.
    pub fn config_as<C: DeserializeOwned>(&self) -> Result<C> {
        let path = format!(
            "ops.{}.inputs.{}",
            self.step_key.as_deref().unwrap_or("?"),
            self.name.as_deref().unwrap_or("?")
        );
        crate::model::config::deserialize_at(&self.config, &path)
            .map_err(|e| Error::Config(vec![e]))
    }

    /// Metadata on the input's definition (`In` / `AssetIn`), not the
    /// upstream asset's (that is `upstream_output().definition_metadata()`).
    pub fn definition_metadata(&self) -> &Metadata {
        &self.definition_metadata
    }

    /// The context of the output this input comes from; `None` for a root
    /// input loaded by an input manager.
    pub fn upstream_output(&self) -> Option<&OutputContext> {
        self.upstream_output.as_deref()
    }

    /// The Rust type of the input.
    pub fn type_name(&self) -> Result<&'static str> {
        self.type_info
            .map(|t| t.name)
            .ok_or_else(|| self.missing("the input type"))
    }

    /// The manager's resource config.
    pub fn resource_config(&self) -> &serde_json::Value {
        &self.resource_config
    }

    /// The resources the manager requires.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// Whether the input is an asset.
    pub fn has_asset_key(&self) -> bool {
        self.asset_key.is_some()
    }

    /// The key of the upstream asset being loaded.
    pub fn asset_key(&self) -> Result<&AssetKey> {
        let key = self.asset_key.as_ref().ok_or_else(|| {
            Error::context(format!("no asset is associated with {}", self.describe()))
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

    /// The upstream output's identifier (see [`OutputContext::get_identifier`]).
    pub fn get_identifier(&self) -> Result<Vec<String>> {
        match &self.upstream_output {
            Some(up) => up.get_identifier(),
            None => Err(Error::context(format!(
                "{} has no upstream output, so it has no identifier",
                self.describe()
            ))),
        }
    }

    /// The upstream asset key's path, plus the partition key when the input
    /// is one asset partition.
    pub fn get_asset_identifier(&self) -> Result<Vec<String>> {
        let mut id = self.asset_key()?.path().to_vec();
        if self.asset_partitions.is_some() {
            id.push(self.asset_partition_key()?.to_owned());
        }
        Ok(id)
    }

    /// Adds metadata to the loaded-input event; for assets it is also
    /// recorded as an observation. Adding a key twice is an error.
    pub fn add_input_metadata(
        &mut self,
        metadata: Metadata,
        description: Option<&str>,
    ) -> Result<()> {
        merge_metadata(&mut self.input_metadata, metadata.clone())?;
        if let Some(asset_key) = &self.asset_key {
            let partition = self.single_asset_partition().map(str::to_owned);
            self.observations.push(UserEvent::AssetObservation {
                asset_key: asset_key.clone(),
                description: description.map(str::to_owned),
                metadata,
                partition,
            });
        }
        Ok(())
    }

    /// Metadata added while loading.
    pub fn input_metadata(&self) -> &Metadata {
        &self.input_metadata
    }

    /// Observations recorded by `add_input_metadata`.
    pub fn get_observations(&self) -> &[UserEvent] {
        &self.observations
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

    /// Whether the upstream asset is partitioned.
    pub fn has_asset_partitions(&self) -> bool {
        self.asset_partitions.is_some()
    }

    /// The one asset partition, if exactly one (for messages and events:
    /// cheap, no error built).
    pub(crate) fn single_asset_partition(&self) -> Option<&str> {
        self.asset_partitions.as_ref().and_then(|p| p.single_key())
    }

    /// The upstream partition key, when exactly one is loaded.
    pub fn asset_partition_key(&self) -> Result<&str> {
        self.partitions().asset_partition_key()
    }

    /// The upstream partition keys loaded, in partition order.
    pub fn asset_partition_keys(&self) -> Result<Vec<String>> {
        self.partitions()
            .keys("asset_partition_keys")
            .map(<[String]>::to_vec)
    }

    /// The first and last upstream partition keys loaded.
    pub fn asset_partition_key_range(&self) -> Result<PartitionKeyRange> {
        self.partitions().asset_partition_key_range()
    }

    /// The upstream asset's partitions definition.
    pub fn asset_partitions_def(&self) -> Result<&PartitionsDefinition> {
        self.partitions().asset_partitions_def()
    }

    /// The time window of the upstream partitions loaded.
    pub fn asset_partitions_time_window(&self) -> Result<TimeWindow> {
        self.partitions().asset_partitions_time_window()
    }

    pub(crate) fn narrowed_to(&self, key: &str) -> InputContext {
        let mut ctx = self.clone();
        ctx.asset_partitions = self.asset_partitions.as_ref().map(|a| a.only(key));
        if let Some(up) = &mut ctx.upstream_output {
            up.asset_partitions = up.asset_partitions.as_ref().map(|a| a.only(key));
        }
        ctx.input_metadata = Metadata::new();
        ctx.observations = Vec::new();
        ctx
    }
}

impl PartitionSubject for InputContext {
    fn partition_subject(&self) -> String {
        match &self.asset_key {
            Some(k) => format!("asset `{k}` (loaded by {})", self.describe()),
            None => self.describe(),
        }
    }
}
