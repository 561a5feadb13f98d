//! The values of a run whose steps ran in other processes: not in this
//! process's memory, so `RunResult::output_for_node` reads each one back
//! through the manager that stored it, on first use (Dagster's
//! `ExecuteJobResult.output_for_node` does the same). The read is the
//! input of a one-step run that is not recorded, so it goes through the
//! run's own code path: the manager's resources, run config, partitions,
//! and the compile-time adapters of the output's type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use indexmap::IndexMap;

use super::RunOptions;
use super::plan::{InputSource, Plan, Step};
use crate::definitions::{In, OpDefinition};
use crate::error::{Error, Result};
use crate::io::resources::ResourceDefinition;
use crate::model::config::RunConfig;
use crate::model::events::{Event, EventKind};
use crate::model::instance::Instance;

/// The loading step's key: not a name a user's op can have (it is
/// reserved by its prefix).
const LOADER: &str = "__larder_output_for_node";

type Shared = Arc<dyn Any + Send + Sync>;

/// One stored output: the step that produced it, its index, and the value
/// once read.
struct Stored {
    step: Arc<Step>,
    output: usize,
    value: OnceLock<Shared>,
}

/// The outputs of a run's steps that ran elsewhere, read on demand.
pub(crate) struct StoredOutputs {
    run_id: Arc<str>,
    job_name: Arc<str>,
    resources: IndexMap<String, ResourceDefinition>,
    run_config: RunConfig,
    instance: Instance,
    partition_load_concurrency: usize,
    /// (step key, output name) → the output.
    outputs: HashMap<(String, String), Stored>,
}

impl StoredOutputs {
    /// The outputs the run's events say were stored (one
    /// `HANDLED_OUTPUT` each), of the steps of `plan`.
    pub(crate) fn new(
        plan: Plan,
        events: &[Event],
        run_id: Arc<str>,
        run_config: RunConfig,
        instance: Instance,
        partition_load_concurrency: usize,
    ) -> StoredOutputs {
        let Plan {
            job_name,
            steps,
            resources,
        } = plan;
        let by_key: HashMap<Arc<str>, Arc<Step>> = steps
            .into_iter()
            .map(|s| (s.key.clone(), Arc::new(s)))
            .collect();
        let mut outputs = HashMap::new();
        for event in events {
            let (EventKind::HandledOutput { output_name, .. }, Some(key)) =
                (&event.kind, &event.step_key)
            else {
                continue;
            };
            let Some(step) = by_key.get(key.as_str()) else {
                continue;
            };
            let Some(output) = step.op.outputs.iter().position(|o| o.name == *output_name) else {
                continue;
            };
            outputs.insert(
                (key.clone(), output_name.clone()),
                Stored {
                    step: step.clone(),
                    output,
                    value: OnceLock::new(),
                },
            );
        }
        StoredOutputs {
            run_id,
            job_name,
            resources,
            run_config,
            instance,
            partition_load_concurrency,
            outputs,
        }
    }

    /// The (step, output) pairs stored, for messages.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &(String, String)> {
        self.outputs.keys()
    }

    /// Output `output` of `node` as a `T`, read through its manager the
    /// first time.
    pub(crate) fn get<T: Any + Send + Sync>(&self, node: &str, output: &str) -> Result<Option<&T>> {
        let Some(stored) = self.outputs.get(&(node.to_owned(), output.to_owned())) else {
            return Ok(None);
        };
        let ty = stored.step.op.outputs[stored.output].ty;
        if ty.id != TypeId::of::<T>() {
            return Err(Error::TypeMismatch {
                what: format!("output `{output}` of `{node}`"),
                expected: std::any::type_name::<T>(),
                found: ty.name.to_owned(),
            });
        }
        if stored.value.get().is_none() {
            let value = self.load::<T>(stored, node, output)?;
            // A concurrent first read may have won: either value is the
            // same stored one.
            let _ = stored.value.set(Arc::new(value));
        }
        let value = stored.value.get().and_then(|v| v.downcast_ref::<T>());
        value.map(Some).ok_or_else(|| Error::TypeMismatch {
            what: format!("output `{output}` of `{node}`"),
            expected: std::any::type_name::<T>(),
            found: "another type".to_owned(),
        })
    }

    fn load<T: Any + Send + Sync>(&self, stored: &Stored, node: &str, output: &str) -> Result<T> {
        let out = &stored.step.op.outputs[stored.output];
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let kept = slot.clone();
        let op = OpDefinition::builder(LOADER)
            .input(In::new("value", out.ty))
            .compute(move |io| {
                let value: T = io.take_input(0)?;
                if let Ok(mut s) = kept.lock() {
                    *s = Some(value);
                }
                Ok(())
            });
        let step = Step {
            key: Arc::from(LOADER),
            op: Arc::new(op),
            asset: None,
            inputs: vec![InputSource::External {
                step: stored.step.clone(),
                output: stored.output,
                run_id: Some(self.run_id.clone()),
            }],
            upstream: Vec::new(),
            downstream: Vec::new(),
            run_partition: stored.step.run_partition.clone(),
            partitions: None,
            input_partitions: vec![None],
            mapping: Default::default(),
        };
        let plan = Plan {
            job_name: self.job_name.clone(),
            steps: vec![step],
            resources: self.resources.clone(),
        }
        .with_needed_resources_only();
        let options = RunOptions::new()
            .partition_load_concurrency(self.partition_load_concurrency)
            .raise_on_error(true);
        let result = super::execute(
            plan,
            &options,
            self.instance.without_history(),
            self.run_config.clone(),
        );
        result.into_result().map_err(|e| match e {
            Error::RunFailed { source, .. } => Error::msg(format!(
                "reading output `{output}` of `{node}` back from run {}: {source}",
                self.run_id
            )),
            other => other,
        })?;
        let value = slot.lock().ok().and_then(|mut s| s.take());
        value.ok_or_else(|| {
            Error::msg(format!(
                "output `{output}` of `{node}` was read back, but no value came"
            ))
        })
    }
}
