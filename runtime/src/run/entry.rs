//! The entry points that run definitions: `Definitions::validate`, `run`,
//! `materialize*`, `execute_job`, `JobDefinition::execute_in_process`, and
//! the free `materialize` functions. They live on the run side so that the
//! definitions, as data, know nothing of plans and executors.

use indexmap::IndexMap;

use super::plan::Plan;
use super::reexecute::{Parent, apply_subset, narrow, resolve_parent, subset_of};
use super::step_plan::{PlanTarget, StepPlan};
use super::{RunOptions, RunResult, execute};
use crate::definitions::{
    ASSET_JOB_NAME, AssetDefinition, DEFAULT_IO_MANAGER_KEY, Definitions, JobDefinition,
};
use crate::error::{Error, Result};
use crate::io::resources::ResourceDefinition;
use crate::model::asset_key::AssetKey;
use crate::model::instance::Instance;

/// `resources` with the default `io_manager` bound when nothing is bound
/// under that key: in memory, or the filesystem manager in the instance's
/// storage directory.
fn with_default_io_manager(
    mut resources: IndexMap<String, ResourceDefinition>,
    in_memory: bool,
    problems: &mut Vec<String>,
) -> IndexMap<String, ResourceDefinition> {
    if !resources.contains_key(DEFAULT_IO_MANAGER_KEY) {
        let default = super::default_manager::default_io_manager(in_memory, problems);
        resources.insert(DEFAULT_IO_MANAGER_KEY.to_owned(), default);
    }
    resources
}

impl Definitions {
    fn asset_plan(
        &self,
        options: &RunOptions,
        in_memory: bool,
        problems: &mut Vec<String>,
    ) -> Plan {
        let all: Vec<AssetKey> = self.assets.iter().map(|a| a.key.clone()).collect();
        let selected = options.selection.as_deref().unwrap_or(&all);
        let resources = self.with_asset_resources(problems);
        let assets = super::dynamic_partitions::resolve_assets(&self.assets, options, problems);
        let mut plan = Plan::for_assets(
            ASSET_JOB_NAME,
            &assets,
            selected,
            with_default_io_manager(resources, in_memory, problems),
            problems,
        );
        let now = options.now.unwrap_or_else(jiff::Timestamp::now);
        plan.resolve_partitions(options.partition.as_ref(), now, problems);
        plan
    }

    /// The bound resources and those the assets bring (`resource_defs`,
    /// `io_manager_def`); a key bound both ways is a conflict, as in
    /// Dagster.
    fn with_asset_resources(
        &self,
        problems: &mut Vec<String>,
    ) -> IndexMap<String, ResourceDefinition> {
        let mut resources = self.resources.clone();
        let mut brought_by: IndexMap<&str, (&AssetKey, &ResourceDefinition)> = IndexMap::new();
        for asset in &self.assets {
            for (key, def) in asset.resource_defs().iter() {
                if self.resources.contains_key(key) {
                    problems.push(format!(
                        "asset `{}` brings its own resource `{key}`, and the definitions bind `{key}` too: remove one of them, or give the asset's another key",
                        asset.key
                    ));
                } else if let Some((other, first)) = brought_by.get(key.as_str()) {
                    // The same definition (a clone of it) shared by assets is one binding.
                    if !first.same_definition(def) {
                        problems.push(format!(
                            "assets `{other}` and `{}` both bring a resource `{key}`, defined differently: share one definition, or give one of them another key",
                            asset.key
                        ));
                    }
                } else {
                    brought_by.insert(key.as_str(), (&asset.key, def));
                    resources.insert(key.clone(), def.clone());
                }
            }
        }
        resources
    }

    fn job_plan(&self, job: &JobDefinition, in_memory: bool, problems: &mut Vec<String>) -> Plan {
        let mut resources = self.resources.clone();
        resources.extend(job.resources.clone());
        let resources = with_default_io_manager(resources, in_memory, problems);
        Plan::for_job(job, resources, problems)
    }

