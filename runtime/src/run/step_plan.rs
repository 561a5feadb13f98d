//! The step plan: what a process needs to execute one step of a run that
//! another process started. It names the run (id, parent), what the run
//! executes (a job, or a selection of assets), the partition or range, the
//! resolved run config, the instance's location and the step; the worker
//! builds the same `Plan` from the same `Definitions` and runs that step
//! through `RunState::run_step`, as the in-process executor does. Plain
//! serde data, so an executor that puts steps on other machines can send it
//! the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::asset_key::AssetKey;
use crate::model::events::Event;
use crate::model::partitions::{PartitionKeyRange, PartitionSelection};

/// The version of the step plan format; a worker refuses other versions.
pub const STEP_PLAN_VERSION: u32 = 1;

/// What a run executes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanTarget {
    /// Assets of the `Definitions` (`None`: all of them); the keys are the
    /// run's selection once resolved.
    Assets {
        /// The selected assets.
        selection: Option<Vec<AssetKey>>,
    },
    /// A job of the `Definitions`, by name.
    Job {
        /// The job's name.
        name: String,
    },
}

/// A partition or a range of partitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedPartition {
    /// One partition key.
    Key {
        /// The key.
        key: String,
    },
    /// `start..=end`.
    Range {
        /// The first key.
        start: String,
        /// The last key.
        end: String,
    },
}

impl PlannedPartition {
    pub(crate) fn from_selection(p: &PartitionSelection) -> Self {
        match p {
            PartitionSelection::Key(key) => PlannedPartition::Key { key: key.clone() },
            PartitionSelection::Range(r) => PlannedPartition::Range {
                start: r.start.clone(),
                end: r.end.clone(),
            },
        }
    }

    pub(crate) fn to_selection(&self) -> PartitionSelection {
        match self {
            PlannedPartition::Key { key } => PartitionSelection::Key(key.clone()),
            PlannedPartition::Range { start, end } => {
                PartitionSelection::Range(PartitionKeyRange::new(start, end))
            }
        }
    }
}

/// Where the run's instance lives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceLocation {
    /// Its home (`LARDER_HOME`), if any.
    pub home: Option<PathBuf>,
    /// Its storage directory.
    pub storage_dir: PathBuf,
}

/// One step of a run, for a process that did not start the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepPlan {
    /// [`STEP_PLAN_VERSION`].
    pub version: u32,
    /// The run.
    pub run_id: String,
    /// The run this one re-executes, if any.
    pub parent_run_id: Option<String>,
    /// What the run executes.
    pub target: PlanTarget,
    /// The step to execute.
    pub step_key: String,
    /// Whether the default `io_manager` is the in-memory one.
    pub in_memory: bool,
    /// The run's partition or range, if any.
    pub partition: Option<PlannedPartition>,
    /// The run's "now" (RFC 3339), which time partitions are resolved at.
    pub now: Option<String>,
    /// The run config, resolved.
    pub run_config: serde_json::Value,
    /// The instance.
    pub instance: InstanceLocation,
    /// How many upstream partitions one input loads at once.
    pub partition_load_concurrency: usize,
    /// The run's retry policy for steps without their own
    /// (`RunOptions::op_retry_policy`); the job's is planned again.
    #[serde(default)]
    pub op_retry_policy: Option<crate::model::retry::RetryPolicy>,
    /// The steps the run executes when it runs only some of them (a
    /// re-execution, a step selection); `None`: all.
    #[serde(default)]
    pub subset: Option<StepSubset>,
}

/// The steps of a run that executes only some of its plan's, and where the
/// others' outputs are read from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSubset {
    /// The keys of the steps that run.
    pub steps: Vec<String>,
    /// Step key → the run whose storage holds its outputs, for op steps
    /// that do not run (absent: this run's).
    pub loaded_from: BTreeMap<String, String>,
}

/// A line a worker writes to its parent: an event of the step, or why the
/// step could not be executed at all.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerMessage {
    /// An event, in the order the step produced it.
    Event(Box<Event>),
    /// The worker could not execute the step (bad plan, definitions that
    /// differ from the parent's, resources that failed to initialize).
    Error(String),
}

/// What starts each message line on the worker's stdout; anything before
/// it on a line (or on lines without it) is the step's own output.
pub const MESSAGE_MARKER: &str = "\u{1e}larder-step-message:";
