//! `Definitions`: the assets, jobs and resources of a code location, as
//! data. Validating and running them is the run side's
//! (`execution::entry`), so nothing here knows how steps execute;
//! `Definitions::discover` is the registry's, so nothing here knows what
//! the macros register.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{AssetDefinition, AssetJob, JobDefinition, OpDefinition};
use crate::error::{Error, Result};
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::model::asset_key::AssetKey;
use crate::suggest::did_you_mean;

/// The name of the implicit job that materializes assets.
pub const ASSET_JOB_NAME: &str = "__asset_job";

/// Assets, ops, jobs and resource bindings.
#[derive(Clone, Default, Debug)]
pub struct Definitions {
    pub(crate) assets: Vec<AssetDefinition>,
    pub(crate) ops: Vec<OpDefinition>,
    pub(crate) jobs: Vec<JobDefinition>,
    pub(crate) asset_jobs: Vec<AssetJob>,
    pub(crate) resources: IndexMap<String, ResourceDefinition>,
    pub(crate) problems: Vec<String>,
    /// The executor of runs that choose none (nor their job).
    pub(crate) executor: Option<crate::model::executor::Executor>,
}

impl Definitions {
    /// Nothing defined yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The executor of runs and jobs that choose none themselves
    /// (Dagster's `Definitions(executor=..)`); a job's own choice, then the
    /// run's (`RunOptions::executor`), take precedence.
    pub fn executor(mut self, executor: crate::model::executor::Executor) -> Self {
        self.executor = Some(executor);
        self
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

    /// Adds an asset job (Dagster's `define_asset_job`), run by name with
    /// `execute_job` like any job.
    pub fn asset_job(mut self, job: AssetJob) -> Self {
        self.asset_jobs.push(job);
        self
    }

    /// The asset jobs.
    pub fn get_asset_jobs(&self) -> &[AssetJob] {
        &self.asset_jobs
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

    /// Binds a plain value (a client, a fake in a test) to `key`, shared by
    /// every run; replaces any earlier binding. A step taking the key as a
    /// `resources(..)` parameter must be given a value of its type: that is
    /// checked when the definitions are validated.
    pub fn resource_value<R: std::any::Any + Send + Sync>(
        mut self,
        key: impl Into<String>,
        value: R,
    ) -> Self {
        self.resources
            .insert(key.into(), ResourceDefinition::value(value));
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
            // Asset jobs run by name too, so the list names them.
            let names: Vec<String> = self
                .jobs
                .iter()
                .map(|j| j.name.clone())
                .chain(self.asset_jobs.iter().map(|j| j.name.clone()))
                .collect();
            Error::NotFound(format!(
                "no job `{name}` is defined; jobs: {}{}",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                },
                did_you_mean(name, names.iter().cloned())
            ))
        })
    }

    /// The resource bindings.
    pub fn get_resources(&self) -> &IndexMap<String, ResourceDefinition> {
        &self.resources
    }

    pub(crate) fn duplicate_asset_keys(&self, problems: &mut Vec<String>) {
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
                if let Some(why) = crate::model::asset_key::component_problem(&node.name) {
                    problems.push(format!(
                        "job `{}`: op name {:?} cannot be a step key: {why}",
                        job.name, node.name
                    ));
                }
            }
        }
    }
}
