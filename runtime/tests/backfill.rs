#![cfg(feature = "cli")]
//! Backfills as a Dagster user runs them: a day of hourly partitions
//! through the CLI (one run each, files where the filesystem manager writes
//! them, a summary, resumed, forced), failing partitions, and the errors of
//! a 50,000-partition load kept short.
//!
//! Only `backfill_a_day_through_the_cli` reads `LARDER_HOME`; the others
//! name their instance.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use larder::partitions::{PartitionMap, PartitionsDefinition, TimeWindowPartitionsDefinition};
use larder::prelude::*;
use larder::{AssetSelection, BackfillOptions, PartitionOutcome, type_info};

fn hourly(start: &str) -> PartitionsDefinition {
    TimeWindowPartitionsDefinition::hourly(start)
        .build()
        .unwrap()
        .into()
}

/// The hour of an hourly key, `2024-01-01-05:00` -> 5.
fn hour(key: &str) -> i64 {
    key[11..13].parse().unwrap()
}

fn cli(defs: &Definitions, args: &[&str]) -> (larder::Result<()>, String) {
    use clap::Parser;
    let cli =
        larder::cli::Cli::try_parse_from(std::iter::once("larder").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let mut out = Vec::new();
    let r = larder::cli::run_cli(defs, cli, &mut out);
    (r, String::from_utf8(out).unwrap())
}

const DAY: &str = "2024-01-01-00:00...2024-01-01-23:00";

#[test]
fn backfill_a_day_through_the_cli() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary that reads the environment.
    unsafe { std::env::set_var("LARDER_HOME", home.path()) };
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (f, m) = (in_flight.clone(), most.clone());
    let hits = AssetDefinition::builder("hits")
        .partitions_def(hourly("2024-01-01-00:00"))
        .output_type(type_info!(i64))
        .compute(move |io| {
            let now = f.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            let h = hour(io.partition_key()?);
            f.fetch_sub(1, Ordering::SeqCst);
            io.output("result", h)
        });
    let doubled = AssetDefinition::builder("doubled")
        .partitions_def(hourly("2024-01-01-00:00"))
        .input(AssetIn::new("hits", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let h: i64 = io.input("hits")?;
            io.output("result", h * 2)
        });
    let defs = Definitions::new().assets([hits, doubled]).asset_job(
        larder::define_asset_job("hits_day", "hits*")
            .unwrap()
            .partition_range("2024-01-01-00:00", "2024-01-01-23:00"),
    );
    let history = || Instance::from_env().unwrap().history().unwrap().unwrap();

    let (r, text) = cli(
        &defs,
        &[
            "backfill",
            "--select",
            "hits*",
            "--partition-range",
            DAY,
            "--max-concurrent",
            "4",
        ],
    );
    r.unwrap();
    assert_eq!(
        text,
        "backfill of 24 partitions: 24 succeeded, 0 failed, 0 skipped\n"
    );
    // One run per partition, each writing both assets' partition files.
    assert_eq!(history().run_count().unwrap(), 24);
    let storage = home.path().join("storage");
    for h in 0..24 {
        let key = format!("2024-01-01-{h:02}:00");
        assert!(storage.join("hits").join(&key).is_file(), "{key}");
        assert!(storage.join("doubled").join(&key).is_file(), "{key}");
    }
    assert!(!storage.join("hits/2024-01-02-00:00").exists());
    assert!(most.load(Ordering::SeqCst) <= 4);

    // Resumed: everything is materialized, so nothing runs.
    let (r, text) = cli(
        &defs,
        &["backfill", "--select", "hits*", "--partition-range", DAY],
    );
    r.unwrap();
    assert_eq!(
        text,
        "backfill of 24 partitions: 0 succeeded, 0 failed, 24 skipped\n"
    );
    assert_eq!(history().run_count().unwrap(), 24);

    // Forced: all 24 again.
    let (r, text) = cli(
        &defs,
        &[
            "backfill",
            "--select",
            "hits*",
            "--partition-range",
            DAY,
            "--force",
        ],
    );
    r.unwrap();
    assert_eq!(
        text,
        "backfill of 24 partitions: 24 succeeded, 0 failed, 0 skipped\n"
    );
    assert_eq!(history().run_count().unwrap(), 48);

    // The asset job's selection and partitions: the same day, all skipped.
    let (r, text) = cli(&defs, &["backfill", "--job", "hits_day"]);
    r.unwrap();
    assert_eq!(
        text,
        "backfill of 24 partitions: 0 succeeded, 0 failed, 24 skipped\n"
    );

    // A second day by list: partitions already there are skipped.
    let (r, text) = cli(
        &defs,
        &[
            "backfill",
            "--select",
            "hits",
            "--partitions",
            "2024-01-01-23:00,2024-01-02-00:00,2024-01-02-01:00",
        ],
    );
    r.unwrap();
    assert_eq!(
        text,
        "backfill of 3 partitions: 2 succeeded, 0 failed, 1 skipped\n"
    );

    let (r, text) = cli(&defs, &["show", "hits"]);
    r.unwrap();
    assert!(
        text.contains("  materialized (26): 2024-01-01-00:00...2024-01-02-01:00 (26)\n"),
        "{text}"
    );
    assert!(text.contains("  failed (0): -\n"), "{text}");
    assert!(text.contains("  missing ("), "{text}");
    assert!(text.contains(": 2024-01-02-02:00..."), "{text}");

    // Failing partitions: named in the summary, and the command fails.
    let broken = Arc::new(AtomicBool::new(true));
    let b = broken.clone();
    let flaky = AssetDefinition::builder("flaky")
        .partitions_def(hourly("2024-01-01-00:00"))
        .output_type(type_info!(i64))
        .compute(move |io| {
            let h = hour(io.partition_key()?);
            if b.load(Ordering::SeqCst) && matches!(h, 5 | 6 | 20) {
                return Err(format!("upstream API returned 500 for hour {h}").into());
            }
            io.output("result", h)
        });
    let defs = Definitions::new().asset(flaky);
    let (r, text) = cli(
        &defs,
        &[
            "backfill",
            "--select",
            "flaky",
            "--partition-range",
            DAY,
            "--max-concurrent",
            "3",
        ],
    );
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains("backfill: 3 of 24 partitions failed (first: 2024-01-01-05:00)"),
        "{err}"
    );
    assert!(
        text.starts_with(
            "backfill of 24 partitions: 21 succeeded, 3 failed, 0 skipped\n3 of 24 partitions failed: 2024-01-01-05:00...2024-01-01-06:00 (2), 2024-01-01-20:00\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  - 2024-01-01-05:00: step `flaky` failed: error in the body of step `flaky`: upstream API returned 500 for hour 5"),
        "{text}"
    );
    let (r, text) = cli(&defs, &["show", "flaky"]);
    r.unwrap();
    assert!(
        text.contains("  materialized (21): 2024-01-01-00:00...2024-01-01-04:00 (5), 2024-01-01-07:00...2024-01-01-19:00 (13), 2024-01-01-21:00...2024-01-01-23:00 (3)\n"),
        "{text}"
    );
    assert!(
        text.contains("  failed (3): 2024-01-01-05:00...2024-01-01-06:00 (2), 2024-01-01-20:00\n"),
        "{text}"
    );
    // Fixed, the backfill resumes with the failed partitions only.
    broken.store(false, Ordering::SeqCst);
    let (r, text) = cli(
        &defs,
        &["backfill", "--select", "flaky", "--partition-range", DAY],
    );
    r.unwrap();
    assert_eq!(
        text,
        "backfill of 24 partitions: 3 succeeded, 0 failed, 21 skipped\n"
    );
    let (_, text) = cli(&defs, &["show", "flaky"]);
    assert!(text.contains("  failed (0): -\n"), "{text}");
}

