//! The multiprocess executor, driven against the `larder-mp-demo` binary as
//! step worker: each step runs in its own child process. Values of steps
//! run in children are not in this process's memory (`output_for_node`
//! has none): they are read back through the manager that stored them.

use std::path::Path;
use std::time::Duration;

use larder::prelude::*;
use larder::{
    EventType, Executor, Instance, StepOutcome, build_input_context, build_output_context,
};
use serde::de::DeserializeOwned;

const WORKER: &str = env!("CARGO_BIN_EXE_larder-mp-demo");

fn defs() -> Definitions {
    larder_examples::multiprocess::definitions(Some(Path::new(WORKER))).unwrap()
}

fn multiprocess() -> Executor {
    Executor::multiprocess()
        .max_concurrent(4)
        .worker_program(WORKER)
}

/// Output `result` of `step` in run `run_id`, loaded as the filesystem
/// manager loads it for a downstream step.
fn load<T>(storage: &Path, run_id: &str, step: &str) -> T
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    FilesystemIOManager: IOManager<T>,
{
    let manager = FilesystemIOManager::new(storage);
    let upstream = build_output_context()
        .step_key(step)
        .name("result")
        .run_id(run_id)
        .build();
    let mut ctx = build_input_context()
        .name("x")
        .upstream_output(upstream)
        .build();
    IOManager::<T>::load_input(&manager, &mut ctx).unwrap()
}

fn crash_run(how: &str, executor: Executor) -> (tempfile::TempDir, RunResult) {
    let home = tempfile::tempdir().unwrap();
    let config = RunConfig::new().op("crash", serde_json::json!({ "how": how }));
    let result = defs()
        .execute_job(
            "crashes",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .run_config(config)
                .executor(executor)
                .raise_on_error(false),
        )
        .unwrap();
    (home, result)
}

fn failure_of(result: &RunResult, step: &str) -> String {
    match result.step_outcome(step) {
        Some(StepOutcome::Failed(e)) => e.clone(),
        other => panic!("step {step} did not fail: {other:?}"),
    }
}

/// The crashed run: `crash` failed, `after_crash` skipped for it, the
/// independent step succeeded and its value is stored, the run failed and
/// is recorded.
fn assert_others_went_on(home: &Path, result: &RunResult) {
    assert!(!result.success());
    assert_eq!(
        result.step_outcome("independent"),
        Some(&StepOutcome::Success)
    );
    assert_eq!(
        result.step_outcome("after_crash"),
        Some(&StepOutcome::Skipped(vec!["crash".to_owned()]))
    );
    let storage = home.join("storage");
    assert_eq!(load::<i64>(&storage, result.run_id(), "independent"), 7);
    let failures: Vec<_> = result
        .events_for_step("crash")
        .into_iter()
        .filter(|e| e.event_type() == EventType::StepFailure)
        .collect();
    assert_eq!(failures.len(), 1, "{:#?}", result.events());
    assert_eq!(
        result.events().last().unwrap().event_type(),
        EventType::RunFailure
    );
    let history = Instance::at(home).history().unwrap().unwrap();
    assert_eq!(history.run_count().unwrap(), 1);
}

#[test]
fn a_job_on_the_multiprocess_executor_stores_through_the_filesystem_manager() {
    let home = tempfile::tempdir().unwrap();
    let result = defs()
        .execute_job(
            "two_ops",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .executor(multiprocess()),
        )
        .unwrap();
    assert!(result.success());
    let storage = home.path().join("storage");
    assert!(storage.join(result.run_id()).join("op_a/result").is_file());
    assert_eq!(load::<i64>(&storage, result.run_id(), "op_a"), 1);
    assert_eq!(load::<i64>(&storage, result.run_id(), "op_b"), 2);
    // The values live in the children: this process has none.
    assert!(result.output_for_node::<i64>("op_b").is_err());
    // Each step's events arrive whole and in order; op_b loaded op_a's.
    let types = |step: &str| -> Vec<EventType> {
        result
            .events_for_step(step)
            .into_iter()
            .map(|e| e.event_type())
            .filter(|t| *t != EventType::Log)
            .collect()
    };
    assert_eq!(
        types("op_a"),
        [
            EventType::StepStart,
            EventType::StepOutput,
            EventType::HandledOutput,
            EventType::StepSuccess
        ]
    );
    assert_eq!(
        types("op_b"),
        [
            EventType::StepStart,
            EventType::LoadedInput,
            EventType::StepOutput,
            EventType::HandledOutput,
            EventType::StepSuccess
        ]
    );
    let launched: Vec<&str> = result
        .events_of_type(EventType::Log)
        .into_iter()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        launched,
        [
            "Launching subprocess for \"op_a\".",
            "Launching subprocess for \"op_b\"."
        ]
    );
    assert_eq!(result.events()[0].event_type(), EventType::RunStart);
    assert_eq!(
        result.events().last().unwrap().event_type(),
        EventType::RunSuccess
    );
    let history = Instance::at(home.path()).history().unwrap().unwrap();
    assert_eq!(history.run_count().unwrap(), 1);
}

