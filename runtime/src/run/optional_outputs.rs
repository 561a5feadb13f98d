//! Optional outputs (`is_required = false`): which downstream steps read an
//! output a step left unset, and so are skipped instead of run (Dagster's
//! "skipped dependencies"), without failing the run.

use super::plan::InputSource;
use super::step::RunState;
use crate::model::events::EventKind;

/// The downstream steps of `i` that read an optional output `i` did not
/// produce, each with the `step.output` handles it reads of them.
pub(crate) fn readers_of_unproduced(state: &RunState, i: usize) -> Vec<(usize, Vec<String>)> {
    let step = &state.plan.steps[i];
    if step.op.outputs.iter().all(|o| o.is_required) {
        return Vec::new();
    }
    // The step's `StepOutput` events say what it produced; the same in
    // every executor, a step worker's events included.
    let produced: Vec<String> = state
        .events
        .snapshot()
        .into_iter()
        .filter(|e| e.step_key.as_deref() == Some(&*step.key))
        .filter_map(|e| match e.kind {
            EventKind::StepOutput { output_name, .. } => Some(output_name),
            _ => None,
        })
        .collect();
    let missing: Vec<usize> = step
        .op
        .outputs
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_required && !produced.contains(&o.name))
        .map(|(n, _)| n)
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    step.downstream
        .iter()
        .filter_map(|&d| {
            let handles: Vec<String> = state.plan.steps[d]
                .inputs
                .iter()
                .filter_map(|s| match s {
                    InputSource::Step { step: u, output }
                        if *u == i && missing.contains(output) =>
                    {
                        Some(format!("{}.{}", step.key, step.op.outputs[*output].name))
                    }
                    _ => None,
                })
                .collect();
            (!handles.is_empty()).then_some((d, handles))
        })
        .collect()
}

/// Whether output `output` of step `u` was produced: always for a required
/// output of a step that succeeded; for an optional one, when the step
/// reported it.
pub(crate) fn produced(state: &RunState, u: usize, output: usize) -> bool {
    let step = &state.plan.steps[u];
    let Some(out) = step.op.outputs.get(output) else {
        return false;
    };
    if out.is_required {
        return true;
    }
    let events = state.events.snapshot();
    let of_step = |e: &&crate::model::events::Event| e.step_key.as_deref() == Some(&*step.key);
    // A step worker has not seen its upstream run: the load says whether
    // the value is there, rather than leaving it out unseen.
    if !events
        .iter()
        .filter(of_step)
        .any(|e| matches!(e.kind, EventKind::StepStart))
    {
        return true;
    }
    events.iter().filter(of_step).any(
        |e| matches!(&e.kind, EventKind::StepOutput { output_name, .. } if *output_name == out.name),
    )
}

/// For step `d`, ready to run: the handles of a fan-in input none of whose
/// upstream outputs were produced (Dagster skips such a step; a fan-in with
/// some of them runs without the others).
pub(crate) fn unloadable_fan_in(state: &RunState, d: usize) -> Option<Vec<String>> {
    state.plan.steps[d].inputs.iter().find_map(|s| {
        let InputSource::FanIn(elements) = s else {
            return None;
        };
        let mut handles = Vec::new();
        for e in elements {
            match e {
                InputSource::Step { step: u, output } if !produced(state, *u, *output) => {
                    let up = &state.plan.steps[*u];
                    handles.push(format!("{}.{}", up.key, up.op.outputs[*output].name));
                }
                _ => return None,
            }
        }
        (!handles.is_empty()).then_some(handles)
    })
}

/// The `step.output` handles of `up` that step `d` reads (its step key
/// when it only waits for it).
pub(crate) fn handles_read(state: &RunState, up: usize, d: usize) -> Vec<String> {
    let step = &state.plan.steps[up];
    let mut handles: Vec<String> = state.plan.steps[d]
        .inputs
        .iter()
        .filter_map(|s| match s {
            InputSource::Step { step: u, output } if *u == up => {
                Some(format!("{}.{}", step.key, step.op.outputs[*output].name))
            }
            _ => None,
        })
        .collect();
    handles.dedup();
    if handles.is_empty() {
        handles.push(step.key.to_string());
    }
    handles
}
