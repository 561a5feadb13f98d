//! The multiprocess executor, driven against the `larder-mp-demo` binary as
//! step worker: each step runs in its own child process. Values of steps
//! run in children are not in this process's memory: `output_for_node`
//! reads them back through the manager that stored them.

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
    // The values were stored by the children; `output_for_node` reads
    // them back through the filesystem manager, as Dagster's does.
    assert_eq!(*result.output_for_node::<i64>("op_a").unwrap(), 1);
    assert_eq!(*result.output_for_node::<i64>("op_b").unwrap(), 2);
    let wrong = result.output_for_node::<String>("op_b").unwrap_err();
    assert!(
        wrong.to_string().contains("output `result` of `op_b`")
            && wrong.to_string().contains("i64"),
        "{wrong}"
    );
    let missing = result
        .output_for_node::<i64>("op_c")
        .unwrap_err()
        .to_string();
    assert!(missing.contains("op_a.result, op_b.result"), "{missing}");
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
    // Each step was launched in a child process; values are read back.
    let launches = result
        .events_of_type(EventType::Log)
        .iter()
        .filter(|e| e.message.starts_with("Launching subprocess for"))
        .count();
    assert_eq!(launches, result.step_outcomes().len());
    assert_eq!(*result.asset_value::<i64>("total").unwrap(), 6);
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("numbers").unwrap(),
        [1, 2, 3]
    );
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

fn launched_steps(result: &RunResult) -> Vec<String> {
    result
        .events_of_type(EventType::Log)
        .into_iter()
        .filter_map(|e| e.message.strip_prefix("Launching subprocess for \""))
        .map(|m| m.trim_end_matches("\".").to_owned())
        .collect()
}

#[test]
fn a_multiprocess_run_is_re_executed_on_the_multiprocess_executor() {
    let home = tempfile::tempdir().unwrap();
    let options = || {
        RunOptions::new()
            .instance(Instance::at(home.path()))
            .executor(multiprocess())
    };
    let parent = defs().execute_job("two_ops", options()).unwrap();
    // Only op_b runs, in its own process, loading op_a's value from the
    // parent run's storage (Dagster's `ReexecutionOptions(step_selection=["op_b"])`).
    let child = defs()
        .execute_job(
            "two_ops",
            options().reexecution(
                larder::ReexecutionOptions::new(parent.run_id()).step_selection(["op_b"]),
            ),
        )
        .unwrap();
    assert!(child.success(), "{:?}", child.failure_lines());
    assert_eq!(launched_steps(&child), ["op_b"]);
    assert_eq!(child.events_of_type(EventType::LoadedInput).len(), 1);
    assert_eq!(child.step_outcomes().len(), 1);
    let storage = home.path().join("storage");
    assert!(storage.join(child.run_id()).join("op_b/result").is_file());
    assert!(!storage.join(child.run_id()).join("op_a").exists());
    assert_eq!(*child.output_for_node::<i64>("op_b").unwrap(), 2);
    // A re-execution of the re-execution keeps the root.
    let grandchild = defs()
        .execute_job(
            "two_ops",
            options().reexecution(
                larder::ReexecutionOptions::new(child.run_id()).step_selection(["op_b"]),
            ),
        )
        .unwrap();
    assert_eq!(launched_steps(&grandchild), ["op_b"]);
    let history = Instance::at(home.path()).history().unwrap().unwrap();
    let summary = history.run(grandchild.run_id()).unwrap().unwrap();
    assert_eq!(
        summary.launch.parent_run_id.as_deref(),
        Some(child.run_id())
    );
    assert_eq!(summary.launch.root_run_id.as_deref(), Some(parent.run_id()));
}

#[test]
fn a_failed_multiprocess_run_is_re_executed_from_failure_after_a_config_fix() {
    let home = tempfile::tempdir().unwrap();
    let failed = defs()
        .execute_job(
            "crashes",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .run_config(RunConfig::new().op("crash", serde_json::json!({ "how": "panic" })))
                .executor(multiprocess())
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!failed.success());
    let fixed = RunConfig::new().op("crash", serde_json::json!({ "how": "return" }));
    let retry = defs()
        .execute_job(
            "crashes",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .run_config(fixed)
                .executor(multiprocess())
                .reexecution(larder::ReexecutionOptions::from_failure(failed.run_id())),
        )
        .unwrap();
    assert!(retry.success(), "{:?}", retry.failure_lines());
    let mut launched = launched_steps(&retry);
    launched.sort();
    // `independent` succeeded in the parent: not run again.
    assert_eq!(launched, ["after_crash", "crash"]);
    assert_eq!(*retry.output_for_node::<i64>("after_crash").unwrap(), 1);
    assert!(retry.output_for_node::<i64>("independent").is_err());
}

#[test]
fn a_step_selection_runs_on_the_multiprocess_executor() {
    let home = tempfile::tempdir().unwrap();
    let result = defs()
        .execute_job(
            "crashes",
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .run_config(RunConfig::new().op("crash", serde_json::json!({ "how": "return" })))
                .executor(multiprocess())
                .step_selection(["independent"]),
        )
        .unwrap();
    assert_eq!(launched_steps(&result), ["independent"]);
    assert_eq!(*result.output_for_node::<i64>("independent").unwrap(), 7);
}
