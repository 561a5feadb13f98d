//! Event kinds, order and counts; failures that keep their cause.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use larder::prelude::*;
use larder::{Error, EventKind, EventType as E, StepOutcome, type_info};

#[test]
fn events_follow_dagsters_order() {
    let result = materialize_to_memory([const_asset("up", 1), plus_one("down", "up")]).unwrap();
    let up = Some("up".to_owned());
    let down = Some("down".to_owned());
    assert_eq!(
        event_types(&result),
        [
            (E::RunStart, None),
            (E::StepStart, up.clone()),
            (E::StepOutput, up.clone()),
            (E::AssetMaterialization, up.clone()),
            (E::HandledOutput, up.clone()),
            (E::StepSuccess, up.clone()),
            (E::StepStart, down.clone()),
            (E::LoadedInput, down.clone()),
            (E::StepOutput, down.clone()),
            (E::AssetMaterialization, down.clone()),
            (E::HandledOutput, down.clone()),
            (E::StepSuccess, down.clone()),
            (E::RunSuccess, None),
        ]
    );
    let messages: Vec<&str> = result.events().iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages[2], "Yielded output \"result\" of type \"i64\".");
    assert_eq!(messages[3], "Materialized value up.");
    assert_eq!(
        messages[4],
        "Handled output \"result\" using IO manager \"io_manager\""
    );
    assert_eq!(result.job_name(), "__asset_job");
}

#[test]
fn a_typed_manager_with_its_adapter_stores_and_reports_metadata() {
    struct Tagging;
    impl IOManager<i64> for Tagging {
        fn handle_output(&self, ctx: &mut OutputContext, obj: &i64) -> larder::Result<()> {
            ctx.add_output_metadata(larder::metadata! { "value" => *obj })?;
            ctx.log_event(larder::UserEvent::AssetObservation {
                asset_key: ctx.asset_key()?.clone(),
                description: Some("looked at it".into()),
                metadata: Metadata::new(),
                partition: None,
            });
            ctx.log().info("stored");
            Ok(())
        }
        fn load_input(&self, _: &mut InputContext) -> larder::Result<i64> {
            Ok(0)
        }
    }
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(i64))
        .io_manager_key("tagging")
        .typed_output(larder::TypedOutput::new::<Tagging, i64>())
        .compute(|io| io.output("result", 9_i64));
    let result = Definitions::new()
        .asset(a)
        .resource("tagging", IOManagerDefinition::hardcoded(Tagging))
        .materialize_all()
        .unwrap();
    let kinds: Vec<E> = result
        .events_for_step("a")
        .iter()
        .map(|e| e.event_type())
        .collect();
    assert_eq!(
        kinds,
        // The observation is recorded when it is logged, before the
        // `info` line that follows it.
        [
            E::StepStart,
            E::StepOutput,
            E::AssetObservation,
            E::Log,
            E::AssetMaterialization,
            E::HandledOutput,
            E::StepSuccess
        ]
    );
    let handled = &result.events_of_type(E::HandledOutput)[0].kind;
    assert_eq!(
        handled,
        &EventKind::HandledOutput {
            output_name: "result".into(),
            manager_key: "tagging".into(),
            metadata: larder::metadata! { "value" => 9_i64 },
        }
    );
}

