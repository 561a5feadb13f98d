//! The scheduler: runs a validated plan in dependency order on a bounded
//! pool. The thread that finishes a step takes the next ready one itself,
//! so a chain runs without hand-offs; only extra ready steps wake others.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};

use super::RunOptions;
use super::plan::Plan;
use super::result::{RunResult, StepOutcome};
use super::step::RunState;
use super::stored_outputs::StoredOutputs;
use crate::error::Error;
use crate::io::resources::{InitFailed, RunResources};
use crate::model::config::RunConfig;
use crate::model::events::{EventKind, EventLog};
use crate::model::instance::Instance;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
    /// Skipped because an optional output it reads was not produced.
    NotYielded,
}

pub(super) struct Schedule {
    pub(super) ready: VecDeque<usize>,
    pub(super) waiting_on: Vec<usize>,
    pub(super) status: Vec<Status>,
    pub(super) skipped_because: Vec<Vec<String>>,
    running: usize,
    done: usize,
}

/// Runs `plan`. A run whose resources could not be built is a failed
/// result; every run is recorded in the instance's history.
pub(crate) fn execute(
    plan: Plan,
    options: &RunOptions,
    instance: Instance,
    run_config: RunConfig,
) -> RunResult {
    let run_id: Arc<str> = Arc::from(
        options
            .run_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
    );
    let events = Arc::new(EventLog::with_listener(options.listener.clone()));
    events.push(
        EventKind::RunStart,
        None,
        format!("Started execution of run for \"{}\".", plan.job_name),
    );

    // On the multiprocess executor each step worker initializes the
    // resources its step uses; the parent none (as Dagster's).
    let multiprocess = options
        .executor
        .as_ref()
        .filter(|e| e.is_multiprocess())
        .map(|e| super::multiprocess::Launch::new(e, options, &instance, &run_id, &run_config));
    let no_resources = indexmap::IndexMap::new();
    let parent_resources = if multiprocess.is_some() {
        &no_resources
    } else {
        &plan.resources
    };
    let resources = match RunResources::init(parent_resources, &run_config, &instance, &run_id) {
        Ok(r) => r,
        Err(failed) => {
            let InitFailed {
                error: e,
                teardown_errors,
            } = *failed;
            events.push(
                EventKind::RunFailure {
                    error: e.to_string(),
                },
                None,
                format!("Execution of run for \"{}\" failed. {e}", plan.job_name),
            );
            let result = RunResult {
                run_id: run_id.to_string(),
                job_name: plan.job_name.to_string(),
                events: events.take(),
                steps: plan
                    .steps
                    .iter()
                    .map(|s| (s.key.to_string(), StepOutcome::Skipped(Vec::new())))
                    .collect(),
                outputs: HashMap::new(),
                asset_steps: HashMap::new(),
                failures: Vec::new(),
                teardown_errors,
                history_error: None,
                instance,
                run_error: Some(e),
                listener_error: events.listener_error(),
                stored: None,
            };
            return recorded(result);
        }
    };

    let n = plan.steps.len();
    let max_workers = options
        .executor
        .as_ref()
        .and_then(|e| e.max_concurrent_steps())
        .or(options.max_concurrency)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|p| p.get())
                .unwrap_or(1)
        });
    let mut state = RunState {
        plan,
        run_id: run_id.clone(),
        resources,
        events: events.clone(),
        run_config,
        capture: options.capture_outputs.unwrap_or(true),
        outputs: Mutex::new(HashMap::new()),
        partition_load_concurrency: options.partition_load_concurrency.unwrap_or(8),
        op_retry_policy: options.op_retry_policy,
        emitted: Default::default(),
    };
    // Templates and collecting steps also wait for dynamic outputs.
    let waiting_on: Vec<usize> = (0..n)
        .map(|i| state.plan.steps[i].upstream.len() + super::dynamic::holds(&state.plan, i))
        .collect();
    let mut schedule = Mutex::new(Schedule {
        ready: (0..n).filter(|&i| waiting_on[i] == 0).collect(),
        waiting_on,
        status: vec![Status::Pending; n],
        skipped_because: vec![Vec::new(); n],
        running: 0,
        done: 0,
    });
    let wake = Condvar::new();
    let failures: Mutex<Vec<(String, Error)>> = Mutex::new(Vec::new());

    // Generations: run what is ready until nothing is, then add the steps
    // mapped over the dynamic outputs that ran (`run::dynamic`).
    let mut expanded = std::collections::HashSet::new();
    loop {
        let workers = max_workers.clamp(1, state.plan.steps.len().max(1));
        let run_step = |i: usize| match &multiprocess {
            Some(launch) => launch.run_step(&state, i),
            None => state.run_step(i),
        };
        std::thread::scope(|scope| {
            for _ in 1..workers {
                scope.spawn(|| work(&state, &schedule, &wake, &failures, &run_step));
            }
            work(&state, &schedule, &wake, &failures, &run_step);
        });
        let schedule = schedule.get_mut().unwrap_or_else(|e| e.into_inner());
        if !super::dynamic::expand(&mut state, schedule, &mut expanded) {
            break;
        }
    }

    let teardown_errors = state.resources.teardown();
    let schedule = schedule.into_inner().unwrap_or_else(|e| e.into_inner());
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut steps = indexmap::IndexMap::with_capacity(n);
    for (i, step) in state.plan.steps.iter().enumerate() {
        if super::dynamic::is_template(&state.plan, i) {
            continue;
        }
        let outcome = match schedule.status[i] {
            Status::Succeeded => StepOutcome::Success,
            Status::Failed => StepOutcome::Failed(
                failures
                    .iter()
                    .find(|(k, _)| **k == *step.key)
                    .map(|(_, e)| e.to_string())
                    .unwrap_or_default(),
            ),
            Status::NotYielded => StepOutcome::NotYielded(schedule.skipped_because[i].clone()),
            _ => StepOutcome::Skipped(schedule.skipped_because[i].clone()),
        };
        steps.insert(step.key.to_string(), outcome);
    }
    let success = steps.values().all(StepOutcome::is_clean);
    let job = state.plan.job_name.clone();
    if success {
        events.push(
            EventKind::RunSuccess,
            None,
            format!("Finished execution of run for \"{job}\"."),
        );
    } else {
        let failed: Vec<&str> = steps
            .iter()
            .filter(|(_, o)| !o.is_clean())
            .map(|(k, _)| k.as_str())
            .collect();
        let error = format!("steps failed or skipped: {}", failed.join(", "));
        events.push(
            EventKind::RunFailure {
                error: error.clone(),
            },
            None,
            format!("Execution of run for \"{job}\" failed. {error}"),
        );
    }
    let asset_steps = state
        .plan
        .steps
        .iter()
        .flat_map(|s| {
            s.op.outputs.iter().filter_map(|o| {
                let key = o.asset_key.clone()?;
                Some((key, (s.key.to_string(), o.name.clone())))
            })
        })
        .collect();
    let RunState {
        plan,
        run_config,
        outputs,
        partition_load_concurrency,
        ..
    } = state;
    let listener_error = events.listener_error();
    let events = events.take();
    // Values stored by children are read back on demand, in this process.
    let stored = multiprocess.is_some().then(|| {
        StoredOutputs::new(
            plan,
            &events,
            run_id.clone(),
            run_config,
            instance.clone(),
            partition_load_concurrency,
        )
    });
    let result = RunResult {
        run_id: run_id.to_string(),
        job_name: job.to_string(),
        events,
        steps,
        outputs: outputs.into_inner().unwrap_or_else(|e| e.into_inner()),
        asset_steps,
        failures,
        teardown_errors,
        history_error: None,
        instance,
        run_error: None,
        listener_error,
        stored,
    };
    recorded(result)
}

