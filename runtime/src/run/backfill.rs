//! Backfills: one run per partition over a key range or list (Dagster's
//! "multiple runs" backfill), a bounded number at once, resumable: a
//! partition whose selected assets are all materialized in the history is
//! skipped unless forced.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::RunOptions;
use super::history::SharedHistory;
use crate::definitions::{AssetSelection, Definitions};
use crate::error::{Error, Result};
use crate::model::asset_key::AssetKey;
use crate::model::config::RunConfig;
use crate::model::instance::Instance;
use crate::model::partitions::{PartitionKeyRange, PartitionsDefinition};

/// Which partitions a backfill covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackfillPartitions {
    /// Every partition of the definition.
    All,
    /// `start..=end`.
    Range(PartitionKeyRange),
    /// These keys.
    Keys(Vec<String>),
}

type OnPartition = Arc<dyn Fn(&PartitionRun) + Send + Sync>;
type OnRun = Arc<dyn Fn(RunOptions) -> RunOptions + Send + Sync>;

/// What a backfill runs, and how.
#[derive(Clone)]
pub struct BackfillOptions {
    pub(crate) selection: AssetSelection,
    pub(crate) partitions: BackfillPartitions,
    pub(crate) max_concurrent: usize,
    pub(crate) force: bool,
    pub(crate) run_config: RunConfig,
    pub(crate) instance: Option<Instance>,
    pub(crate) now: Option<jiff::Timestamp>,
    pub(crate) in_memory: bool,
    pub(crate) on_partition: Option<OnPartition>,
    pub(crate) on_start: Option<Arc<dyn Fn(usize) + Send + Sync>>,
    pub(crate) on_run: Option<OnRun>,
}

impl std::fmt::Debug for BackfillOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackfillOptions")
            .field("selection", &self.selection)
            .field("partitions", &self.partitions)
            .field("max_concurrent", &self.max_concurrent)
            .field("force", &self.force)
            .finish_non_exhaustive()
    }
}

impl BackfillOptions {
    /// Backfills every partition of `selection` (narrow it with
    /// `partition_range` or `partitions`).
    pub fn new(selection: AssetSelection) -> Self {
        BackfillOptions {
            selection,
            partitions: BackfillPartitions::All,
            max_concurrent: 1,
            force: false,
            run_config: RunConfig::new(),
            instance: None,
            now: None,
            in_memory: false,
            on_partition: None,
            on_start: None,
            on_run: None,
        }
    }

    /// The partitions `start..=end`.
    pub fn partition_range(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.partitions = BackfillPartitions::Range(PartitionKeyRange::new(start, end));
        self
    }

    /// These partitions.
    pub fn partitions<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.partitions = BackfillPartitions::Keys(keys.into_iter().map(Into::into).collect());
        self
    }

    /// At most `n` partition runs at once (default 1).
    pub fn max_concurrent(mut self, n: usize) -> Self {
        self.max_concurrent = n.max(1);
        self
    }

    /// Runs partitions the history shows materialized too.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// The run config of every run.
    pub fn run_config(mut self, config: RunConfig) -> Self {
        self.run_config = config;
        self
    }

    /// The instance (storage directory and history) instead of the
    /// environment's.
    pub fn instance(mut self, instance: Instance) -> Self {
        self.instance = Some(instance);
        self
    }

    /// The time the backfill considers "now" for time partitions.
    pub fn now(mut self, now: jiff::Timestamp) -> Self {
        self.now = Some(now);
        self
    }

    /// The in-memory manager as default `io_manager` (nothing persists,
    /// so nothing is skipped on a re-run either).
    pub fn in_memory(mut self) -> Self {
        self.in_memory = true;
        self
    }

    /// Calls `f` as each partition finishes (or is skipped), e.g. for a
    /// progress bar.
    pub fn on_partition(mut self, f: impl Fn(&PartitionRun) + Send + Sync + 'static) -> Self {
        self.on_partition = Some(Arc::new(f));
        self
    }

    /// Calls `f` with the number of partitions before the first runs.
    pub fn on_start(mut self, f: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.on_start = Some(Arc::new(f));
        self
    }

    /// Adjusts the options of each partition's run (an event listener,
    /// concurrency inside the run).
    pub fn configure_runs(
        mut self,
        f: impl Fn(RunOptions) -> RunOptions + Send + Sync + 'static,
    ) -> Self {
        self.on_run = Some(Arc::new(f));
        self
    }
}

/// How one partition's run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionOutcome {
    /// Every step succeeded.
    Succeeded {
        /// The run.
        run_id: String,
    },
    /// The run failed, or could not start.
    Failed {
        /// The run, when it started.
        run_id: Option<String>,
        /// Why, in one line per failed step.
        error: String,
    },
    /// Already materialized; not run.
    Skipped,
}

