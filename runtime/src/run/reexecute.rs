//! Re-execution (Dagster's `ReexecutionOptions`): run some steps of a
//! parent run again, loading what the others stored from the run that
//! produced it; and step subsets of a fresh run (`step_selection`).

use std::collections::HashMap;
use std::sync::Arc;

use super::history::{RunLaunch, RunSummary, SharedHistory};
use super::options::RunOptions;
use super::plan::{InputSource, Plan};
use super::step_plan::StepSubset;
use super::step_selection::{select_steps, with_downstream};
use crate::error::{Error, Result};
use crate::model::config::RunConfig;
use crate::model::instance::Instance;
use crate::model::partitions::PartitionSelection;

/// Which run to re-execute, and which of its steps (Dagster's
/// `ReexecutionOptions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReexecutionOptions {
    pub(crate) parent_run_id: String,
    pub(crate) step_selection: Vec<String>,
    pub(crate) from_failure: bool,
}

impl ReexecutionOptions {
    /// Re-executes every step of `parent_run_id` (narrow it with
    /// [`step_selection`](Self::step_selection)).
    pub fn new(parent_run_id: impl Into<String>) -> Self {
        ReexecutionOptions {
            parent_run_id: parent_run_id.into(),
            step_selection: Vec::new(),
            from_failure: false,
        }
    }

    /// Re-executes the steps of failed run `run_id` that did not succeed
    /// (failed or skipped) and everything downstream of them.
    pub fn from_failure(run_id: impl Into<String>) -> Self {
        ReexecutionOptions {
            from_failure: true,
            ..Self::new(run_id)
        }
    }

    /// Runs only these steps, in Dagster's syntax: `op_b`, `*op_b`
    /// (with its ancestors), `op_b+` (and its children), `plus_two*`.
    pub fn step_selection<I, S>(mut self, clauses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.step_selection = clauses.into_iter().map(Into::into).collect();
        self
    }

    /// The run re-executed.
    pub fn parent_run_id(&self) -> &str {
        &self.parent_run_id
    }
}

/// A re-execution's parent, resolved before the plan is built.
pub(crate) struct Parent {
    pub(crate) summary: RunSummary,
    history: SharedHistory,
}

fn history_of(instance: &Instance, run_id: &str) -> Result<SharedHistory> {
    instance.history()?.ok_or_else(|| {
        Error::msg(format!(
            "cannot re-execute run `{run_id}`: the instance (storage {}) keeps no run history; use an instance with a home (LARDER_HOME or Instance::at)",
            instance.storage_directory().display()
        ))
    })
}

/// Resolves the parent of a re-execution: the instance is fixed, and the
/// parent's run config and partitions are reused unless `options` sets
/// its own (Dagster's `execute_job`).
pub(crate) fn resolve_parent(options: &mut RunOptions, job_name: &str) -> Result<Option<Parent>> {
    let Some(re) = options.reexecution.clone() else {
        return Ok(None);
    };
    let instance = match &options.instance {
        Some(i) => i.clone(),
        None => Instance::from_env()?,
    };
    options.instance = Some(instance.clone());
    let history = history_of(&instance, &re.parent_run_id)?;
    let summary = history.run(&re.parent_run_id)?.ok_or_else(|| {
        Error::NotFound(format!(
            "run `{}`, set as the parent run, was not found in the run history of {}",
            re.parent_run_id,
            instance.storage_directory().display()
        ))
    })?;
    if summary.job_name != job_name {
        return Err(Error::msg(format!(
            "cannot re-execute run `{}` as job `{job_name}`: it is a run of `{}`",
            summary.run_id, summary.job_name
        )));
    }
    if re.from_failure && summary.success() {
        return Err(Error::msg(format!(
            "cannot re-execute run `{}` from failure: it did not fail (status {})",
            summary.run_id, summary.status
        )));
    }
    if !options.run_config_given
        && let Some(config) = &summary.launch.run_config
    {
        options.run_config = RunConfig::from_json(config.clone()).map_err(|e| {
            Error::msg(format!(
                "run `{}`: its recorded run config: {e}",
                summary.run_id
            ))
        })?;
    }
    // An asset run re-executes over its parent's assets (Dagster passes
    // the parent's `asset_selection` on).
    if options.selection.is_none()
        && options.asset_selection.is_none()
        && let Some(sel) = &summary.launch.selection
    {
        options.asset_selection =
            Some(crate::definitions::AssetSelection::parse(sel).map_err(|e| {
                Error::msg(format!(
                    "run `{}`: its recorded selection `{sel}`: {e}",
                    summary.run_id
                ))
            })?);
    }
    if options.partition.is_none()
        && let Some(p) = &summary.launch.partitions
    {
        options.partition = Some(match p.split_once("...") {
            Some((a, b)) => {
                PartitionSelection::Range(crate::model::partitions::PartitionKeyRange::new(a, b))
            }
            None => PartitionSelection::Key(p.clone()),
        });
    }
    Ok(Some(Parent { summary, history }))
}