/// `result`, recorded in its instance's history. Recording must not lose
/// the run: its failure is kept on the result.
fn recorded(mut result: RunResult) -> RunResult {
    if let Err(e) = result
        .instance
        .history()
        .and_then(|h| h.map(|h| h.record(&result.record())).transpose())
    {
        tracing::warn!(target: "larder", "could not record run {}: {e}", result.run_id);
        result.history_error = Some(e.to_string());
    }
    result
}

fn work(
    state: &RunState,
    schedule: &Mutex<Schedule>,
    wake: &Condvar,
    failures: &Mutex<Vec<(String, Error)>>,
    run_step: &(dyn Fn(usize) -> Result<(), Error> + Sync),
) {
    let n = state.plan.steps.len();
    let lock = || schedule.lock().unwrap_or_else(|e| e.into_inner());
    let mut guard = lock();
    loop {
        let i = loop {
            if let Some(i) = guard.ready.pop_front() {
                guard.status[i] = Status::Running;
                guard.running += 1;
                break i;
            }
            if guard.done >= n || guard.running == 0 {
                wake.notify_all();
                return;
            }
            guard = wake.wait(guard).unwrap_or_else(|e| e.into_inner());
        };
        drop(guard);
        let result = run_step(i);
        guard = lock();
        guard.running -= 1;
        guard.done += 1;
        match result {
            Ok(()) => {
                guard.status[i] = Status::Succeeded;
                for (d, handles) in super::optional_outputs::readers_of_unproduced(state, i) {
                    skip_from(state, &mut guard, d, handles, Status::NotYielded);
                }
                for &d in &state.plan.steps[i].downstream {
                    guard.waiting_on[d] -= 1;
                    if guard.waiting_on[d] == 0 && guard.status[d] == Status::Pending {
                        match super::optional_outputs::unloadable_fan_in(state, d) {
                            Some(handles) => {
                                skip_from(state, &mut guard, d, handles, Status::NotYielded)
                            }
                            None => guard.ready.push_back(d),
                        }
                    }
                }
            }
            Err(e) => {
                guard.status[i] = Status::Failed;
                if let Ok(mut f) = failures.lock() {
                    f.push((state.plan.steps[i].key.to_string(), e));
                }
                skip_downstream(state, &mut guard, i);
            }
        }
        // This thread takes the next ready step; wake others for the rest.
        if guard.ready.len() > 1 {
            for _ in 1..guard.ready.len() {
                wake.notify_one();
            }
        }
        if guard.done >= n {
            wake.notify_all();
        }
    }
}

