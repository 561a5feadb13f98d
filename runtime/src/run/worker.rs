//! Step workers: how a user's binary re-enters as the child process that
//! executes one step of a multiprocess run.
//!
//! The parent launches the same executable (or `Executor::worker_program`)
//! with `LARDER_STEP_WORKER=1` and writes a [`StepPlan`] as JSON on its
//! stdin. [`run_if_worker`], called first thing in `main`, sees the
//! variable, builds the `Definitions`, plans the run again as the parent
//! did, initializes the resources that step uses, executes the step
//! through the same code as the in-process executor, writes each event as
//! a JSON line on stdout, and exits (0: the step succeeded, 1: it failed,
//! 2: it could not be executed). Without the variable it returns at once.
//!
//! ```no_run
//! // First thing in `main`:
//! larder::worker::run_if_worker(larder::Definitions::discover);
//! // ... the program as usual ...
//! ```

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::step::RunState;
use super::step_plan::{MESSAGE_MARKER, STEP_PLAN_VERSION, StepPlan};
use crate::definitions::Definitions;
use crate::error::{Error, Result};
use crate::io::resources::{InitFailed, RunResources};
use crate::model::events::{Event, EventKind, EventLog};

/// The environment variable that makes a process a step worker.
pub const WORKER_ENV: &str = "LARDER_STEP_WORKER";

/// Whether this process was launched as a step worker.
pub fn is_worker() -> bool {
    std::env::var_os(WORKER_ENV).is_some_and(|v| v == "1")
}

/// In a step worker: executes the step its parent sent with the
/// definitions `definitions` builds, then exits the process. Otherwise
/// returns at once (without calling `definitions`).
pub fn run_if_worker<F: FnOnce() -> Definitions>(definitions: F) {
    if !is_worker() {
        return;
    }
    let code = run_worker(definitions);
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}

/// Executes the step whose plan is on stdin with the definitions
/// `definitions` builds; the process's exit code (0: success, 1: the step
/// failed, 2: it could not be executed). For binaries that want to exit
/// themselves; most call [`run_if_worker`].
pub fn run_worker<F: FnOnce() -> Definitions>(definitions: F) -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        emit(&Message::Error(&format!(
            "reading the step plan from stdin: {e}"
        )));
        return 2;
    }
    match execute_step(&text, definitions) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            emit(&Message::Error(&e.to_string()));
            2
        }
    }
}

/// A message as the parent reads it (`WorkerMessage`), borrowed.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Message<'a> {
    Event(&'a Event),
    Error(&'a str),
}

/// One message line on stdout. Lines are written whole under a lock, so
/// events from the step's threads do not interleave.
fn emit(message: &Message<'_>) {
    static LOCK: Mutex<()> = Mutex::new(());
    let Ok(json) = serde_json::to_string(message) else {
        return;
    };
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    // After an unfinished line of the step's own output, the parent finds
    // the marker mid-line.
    let _ = writeln!(out, "{MESSAGE_MARKER}{json}");
    let _ = out.flush();
}

fn execute_step<F: FnOnce() -> Definitions>(text: &str, definitions: F) -> Result<bool> {
    let plan: StepPlan = serde_json::from_str(text)
        .map_err(|e| Error::msg(format!("the step plan on stdin is not valid: {e}")))?;
    if plan.version != STEP_PLAN_VERSION {
        return Err(Error::msg(format!(
            "the step plan has version {}, this worker reads version {STEP_PLAN_VERSION}; the parent and the worker must be the same build",
            plan.version
        )));
    }
    let defs = definitions();
    let (mut run_plan, options) = defs.worker_plan(&plan).map_err(|e| {
        Error::msg(format!(
            "planning the run again from this binary's definitions: {e}"
        ))
    })?;
    let Some(i) = run_plan.steps.iter().position(|s| *s.key == *plan.step_key) else {
        return Err(Error::msg(format!(
            "the run planned again from this binary's definitions has no step `{}` (its steps: {}); the parent and the worker must run the same definitions",
            plan.step_key,
            run_plan
                .steps
                .iter()
                .map(|s| s.key.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    // Only the resources this step uses, as Dagster's step processes.
    let needed = run_plan.needed_resources_of(Some(i));
    run_plan.resources.retain(|k, _| needed.contains(k));
    let instance = options
        .instance
        .clone()
        .ok_or_else(|| Error::msg("the step plan names no instance"))?;
    let events = Arc::new(EventLog::with_listener(Some(Arc::new(|e: &Event| {
        emit(&Message::Event(e))
    }))));
    let resources = RunResources::init(
        &run_plan.resources,
        &options.run_config,
        &instance,
        &plan.run_id,
    )
    .map_err(|failed| {
        let InitFailed { error, .. } = *failed;
        error
    })?;
    let state = RunState {
        plan: run_plan,
        run_id: Arc::from(plan.run_id.as_str()),
        resources,
        events: events.clone(),
        run_config: options.run_config.clone(),
        // The parent cannot hold the values of other processes.
        capture: false,
        outputs: Mutex::new(Default::default()),
        partition_load_concurrency: options.partition_load_concurrency.unwrap_or(8),
        op_retry_policy: options.op_retry_policy,
        emitted: Default::default(),
    };
    let ok = state.run_step(i).is_ok();
    for e in state.resources.teardown() {
        events.push(
            EventKind::Log {
                level: "error",
                message: e.clone(),
            },
            Some(&plan.step_key),
            e,
        );
    }
    Ok(ok)
}
