//! Dynamic outputs in a run: ops mapped over a dynamic output are planned
//! as templates that never run; when the dynamic step has run, the
//! executor adds one step per mapping key (`double[k1]`, in emission order)
//! and fills the collecting inputs (`expand`). The executor runs the plan
//! in generations: each ends when nothing is ready, then is expanded.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::executor::{Schedule, Status};
use super::plan::{InputSource, Plan, Step};
use super::result::RunResult;
use super::step::RunState;
use super::{RunOptions, StepOutcome};
use crate::definitions::{In, JobDefinition, Out, OutputHandle};
use crate::error::{Error, Result};
use crate::model::dynamic::{DynamicShape, invalid_mapping_key};
use crate::model::events::{EventKind, Logger};
use crate::model::metadata::Metadata;
use crate::model::types::Value;

/// How a step relates to a dynamic output.
#[derive(Clone, Debug, Default)]
pub(crate) struct Mapping {
    /// For a template (an op invoked inside `map`): the dynamic output
    /// (step, output) it is mapped over. Templates never run.
    pub(crate) template_of: Option<(usize, usize)>,
    /// For a mapped step (`double[k1]`): its mapping key.
    pub(crate) key: Option<Arc<str>>,
    /// For a mapped step: its template's key (`double`), which its run
    /// config is under, as in Dagster (`ops.double.config`).
    pub(crate) node: Option<Arc<str>>,
}

impl Step {
    /// The key the step's run config is under (`ops.<key>`): a mapped
    /// step's op, its own key otherwise.
    pub(crate) fn config_key(&self) -> &str {
        self.mapping.node.as_deref().unwrap_or(&self.key)
    }
}

/// A step's output: (step, output index).
type StepOutput = (usize, usize);

/// The mapping keys each dynamic output emitted, in order.
pub(crate) type Emitted = Mutex<HashMap<StepOutput, Vec<Arc<str>>>>;

/// Marks the steps of `job` (one per node, in node order) that are mapped
/// templates, and turns the inputs wired to `collect` into collect sources.
pub(crate) fn mark_job(job: &JobDefinition, steps: &mut [Step]) {
    if job.dynamic.mapped.is_empty() && job.dynamic.collected.is_empty() {
        return;
    }
    let index: HashMap<&str, usize> = job
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let output_of = |h: &OutputHandle| -> Option<(usize, usize)> {
        let u = *index.get(h.node.as_str())?;
        let o = job.nodes[u]
            .op
            .outputs
            .iter()
            .position(|o| o.name == h.output)?;
        Some((u, o))
    };
    for (name, root) in &job.dynamic.mapped {
        if let (Some(&t), Some(r)) = (index.get(name.as_str()), output_of(root))
            && let Some(step) = steps.get_mut(t)
        {
            step.mapping.template_of = Some(r);
        }
    }
    for (i, node) in job.nodes.iter().enumerate() {
        if job.dynamic.mapped.contains_key(&node.name) {
            continue;
        }
        for (n, input) in node.op.inputs.iter().enumerate() {
            let Some(h) = node.inputs.get(&input.name) else {
                continue;
            };
            if input.ty.is_unit() || !job.dynamic.collected.contains(h) {
                continue;
            }
            if let (Some(of), Some(slot)) = (output_of(h), steps[i].inputs.get_mut(n)) {
                *slot = InputSource::Collect {
                    of,
                    sources: Vec::new(),
                };
            }
        }
    }
}

/// What a manager stores for a dynamic output: each value, a `T`.
pub(crate) fn stored_element(out: &Out, shape: DynamicShape) -> Out {
    Out {
        ty: shape.element,
        typed: out.typed_element,
        dynamic: None,
        ..out.clone()
    }
}

/// The input as one collected element (`T` of its `Vec<T>`).
fn element_input(input: &In, element: &'static crate::model::types::TypeInfo) -> In {
    In {
        ty: element,
        typed: None,
        shape: None,
        typed_element: None,
        collect: None,
        ..input.clone()
    }
}

/// Checks a collecting input as its elements, loaded from `of`.
pub(crate) fn check_collect(
    plan: &Plan,
    step: &Step,
    input: &In,
    of: (usize, usize),
    problems: &mut Vec<String>,
) {
    let Some(shape) = input.collect else {
        problems.push(format!(
            "input `{}` of op `{}` collects a dynamic output, but it is a `{}`; a collected input is a `Vec<T>`",
            input.name,
            step.key,
            input.ty.short_name()
        ));
        return;
    };
    let element = element_input(input, shape.element);
    plan.check_input(
        step,
        &element,
        &InputSource::Step {
            step: of.0,
            output: of.1,
        },
        problems,
    );
}

