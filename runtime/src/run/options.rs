//! How to run: selection, run config, default manager, concurrency.

use crate::model::asset_key::AssetKey;
use crate::model::config::RunConfig;
use crate::model::instance::Instance;

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("selection", &self.selection)
            .field("in_memory", &self.in_memory)
            .field("max_concurrency", &self.max_concurrency)
            .field("executor", &self.executor)
            .finish_non_exhaustive()
    }
}

/// Options for one run.
#[derive(Clone, Default)]
pub struct RunOptions {
    pub(crate) listener: Option<crate::model::events::EventListener>,
    pub(crate) selection: Option<Vec<AssetKey>>,
    pub(crate) asset_selection: Option<crate::definitions::AssetSelection>,
    pub(crate) run_config: RunConfig,
    pub(crate) in_memory: Option<bool>,
    pub(crate) max_concurrency: Option<usize>,
    pub(crate) raise_on_error: Option<bool>,
    pub(crate) instance: Option<Instance>,
    pub(crate) run_id: Option<String>,
    pub(crate) capture_outputs: Option<bool>,
    pub(crate) partition: Option<crate::model::partitions::PartitionSelection>,
    pub(crate) now: Option<jiff::Timestamp>,
    pub(crate) partition_load_concurrency: Option<usize>,
    pub(crate) op_retry_policy: Option<crate::model::retry::RetryPolicy>,
    pub(crate) reexecution: Option<super::reexecute::ReexecutionOptions>,
    pub(crate) step_selection: Option<Vec<String>>,
    /// Whether `run_config` was set: a re-execution reuses its parent's
    /// otherwise.
    pub(crate) run_config_given: bool,
    pub(crate) executor: Option<crate::model::executor::Executor>,
    /// What the run executes, for step workers to plan it again.
    pub(crate) target: Option<super::step_plan::PlanTarget>,
    /// The steps that run when the plan was narrowed, for step workers to
    /// narrow theirs the same way.
    pub(crate) subset: Option<super::step_plan::StepSubset>,
}

impl RunOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where the steps execute: `Executor::in_process()` (the default) or
    /// `Executor::multiprocess()` (each step in a child process of this
    /// binary); overrides the job's.
    pub fn executor(mut self, executor: crate::model::executor::Executor) -> Self {
        self.executor = Some(executor);
        self
    }

    /// The retry policy of steps that have none of their own (Dagster's
    /// `op_retry_policy`); overrides the job's.
    pub fn op_retry_policy(mut self, policy: crate::model::retry::RetryPolicy) -> Self {
        self.op_retry_policy = Some(policy);
        self
    }

    /// Materializes only these assets (`a/b` strings or keys).
    pub fn selection<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<AssetKey>,
    {
        self.selection = Some(keys.into_iter().map(Into::into).collect());
        self.asset_selection = None;
        self
    }

    /// Materializes what `selection` selects (Dagster's selection:
    /// `AssetSelection::parse("+recommender*")?`), resolved when the run
    /// starts; replaces `selection`.
    pub fn select(mut self, selection: crate::definitions::AssetSelection) -> Self {
        self.asset_selection = Some(selection);
        self.selection = None;
        self
    }

    /// The run config.
    pub fn run_config(mut self, config: RunConfig) -> Self {
        self.run_config = config;
        self.run_config_given = true;
        self
    }

    /// Re-executes run `parent_run_id` (Dagster's
    /// `ReexecutionOptions(parent_run_id)`): every step, or those
    /// [`step_selection`](Self::step_selection) names; the others' outputs
    /// are loaded from the runs that stored them. The parent's run config
    /// is reused unless [`run_config`](Self::run_config) is set.
    pub fn reexecute(self, parent_run_id: impl Into<String>) -> Self {
        self.reexecution(super::reexecute::ReexecutionOptions::new(parent_run_id))
    }

    /// Re-executes as `options` say (e.g.
    /// `ReexecutionOptions::from_failure(run_id)`).
    pub fn reexecution(mut self, options: super::reexecute::ReexecutionOptions) -> Self {
        self.reexecution = Some(options);
        self
    }

    /// Runs only these steps, in Dagster's syntax (`op_b`, `*op_b`,
    /// `op_b+`, `plus_two*`, comma-separated or several). In a
    /// re-execution, the others are loaded from the parent; in a fresh run,
    /// from where their managers keep this run's outputs (custom paths,
    /// assets).
    pub fn step_selection<I, S>(mut self, clauses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.step_selection = Some(clauses.into_iter().map(Into::into).collect());
        self
    }

    /// Binds the in-memory manager as the default `io_manager` instead of
    /// the filesystem one.
    pub fn in_memory(mut self) -> Self {
        self.in_memory = Some(true);
        self
    }

    /// Binds the filesystem manager as the default `io_manager`.
    pub fn on_disk(mut self) -> Self {
        self.in_memory = Some(false);
        self
    }

    /// At most `n` steps at once (default: the machine's parallelism).
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = Some(n.max(1));
        self
    }

    /// With `false`, a failed run is returned as a `RunResult` instead of an
    /// error (Dagster's `raise_on_error=False`).
    pub fn raise_on_error(mut self, raise: bool) -> Self {
        self.raise_on_error = Some(raise);
        self
    }

    /// The instance (storage directory) to use instead of the environment's.
    pub fn instance(mut self, instance: Instance) -> Self {
        self.instance = Some(instance);
        self
    }

    /// Uses this run id instead of a fresh one.
    pub fn run_id(mut self, run_id: impl Into<String>) -> Self {
        self.run_id = Some(run_id.into());
        self
    }

    /// Materializes one partition of the partitioned assets.
    pub fn partition_key(mut self, key: impl Into<String>) -> Self {
        self.partition = Some(crate::model::partitions::PartitionSelection::Key(
            key.into(),
        ));
        self
    }

    /// Materializes a range of partitions in one run (`start..=end`).
    pub fn partition_range(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.partition = Some(crate::model::partitions::PartitionSelection::Range(
            crate::model::partitions::PartitionKeyRange::new(start, end),
        ));
        self
    }

    /// The time the run considers "now" for time partitions (default: the
    /// clock when the run starts).
    pub fn now(mut self, now: jiff::Timestamp) -> Self {
        self.now = Some(now);
        self
    }

    /// How many upstream partitions one input loads at once (default 8).
    pub fn partition_load_concurrency(mut self, n: usize) -> Self {
        self.partition_load_concurrency = Some(n.max(1));
        self
    }

    /// Calls `listener` with each event as it happens.
    pub fn on_event(
        mut self,
        listener: impl Fn(&crate::model::events::Event) + Send + Sync + 'static,
    ) -> Self {
        self.listener = Some(std::sync::Arc::new(listener));
        self
    }

    /// Whether the result keeps each output's value (default: yes).
    pub fn capture_outputs(mut self, capture: bool) -> Self {
        self.capture_outputs = Some(capture);
        self
    }
}
