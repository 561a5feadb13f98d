//! `RunResult`: the events of a run, each step's outcome, and the values.

use std::any::Any;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::definitions::DEFAULT_OUTPUT;
use crate::error::{Error, Result};
use crate::model::asset_key::AssetKey;
use crate::model::events::{Event, EventKind, EventType};
use crate::model::instance::Instance;

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// It succeeded.
    Success,
    /// It failed; the error, displayed.
    Failed(String),
    /// It did not run because these upstream steps failed or were skipped
    /// (none: the run failed before any step, see [`RunResult::run_error`]).
    Skipped(Vec<String>),
    /// It did not run because optional outputs it reads were not produced
    /// (`step.output` handles), or an upstream step was skipped for that
    /// reason. As in Dagster, the run still succeeds.
    NotYielded(Vec<String>),
}

impl StepOutcome {
    /// Whether the step ended without failing the run: it succeeded, or was
    /// skipped for an optional output not produced.
    pub fn is_clean(&self) -> bool {
        matches!(self, StepOutcome::Success | StepOutcome::NotYielded(_))
    }
}

/// What a run did.
pub struct RunResult {
    pub(crate) run_id: String,
    pub(crate) job_name: String,
    pub(crate) events: Vec<Event>,
    pub(crate) steps: IndexMap<String, StepOutcome>,
    pub(crate) outputs: HashMap<(String, String), Arc<dyn Any + Send + Sync>>,
    /// Per asset: its step and output.
    pub(crate) asset_steps: HashMap<AssetKey, (String, String)>,
    pub(crate) failures: Vec<(String, Error)>,
    pub(crate) teardown_errors: Vec<String>,
    pub(crate) history_error: Option<String>,
    pub(crate) instance: Instance,
    /// Why the run failed before any step ran (a resource's init or setup).
    pub(crate) run_error: Option<Error>,
    pub(crate) listener_error: Option<String>,
    /// The values of steps that ran in other processes, read back through
    /// their managers on first use.
    pub(crate) stored: Option<super::stored_outputs::StoredOutputs>,
}

impl std::fmt::Debug for RunResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunResult")
            .field("run_id", &self.run_id)
            .field("success", &self.success())
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

impl RunResult {
    /// Whether the run started and every step succeeded.
    pub fn success(&self) -> bool {
        self.run_error.is_none()
            && self.failures.is_empty()
            && self.steps.values().all(StepOutcome::is_clean)
    }

    /// Why the run failed before any step ran: a resource's init function
    /// or `setup_for_execution` failed or panicked. Its steps are then all
    /// [`StepOutcome::Skipped`] with no upstream.
    pub fn run_error(&self) -> Option<&Error> {
        self.run_error.as_ref()
    }

    /// The panic of the event listener ([`RunOptions::on_event`]), if it
    /// panicked; it is not called again afterwards and the run goes on.
    ///
    /// [`RunOptions::on_event`]: crate::RunOptions::on_event
    pub fn listener_error(&self) -> Option<&str> {
        self.listener_error.as_deref()
    }