/// Whether step `i` is a template (never run, expanded per mapping key).
pub(crate) fn is_template(plan: &Plan, i: usize) -> bool {
    plan.steps[i].mapping.template_of.is_some()
}

/// The dynamic output a collect source `of` depends on.
fn root_of(plan: &Plan, of: (usize, usize)) -> (usize, usize) {
    plan.steps[of.0].mapping.template_of.unwrap_or(of)
}

/// What step `i` waits for besides its upstream steps: a template waits
/// forever; a collecting step waits for each dynamic output it collects
/// to be expanded.
pub(crate) fn holds(plan: &Plan, i: usize) -> usize {
    let step = &plan.steps[i];
    if step.mapping.template_of.is_some() {
        return 1;
    }
    step.inputs
        .iter()
        .filter(|s| matches!(s, InputSource::Collect { .. }))
        .count()
}

/// Adds the mapped steps of every dynamic output that ran since the last
/// call, and releases the steps collecting it. Whether anything changed.
pub(crate) fn expand(
    state: &mut RunState,
    schedule: &mut Schedule,
    expanded: &mut HashSet<(usize, usize)>,
) -> bool {
    let emitted = std::mem::take(
        &mut *state
            .emitted
            .lock()
            .unwrap_or_else(|e: std::sync::PoisonError<_>| e.into_inner()),
    );
    let mut roots: Vec<(StepOutput, Vec<Arc<str>>)> = emitted
        .into_iter()
        .filter(|(r, _)| schedule.status[r.0] == Status::Succeeded && !expanded.contains(r))
        .collect();
    roots.sort_by_key(|(r, _)| *r);
    if roots.is_empty() {
        return false;
    }
    let mut touched: Vec<usize> = Vec::new();
    let mut skipped: Vec<usize> = Vec::new();
    for (root, keys) in roots {
        expanded.insert(root);
        let plan = &mut state.plan;
        let templates: Vec<usize> = (0..plan.steps.len())
            .filter(|&t| plan.steps[t].mapping.template_of == Some(root))
            .collect();
        // Per mapping key: template -> its step for that key.
        let mut per_key: Vec<HashMap<usize, usize>> = Vec::with_capacity(keys.len());
        for key in &keys {
            let mut made: HashMap<usize, usize> = HashMap::new();
            for &t in &templates {
                let tmpl = &plan.steps[t];
                let re = |u: usize| made.get(&u).copied().unwrap_or(u);
                let inputs = tmpl
                    .inputs
                    .iter()
                    .map(|s| match s {
                        InputSource::Step { step, output } => InputSource::Step {
                            step: re(*step),
                            output: *output,
                        },
                        other => other.clone(),
                    })
                    .collect();
                let upstream: Vec<usize> = tmpl.upstream.iter().map(|&u| re(u)).collect();
                let step = Step {
                    key: Arc::from(format!("{}[{key}]", tmpl.key)),
                    op: tmpl.op.clone(),
                    asset: None,
                    inputs,
                    upstream: upstream.clone(),
                    downstream: Vec::new(),
                    run_partition: tmpl.run_partition.clone(),
                    partitions: None,
                    input_partitions: tmpl.input_partitions.clone(),
                    mapping: Mapping {
                        template_of: None,
                        key: Some(key.clone()),
                        node: Some(tmpl.key.clone()),
                    },
                };
                let idx = plan.steps.len();
                plan.steps.push(step);
                for &u in &upstream {
                    plan.steps[u].downstream.push(idx);
                }
                let blocked = upstream
                    .iter()
                    .any(|&u| matches!(schedule.status[u], Status::Failed | Status::Skipped));
                schedule.status.push(Status::Pending);
                schedule.skipped_because.push(Vec::new());
                schedule.waiting_on.push(
                    upstream
                        .iter()
                        .filter(|&&u| schedule.status[u] != Status::Succeeded)
                        .count(),
                );
                if blocked {
                    skipped.push(idx);
                } else if schedule.waiting_on[idx] == 0 {
                    schedule.ready.push_back(idx);
                }
                made.insert(t, idx);
            }
            per_key.push(made);
        }
        // The collecting steps get one source per key, in emission order.
        for c in 0..plan.steps.len() {
            let mut added: Vec<usize> = Vec::new();
            let n_inputs = plan.steps[c].inputs.len();
            for n in 0..n_inputs {
                let InputSource::Collect { of, .. } = plan.steps[c].inputs[n] else {
                    continue;
                };
                if root_of(plan, of) != root {
                    continue;
                }
                let sources: Vec<(usize, usize, Option<Arc<str>>)> = if of == root {
                    keys.iter().map(|k| (of.0, of.1, Some(k.clone()))).collect()
                } else {
                    per_key
                        .iter()
                        .filter_map(|made| made.get(&of.0).map(|&s| (s, of.1, None)))
                        .collect()
                };
                added.extend(sources.iter().map(|s| s.0).filter(|&s| s != of.0));
                if let InputSource::Collect { sources: slot, .. } = &mut plan.steps[c].inputs[n] {
                    *slot = sources;
                }
                if !touched.contains(&c) {
                    touched.push(c);
                }
            }
            added.sort_unstable();
            added.dedup();
            for s in added {
                plan.steps[c].upstream.push(s);
                plan.steps[s].downstream.push(c);
            }
        }
    }
    // A collecting step is released once every dynamic output it collects
    // is expanded and its upstream steps (templates aside) succeeded.
    for c in touched {
        if schedule.status[c] != Status::Pending {
            continue;
        }
        let plan = &state.plan;
        let unexpanded = plan.steps[c]
            .inputs
            .iter()
            .filter(|s| match s {
                InputSource::Collect { of, .. } => !expanded.contains(&root_of(plan, *of)),
                _ => false,
            })
            .count();
        let waiting = plan.steps[c]
            .upstream
            .iter()
            .filter(|&&u| !is_template(plan, u) && schedule.status[u] != Status::Succeeded)
            .count();
        schedule.waiting_on[c] = waiting + unexpanded;
        if schedule.waiting_on[c] == 0 {
            schedule.ready.push_back(c);
        }
    }
    for idx in skipped {
        super::executor::skip_blocked(state, schedule, idx);
    }
    true
}