#[test]
fn backfill_options_and_refusals() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = Definitions::new().assets([
        AssetDefinition::builder("hits")
            .partitions_def(hourly("2024-01-01-00:00"))
            .output_type(type_info!(i64))
            .compute(|io| {
                let h = hour(io.partition_key()?);
                io.output("result", h)
            }),
        AssetDefinition::builder("items")
            .output_type(type_info!(i64))
            .compute(|io| io.output("result", 1_i64)),
    ]);
    let started = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let (st, se) = (started.clone(), seen.clone());
    let result = defs
        .backfill(
            BackfillOptions::new(AssetSelection::assets(["hits"]))
                .partitions(["2024-01-01-03:00", "2024-01-01-01:00"])
                .instance(instance.clone())
                .on_start(move |n| {
                    st.store(n, Ordering::SeqCst);
                })
                .on_partition(move |_| {
                    se.fetch_add(1, Ordering::SeqCst);
                }),
        )
        .unwrap();
    assert!(result.success());
    assert_eq!(started.load(Ordering::SeqCst), 2);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    let parts: Vec<&str> = result
        .partitions
        .iter()
        .map(|p| p.partition.as_str())
        .collect();
    assert_eq!(parts, ["2024-01-01-03:00", "2024-01-01-01:00"]);
    assert!(matches!(
        result.partitions[0].outcome,
        PartitionOutcome::Succeeded { .. }
    ));
    assert!(
        instance
            .storage_directory()
            .join("hits/2024-01-01-01:00")
            .is_file()
    );

    // A panicking run hook fails its partition, not the backfill.
    let result = defs
        .backfill(
            BackfillOptions::new(AssetSelection::assets(["hits"]))
                .partitions(["2024-01-01-05:00", "2024-01-01-06:00"])
                .instance(instance.clone())
                .configure_runs(|o| o)
                .on_partition(|p| {
                    if p.partition.ends_with("05:00") {
                        panic!("progress bar broke");
                    }
                }),
        )
        .unwrap();
    assert_eq!(result.succeeded().count(), 2, "{}", result.summary());
    let err = defs
        .backfill(
            BackfillOptions::new(AssetSelection::assets(["hits"]))
                .instance(instance.clone())
                .on_start(|_| panic!("no terminal")),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("on_start: ") && err.contains("no terminal"),
        "{err}"
    );

    let refused = |sel: &str, opts: fn(BackfillOptions) -> BackfillOptions| {
        defs.backfill(opts(
            BackfillOptions::new(AssetSelection::parse(sel).unwrap()).instance(instance.clone()),
        ))
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        refused("items", |o| o),
        "backfill of `items`: the selection has no partitioned asset; materialize it instead"
    );
    assert!(
        refused("*", |o| o).contains("an asset is not partitioned (items)"),
        "{}",
        refused("*", |o| o)
    );
    let err = refused("hits", |o| {
        o.partitions(["2024-01-01-01:00", "2023-12-31-23:00", "someday"])
    });
    assert!(
        err.contains("2 of the partitions are not in ")
            && err.ends_with(": 2023-12-31-23:00, someday"),
        "{err}"
    );
    let err = refused("itms", |o| o);
    assert!(err.contains("did you mean `items`?"), "{err}");
}