/// The plan narrowed to the steps this run executes, and what the history
/// records of its launch. Refuses a partial re-execution that would load
/// from a manager whose values did not outlive the parent.
pub(crate) fn narrow(
    plan: Plan,
    options: &RunOptions,
    parent: Option<&Parent>,
) -> Result<(Plan, RunLaunch)> {
    let mut launch = RunLaunch {
        run_config: Some(options.run_config.as_json().clone()),
        partitions: options.partition.as_ref().map(|p| match p {
            PartitionSelection::Key(k) => k.clone(),
            PartitionSelection::Range(r) => format!("{}...{}", r.start, r.end),
        }),
        selection: options
            .asset_selection
            .as_ref()
            .map(|s| s.to_string())
            .or_else(|| {
                options.selection.as_ref().map(|keys| {
                    keys.iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                })
            }),
        ..RunLaunch::default()
    };
    let clauses: Vec<String> = match (&options.step_selection, &options.reexecution) {
        (Some(s), _) => s.clone(),
        (None, Some(re)) => re.step_selection.clone(),
        (None, None) => Vec::new(),
    };
    let Some(parent) = parent else {
        if clauses.is_empty() {
            return Ok((plan, launch));
        }
        // A step subset of a fresh run: what the others stored is loaded
        // as this run's (custom paths, assets).
        let keep = select_steps(&plan, &clauses)?;
        launch.step_selection = Some(clauses.join(","));
        return Ok((plan.subset(&keep, &|_| None), launch));
    };
    let p = &parent.summary;
    launch.parent_run_id = Some(p.run_id.clone());
    launch.root_run_id = Some(p.launch.root_run_id.clone().unwrap_or(p.run_id.clone()));
    // Per step key: the nearest run of the chain where it succeeded, the
    // run whose storage holds its outputs.
    let latest = latest_outcomes(&parent.history, &p.run_id)?;
    let produced: HashMap<String, Arc<str>> = latest
        .iter()
        .filter(|(_, (_, ok))| *ok)
        .map(|(k, (run, _))| (k.clone(), run.clone()))
        .collect();
    let keep = if options
        .reexecution
        .as_ref()
        .is_some_and(|r| r.from_failure && options.step_selection.is_none())
    {
        let mut keep: Vec<bool> = plan
            .steps
            .iter()
            .map(|s| !produced.contains_key(&*s.key))
            .collect();
        with_downstream(&plan, &mut keep);
        let keys: Vec<&str> = plan
            .steps
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(s, _)| &*s.key)
            .collect();
        launch.step_selection = Some(keys.join(","));
        keep
    } else {
        if !clauses.is_empty() {
            launch.step_selection = Some(clauses.join(","));
        }
        select_steps(&plan, &clauses)?
    };
    let partial = keep.iter().any(|k| !k);
    // A step no run of the chain completed is loaded as the parent's
    // output: Dagster lets it through too (`_get_source_run_id_from_logs`
    // finds no run), for managers with fixed paths; a run-scoped one
    // fails the load, naming the path.
    let parent_id: Arc<str> = Arc::from(p.run_id.as_str());
    let plan = plan.subset(&keep, &|key| {
        Some(
            produced
                .get(key)
                .cloned()
                .unwrap_or_else(|| parent_id.clone()),
        )
    });
    if partial {
        refuse_unloadable(&plan, p)?;
    }
    Ok((plan, launch))
}