    /// What the history keeps of this run.
    pub(crate) fn record(&self) -> crate::run::history::RunRecord<'_> {
        // One pass over the events: per-step lookups would be quadratic on
        // long chains.
        type Span = (
            u32,
            Option<std::time::SystemTime>,
            Option<std::time::SystemTime>,
        );
        let mut spans: HashMap<&str, Span> = HashMap::with_capacity(self.steps.len());
        for e in &self.events {
            let Some(key) = e.step_key.as_deref() else {
                continue;
            };
            let span = spans.entry(key).or_insert((0, None, None));
            match e.kind {
                EventKind::StepStart => {
                    span.0 += 1;
                    span.1.get_or_insert(e.timestamp);
                }
                EventKind::StepRestarted { .. } => span.0 += 1,
                EventKind::StepSuccess | EventKind::StepFailure { .. } => {
                    span.2 = Some(e.timestamp)
                }
                _ => {}
            }
        }
        crate::run::history::RunRecord {
            run_id: self.run_id(),
            job_name: self.job_name(),
            success: self.success(),
            events: self.events(),
            steps: self
                .steps
                .iter()
                .map(|(key, outcome)| {
                    let (attempts, start, end) =
                        spans.get(key.as_str()).copied().unwrap_or((0, None, None));
                    crate::run::history::StepRecord {
                        step_key: key.clone(),
                        outcome: match outcome {
                            StepOutcome::Success => "success",
                            StepOutcome::Failed(_) => "failure",
                            StepOutcome::Skipped(_) | StepOutcome::NotYielded(_) => "skipped",
                        }
                        .to_owned(),
                        attempts,
                        duration: start.map(|s| {
                            end.unwrap_or(s)
                                .duration_since(s)
                                .unwrap_or_default()
                                .as_secs_f64()
                        }),
                        error: match outcome {
                            StepOutcome::Success => None,
                            StepOutcome::Failed(e) => Some(e.clone()),
                            StepOutcome::Skipped(up) if up.is_empty() => None,
                            StepOutcome::Skipped(up) => {
                                Some(format!("upstream did not succeed: {}", up.join(", ")))
                            }
                            StepOutcome::NotYielded(up) => Some(format!(
                                "optional upstream outputs not produced: {}",
                                up.join(", ")
                            )),
                        },
                    }
                })
                .collect(),
        }
    }

    /// How long step `step_key` took, from its first start to its success
    /// or final failure (retries included); `None` when it never started.
    pub fn step_duration(&self, step_key: &str) -> Option<std::time::Duration> {
        let events = self.events_for_step(step_key);
        let start = events
            .iter()
            .find(|e| matches!(e.kind, EventKind::StepStart))?
            .timestamp;
        let end = events
            .iter()
            .rev()
            .find(|e| {
                matches!(
                    e.kind,
                    EventKind::StepSuccess | EventKind::StepFailure { .. }
                )
            })
            .map_or(start, |e| e.timestamp);
        Some(end.duration_since(start).unwrap_or_default())
    }

    /// The run id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The job's name (`__asset_job` for asset materializations).
    pub fn job_name(&self) -> &str {
        &self.job_name
    }

    /// Every event, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events of one type.
    pub fn events_of_type(&self, ty: EventType) -> Vec<&Event> {
        self.events
            .iter()
            .filter(|e| e.event_type() == ty)
            .collect()
    }

    /// The events of one step.
    pub fn events_for_step(&self, step_key: &str) -> Vec<&Event> {
        self.events
            .iter()
            .filter(|e| e.step_key.as_deref() == Some(step_key))
            .collect()
    }

    /// How many times step `step_key` was attempted (0 when it never
    /// started).
    pub fn attempts(&self, step_key: &str) -> u32 {
        let mut attempts = 0;
        for e in self.events_for_step(step_key) {
            match e.kind {
                EventKind::StepStart | EventKind::StepRestarted { .. } => attempts += 1,
                _ => {}
            }
        }
        attempts
    }

    /// Step key → outcome, in plan order.
    pub fn step_outcomes(&self) -> &IndexMap<String, StepOutcome> {
        &self.steps
    }

    /// One step's outcome.
    pub fn step_outcome(&self, step_key: &str) -> Option<&StepOutcome> {
        self.steps.get(step_key)
    }

    /// The errors of failed steps, with their step keys.
    pub fn failures(&self) -> &[(String, Error)] {
        &self.failures
    }

    /// Errors raised while tearing resources down.
    pub fn teardown_errors(&self) -> &[String] {
        &self.teardown_errors
    }

    /// Why the run could not be recorded in the instance's history, if so.
    pub fn history_error(&self) -> Option<&str> {
        self.history_error.as_deref()
    }

    /// The instance the run used.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// The storage directory of the run's instance.
    pub fn storage_dir(&self) -> &Path {
        self.instance.storage_directory()
    }

    /// The value of output `result` of a node (op invocation or asset step).
    ///
    /// On the multiprocess executor the value is not in this process: it is
    /// read back through the manager that stored it, the first time it is
    /// asked for (as Dagster's `output_for_node`).
    pub fn output_for_node<T: Any + Send + Sync>(&self, node: &str) -> Result<&T> {
        self.output_value(node, DEFAULT_OUTPUT)
    }

    /// The value of a named output of a node.
    pub fn output_value<T: Any + Send + Sync>(&self, node: &str, output: &str) -> Result<&T> {
        let key = (node.to_owned(), output.to_owned());
        let value = match self.outputs.get(&key) {
            Some(v) => v,
            None => {
                if let Some(value) = self
                    .stored
                    .as_ref()
                    .map(|s| s.get::<T>(node, output))
                    .transpose()?
                    .flatten()
                {
                    return Ok(value);
                }
                let mut known: Vec<String> = self
                    .outputs
                    .keys()
                    .chain(self.stored.iter().flat_map(|s| s.keys()))
                    .map(|(n, o)| format!("{n}.{o}"))
                    .collect();
                known.sort_unstable();
                return Err(Error::NotFound(format!(
                    "run {} has no value for output `{output}` of `{node}`; values kept: {}",
                    self.run_id,
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        };
        value
            .downcast_ref::<T>()
            .ok_or_else(|| Error::TypeMismatch {
                what: format!("output `{output}` of `{node}`"),
                expected: std::any::type_name::<T>(),
                found: "another type".to_owned(),
            })
    }

    /// The value of an asset materialized in this run.
    pub fn asset_value<T: Any + Send + Sync>(&self, key: impl Into<AssetKey>) -> Result<&T> {
        let key = key.into();
        let (step, output) = self.asset_steps.get(&key).ok_or_else(|| {
            Error::NotFound(format!(
                "asset `{key}` was not materialized in run {}",
                self.run_id
            ))
        })?;
        self.output_value(step, output)
    }

    /// One line per step that did not succeed: why it failed, or which
    /// upstream steps it was skipped for.
    pub fn failure_lines(&self) -> Vec<String> {
        if let Some(e) = &self.run_error {
            // No step ran: listing each of them adds nothing.
            return vec![format!("{e}; no step ran")];
        }
        self.steps
            .iter()
            .filter_map(|(k, o)| match o {
                StepOutcome::Success | StepOutcome::NotYielded(_) => None,
                StepOutcome::Failed(e) => Some(format!("step `{k}` failed: {e}")),
                StepOutcome::Skipped(up) => Some(format!(
                    "step `{k}` skipped: upstream {} did not succeed",
                    up.join(", ")
                )),
            })
            .collect()
    }

    /// This result, or the run's failure as an error (with the first failed
    /// step's error as its source).
    pub fn into_result(mut self) -> Result<RunResult> {
        if self.success() {
            return Ok(self);
        }
        let lines = self.failure_lines();
        let source = if let Some(e) = self.run_error.take() {
            e
        } else if self.failures.is_empty() {
            Error::msg("steps were skipped")
        } else {
            self.failures.remove(0).1
        };
        Err(Error::RunFailed {
            run_id: self.run_id.clone(),
            failures: lines,
            source: Box::new(source),
        })
    }
}