    /// Checks everything at once: unresolved or unfit manager keys, keys
    /// bound to non-managers, cycles, duplicate asset keys, inputs nothing
    /// can load. Lists every problem.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.problems.clone();
        self.duplicate_asset_keys(&mut problems);
        let assets = self.asset_plan(&RunOptions::new(), false, &mut problems);
        assets.validate(&mut problems);
        assets.check_step_resources(&mut problems);
        for job in &self.jobs {
            let plan = self.job_plan(job, true, &mut problems);
            plan.validate(&mut problems);
            plan.check_step_resources(&mut problems);
        }
        self.check_asset_jobs(&mut problems);
        finish(problems)
    }

    /// Materializes every asset (default `io_manager`: the filesystem).
    pub fn materialize_all(&self) -> Result<RunResult> {
        self.run(RunOptions::new())
    }

    /// Materializes the selected assets (`"a/b"` strings or keys).
    pub fn materialize<I, K>(&self, selection: I) -> Result<RunResult>
    where
        I: IntoIterator<Item = K>,
        K: Into<AssetKey>,
    {
        self.run(RunOptions::new().selection(selection))
    }

    /// Materializes assets with `options`.
    pub fn run(&self, options: RunOptions) -> Result<RunResult> {
        // The parent first: a re-execution inherits its asset selection.
        let mut options = options;
        let parent = resolve_parent(&mut options, ASSET_JOB_NAME)?;
        let mut options = self.resolve_selection(options)?;
        if options.executor.is_none() {
            options.executor = self.executor.clone();
        }
        // Fixed now, so that step workers resolve the same partitions.
        options.now.get_or_insert_with(jiff::Timestamp::now);
        options.target = Some(PlanTarget::Assets {
            selection: options.selection.clone(),
        });
        let (plan, problems) = self.assets_run_plan(&options);
        run_plan(plan, problems, &options, parent.as_ref())
    }

    /// The plan of an asset run with `options` (selection resolved), and
    /// its problems.
    fn assets_run_plan(&self, options: &RunOptions) -> (Plan, Vec<String>) {
        let in_memory = options.in_memory.unwrap_or(false);
        let mut problems = self.problems.clone();
        self.duplicate_asset_keys(&mut problems);
        let plan = self.asset_plan(options, in_memory, &mut problems);
        Self::partition_needs_partitioned_asset(&plan, options, &mut problems);
        if options.partition.is_none() {
            for step in &plan.steps {
                if let Some(a) = step.asset.as_ref().filter(|a| a.partitions_def.is_some()) {
                    problems.push(format!(
                        "asset `{}` is partitioned; choose the partitions to materialize (RunOptions::partition_key or partition_range, or --partition)",
                        a.key
                    ));
                }
            }
        }
        (plan, problems)
    }

    /// The plan a step worker executes one step of: the parent's, built
    /// from these definitions and the step plan's options, with the same
    /// checks. Also the options it was built with.
    pub(crate) fn worker_plan(&self, sp: &StepPlan) -> Result<(Plan, RunOptions)> {
        let mut options = RunOptions::new()
            .run_id(sp.run_id.clone())
            .run_config(crate::model::config::RunConfig::from_json(
                sp.run_config.clone(),
            )?)
            .partition_load_concurrency(sp.partition_load_concurrency)
            .instance(Instance::from_location(
                sp.instance.home.clone(),
                sp.instance.storage_dir.clone(),
            ));
        options.in_memory = Some(sp.in_memory);
        options.partition = sp.partition.as_ref().map(|p| p.to_selection());
        options.op_retry_policy = sp.op_retry_policy;
        if let Some(now) = &sp.now {
            options.now =
                Some(now.parse().map_err(|e| {
                    Error::msg(format!("step plan: bad `now` timestamp `{now}`: {e}"))
                })?);
        }
        let (plan, problems) = match &sp.target {
            PlanTarget::Assets { selection } => {
                options.selection = selection.clone();
                self.assets_run_plan(&options)
            }
            PlanTarget::Job { name } => {
                let job = self.get_job(name)?;
                options.op_retry_policy = options.op_retry_policy.or(job.op_retry_policy);
                let mut problems = self.problems.clone();
                let mut plan = self.job_plan(job, sp.in_memory, &mut problems);
                super::job_partitions::apply_job_partition(&mut plan, job, &options, &mut problems);
                (plan, problems)
            }
        };
        let mut plan = prepare(plan, problems, &options)?;
        if let Some(subset) = &sp.subset {
            plan = apply_subset(plan, subset);
        }
        Ok((ready(plan, &options)?, options))
    }

    /// Runs the job named `name` (default `io_manager`: in memory, as
    /// Dagster's `execute_in_process`).
    pub fn execute_job(&self, name: &str, options: RunOptions) -> Result<RunResult> {
        if let Some(job) = self.asset_jobs.iter().find(|j| j.name == name) {
            return self.run_asset_job(job, options);
        }
        let job = self.get_job(name)?;
        let mut options = options;
        let parent = resolve_parent(&mut options, &job.name)?;
        options.target = Some(PlanTarget::Job {
            name: name.to_owned(),
        });
        if options.executor.is_none() {
            options.executor = job.executor.clone().or_else(|| self.executor.clone());
        }
        // In memory as `execute_in_process`; on the multiprocess executor
        // the filesystem, as Dagster's `execute_job` (values must cross
        // processes).
        let multiprocess = options
            .executor
            .as_ref()
            .is_some_and(|e| e.is_multiprocess());
        let in_memory = options.in_memory.unwrap_or(!multiprocess);
        if options.op_retry_policy.is_none() {
            options.op_retry_policy = job.op_retry_policy;
        }
        // Fixed now, so that step workers check the job's partition alike.
        options.now.get_or_insert_with(jiff::Timestamp::now);
        let mut problems = self.problems.clone();
        let mut plan = self.job_plan(job, in_memory, &mut problems);
        super::job_partitions::apply_job_partition(&mut plan, job, &options, &mut problems);
        let mut result = run_plan(plan, problems, &options, parent.as_ref())?;
        // A graph's output is its inner op's (`output_for_node("my_graph")`).
        for (alias, inner) in job.graph_output_aliases() {
            if let Some(v) = result.outputs.get(&inner).cloned() {
                result.outputs.insert(alias, v);
            }
        }
        Ok(result)
    }

    /// Re-executes the run `options` names (`RunOptions::reexecute` or
    /// `reexecution`) with the job it ran, looked up in the history.
    pub fn reexecute(&self, options: RunOptions) -> Result<RunResult> {
        let Some(re) = &options.reexecution else {
            return Err(Error::msg(
                "Definitions::reexecute: name the run to re-execute (RunOptions::reexecute or reexecution)",
            ));
        };
        let instance = match &options.instance {
            Some(i) => i.clone(),
            None => Instance::from_env()?,
        };
        let job = instance
            .history()?
            .map(|h| h.run(re.parent_run_id()))
            .transpose()?
            .flatten()
            .map(|r| r.job_name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "run `{}`, set as the parent run, was not found in the run history of {}",
                    re.parent_run_id(),
                    instance.storage_directory().display()
                ))
            })?;
        let options = options.instance(instance);
        if job == ASSET_JOB_NAME {
            self.run(options)
        } else {
            self.execute_job(&job, options)
        }
    }
}