/// One partition of a backfill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionRun {
    /// The partition key.
    pub partition: String,
    /// How it ended.
    pub outcome: PartitionOutcome,
}

/// What a backfill did, partition by partition, in partition order.
#[derive(Clone, Debug)]
pub struct BackfillResult {
    /// The assets it covered.
    pub assets: Vec<AssetKey>,
    /// Each partition, in the definition's order.
    pub partitions: Vec<PartitionRun>,
}

impl BackfillResult {
    /// Partitions whose run succeeded.
    pub fn succeeded(&self) -> impl Iterator<Item = &PartitionRun> {
        self.partitions
            .iter()
            .filter(|p| matches!(p.outcome, PartitionOutcome::Succeeded { .. }))
    }

    /// Partitions whose run failed.
    pub fn failed(&self) -> impl Iterator<Item = &PartitionRun> {
        self.partitions
            .iter()
            .filter(|p| matches!(p.outcome, PartitionOutcome::Failed { .. }))
    }

    /// Partitions skipped as already materialized.
    pub fn skipped(&self) -> impl Iterator<Item = &PartitionRun> {
        self.partitions
            .iter()
            .filter(|p| p.outcome == PartitionOutcome::Skipped)
    }

    /// Whether no partition failed.
    pub fn success(&self) -> bool {
        self.failed().next().is_none()
    }

    /// "24 partitions: 20 succeeded, 2 failed, 2 skipped", then the failed
    /// partitions as ranges and their first errors.
    pub fn summary(&self) -> String {
        let (ok, failed, skipped) = (
            self.succeeded().count(),
            self.failed().count(),
            self.skipped().count(),
        );
        let mut text = format!(
            "backfill of {} partition{}: {ok} succeeded, {failed} failed, {skipped} skipped",
            self.partitions.len(),
            if self.partitions.len() == 1 { "" } else { "s" },
        );
        if failed > 0 {
            let failures: Vec<(usize, &str, String)> = self
                .partitions
                .iter()
                .enumerate()
                .filter_map(|(i, p)| match &p.outcome {
                    PartitionOutcome::Failed { error, .. } => {
                        Some((i, p.partition.as_str(), format!("{}: {error}", p.partition)))
                    }
                    _ => None,
                })
                .collect();
            text.push('\n');
            text.push_str(&super::ranges::partition_failures(
                "failed",
                self.partitions.len(),
                &failures,
                true,
            ));
        }
        text
    }
}