/// Refuses, before launch, what dynamic outputs do not support yet.
pub(super) fn refuse_unsupported(
    plan: &Plan,
    options: &RunOptions,
    reexecution: bool,
) -> Result<()> {
    let dynamic: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| s.op.outputs.iter().any(|o| o.dynamic.is_some()))
        .map(|s| format!("`{}`", s.key))
        .collect();
    if dynamic.is_empty() {
        return Ok(());
    }
    let ops = dynamic.join(", ");
    if options
        .executor
        .as_ref()
        .is_some_and(|e| e.is_multiprocess())
    {
        return Err(Error::msg(format!(
            "job `{}` has dynamic outputs (op {ops}), which run on the in-process executor only for now: its mapped steps are created while the run goes, and step workers plan the job before it starts; drop `executor(Executor::multiprocess())` for this job",
            plan.job_name
        )));
    }
    if reexecution || options.step_selection.is_some() {
        return Err(Error::msg(format!(
            "job `{}` has dynamic outputs (op {ops}): re-executing it or running a step selection of it is not supported yet, as its mapped steps (`op[key]`) exist only in the run that created them; run the whole job",
            plan.job_name
        )));
    }
    Ok(())
}

impl RunState {
    /// Stores each value of dynamic output `o` of step `i` under its
    /// mapping key, with Dagster's events per value: a `StepOutput` naming
    /// the key, then a `HandledOutput`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn store_dynamic(
        &self,
        i: usize,
        o: usize,
        def: &Out,
        shape: DynamicShape,
        value: Value,
        step_metadata: Metadata,
        log: &Logger,
    ) -> Result<()> {
        let step = &self.plan.steps[i];
        let entries = (shape.split)(value).ok_or_else(|| {
            Error::msg(format!(
                "the value is not a `DynamicOut<{}>`",
                shape.element.short_name()
            ))
        })?;
        // Every key is checked before anything is stored.
        let mut seen = HashSet::new();
        for (key, _, _) in &entries {
            if let Some(why) = invalid_mapping_key(key) {
                return Err(Error::msg(format!(
                    "op `{}` returned a DynamicOutput with mapping_key {key:?}, which is not valid: {why}",
                    step.op.name
                )));
            }
            if !seen.insert(key.as_str()) {
                return Err(Error::msg(format!(
                    "op `{}` returned a DynamicOutput with mapping_key {key:?} more than once; each value of a dynamic output needs its own mapping key",
                    step.op.name
                )));
            }
        }
        let manager = self.manager(&def.io_manager_key)?;
        let mut keys = Vec::with_capacity(entries.len());
        for (key, element, metadata) in entries {
            let key: Arc<str> = Arc::from(key);
            self.events.push(
                EventKind::StepOutput {
                    output_name: def.name.clone(),
                    type_name: shape.element.short_name(),
                    mapping_key: Some(key.to_string()),
                },
                Some(&step.key),
                format!(
                    "Yielded output \"{}\" mapping key \"{key}\" of type \"{}\".",
                    def.name,
                    shape.element.short_name()
                ),
            );
            let mut ctx = self
                .output_context(i, o, log.clone())
                .with_mapping_key(Some(key.clone()));
            self.handle(
                manager,
                def,
                def.typed_element,
                &mut ctx,
                element.as_ref(),
                shape.element,
            )?;
            // The body's metadata, the value's, then the manager's.
            let mut all = step_metadata.clone();
            all.extend(metadata);
            all.extend(std::mem::take(&mut ctx.output_metadata));
            self.events.push(
                EventKind::HandledOutput {
                    output_name: def.name.clone(),
                    manager_key: def.io_manager_key.clone(),
                    metadata: all,
                },
                Some(&step.key),
                // Dagster's message names no mapping key here.
                format!(
                    "Handled output \"{}\" using IO manager \"{}\"",
                    def.name, def.io_manager_key
                ),
            );
            if self.capture
                && let Ok(mut outputs) = self.outputs.lock()
            {
                outputs.insert(
                    (step.key.to_string(), format!("{}[{key}]", def.name)),
                    Arc::from(element),
                );
            }
            keys.push(key);
        }
        if let Ok(mut emitted) = self.emitted.lock() {
            emitted.insert((i, o), keys);
        }
        Ok(())
    }

    /// Loads a collecting input: each source's value, in emission order,
    /// assembled into the input's `Vec<T>`.
    pub(super) fn load_collected(
        &self,
        i: usize,
        n: usize,
        input: &In,
        sources: &[(usize, usize, Option<Arc<str>>)],
        log: &Logger,
    ) -> Result<Value> {
        let shape = input.collect.ok_or_else(|| {
            Error::msg(format!(
                "input `{}` collects a dynamic output, but it is a `{}`, not a `Vec<T>`",
                input.name,
                input.ty.short_name()
            ))
        })?;
        let element = element_input(input, shape.element);
        let mut values = Vec::with_capacity(sources.len());
        for (u, o, key) in sources {
            let source = InputSource::Step {
                step: *u,
                output: *o,
            };
            values.push(self.load_input(i, n, &element, &source, log, key.clone())?);
        }
        (shape.assemble)(values).ok_or_else(|| {
            Error::msg(format!(
                "could not assemble a `Vec<{}>` from the collected values",
                shape.element.short_name()
            ))
        })
    }
}

impl RunResult {
    /// The values output `output` of dynamic op `node` emitted, with their
    /// mapping keys, in emission order (the values of mapped steps are
    /// ordinary outputs: `output_for_node("double[k1]")`).
    pub fn dynamic_output_values<T: Any + Send + Sync>(
        &self,
        node: &str,
        output: &str,
    ) -> Result<Vec<(String, &T)>> {
        if !self.steps.contains_key(node) {
            return Err(Error::NotFound(format!(
                "run {} has no step `{node}`",
                self.run_id
            )));
        }
        let mut values = Vec::new();
        for e in self
            .events
            .iter()
            .filter(|e| e.step_key.as_deref() == Some(node))
        {
            if let EventKind::StepOutput {
                output_name,
                mapping_key: Some(key),
                ..
            } = &e.kind
                && output_name == output
            {
                values.push((
                    key.clone(),
                    self.output_value::<T>(node, &format!("{output}[{key}]"))?,
                ));
            }
        }
        if values.is_empty() && self.steps.get(node) != Some(&StepOutcome::Success) {
            return Err(Error::NotFound(format!(
                "step `{node}` of run {} did not succeed, so output `{output}` has no values",
                self.run_id
            )));
        }
        Ok(values)
    }
}
