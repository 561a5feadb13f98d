#![cfg(feature = "cli")]
//! `runs`, `run RUN_ID` and `reexecute RUN_ID` through `larder::cli`. One
//! test: it sets `LARDER_HOME`, which is process-wide.

mod common;

use common::*;
use larder::cli::{Command, run};
use larder::prelude::*;
use larder::type_info;

fn output(defs: &Definitions, command: Command) -> (Result<(), larder::Error>, String) {
    let mut out = Vec::new();
    let result = run(defs, command, &mut out);
    (result, String::from_utf8(out).unwrap())
}

#[derive(Deserialize)]
struct Scale {
    factor: i64,
}

#[test]
fn runs_run_and_reexecute_from_failure() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary.
    unsafe { std::env::set_var("LARDER_HOME", home.path()) };
    let scaled = OpDefinition::builder("scaled")
        .config_type::<Scale>()
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let scale: Scale = io.config_as()?;
            if scale.factor <= 0 {
                return Err(Error::msg(format!(
                    "factor {} is not positive",
                    scale.factor
                )));
            }
            let x: i64 = io.input("x")?;
            io.output("result", x * scale.factor)
        });
    let mut job = JobDefinition::builder("cfg_job");
    let a = job.invoke(&const_op("source", 5), []);
    job.invoke(&scaled, [("x", a.output())]);
    job.resource(
        "io_manager",
        FilesystemIOManager::new(home.path().join("data")),
    );
    let defs = Definitions::new().job(job.build().unwrap());
    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "[ops.scaled.config]\nfactor = 0\n").unwrap();
    let good = home.path().join("good.toml");
    std::fs::write(&good, "[ops.scaled.config]\nfactor = 3\n").unwrap();

    let (r, _) = output(
        &defs,
        Command::Execute {
            job: "cfg_job".into(),
            config: Some(bad),
            executor: None,
            partition: None,
        },
    );
    let parent = match r {
        Err(larder::Error::RunFailed { run_id, .. }) => run_id,
        other => panic!("{other:?}"),
    };

    let (r, text) = output(&defs, Command::Runs { limit: 10 });
    r.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "RUN_ID\tJOB\tSTATUS\tSTART\tDURATION\tPARTITIONS\tPARENT"
    );
    assert_eq!(lines.len(), 2, "{text}");
    let cols: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(
        (cols[0], cols[1], cols[2], cols[5], cols[6]),
        (parent.as_str(), "cfg_job", "FAILURE", "-", "-")
    );

    let (r, text) = output(
        &defs,
        Command::Run {
            run_id: parent.clone(),
            step: None,
        },
    );
    r.unwrap();
    assert!(
        text.starts_with(&format!("run {parent}: cfg_job FAILURE\n")),
        "{text}"
    );
    assert!(
        text.contains("\n  source  success  attempts: 1  "),
        "{text}"
    );
    assert!(
        text.contains("\n  scaled  failure  attempts: 1  "),
        "{text}"
    );
    assert!(text.contains("factor 0 is not positive"), "{text}");
    assert!(text.contains(" RUN_START - "), "{text}");
    assert!(text.contains(" STEP_FAILURE scaled "), "{text}");

    let (r, text) = output(
        &defs,
        Command::Reexecute {
            run_id: parent.clone(),
            from_failure: true,
            select: vec![],
            config: Some(good),
        },
    );
    r.unwrap();
    let child = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("run "))
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .to_owned();
    assert!(
        text.starts_with(&format!("run {child} (re-executes {parent})\n")),
        "{text}"
    );
    assert!(text.contains("1/1 steps succeeded"), "{text}");

    let (r, text) = output(
        &defs,
        Command::Run {
            run_id: child.clone(),
            step: Some("scaled".into()),
        },
    );
    r.unwrap();
    assert!(
        text.contains(&format!("  parent: {parent} (root {parent})\n")),
        "{text}"
    );
    assert!(text.contains("  steps selected: scaled\n"), "{text}");
    let events: Vec<&str> = text
        .split("events:\n")
        .nth(1)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().nth(2).unwrap())
        .collect();
    assert!(events.iter().all(|s| *s == "scaled"), "{text}");
    assert!(text.contains(" LOADED_INPUT scaled "), "{text}");
    assert!(!text.contains("\n  source "), "{text}");

    let (r, text) = output(&defs, Command::Runs { limit: 10 });
    r.unwrap();
    assert!(
        text.lines().any(|l| l.starts_with(&child)
            && l.ends_with(&format!("\t{parent}"))
            && l.contains("\tcfg_job (steps: scaled)\tSUCCESS\t")),
        "{text}"
    );

    // `--select` on the re-execution: the root stays the first run, the
    // config is the child's (reused, not given again).
    let (r, text) = output(
        &defs,
        Command::Reexecute {
            run_id: child.clone(),
            from_failure: false,
            select: vec!["scaled".into()],
            config: None,
        },
    );
    r.unwrap();
    assert!(text.contains("1/1 steps succeeded"), "{text}");
    let grandchild = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("run "))
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .to_owned();
    let (r, text) = output(
        &defs,
        Command::Run {
            run_id: grandchild,
            step: None,
        },
    );
    r.unwrap();
    assert!(
        text.contains(&format!("  parent: {child} (root {parent})\n")),
        "{text}"
    );

    let (r, _) = output(
        &defs,
        Command::Run {
            run_id: "nope".into(),
            step: None,
        },
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "run `nope` is not in the run history"
    );
}
