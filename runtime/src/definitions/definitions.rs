//! `Definitions`: the assets, jobs and resources of a code location,
//! validated as a whole, and the entry points that run them.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{AssetDefinition, DEFAULT_IO_MANAGER_KEY, JobDefinition, OpDefinition};
use crate::asset_key::AssetKey;
use crate::error::{Error, Result};
use crate::execution::plan::{Plan, did_you_mean};
use crate::execution::{RunOptions, RunResult, execute};
use crate::instance::Instance;
use crate::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::storage::{FilesystemIOManager, mem_io_manager};

/// The name of the implicit job that materializes assets.
pub const ASSET_JOB_NAME: &str = "__asset_job";

/// Assets, ops, jobs and resource bindings.
#[derive(Clone, Default, Debug)]
pub struct Definitions {
    pub(crate) assets: Vec<AssetDefinition>,
    pub(crate) ops: Vec<OpDefinition>,
    pub(crate) jobs: Vec<JobDefinition>,
    pub(crate) resources: IndexMap<String, ResourceDefinition>,
    pub(crate) problems: Vec<String>,
}

impl Definitions {
    /// Nothing defined yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything declared with larder's macros in this binary: assets, ops,
    /// jobs, and managers bound under their declared keys.
    ///
    /// Only crates that are linked register: a dependency that defines
    /// assets but is never referenced is dropped by the linker. Reference it
    /// once, e.g. `use my_assets as _;` in `main.rs`.
    pub fn discover() -> Self {
        crate::registry::discover()
    }

    /// Adds an asset.
    pub fn asset(mut self, asset: AssetDefinition) -> Self {
        self.assets.push(asset);
        self
    }

    /// Adds assets.
    pub fn assets(mut self, assets: impl IntoIterator<Item = AssetDefinition>) -> Self {
        self.assets.extend(assets);
        self
    }

    /// Adds a job.
    pub fn job(mut self, job: JobDefinition) -> Self {
        self.jobs.push(job);
        self
    }

    /// Adds an op (listed; ops run inside jobs).
    pub fn op(mut self, op: OpDefinition) -> Self {
        self.ops.push(op);
        self
    }

    /// Binds a resource (an IO manager, input manager or plain resource) to
    /// `key`, replacing any earlier binding.
    pub fn resource(
        mut self,
        key: impl Into<String>,
        resource: impl IntoResourceDefinition,
    ) -> Self {
        self.resources
            .insert(key.into(), resource.into_resource_definition());
        self
    }

    /// The assets.
    pub fn get_assets(&self) -> &[AssetDefinition] {
        &self.assets
    }

    /// The asset with this key.
    pub fn get_asset(&self, key: impl Into<AssetKey>) -> Result<&AssetDefinition> {
        let key = key.into();
        self.assets.iter().find(|a| a.key == key).ok_or_else(|| {
            Error::NotFound(format!(
                "no asset `{key}` is defined{}",
                did_you_mean(
                    &key.to_string(),
                    self.assets.iter().map(|a| a.key.to_string())
                )
            ))
        })
    }

    /// The ops.
    pub fn get_ops(&self) -> &[OpDefinition] {
        &self.ops
    }

    /// The jobs.
    pub fn get_jobs(&self) -> &[JobDefinition] {
        &self.jobs
    }

