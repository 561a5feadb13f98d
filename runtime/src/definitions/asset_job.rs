//! Asset jobs: a named job over an asset selection, optionally fixed to
//! partitions and run config (Dagster's `define_asset_job`). Added with
//! `Definitions::asset_job`, or registered for `Definitions::discover` with
//! `larder::asset_job!`.

use super::selection::AssetSelection;
use crate::error::Result;
use crate::model::config::RunConfig;
use crate::model::partitions::{PartitionKeyRange, PartitionSelection};

/// A named job that materializes an asset selection.
#[derive(Clone, Debug)]
pub struct AssetJob {
    pub(crate) name: String,
    pub(crate) selection: AssetSelection,
    pub(crate) partition: Option<PartitionSelection>,
    pub(crate) config: RunConfig,
    pub(crate) description: Option<String>,
}

/// Dagster's `define_asset_job(name, selection)`, with the selection in
/// Dagster's syntax (`"group:core"`, `"+recommender*"`, `"a,b"`).
pub fn define_asset_job(name: impl Into<String>, selection: &str) -> Result<AssetJob> {
    let name = name.into();
    let selection = AssetSelection::parse(selection)
        .map_err(|e| crate::error::Error::msg(format!("asset job `{name}`: {e}")))?;
    Ok(AssetJob::new(name, selection))
}

impl AssetJob {
    /// A job named `name` materializing `selection`.
    pub fn new(name: impl Into<String>, selection: AssetSelection) -> Self {
        AssetJob {
            name: name.into(),
            selection,
            partition: None,
            config: RunConfig::new(),
            description: None,
        }
    }

    /// Runs materialize this partition of the partitioned assets.
    pub fn partition_key(mut self, key: impl Into<String>) -> Self {
        self.partition = Some(PartitionSelection::Key(key.into()));
        self
    }

    /// Runs materialize this range of partitions (`start..=end`) in one run.
    pub fn partition_range(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.partition = Some(PartitionSelection::Range(PartitionKeyRange::new(
            start, end,
        )));
        self
    }

    /// The job's run config (Dagster's `config=`); a run's own config is
    /// merged over it.
    pub fn config(mut self, config: RunConfig) -> Self {
        self.config = config;
        self
    }

    /// A description, shown by `list`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The job's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it materializes.
    pub fn selection(&self) -> &AssetSelection {
        &self.selection
    }

    /// The partitions its runs cover, if fixed.
    pub fn partition(&self) -> Option<&PartitionSelection> {
        self.partition.as_ref()
    }

    /// Its run config.
    pub fn get_config(&self) -> &RunConfig {
        &self.config
    }

    /// Its description.
    pub fn get_description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// What a function registered with `larder::asset_job!` may return.
#[doc(hidden)]
pub trait IntoAssetJob {
    fn into_asset_job(self) -> Result<AssetJob>;
}

impl IntoAssetJob for AssetJob {
    fn into_asset_job(self) -> Result<AssetJob> {
        Ok(self)
    }
}

impl IntoAssetJob for Result<AssetJob> {
    fn into_asset_job(self) -> Result<AssetJob> {
        self
    }
}

/// Registers an asset job for `Definitions::discover()`: name a function
/// returning an `AssetJob` (or `Result<AssetJob>`).
///
/// ```
/// fn core_job() -> larder::Result<larder::AssetJob> {
///     larder::define_asset_job("core_job", "group:core")
/// }
/// larder::asset_job!(core_job);
/// ```
#[macro_export]
macro_rules! asset_job {
    ($build:path) => {
        $crate::__private::inventory::submit! {
            $crate::__private::AssetJobRegistration {
                build: || $crate::__private::IntoAssetJob::into_asset_job($build()),
            }
        }
    };
}