#[test]
fn assets_materialized_multiprocess_are_files_where_the_manager_writes_them() {
    let home = tempfile::tempdir().unwrap();
    let result = defs()
        .run(
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .executor(multiprocess()),
        )
        .unwrap();
    assert!(result.success());
    let storage = home.path().join("storage");
    assert!(storage.join("numbers").is_file());
    assert!(storage.join("total").is_file());
    assert_eq!(
        result.events_of_type(EventType::AssetMaterialization).len(),
        2
    );
    let history = Instance::at(home.path()).history().unwrap().unwrap();
    let total = history
        .latest_materialization(&AssetKey::from("total"))
        .unwrap()
        .unwrap();
    assert_eq!(total.run_id, result.run_id());
    // Read back as a later in-process run would load it.
    let again = defs()
        .execute_job(
            "two_ops",
            RunOptions::new().instance(Instance::at(home.path())),
        )
        .unwrap();
    assert!(again.success());
}

#[test]
fn a_job_can_choose_the_multiprocess_executor() {
    let home = tempfile::tempdir().unwrap();
    let result = defs()
        .execute_job(
            "mp_by_default",
            RunOptions::new().instance(Instance::at(home.path())),
        )
        .unwrap();
    assert!(result.success());
    assert_eq!(result.events_of_type(EventType::Log).len(), 2);
    let storage = home.path().join("storage");
    assert_eq!(load::<i64>(&storage, result.run_id(), "op_b"), 2);
    // The run can still choose otherwise (in process, in memory).
    let in_process = defs()
        .execute_job(
            "mp_by_default",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .executor(Executor::in_process()),
        )
        .unwrap();
    assert_eq!(*in_process.output_for_node::<i64>("op_b").unwrap(), 2);
}

#[test]
fn the_in_memory_manager_is_refused_before_launch() {
    let home = tempfile::tempdir().unwrap();
    let err = defs()
        .execute_job(
            "two_ops",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .in_memory()
                .executor(multiprocess()),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "You have attempted to use an executor that uses multiple processes, but `two_ops` includes outputs that will not be stored somewhere other processes can retrieve them: output `result` of op `op_a` (io_manager_key `io_manager`, bound to `InMemoryIOManager`); output `result` of op `op_b` (io_manager_key `io_manager`, bound to `InMemoryIOManager`). Each step of a multiprocess run executes in its own process, and an in-memory manager keeps values in the process that stored them. Bind a persistent IO manager to `io_manager` (e.g. `FilesystemIOManager`; for the default `io_manager`, `RunOptions::on_disk()`), or run in process (`Executor::in_process()`)."
    );
    // Nothing ran, nothing was recorded.
    let history = Instance::at(home.path()).history().unwrap();
    assert!(history.is_none_or(|h| h.run_count().unwrap() == 0));
}

#[test]
fn a_child_killed_by_sigkill_fails_its_step_and_the_others_go_on() {
    let (home, result) = crash_run("sigkill", multiprocess());
    let e = failure_of(&result, "crash");
    assert!(e.contains("for step \"crash\""), "{e}");
    assert!(e.contains("was killed by signal 9 (SIGKILL"), "{e}");
    assert_others_went_on(home.path(), &result);
}

