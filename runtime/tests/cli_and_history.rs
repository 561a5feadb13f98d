#![cfg(feature = "cli")]
//! The CLI's commands and the run history behind `show`. One test: it sets
//! `LARDER_HOME`, which is process-wide.

mod common;

use common::*;
use larder::cli::{Command, run};
use larder::prelude::*;

fn output(defs: &Definitions, command: Command) -> (Result<(), larder::Error>, String) {
    let mut out = Vec::new();
    let result = run(defs, command, &mut out);
    (result, String::from_utf8(out).unwrap())
}

#[test]
fn list_materialize_show_and_failures() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary.
    unsafe { std::env::set_var("LARDER_HOME", home.path()) };
    let defs = Definitions::new().assets([const_asset("up", 1), plus_one("down", "up")]);

    let (r, text) = output(&defs, Command::List);
    r.unwrap();
    assert!(text.contains("assets (2):\n  up  -> i64  [io_manager_key: io_manager]  group: default\n  down  -> i64  [io_manager_key: io_manager]  inputs: up  group: default\n"), "{text}");

    let (r, text) = output(
        &defs,
        Command::Show {
            asset: "down".into(),
        },
    );
    r.unwrap();
    assert_eq!(
        text,
        "down: never materialized (io_manager_key: io_manager)\n"
    );

    let (r, text) = output(
        &defs,
        Command::Materialize {
            select: vec![],
            job: None,
            config: None,
            in_memory: false,
            partition: None,
            partition_range: None,
            executor: None,
        },
    );
    r.unwrap();
    let storage = home.path().join("storage");
    assert!(
        text.contains(&format!(
            "materialized up -> {}",
            storage.join("up").display()
        )),
        "{text}"
    );
    assert!(text.contains("2/2 steps succeeded"), "{text}");

    let (r, text) = output(
        &defs,
        Command::Show {
            asset: "down".into(),
        },
    );
    r.unwrap();
    assert!(text.starts_with("down\n  materialized: "), "{text}");
    assert!(
        text.contains(&format!("  path: {}\n", storage.join("down").display())),
        "{text}"
    );
    let history = Instance::from_env().unwrap().history().unwrap().unwrap();
    assert_eq!(history.run_count().unwrap(), 1);

    let (r, _) = output(
        &defs,
        Command::Show {
            asset: "dwn".into(),
        },
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "no asset `dwn` is defined; did you mean `down`?"
    );

    // A failing run is an error (the binary exits non-zero) naming the step.
    let broken = Definitions::new().asset(
        AssetDefinition::builder("broken")
            .output_type(larder::type_info!(i64))
            .compute(|_| Err("upstream API returned 500".into())),
    );
    let (r, text) = output(
        &broken,
        Command::Materialize {
            select: vec![],
            job: None,
            config: None,
            in_memory: true,
            partition: None,
            partition_range: None,
            executor: None,
        },
    );
    assert!(text.contains("0/1 steps succeeded"), "{text}");
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains(
            "step `broken` failed: error in the body of step `broken`: upstream API returned 500"
        ),
        "{err}"
    );
}
