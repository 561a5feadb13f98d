//! `build_asset_context()`: a [`StepIo`] for unit tests, so an asset or op
//! function can be called directly with fake resources, config and
//! partitions (Dagster's `build_asset_context` / `build_op_context`).

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use super::DEFAULT_OUTPUT;
use super::op::{OpDefinition, Out};
use super::step_io::StepIo;
use crate::error::{Error, Result};
use crate::io::context::AssetPartitions;
use crate::io::resources::Resources;
use crate::model::events::{EventLog, Logger};
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionKeyRange, PartitionsDefinition};

/// Starts a test context (Dagster's `build_asset_context`).
///
/// ```
/// use larder::prelude::*;
///
/// struct Client;
/// impl Client {
///     fn fetch(&self) -> Vec<i64> { vec![1, 2, 3] }
/// }
///
/// fn items(io: &mut StepIo, client: &Client) -> larder::Result<Vec<i64>> {
///     let items = client.fetch();
///     io.add_output_metadata(metadata! { larder::ROW_COUNT => items.len() })?;
///     io.log().info("fetched");
///     Ok(items)
/// }
///
/// let mut io = build_asset_context().resource("client", Client).build().unwrap();
/// let client: &Client = &Client;
/// assert_eq!(items(&mut io, client).unwrap(), [1, 2, 3]);
/// assert_eq!(io.output_metadata("result").unwrap()[larder::ROW_COUNT], MetadataValue::Int(3));
/// assert_eq!(io.logged(), [("info".to_owned(), "fetched".to_owned())]);
/// ```
pub fn build_asset_context() -> AssetContextBuilder {
    AssetContextBuilder {
        step_key: "test_asset".to_owned(),
        run_id: "test_run".to_owned(),
        config: serde_json::Value::Null,
        resources: Resources::new(),
        partitions_def: None,
        partition: None,
        outputs: Vec::new(),
    }
}

enum PartitionChoice {
    Key(String),
    Range(PartitionKeyRange),
    Keys(Vec<String>),
}

/// Builds a test [`StepIo`]; see [`build_asset_context`].
pub struct AssetContextBuilder {
    step_key: String,
    run_id: String,
    config: serde_json::Value,
    resources: Resources,
    partitions_def: Option<PartitionsDefinition>,
    partition: Option<PartitionChoice>,
    outputs: Vec<String>,
}

impl AssetContextBuilder {
    /// The step key (default `test_asset`), as errors and logs name it.
    pub fn step_key(mut self, key: impl Into<String>) -> Self {
        self.step_key = key.into();
        self
    }

    /// The run id (default `test_run`).
    pub fn run_id(mut self, id: impl Into<String>) -> Self {
        self.run_id = id.into();
        self
    }

    /// The step's config (`ops.<step>.config`), read by `config_as`.
    pub fn config(mut self, config: serde_json::Value) -> Self {
        self.config = config;
        self
    }

    /// Binds a resource (a fake client, a test manager) under `key`.
    pub fn resource<R: Any + Send + Sync>(mut self, key: impl Into<String>, value: R) -> Self {
        self.resources = self.resources.with(key, value);
        self
    }

    /// The asset's partitions definition: needed for time windows and
    /// key ranges, and checks that the partition keys exist.
    pub fn partitions_def(mut self, def: impl Into<PartitionsDefinition>) -> Self {
        self.partitions_def = Some(def.into());
        self
    }

    /// The one partition the step materializes.
    pub fn partition_key(mut self, key: impl Into<String>) -> Self {
        self.partition = Some(PartitionChoice::Key(key.into()));
        self
    }

    /// A range of partitions (requires `partitions_def`).
    pub fn partition_key_range(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.partition = Some(PartitionChoice::Range(PartitionKeyRange::new(
            start.into(),
            end.into(),
        )));
        self
    }

    /// These partitions, in order.
    pub fn partition_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.partition = Some(PartitionChoice::Keys(
            keys.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Names the step's outputs, for an op with several (default: one
    /// output, `result`).
    pub fn outputs<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.outputs = names.into_iter().map(Into::into).collect();
        self
    }

    /// The context. Fails when a partition key is not in the given
    /// partitions definition, or a range is given without one.
    pub fn build(self) -> Result<StepIo<'static>> {
        let def = self.partitions_def.map(Arc::new);
        let keys: Option<Vec<String>> = match (self.partition, &def) {
            (None, _) => None,
            (Some(PartitionChoice::Key(k)), _) => Some(vec![k]),
            (Some(PartitionChoice::Keys(k)), _) => Some(k),
            (Some(PartitionChoice::Range(r)), Some(d)) => {
                Some(d.keys_in_range(&r, jiff::Timestamp::now())?)
            }
            (Some(PartitionChoice::Range(r)), None) => {
                return Err(Error::context(format!(
                    "build_asset_context: the partition range {}...{} needs `partitions_def` to list its keys",
                    r.start, r.end
                )));
            }
        };
        if let (Some(d), Some(keys)) = (&def, &keys) {
            for k in keys {
                d.validate_key(k, jiff::Timestamp::now())?;
            }
        }
        let run_partition = match keys.as_deref() {
            Some([one]) => Some(Arc::from(one.as_str())),
            _ => None,
        };
        let partitions = keys.map(|keys| AssetPartitions {
            def: def.clone(),
            keys: Ok(Arc::from(keys)),
        });
        let outputs = if self.outputs.is_empty() {
            vec![DEFAULT_OUTPUT.to_owned()]
        } else {
            self.outputs
        };
        let mut op = OpDefinition::builder(self.step_key.clone());
        for name in &outputs {
            op = op.output(Out::new(name.clone(), crate::type_info!(())));
        }
        let op = op.compute(|_| Ok(()));
        let events = Arc::new(EventLog::default());
        let step_key: Arc<str> = Arc::from(self.step_key.as_str());
        Ok(StepIo {
            op: Arc::new(op),
            log: Logger::for_step(events.clone(), step_key.clone()),
            step_key,
            run_id: Arc::from(self.run_id.as_str()),
            inputs: Vec::new(),
            outputs: outputs.iter().map(|_| None).collect(),
            output_metadata: outputs.iter().map(|_| Metadata::new()).collect(),
            config: Arc::new(self.config),
            run_partition,
            partitions,
            resources: self.resources,
            events: Some(events),
            mapping_key: None,
            _call: PhantomData,
        })
    }
}
