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