    /// The job named `name`.
    pub fn get_job(&self, name: &str) -> Result<&JobDefinition> {
        self.jobs.iter().find(|j| j.name == name).ok_or_else(|| {
            Error::NotFound(format!(
                "no job `{name}` is defined; jobs: {}{}",
                if self.jobs.is_empty() {
                    "none".to_owned()
                } else {
                    self.jobs
                        .iter()
                        .map(|j| j.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                did_you_mean(name, self.jobs.iter().map(|j| j.name.clone()))
            ))
        })
    }

    /// The resource bindings.
    pub fn get_resources(&self) -> &IndexMap<String, ResourceDefinition> {
        &self.resources
    }

    fn asset_resources(&self, in_memory: bool) -> IndexMap<String, ResourceDefinition> {
        let mut resources = self.resources.clone();
        if !resources.contains_key(DEFAULT_IO_MANAGER_KEY) {
            let default = if in_memory {
                mem_io_manager().into_resource_definition()
            } else {
                FilesystemIOManager::default().into_resource_definition()
            };
            resources.insert(DEFAULT_IO_MANAGER_KEY.to_owned(), default);
        }
        resources
    }

    fn duplicate_asset_keys(&self, problems: &mut Vec<String>) {
        let mut seen: HashMap<&AssetKey, usize> = HashMap::new();
        for asset in &self.assets {
            *seen.entry(&asset.key).or_default() += 1;
        }
        let mut dups: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
        dups.sort();
        for (key, n) in dups {
            problems.push(format!(
                "asset key `{key}` is defined {n} times; asset keys must be unique"
            ));
        }
        self.unusable_keys(problems);
        for asset in &self.assets {
            if let Some(e) = &asset.partitions_error {
                problems.push(format!(
                    "asset `{}`: invalid partitions_def: {e}",
                    asset.key
                ));
            }
        }
    }

    /// Keys and names that could not be stored under: empty, an unsafe
    /// or overlong component. Refused here, when they are defined, rather
    /// than by the OS in the middle of a run.
    fn unusable_keys(&self, problems: &mut Vec<String>) {
        for asset in &self.assets {
            if let Err(e) = asset.key.check() {
                problems.push(e.to_string());
                continue;
            }
            for up in asset.upstream_keys().iter().chain(&asset.deps) {
                if let Err(e) = up.check() {
                    problems.push(format!("asset `{}` depends on an {e}", asset.key));
                }
            }
        }
        for job in &self.jobs {
            for node in &job.nodes {
                if let Some(why) = crate::asset_key::component_problem(&node.name) {
                    problems.push(format!(
                        "job `{}`: op name {:?} cannot be a step key: {why}",
                        job.name, node.name
                    ));
                }
            }
        }
    }

    fn asset_plan(
        &self,
        options: &RunOptions,
        in_memory: bool,
        problems: &mut Vec<String>,
    ) -> Plan {
        let all: Vec<AssetKey> = self.assets.iter().map(|a| a.key.clone()).collect();
        let selected = options.selection.as_deref().unwrap_or(&all);
        let mut plan = Plan::for_assets(
            ASSET_JOB_NAME,
            &self.assets,
            selected,
            self.asset_resources(in_memory),
            problems,
        );
        let now = options.now.unwrap_or_else(jiff::Timestamp::now);
        plan.resolve_partitions(options.partition.as_ref(), now, problems);
        plan
    }

    fn job_plan(&self, job: &JobDefinition, in_memory: bool, problems: &mut Vec<String>) -> Plan {
        let mut resources = self.resources.clone();
        resources.extend(job.resources.clone());
        if !resources.contains_key(DEFAULT_IO_MANAGER_KEY) {
            let default = if in_memory {
                mem_io_manager().into_resource_definition()
            } else {
                FilesystemIOManager::default().into_resource_definition()
            };
            resources.insert(DEFAULT_IO_MANAGER_KEY.to_owned(), default);
        }
        Plan::for_job(job, resources, problems)
    }

    /// Checks everything at once: unresolved or unfit manager keys, keys
    /// bound to non-managers, cycles, duplicate asset keys, inputs nothing
    /// can load. Lists every problem.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.problems.clone();
        self.duplicate_asset_keys(&mut problems);
        self.asset_plan(&RunOptions::new(), false, &mut problems)
            .validate(&mut problems);
        for job in &self.jobs {
            self.job_plan(job, true, &mut problems)
                .validate(&mut problems);
        }
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
        let in_memory = options.in_memory.unwrap_or(false);
        let mut problems = self.problems.clone();
        self.duplicate_asset_keys(&mut problems);
        let plan = self.asset_plan(&options, in_memory, &mut problems);
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
        run_plan(plan, problems, &options, false)
    }

    /// Runs the job named `name` (default `io_manager`: in memory, as
    /// Dagster's `execute_in_process`).
    pub fn execute_job(&self, name: &str, options: RunOptions) -> Result<RunResult> {
        let job = self.get_job(name)?;
        let in_memory = options.in_memory.unwrap_or(true);
        let mut problems = self.problems.clone();
        let plan = self.job_plan(job, in_memory, &mut problems);
        run_plan(plan, problems, &options, true)
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
    mut problems: Vec<String>,
    options: &RunOptions,
    _job: bool,
) -> Result<RunResult> {
    plan.validate(&mut problems);
    plan.check_run_config(&options.run_config, &mut problems);
    finish(problems)?;
    let instance = match &options.instance {
        Some(i) => i.clone(),
        None => Instance::from_env()?,
    };
    let result = execute(plan, options, instance, options.run_config.clone());
    if options.raise_on_error.unwrap_or(true) {
        result.into_result()
    } else {
        Ok(result)
    }
}