#[test]
fn a_load_failure_over_fifty_thousand_partitions_is_short() {
    let dir = tempfile::tempdir().unwrap();
    let now: jiff::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
    let def = hourly("2019-01-01-00:00");
    let total = def.num_partitions(now).unwrap();
    assert!(total > 50_000, "{total}");
    let up = AssetDefinition::builder("ticks")
        .partitions_def(def.clone())
        .output_type(type_info!(i64))
        .compute(|io| io.output("result", 1_i64));
    let down = AssetDefinition::builder("summary")
        .input(AssetIn::partition_map::<i64>("ticks", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let ticks: PartitionMap<i64> = io.take_input(0)?;
            io.output("result", ticks.values().sum::<i64>())
        });
    let defs = Definitions::new()
        .assets([up, down])
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    // The odd hours of the first day materialized: the failing partitions
    // are 13 ranges, more than a message lists.
    for h in (1..24).step_by(2) {
        let key = format!("2019-01-01-{h:02}:00");
        defs.run(
            RunOptions::new()
                .selection(["ticks"])
                .partition_key(key)
                .now(now),
        )
        .unwrap();
    }
    let result = defs
        .run(
            RunOptions::new()
                .selection(["summary"])
                .now(now)
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!result.success());
    let message = result.failure_lines().join("\n");
    let failing = total - 12;
    let first_ten: Vec<String> = (0..20)
        .step_by(2)
        .map(|h| format!("2019-01-01-{h:02}:00"))
        .collect();
    assert!(
        message.contains(&format!(
            "{failing} of {total} partitions could not be loaded: {}, and {} more partitions in 3 more ranges\n",
            first_ten.join(", "),
            2 + (total - 24)
        )),
        "{message}"
    );
    assert!(message.contains("2019-01-01-00:00"), "{message}");
    assert!(
        message.contains(&format!("  ... and {} more", failing - 10)),
        "{message}"
    );
    assert!(
        message.lines().count() <= 13,
        "{} lines:\n{message}",
        message.lines().count()
    );
    assert!(message.len() < 4_000, "{} bytes", message.len());
}