impl Definitions {
    /// Runs one run per partition of the selected (partitioned) assets,
    /// `max_concurrent` at once; partitions already materialized are
    /// skipped unless `force`. A failed partition does not stop the others;
    /// the result says which failed. Errors only when nothing can run: the
    /// selection does not resolve, selects no partitioned asset, mixes
    /// partitions definitions, or names partitions the definition lacks.
    pub fn backfill(&self, options: BackfillOptions) -> Result<BackfillResult> {
        let assets = options.selection.resolve(&self.assets)?;
        let selection = options.selection.to_string();
        let mut def: Option<(&AssetKey, &PartitionsDefinition)> = None;
        let mut unpartitioned = Vec::new();
        for key in &assets {
            let Some(asset) = self.assets.iter().find(|a| &a.key == key) else {
                continue;
            };
            match (&asset.partitions_def, def) {
                (None, _) => unpartitioned.push(key.to_string()),
                (Some(d), None) => def = Some((key, d)),
                (Some(d), Some((first, first_def))) if **d != *first_def => {
                    return Err(Error::msg(format!(
                        "backfill of `{selection}`: assets `{first}` ({first_def}) and `{key}` ({d}) have different partitions; backfill them separately"
                    )));
                }
                _ => {}
            }
        }
        let Some((_, def)) = def else {
            return Err(Error::msg(format!(
                "backfill of `{selection}`: the selection has no partitioned asset; materialize it instead"
            )));
        };
        if !unpartitioned.is_empty() {
            return Err(Error::msg(format!(
                "backfill of `{selection}`: {} not partitioned ({}); a backfill runs partitioned assets only, so select those and materialize the others separately",
                if unpartitioned.len() == 1 {
                    "an asset is"
                } else {
                    "assets are"
                },
                unpartitioned.join(", ")
            )));
        }
        let now = options.now.unwrap_or_else(jiff::Timestamp::now);
        // Dynamic partitions: the keys the instance holds now.
        let resolved;
        let def = if def.dynamic_names().is_empty() {
            def
        } else {
            let instance = match &options.instance {
                Some(i) => i.clone(),
                None => Instance::from_env()?,
            };
            resolved = instance
                .resolve_dynamic(def)
                .map_err(|e| Error::msg(format!("backfill of `{selection}`: {e}")))?;
            &resolved
        };
        let keys = match &options.partitions {
            BackfillPartitions::All => def.partition_keys(now)?,
            BackfillPartitions::Range(r) => def
                .keys_in_range(r, now)
                .map_err(|e| Error::msg(format!("backfill of `{selection}`: {e}")))?,
            BackfillPartitions::Keys(keys) => {
                let unknown: Vec<&str> = keys
                    .iter()
                    .filter(|k| !def.has_partition_key(k, now))
                    .map(String::as_str)
                    .collect();
                if !unknown.is_empty() {
                    let shown: Vec<&str> = unknown.iter().take(10).copied().collect();
                    return Err(Error::msg(format!(
                        "backfill of `{selection}`: {} of the partitions {} not in {def}: {}{}",
                        unknown.len(),
                        if unknown.len() == 1 { "is" } else { "are" },
                        shown.join(", "),
                        if unknown.len() > 10 {
                            format!(", and {} more", unknown.len() - 10)
                        } else {
                            String::new()
                        }
                    )));
                }
                keys.clone()
            }
        };
        let instance = match (&options.instance, options.in_memory) {
            (Some(i), _) => Some(i.clone()),
            (None, false) => Some(Instance::from_env()?),
            (None, true) => None,
        };
        let history: Option<SharedHistory> = match &instance {
            Some(i) => i.history()?,
            None => None,
        };
        let done = match (&history, options.force) {
            (Some(h), false) => {
                let mut done: Option<std::collections::HashSet<String>> = None;
                for key in &assets {
                    let m = h.partition_status(key)?.materialized;
                    done = Some(match done {
                        None => m,
                        Some(d) => d.intersection(&m).cloned().collect(),
                    });
                }
                done.unwrap_or_default()
            }
            _ => Default::default(),
        };

        let slots: Vec<Mutex<Option<PartitionOutcome>>> =
            keys.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let run_one = |key: &str| -> PartitionOutcome {
            if done.contains(key) {
                return PartitionOutcome::Skipped;
            }
            let mut run = RunOptions::new()
                .selection(assets.iter().cloned())
                .partition_key(key)
                .run_config(options.run_config.clone())
                .raise_on_error(false)
                .now(now)
                .capture_outputs(false);
            run = if options.in_memory {
                run.in_memory()
            } else {
                run.on_disk()
            };
            if let Some(i) = &instance {
                run = run.instance(i.clone());
            }
            if let Some(f) = &options.on_run {
                run = f(run);
            }
            let outcome = match self.run(run) {
                Ok(r) if r.success() => PartitionOutcome::Succeeded {
                    run_id: r.run_id().to_owned(),
                },
                Ok(r) => PartitionOutcome::Failed {
                    run_id: Some(r.run_id().to_owned()),
                    error: r.failure_lines().join("; "),
                },
                Err(e) => PartitionOutcome::Failed {
                    run_id: None,
                    error: e.to_string().lines().next().unwrap_or_default().to_owned(),
                },
            };
            if let (Some(h), PartitionOutcome::Failed { run_id, error }) = (&history, &outcome) {
                // A history that cannot record leaves the partition missing
                // instead of failed; the outcome itself is still returned.
                let _ = h.record_partition_failure(
                    run_id.as_deref().unwrap_or("-"),
                    &assets,
                    key,
                    error,
                );
            }
            outcome
        };
        if let Some(f) = &options.on_start {
            crate::guard::guarded(|| {
                f(keys.len());
                Ok(())
            })
            .map_err(|e| Error::msg(format!("backfill of `{selection}`: on_start: {e}")))?;
        }
        let workers = options.max_concurrent.min(keys.len()).max(1);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(key) = keys.get(i) else { break };
                        // A panic in `configure_runs` fails this partition only.
                        let outcome =
                            crate::guard::guarded(|| Ok(run_one(key))).unwrap_or_else(|e| {
                                PartitionOutcome::Failed {
                                    run_id: None,
                                    error: e.to_string(),
                                }
                            });
                        if let Some(f) = &options.on_partition {
                            // A progress callback that panics loses its own
                            // update, not the backfill.
                            let _ = crate::guard::guarded(|| {
                                f(&PartitionRun {
                                    partition: key.clone(),
                                    outcome: outcome.clone(),
                                });
                                Ok(())
                            });
                        }
                        if let Ok(mut slot) = slots[i].lock() {
                            *slot = Some(outcome);
                        }
                    }
                });
            }
        });
        let partitions = keys
            .into_iter()
            .zip(slots)
            .map(|(partition, slot)| PartitionRun {
                partition,
                outcome: slot.into_inner().ok().flatten().unwrap_or_else(|| {
                    PartitionOutcome::Failed {
                        run_id: None,
                        error: "the partition's run did not finish".to_owned(),
                    }
                }),
            })
            .collect();
        Ok(BackfillResult { assets, partitions })
    }
}
