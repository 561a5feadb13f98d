//! Retries and structured failures as Dagster's tests exercise them: an
//! input manager asking for retries, a retry policy on an asset and as a
//! job default, a `Failure` with metadata, and `allow_retries(false)`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use larder::prelude::*;
use larder::{EventKind, EventType};

static FLAKY_LOADS: AtomicU32 = AtomicU32::new(0);

/// Asks for a retry on its first two loads, then loads 7.
#[input_manager(key = "flaky")]
fn flaky() -> larder::Result<i64> {
    if FLAKY_LOADS.fetch_add(1, Ordering::SeqCst) < 2 {
        return Err(RetryRequested::new(3)
            .reason("the source is not ready")
            .into());
    }
    Ok(7)
}

#[asset(ins(n(input_manager_key = "flaky")))]
fn from_flaky(n: i64) -> i64 {
    n
}

/// Always asks for a retry.
#[input_manager(key = "never_ready")]
fn never_ready() -> larder::Result<i64> {
    Err(RetryRequested::new(3).into())
}

#[asset(ins(n(input_manager_key = "never_ready")))]
fn from_never_ready(n: i64) -> i64 {
    n
}

#[asset]
fn after_never_ready(from_never_ready: i64) -> i64 {
    from_never_ready
}

fn run(defs: Definitions) -> RunResult {
    defs.run(RunOptions::new().in_memory().raise_on_error(false))
        .unwrap()
}

#[test]
fn an_input_manager_that_asks_twice_succeeds_on_the_third_attempt() {
    let result = run(Definitions::new()
        .asset(from_flaky::definition())
        .resource("flaky", larder::declared_manager("flaky")));
    assert!(result.success());
    assert_eq!(result.attempts("from_flaky"), 3);
    assert_eq!(*result.asset_value::<i64>("from_flaky").unwrap(), 7);
    let kinds: Vec<EventType> = result
        .events_for_step("from_flaky")
        .iter()
        .map(|e| e.event_type())
        .filter(|t| matches!(t, EventType::StepUpForRetry | EventType::StepRestarted))
        .collect();
    assert_eq!(
        kinds,
        [
            EventType::StepUpForRetry,
            EventType::StepRestarted,
            EventType::StepUpForRetry,
            EventType::StepRestarted
        ]
    );
    let restarted = result.events_of_type(EventType::StepRestarted);
    assert_eq!(
        restarted[1].message,
        "Started re-execution (attempt # 3) of step \"from_flaky\"."
    );
}

#[test]
fn an_input_manager_that_always_asks_fails_after_four_attempts() {
    let result = run(Definitions::new()
        .assets([
            from_never_ready::definition(),
            after_never_ready::definition(),
        ])
        .resource("never_ready", larder::declared_manager("never_ready")));
    assert!(!result.success());
    assert_eq!(result.attempts("from_never_ready"), 4);
    assert_eq!(result.attempts("after_never_ready"), 0);
    let failure = result.events_of_type(EventType::StepFailure);
    match &failure[0].kind {
        EventKind::StepFailure {
            error, attempts, ..
        } => {
            assert_eq!(*attempts, 4);
            assert!(
                error.contains("error while loading input `n` of step `from_never_ready`")
                    && error.ends_with("(exceeded max_retries of 3)"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
}

static POLICY_CALLS: AtomicU32 = AtomicU32::new(0);

#[asset(retry_policy = RetryPolicy::new(2).delay(Duration::from_millis(1)))]
fn retried_by_policy() -> larder::Result<i64> {
    if POLICY_CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        return Err(larder::Error::msg("transient"));
    }
    Ok(1)
}

#[asset(retry_policy = RetryPolicy::new(5))]
fn refuses_retries() -> larder::Result<i64> {
    Err(Failure::new("the schema changed")
        .metadata(metadata! { "column" => "id" })
        .allow_retries(false)
        .into())
}

#[test]
fn a_retry_policy_retries_errors_but_not_failures_that_refuse() {
    let result = run(Definitions::new().asset(retried_by_policy::definition()));
    assert!(result.success());
    assert_eq!(result.attempts("retried_by_policy"), 2);
    let up = result.events_of_type(EventType::StepUpForRetry);
    match &up[0].kind {
        EventKind::StepUpForRetry {
            wait_seconds,
            attempt,
            ..
        } => {
            assert_eq!(*attempt, 1);
            assert!((*wait_seconds - 0.001).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }

    let result = run(Definitions::new().asset(refuses_retries::definition()));
    assert_eq!(result.attempts("refuses_retries"), 1);
    match &result.events_of_type(EventType::StepFailure)[0].kind {
        EventKind::StepFailure {
            error, metadata, ..
        } => {
            assert_eq!(
                error,
                "error in the body of step `refuses_retries`: the schema changed"
            );
            assert_eq!(metadata["column"], MetadataValue::from("id"));
        }
        other => panic!("{other:?}"),
    }
}

static JOB_CALLS: AtomicU32 = AtomicU32::new(0);

#[op]
fn sometimes() -> larder::Result<i64> {
    if JOB_CALLS.fetch_add(1, Ordering::SeqCst) < 2 {
        return Err(larder::Error::msg("not yet"));
    }
    Ok(3)
}

#[job(op_retry_policy = RetryPolicy::new(2))]
fn retrying_job() {
    sometimes();
}

#[test]
fn a_jobs_default_policy_applies_to_its_ops() {
    let result = retrying_job().unwrap().execute_in_process().unwrap();
    assert_eq!(result.attempts("sometimes"), 3);
    assert_eq!(*result.output_for_node::<i64>("sometimes").unwrap(), 3);
}

/// Fails with a description and metadata (Dagster's `Failure` from an
/// input manager).
#[input_manager(key = "broken_source")]
fn broken_source() -> larder::Result<i64> {
    Err(Failure::new("the source table is locked")
        .metadata(metadata! { "table" => "events", "retry_after_s" => 30 })
        .into())
}

#[asset(ins(n(input_manager_key = "broken_source")))]
fn from_broken_source(n: i64) -> i64 {
    n
}

#[test]
fn an_input_manager_failure_carries_its_metadata_and_boundary() {
    let result = run(Definitions::new()
        .asset(from_broken_source::definition())
        .resource("broken_source", larder::declared_manager("broken_source")));
    assert_eq!(result.attempts("from_broken_source"), 1);
    match &result.events_of_type(EventType::StepFailure)[0].kind {
        EventKind::StepFailure {
            error, metadata, ..
        } => {
            assert_eq!(
                error,
                "error while loading input `n` of step `from_broken_source`: the source table is locked"
            );
            assert_eq!(metadata["table"], MetadataValue::from("events"));
            assert_eq!(metadata["retry_after_s"], MetadataValue::Int(30));
        }
        other => panic!("{other:?}"),
    }
}
