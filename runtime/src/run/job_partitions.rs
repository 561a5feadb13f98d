//! Partitioned op jobs (Dagster's `@job(partitions_def=..)`): a run of
//! the job executes one partition, which every op step's contexts see.
//! The key is checked before launch, against the job's definition with
//! its current dynamic keys.

use std::sync::Arc;

use super::RunOptions;
use super::plan::Plan;
use crate::definitions::JobDefinition;
use crate::io::context::AssetPartitions;
use crate::model::instance::Instance;
use crate::model::partitions::PartitionSelection;

/// Gives every step of `plan` (the plan of `job`) the run's partition, or
/// says why the run's partition does not fit the job.
pub(crate) fn apply_job_partition(
    plan: &mut Plan,
    job: &JobDefinition,
    options: &RunOptions,
    problems: &mut Vec<String>,
) {
    let name = &job.name;
    let Some(def) = job.partitions_def.as_deref() else {
        if let Some(sel) = &options.partition {
            problems.push(format!(
                "job `{name}` is not partitioned, but the run asks for partition {}; give the job a partitions_def (#[job(partitions_def = ..)] or JobBuilder::partitions_def), or run it without a partition",
                describe(sel)
            ));
        }
        return;
    };
    let key = match &options.partition {
        None => {
            problems.push(format!(
                "job `{name}` is partitioned ({def}); choose the partition to run (RunOptions::partition_key, or --partition KEY)"
            ));
            return;
        }
        Some(PartitionSelection::Range(r)) => {
            problems.push(format!(
                "job `{name}` runs one partition at a time, but the run asks for the range `{}...{}`; run each partition (RunOptions::partition_key), or backfill them",
                r.start, r.end
            ));
            return;
        }
        Some(PartitionSelection::Key(k)) => k,
    };
    let def = if def.dynamic_names().is_empty() {
        def.clone()
    } else {
        let instance = match &options.instance {
            Some(i) => Ok(i.clone()),
            None => Instance::from_env(),
        };
        match instance.and_then(|i| i.resolve_dynamic(def)) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!("job `{name}`: {e}"));
                return;
            }
        }
    };
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    if let Err(e) = def.validate_key(key, now) {
        let hint = match def.partition_keys(now) {
            Ok(keys) if !e.to_string().contains("did you mean") => {
                crate::suggest::did_you_mean(key, keys.into_iter())
            }
            _ => String::new(),
        };
        problems.push(format!("job `{name}`: {e}{hint}"));
        return;
    }
    let def = Arc::new(def);
    let run_key: Arc<str> = Arc::from(key.as_str());
    for step in &mut plan.steps {
        step.run_partition = Some(run_key.clone());
        // The step context's `partition_key` and `partition_time_window`
        // read these; op outputs are not asset partitions (see step.rs).
        step.partitions = Some(AssetPartitions::new(def.clone(), vec![key.clone()]));
    }
}

fn describe(sel: &PartitionSelection) -> String {
    match sel {
        PartitionSelection::Key(k) => format!("`{k}`"),
        PartitionSelection::Range(r) => format!("range `{}...{}`", r.start, r.end),
    }
}