impl JobDefinition {
    /// Runs the job in this process with its own resources (default
    /// `io_manager`: in memory).
    pub fn execute_in_process(&self) -> Result<RunResult> {
        self.execute_in_process_with(RunOptions::new())
    }

    /// Runs the job in this process with `options`.
    pub fn execute_in_process_with(&self, options: RunOptions) -> Result<RunResult> {
        Definitions::new()
            .job(self.clone())
            .execute_job(&self.name, options)
    }
}

/// Materializes `assets` (default `io_manager`: the filesystem manager in
/// the instance's storage directory).
pub fn materialize(assets: impl IntoIterator<Item = AssetDefinition>) -> Result<RunResult> {
    Definitions::new().assets(assets).materialize_all()
}

/// Materializes `assets` with the in-memory manager as default `io_manager`.
pub fn materialize_to_memory(
    assets: impl IntoIterator<Item = AssetDefinition>,
) -> Result<RunResult> {
    Definitions::new()
        .assets(assets)
        .run(RunOptions::new().in_memory())
}

fn finish(mut problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    Err(Error::InvalidDefinitions(problems))
}

fn run_plan(
    plan: Plan,
    problems: Vec<String>,
    options: &RunOptions,
    parent: Option<&Parent>,
) -> Result<RunResult> {
    // The whole job is checked (the run config names every op, as the
    // parent's does), then narrowed to the steps that run.
    let plan = prepare(plan, problems, options)?;
    super::dynamic::refuse_unsupported(&plan, options, parent.is_some())?;
    let (plan, launch) = narrow(plan, options, parent)?;
    // Step workers plan the whole job again, then narrow it the same way.
    let mut narrowed;
    let options = if parent.is_some() || options.step_selection.is_some() {
        narrowed = options.clone();
        narrowed.subset = Some(subset_of(&plan));
        &narrowed
    } else {
        options
    };
    let plan = ready(plan, options)?;
    let instance = match &options.instance {
        Some(i) => i.clone(),
        None => Instance::from_env()?,
    };
    let mut result = execute(plan, options, instance, options.run_config.clone());
    if result.history_error.is_none()
        && let Err(e) = result.instance.history().and_then(|h| {
            h.map(|h| h.record_launch(&result.run_id, &launch))
                .transpose()
        })
    {
        result.history_error = Some(format!("run {}: {e}", result.run_id));
    }
    if options.raise_on_error.unwrap_or(true) {
        result.into_result()
    } else {
        Ok(result)
    }
}

/// `plan` checked: every problem at once.
fn prepare(plan: Plan, mut problems: Vec<String>, options: &RunOptions) -> Result<Plan> {
    plan.validate(&mut problems);
    plan.check_step_resources(&mut problems);
    plan.check_run_config(&options.run_config, &mut problems);
    finish(problems)?;
    Ok(plan)
}

/// A checked plan ready to run: on the multiprocess executor, refused
/// when a manager cannot share values across processes; then only the
/// resources its steps use (Dagster initializes no others).
fn ready(plan: Plan, options: &RunOptions) -> Result<Plan> {
    if options
        .executor
        .as_ref()
        .is_some_and(|e| e.is_multiprocess())
    {
        super::multiprocess::check_persistent_outputs(&plan)?;
    }
    Ok(plan.with_needed_resources_only())
}
