//! Runs over selections: resolving an `AssetSelection` into the keys of a
//! run, running asset jobs, and the checks that go with them.

use super::plan::Plan;
use super::{RunOptions, RunResult};
use crate::definitions::{AssetJob, Definitions};
use crate::error::{Error, Result};
use crate::model::config::RunConfig;

impl Definitions {
    /// `options` with its `AssetSelection` (if any) resolved to keys.
    pub(crate) fn resolve_selection(&self, mut options: RunOptions) -> Result<RunOptions> {
        if let Some(selection) = &options.asset_selection {
            options.selection = Some(selection.resolve(&self.assets)?);
        }
        Ok(options)
    }

    /// A partition for a run with no partitioned asset would be ignored;
    /// say so instead (Dagster refuses it too).
    pub(crate) fn partition_needs_partitioned_asset(
        plan: &Plan,
        options: &RunOptions,
        problems: &mut Vec<String>,
    ) {
        let Some(partition) = &options.partition else {
            return;
        };
        if plan.steps.is_empty()
            || plan
                .steps
                .iter()
                .any(|s| s.asset.as_ref().is_some_and(|a| a.partitions_def.is_some()))
        {
            return;
        }
        problems.push(format!(
            "selection `{}` has no partitioned asset, but the run names partition{} `{}`; drop the partition, or select partitioned assets",
            describe_selection(options),
            if partition.to_range().is_single() { "" } else { "s" },
            display_partition(partition),
        ));
    }

    /// Runs an asset job: its selection, partitions and config, with the
    /// run's own partition and config taking precedence.
    pub(crate) fn run_asset_job(&self, job: &AssetJob, options: RunOptions) -> Result<RunResult> {
        let mut options = options.select(job.selection.clone());
        if options.partition.is_none() {
            options.partition = job.partition.clone();
        }
        options.run_config = merge_config(&job.config, &options.run_config)
            .map_err(|e| Error::msg(format!("asset job `{}`: run config: {e}", job.name)))?;
        self.run(options).map_err(|e| match e {
            Error::NotFound(m) => Error::NotFound(format!("asset job `{}`: {m}", job.name)),
            Error::InvalidDefinitions(ps) => Error::InvalidDefinitions(
                ps.into_iter()
                    .map(|p| format!("asset job `{}`: {p}", job.name))
                    .collect(),
            ),
            e => e,
        })
    }

    /// Asset jobs name selections that exist, and names no other job has.
    pub(crate) fn check_asset_jobs(&self, problems: &mut Vec<String>) {
        for (i, job) in self.asset_jobs.iter().enumerate() {
            match job.selection.resolve(&self.assets) {
                Err(e) => problems.push(format!("asset job `{}`: {e}", job.name)),
                Ok(keys) => {
                    let partitioned = self
                        .assets
                        .iter()
                        .any(|a| a.partitions_def.is_some() && keys.contains(&a.key));
                    if let (Some(p), false) = (&job.partition, partitioned) {
                        problems.push(format!(
                            "asset job `{}`: selection `{}` has no partitioned asset, but the job names partition{} `{}`; drop the partition, or select partitioned assets",
                            job.name,
                            job.selection,
                            if p.to_range().is_single() { "" } else { "s" },
                            display_partition(p)
                        ));
                    }
                }
            }
            let twice = self.jobs.iter().any(|j| j.name == job.name)
                || self.asset_jobs[..i].iter().any(|j| j.name == job.name);
            if twice {
                problems.push(format!(
                    "job name `{}` is used twice; job names must be unique",
                    job.name
                ));
            }
        }
    }
}

pub(crate) fn describe_selection(options: &RunOptions) -> String {
    match (&options.asset_selection, &options.selection) {
        (Some(s), _) => s.to_string(),
        (None, Some(keys)) => keys
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(","),
        (None, None) => "*".to_owned(),
    }
}

fn display_partition(p: &crate::model::partitions::PartitionSelection) -> String {
    let r = p.to_range();
    if r.is_single() {
        r.start
    } else {
        format!("{}...{}", r.start, r.end)
    }
}

/// `over` merged into `base`, objects key by key.
fn merge_config(base: &RunConfig, over: &RunConfig) -> Result<RunConfig> {
    fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
        match (base, over) {
            (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
                for (k, v) in o {
                    match b.get_mut(k) {
                        Some(slot) => merge(slot, v),
                        None => {
                            b.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            (b, o) => *b = o.clone(),
        }
    }
    let mut value = base.as_json().clone();
    if value.is_null() {
        return Ok(over.clone());
    }
    if over.as_json().is_null() {
        return Ok(base.clone());
    }
    merge(&mut value, over.as_json());
    RunConfig::from_json(value)
}