#[test]
fn a_child_that_aborts_fails_its_step() {
    let (home, result) = crash_run("abort", multiprocess());
    let e = failure_of(&result, "crash");
    assert!(e.contains("for step \"crash\""), "{e}");
    assert!(e.contains("was killed by signal 6 (SIGABRT"), "{e}");
    assert_others_went_on(home.path(), &result);
}

#[test]
fn a_step_that_panics_in_its_child_fails_with_the_panic() {
    let (home, result) = crash_run("panic", multiprocess());
    let e = failure_of(&result, "crash");
    assert!(e.contains("the crash op panics on purpose"), "{e}");
    assert_others_went_on(home.path(), &result);
}

#[test]
fn a_child_that_hangs_past_the_step_timeout_is_killed() {
    let (home, result) = crash_run(
        "hang",
        multiprocess().step_timeout(Duration::from_millis(300)),
    );
    let e = failure_of(&result, "crash");
    assert!(
        e.starts_with("step \"crash\" did not finish within its step timeout of 0.300 seconds; its child process (pid "),
        "{e}"
    );
    assert!(e.ends_with(") was killed"), "{e}");
    assert_others_went_on(home.path(), &result);
}

#[test]
fn the_cli_materializes_on_the_multiprocess_executor() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(WORKER)
        .args(["materialize", "--executor", "multiprocess"])
        .env("LARDER_HOME", home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.path().join("storage/numbers").is_file());
    assert!(home.path().join("storage/total").is_file());
    let bad = std::process::Command::new(WORKER)
        .args(["execute", "two_ops", "--executor", "threads"])
        .env("LARDER_HOME", home.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("unknown executor `threads`: expected `in_process` or `multiprocess`"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[op]
fn one() -> i64 {
    1
}

/// Chosen in the job's attribute.
#[job(executor = multiprocess(max_concurrent = 2, step_timeout = Duration::from_secs(60)))]
fn chosen_by_attribute() {
    one();
}

#[job(executor = in_process)]
fn in_process_by_attribute() {
    one();
}

#[test]
fn the_job_attribute_chooses_the_executor() {
    assert_eq!(
        chosen_by_attribute().unwrap().executor(),
        Some(
            &Executor::multiprocess()
                .max_concurrent(2)
                .step_timeout(Duration::from_secs(60))
        )
    );
    assert_eq!(
        in_process_by_attribute().unwrap().executor(),
        Some(&Executor::in_process())
    );
}

#[test]
fn definitions_can_choose_the_executor_of_their_runs() {
    let home = tempfile::tempdir().unwrap();
    let result = defs()
        .executor(multiprocess())
        .run(RunOptions::new().instance(Instance::at(home.path())))
        .unwrap();
    assert!(result.success());
    // Each step was launched in a child process, and its value is not here.
    let launches = result
        .events_of_type(EventType::Log)
        .iter()
        .filter(|e| e.message.starts_with("Launching subprocess for"))
        .count();
    assert_eq!(launches, result.step_outcomes().len());
    assert!(result.output_for_node::<i64>("total").is_err());
    assert!(home.path().join("storage/total").is_file());

    // A run's own choice wins.
    let in_process = defs()
        .executor(multiprocess())
        .run(
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .executor(Executor::in_process()),
        )
        .unwrap();
    assert!(
        in_process
            .events_of_type(EventType::Log)
            .iter()
            .all(|e| !e.message.starts_with("Launching subprocess for"))
    );
}

#[test]
fn the_runs_retry_policy_reaches_the_step_workers() {
    let home = tempfile::tempdir().unwrap();
    let run = |policy: Option<larder::RetryPolicy>| {
        let mut options = RunOptions::new()
            .instance(Instance::at(home.path()))
            .executor(multiprocess())
            .raise_on_error(false);
        if let Some(p) = policy {
            options = options.op_retry_policy(p);
        }
        defs().execute_job("flaky", options).unwrap()
    };
    let without = run(None);
    assert!(!without.success());
    assert_eq!(without.attempts("flaky_once"), 1);
    let with = run(Some(larder::RetryPolicy::new(1)));
    assert!(with.success(), "{:?}", with.failure_lines());
    assert_eq!(with.attempts("flaky_once"), 2);
}