/// Skips step `i`, added to the run with an upstream step that did not
/// succeed (a step mapped over a dynamic output), and its downstream.
pub(super) fn skip_blocked(state: &RunState, schedule: &mut Schedule, i: usize) {
    if schedule.status[i] != Status::Pending {
        return;
    }
    let because: Vec<String> = state.plan.steps[i]
        .upstream
        .iter()
        .filter(|&&u| matches!(schedule.status[u], Status::Failed | Status::Skipped))
        .map(|&u| state.plan.steps[u].key.to_string())
        .collect();
    schedule.status[i] = Status::Skipped;
    schedule.done += 1;
    schedule.skipped_because[i] = because.clone();
    let key = &state.plan.steps[i].key;
    state.events.push(
        EventKind::StepSkipped {
            upstream: because.clone(),
        },
        Some(key),
        format!(
            "Skipped execution of step \"{key}\": upstream step \"{}\" did not succeed.",
            because.join("\", \"")
        ),
    );
    skip_downstream(state, schedule, i);
}

fn skip_downstream(state: &RunState, schedule: &mut Schedule, failed: usize) {
    skip_below(state, schedule, failed, Status::Skipped);
}

/// Skips step `d` (pending) for the upstream `handles`, then its downstream,
/// with Dagster's message ("due to skipped dependencies").
fn skip_from(
    state: &RunState,
    schedule: &mut Schedule,
    d: usize,
    handles: Vec<String>,
    status: Status,
) {
    if schedule.status[d] != Status::Pending {
        return;
    }
    schedule.status[d] = status;
    schedule.done += 1;
    schedule.skipped_because[d] = handles.clone();
    let key = &state.plan.steps[d].key;
    state.events.push(
        EventKind::StepSkipped {
            upstream: handles.clone(),
        },
        Some(key),
        format!(
            "Skipping step {key} due to skipped dependencies: [{}].",
            handles
                .iter()
                .map(|h| format!("'{h}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    skip_below(state, schedule, d, status);
}

fn skip_below(state: &RunState, schedule: &mut Schedule, failed: usize, status: Status) {
    if status == Status::NotYielded {
        // Dagster names the skipped step's outputs its downstream read.
        for &d in &state.plan.steps[failed].downstream {
            let handles = super::optional_outputs::handles_read(state, failed, d);
            skip_from(state, schedule, d, handles, status);
        }
        return;
    }
    // Each step with the step to name as the cause: a template (never run)
    // passes on its own cause.
    let mut stack = vec![(failed, state.plan.steps[failed].key.to_string())];
    while let Some((i, because)) = stack.pop() {
        for &d in &state.plan.steps[i].downstream {
            let because = because.clone();
            if schedule.status[d] == Status::Pending && super::dynamic::is_template(&state.plan, d)
            {
                schedule.status[d] = Status::Skipped;
                schedule.done += 1;
                stack.push((d, because));
            } else if schedule.status[d] == Status::Pending {
                schedule.status[d] = Status::Skipped;
                schedule.done += 1;
                schedule.skipped_because[d].push(because.clone());
                let key = &state.plan.steps[d].key;
                state.events.push(
                    EventKind::StepSkipped { upstream: vec![because.clone()] },
                    Some(key),
                    format!("Skipped execution of step \"{key}\": upstream step \"{because}\" did not succeed."),
                );
                stack.push((d, state.plan.steps[d].key.to_string()));
            } else if schedule.status[d] == Status::Skipped
                && !schedule.skipped_because[d].contains(&because)
            {
                schedule.skipped_because[d].push(because);
            }
        }
    }
}