/// What a narrowed plan runs, for a step worker to narrow the whole plan
/// it builds the same way (`apply_subset`).
pub(crate) fn subset_of(plan: &Plan) -> StepSubset {
    let mut subset = StepSubset::default();
    for step in &plan.steps {
        subset.steps.push(step.key.to_string());
        for source in &step.inputs {
            if let InputSource::External {
                step: up,
                run_id: Some(run),
                ..
            } = source
            {
                subset
                    .loaded_from
                    .insert(up.key.to_string(), run.to_string());
            }
        }
    }
    subset
}

/// `plan` narrowed as `subset` says.
pub(crate) fn apply_subset(plan: Plan, subset: &StepSubset) -> Plan {
    let keep: Vec<bool> = plan
        .steps
        .iter()
        .map(|s| subset.steps.iter().any(|k| **k == *s.key))
        .collect();
    plan.subset(&keep, &|key| {
        subset.loaded_from.get(key).map(|r| Arc::from(r.as_str()))
    })
}

/// Step key → the nearest run, from `run_id` up its parents, that ran the
/// step, and whether it succeeded there (a step a re-execution did not
/// run is not recorded in it). The walk stops at a run already seen (a
/// damaged file could hold a loop).
fn latest_outcomes(
    history: &SharedHistory,
    run_id: &str,
) -> Result<HashMap<String, (Arc<str>, bool)>> {
    let mut latest: HashMap<String, (Arc<str>, bool)> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut next = Some(run_id.to_owned());
    while let Some(id) = next.take() {
        if !seen.insert(id.clone()) {
            break;
        }
        let run: Arc<str> = Arc::from(id.as_str());
        for step in history.run_steps(&id)? {
            latest
                .entry(step.step_key)
                .or_insert_with(|| (run.clone(), step.outcome == "success"));
        }
        next = history.run(&id)?.and_then(|r| r.launch.parent_run_id);
    }
    Ok(latest)
}

/// Every output loaded from a step not run here must come from a run of
/// the chain where it succeeded, through a manager that keeps values.
fn refuse_unloadable(plan: &Plan, parent: &RunSummary) -> Result<()> {
    let mut problems = Vec::new();
    for step in &plan.steps {
        for (input, source) in step.op.inputs.iter().zip(&step.inputs) {
            if let (InputSource::Asset(asset), None) = (source, &input.input_manager_key)
                && let Some(out) = asset.out()
                && let Some(def) = plan
                    .resources
                    .get(&out.io_manager_key)
                    .filter(|d| !d.is_persistent())
            {
                problems.push(format!(
                    "cannot re-execute with in-memory IO managers: step `{}` loads asset `{}` (not run in this run) through key `{}`, bound to `{}`, which does not keep values after its run; bind a persistent IO manager to `{}` (e.g. `FilesystemIOManager`), or re-execute every step",
                    step.key,
                    asset.key,
                    out.io_manager_key,
                    crate::model::types::short_type_name(def.type_name),
                    out.io_manager_key,
                ));
                continue;
            }
            let InputSource::External {
                step: up,
                output,
                run_id,
            } = source
            else {
                continue;
            };
            let out = &up.op.outputs[*output];
            if input.input_manager_key.is_some() {
                continue;
            }
            let key = &out.io_manager_key;
            if let Some(def) = plan.resources.get(key).filter(|d| !d.is_persistent()) {
                problems.push(format!(
                    "cannot re-execute with in-memory IO managers: step `{}` loads output `{}` of step `{}` (run `{}`) through key `{key}`, bound to `{}`, which does not keep values after its run; bind a persistent IO manager to `{key}` (e.g. `FilesystemIOManager`) in both runs, or re-execute every step",
                    step.key,
                    out.name,
                    up.key,
                    run_id.as_deref().unwrap_or(parent.run_id.as_str()),
                    crate::model::types::short_type_name(def.type_name),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidDefinitions(problems))
    }
}