#[test]
fn a_failing_manager_fails_its_step_names_it_and_skips_downstream() {
    struct Broken;
    impl IOManager<i64> for Broken {
        fn handle_output(&self, _: &mut OutputContext, _: &i64) -> larder::Result<()> {
            Err(std::io::Error::other("disk on fire").into())
        }
        fn load_input(&self, _: &mut InputContext) -> larder::Result<i64> {
            unreachable!()
        }
    }
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(i64))
        .io_manager_key("broken")
        .typed_output(larder::TypedOutput::new::<Broken, i64>())
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .assets([
            a,
            plus_one("b", "a"),
            plus_one("c", "b"),
            const_asset("independent", 3),
        ])
        .resource("broken", IOManagerDefinition::hardcoded(Broken))
        .resource("io_manager", mem_io_manager());

    let result = defs.run(RunOptions::new().raise_on_error(false)).unwrap();
    assert!(!result.success());
    assert_eq!(
        result.step_outcome("a"),
        Some(&StepOutcome::Failed(
            "error while handling output `result` of step `a`: disk on fire".into()
        ))
    );
    assert_eq!(
        result.step_outcome("b"),
        Some(&StepOutcome::Skipped(vec!["a".into()]))
    );
    assert_eq!(
        result.step_outcome("c"),
        Some(&StepOutcome::Skipped(vec!["b".into()]))
    );
    assert_eq!(
        result.step_outcome("independent"),
        Some(&StepOutcome::Success)
    );
    let failure = &result.events_of_type(E::StepFailure)[0].kind;
    assert!(
        matches!(failure, EventKind::StepFailure { causes, .. } if causes == &["disk on fire".to_owned()])
    );
    assert_eq!(result.events_of_type(E::StepSkipped).len(), 2);
    assert_eq!(result.events().last().unwrap().event_type(), E::RunFailure);

    // With raise_on_error (the default) the error keeps the cause.
    let err = defs.materialize_all().unwrap_err();
    let Error::RunFailed { failures, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(failures.len(), 3);
    let root = err.root();
    assert!(
        matches!(root, Error::User(e) if e.to_string() == "disk on fire"),
        "{root:?}"
    );
}

#[test]
fn a_panicking_asset_is_a_step_failure_not_a_crash() {
    let boom = AssetDefinition::builder("boom")
        .output_type(type_info!(i64))
        .compute(|_| panic!("bad input data"));
    let result = materialize_to_memory([boom]).unwrap_err();
    assert!(matches!(result.root(), Error::Panic(m) if m == "bad input data"));
    assert!(
        result.to_string().contains(
            "step `boom` failed: error in the body of step `boom`: panicked: bad input data"
        ),
        "{result}"
    );
}

#[test]
fn resources_are_torn_down_when_the_run_ends() {
    let teardowns = Arc::new(AtomicUsize::new(0));
    let seen = teardowns.clone();
    let io = larder::IOManagerDefinition::new_dyn(|_| Ok(InMemoryIOManager::new()));
    let def = io
        .resource_definition()
        .clone()
        .on_teardown(move |_: &InMemoryIOManager, _| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
    let defs = Definitions::new()
        .asset(const_asset("x", 1))
        .resource("io_manager", def);
    defs.materialize_all().unwrap();
    defs.materialize_all().unwrap();
    assert_eq!(teardowns.load(Ordering::SeqCst), 2);
}

#[test]
fn independent_steps_run_concurrently() {
    // Two assets that each wait for the other to have started: this only
    // finishes when they run at the same time.
    let (tx1, rx1) = std::sync::mpsc::channel::<()>();
    let (tx2, rx2) = std::sync::mpsc::channel::<()>();
    let rx1 = std::sync::Mutex::new(rx1);
    let rx2 = std::sync::Mutex::new(rx2);
    let left = AssetDefinition::builder("left")
        .output_type(type_info!(bool))
        .compute(move |io| {
            tx1.send(()).ok();
            let met = rx2
                .lock()
                .unwrap()
                .recv_timeout(std::time::Duration::from_secs(10))
                .is_ok();
            io.output("result", met)
        });
    let right = AssetDefinition::builder("right")
        .output_type(type_info!(bool))
        .compute(move |io| {
            tx2.send(()).ok();
            let met = rx1
                .lock()
                .unwrap()
                .recv_timeout(std::time::Duration::from_secs(10))
                .is_ok();
            io.output("result", met)
        });
    let result = Definitions::new()
        .assets([left, right])
        .run(RunOptions::new().in_memory().max_concurrency(2))
        .unwrap();
    assert!(*result.asset_value::<bool>("left").unwrap());
    assert!(*result.asset_value::<bool>("right").unwrap());
}
