//! The multiprocess executor's parent side: each step runs in a child
//! process of the same binary (a step worker, see `worker`), which gets a
//! [`StepPlan`] on stdin and writes its events back as JSON lines on
//! stdout. The parent merges them into the run's events as they arrive;
//! a child that dies or hangs is a failure of its step, named with its exit
//! status or signal.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::RunOptions;
use super::plan::{Plan, stored_as};
use super::step::RunState;
use super::step_plan::{
    InstanceLocation, MESSAGE_MARKER, PlannedPartition, STEP_PLAN_VERSION, StepPlan, WorkerMessage,
};
use super::worker::WORKER_ENV;
use crate::error::{Error, Result};
use crate::model::config::RunConfig;
use crate::model::events::{EventKind, EventLog};
use crate::model::executor::Executor;
use crate::model::instance::Instance;
use crate::model::metadata::{Metadata, MetadataValue};

/// Refuses a plan whose outputs go to a manager that keeps them in this
/// process (Dagster's `DagsterUnmetExecutorRequirementsError`), naming
/// each output, its manager key and the manager.
pub(crate) fn check_persistent_outputs(plan: &Plan) -> Result<()> {
    let mut offending = Vec::new();
    for step in &plan.steps {
        for out in &step.op.outputs {
            let out = stored_as(step, out);
            if out.ty.is_unit() {
                continue;
            }
            let key = &out.io_manager_key;
            if let Some(def) = plan.resources.get(key).filter(|d| !d.is_persistent()) {
                offending.push(format!(
                    "output `{}` of {} (io_manager_key `{key}`, bound to `{}`)",
                    out.name,
                    step.describe(),
                    crate::model::types::short_type_name(def.type_name)
                ));
            }
        }
    }
    if offending.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = {
        let mut keys: Vec<&str> = plan
            .steps
            .iter()
            .flat_map(|s| s.op.outputs.iter().map(|o| o.io_manager_key.as_str()))
            .filter(|k| plan.resources.get(*k).is_some_and(|d| !d.is_persistent()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    Err(Error::Message(format!(
        "You have attempted to use an executor that uses multiple processes, but `{}` includes outputs that will not be stored somewhere other processes can retrieve them: {}. Each step of a multiprocess run executes in its own process, and an in-memory manager keeps values in the process that stored them. Bind a persistent IO manager to {} (e.g. `FilesystemIOManager`; for the default `io_manager`, `RunOptions::on_disk()`), or run in process (`Executor::in_process()`).",
        plan.job_name,
        offending.join("; "),
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", "),
    )))
}

/// How the parent launches step workers for one run.
pub(crate) struct Launch {
    program: std::result::Result<PathBuf, String>,
    args: Vec<String>,
    timeout: Option<Duration>,
    template: std::result::Result<StepPlan, String>,
}

impl Launch {
    pub(crate) fn new(
        executor: &Executor,
        options: &RunOptions,
        instance: &Instance,
        run_id: &str,
        run_config: &RunConfig,
    ) -> Launch {
        let program = match executor.worker() {
            Some(p) => Ok(p.to_path_buf()),
            None => std::env::current_exe().map_err(|e| {
                format!("cannot find this process's executable to launch step workers: {e}")
            }),
        };
        let template = match &options.target {
            Some(target) => Ok(StepPlan {
                version: STEP_PLAN_VERSION,
                run_id: run_id.to_owned(),
                parent_run_id: options
                    .reexecution
                    .as_ref()
                    .map(|r| r.parent_run_id().to_owned()),
                // Jobs too default to the filesystem on this executor.
                in_memory: options.in_memory.unwrap_or(false),
                target: target.clone(),
                step_key: String::new(),
                partition: options.partition.as_ref().map(PlannedPartition::from_selection),
                now: options.now.map(|t| t.to_string()),
                run_config: run_config.as_json().clone(),
                instance: InstanceLocation {
                    home: instance.home().map(|h| h.to_path_buf()),
                    storage_dir: instance.storage_directory().to_path_buf(),
                },
                partition_load_concurrency: options.partition_load_concurrency.unwrap_or(8),
                op_retry_policy: options.op_retry_policy,
                subset: options.subset.clone(),
            }),
            None => Err("this run cannot be planned again in another process (it was not started through `Definitions::run`, `execute_job` or `materialize`)".to_owned()),
        };
        Launch {
            program,
            args: executor.worker_arguments().to_vec(),
            timeout: executor.timeout(),
            template,
        }
    }

    /// Runs step `i` in a child process; its events (and a failure event
    /// when the child dies without one) go to the run's events.
    pub(crate) fn run_step(&self, state: &RunState, i: usize) -> Result<()> {
        let key = state.plan.steps[i].key.to_string();
        match self.run_child(state, &key) {
            Ok(()) => Ok(()),
            Err(Reported(e)) => Err(Error::Message(e)),
            Err(Unreported(e, metadata)) => {
                state.events.push(
                    EventKind::StepFailure {
                        error: e.clone(),
                        causes: Vec::new(),
                        metadata,
                        attempts: 1,
                    },
                    Some(&key),
                    format!("Execution of step \"{key}\" failed: {e}"),
                );
                Err(Error::Message(e))
            }
        }
    }

    fn run_child(&self, state: &RunState, key: &str) -> std::result::Result<(), ChildFailure> {
        let program = self
            .program
            .as_ref()
            .map_err(|e| Unreported(e.clone(), Metadata::new()))?;
        let mut plan = self
            .template
            .clone()
            .map_err(|e| Unreported(e, Metadata::new()))?;
        plan.step_key = key.to_owned();
        let plan = serde_json::to_string(&plan).map_err(|e| {
            Unreported(
                format!("cannot serialize the step plan: {e}"),
                Metadata::new(),
            )
        })?;
        state.events.push(
            EventKind::Log {
                level: "debug",
                message: format!("Launching subprocess for \"{key}\"."),
            },
            Some(key),
            format!("Launching subprocess for \"{key}\"."),
        );
        let mut child = Command::new(program)
            .args(&self.args)
            .env(WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                Unreported(
                    format!(
                        "could not launch the step worker `{}` for step \"{key}\": {e}",
                        program.display()
                    ),
                    Metadata::new(),
                )
            })?;
        let pid = child.id();
        // A child that exits before reading its plan closes the pipe: its
        // exit status says why, below.
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(plan.as_bytes());
        }
        let reader = child.stdout.take().map(|stdout| {
            let events = state.events.clone();
            std::thread::spawn(move || read_messages(stdout, &events))
        });
        let started = Instant::now();
        let (status, timed_out) = match self.timeout {
            None => (child.wait(), false),
            Some(timeout) => loop {
                match child.try_wait() {
                    Ok(Some(status)) => break (Ok(status), false),
                    Ok(None) if started.elapsed() >= timeout => {
                        let _ = child.kill();
                        break (child.wait(), true);
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                    Err(e) => break (Err(e), false),
                }
            },
        };
        let seen = reader.and_then(|r| r.join().ok()).unwrap_or_default();
        let mut metadata = Metadata::new();
        metadata.insert("pid".to_owned(), MetadataValue::from(pid as i64));
        if timed_out {
            let timeout = self.timeout.unwrap_or_default();
            metadata.insert(
                "step_timeout_seconds".to_owned(),
                MetadataValue::from(timeout.as_secs_f64()),
            );
            return Err(Unreported(
                format!(
                    "step \"{key}\" did not finish within its step timeout of {:.3} seconds; its child process (pid {pid}) was killed",
                    timeout.as_secs_f64()
                ),
                metadata,
            ));
        }
        if let Some(error) = seen.failure {
            return Err(Reported(error));
        }
        let status = status.map_err(|e| {
            Unreported(
                format!("waiting for the child process (pid {pid}) of step \"{key}\": {e}"),
                metadata.clone(),
            )
        })?;
        if seen.success {
            return Ok(());
        }
        if let Some(error) = seen.worker_error {
            return Err(Unreported(
                format!("the step worker (pid {pid}) could not execute step \"{key}\": {error}"),
                metadata,
            ));
        }
        let how = describe_status(status);
        metadata.insert("exit_status".to_owned(), MetadataValue::from(how.clone()));
        Err(Unreported(
            format!(
                "Multiprocess executor: child process (pid {pid}) for step \"{key}\" {how} before the step finished"
            ),
            metadata,
        ))
    }
}

enum ChildFailure {
    /// The child recorded the step's failure itself.
    Reported(String),
    /// The child died or could not run: the parent records the failure.
    Unreported(String, Metadata),
}
use ChildFailure::{Reported, Unreported};

#[derive(Default)]
struct Seen {
    success: bool,
    failure: Option<String>,
    worker_error: Option<String>,
}

/// Reads a worker's stdout: message lines go to the run's events, the
/// rest is the step's own output, passed on to this process's stderr (its
/// stdout may be locked for the whole run, as `larder::cli` does).
fn read_messages(stdout: std::process::ChildStdout, events: &Arc<EventLog>) -> Seen {
    let mut seen = Seen::default();
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let Some(at) = text.find(MESSAGE_MARKER) else {
            eprint!("{text}");
            continue;
        };
        if at > 0 {
            eprintln!("{}", &text[..at]);
        }
        let json = text[at + MESSAGE_MARKER.len()..].trim_end();
        match serde_json::from_str::<WorkerMessage>(json) {
            Ok(WorkerMessage::Event(event)) => {
                match &event.kind {
                    EventKind::StepSuccess => seen.success = true,
                    EventKind::StepFailure { error, .. } => seen.failure = Some(error.clone()),
                    _ => {}
                }
                events.push_event(*event);
            }
            Ok(WorkerMessage::Error(e)) => seen.worker_error = Some(e),
            Err(e) => {
                seen.worker_error
                    .get_or_insert_with(|| format!("unreadable message from the step worker: {e}"));
            }
        }
    }
    seen
}

/// "exited with code 3", "was killed by signal 9 (SIGKILL)".
fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                1 => " (SIGHUP)",
                2 => " (SIGINT)",
                4 => " (SIGILL)",
                6 => " (SIGABRT: aborted)",
                7 => " (SIGBUS)",
                8 => " (SIGFPE)",
                9 => " (SIGKILL: killed, e.g. by `kill -9` or the out-of-memory killer)",
                11 => " (SIGSEGV)",
                13 => " (SIGPIPE)",
                15 => " (SIGTERM)",
                _ => "",
            };
            return format!("was killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("unexpectedly exited with code {code}"),
        None => "unexpectedly exited".to_owned(),
    }
}
