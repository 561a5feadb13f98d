//! Dagster's daily-partitioned asset: each day is stored at
//! `<base>/<asset>/<date>`; a downstream that is not partitioned reads all
//! days as a `PartitionMap`, and a daily downstream reads the previous day
//! of itself (`Option<T>`, `None` on the first day).

use larder::partitions::{PartitionMap, PartitionMapping, TimeWindowPartitionsDefinition};
use larder::prelude::*;
use larder_examples::check;

fn daily() -> larder::partitions::TimeWindowPartitionsBuilder {
    TimeWindowPartitionsDefinition::daily("2024-01-01")
}

/// One day of events; its value depends on the day it is run for.
#[asset(partitions_def = daily())]
fn events(io: &mut StepIo) -> Vec<u32> {
    // The day of the month of the partition being materialized.
    let day: u32 = io
        .partition_key()
        .ok()
        .and_then(|k| k.get(8..))
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    vec![day; 3]
}

/// All days so far, in partition order.
#[asset]
fn event_count(events: PartitionMap<Vec<u32>>) -> usize {
    events.values().map(Vec::len).sum()
}

/// A running total: each day adds to the previous day's total.
#[asset(
    partitions_def = daily(),
    ins(running_total(partition_mapping = PartitionMapping::time_window(-1, -1)))
)]
fn running_total(running_total: Option<u64>, events: Vec<u32>) -> u64 {
    running_total.unwrap_or(0) + events.len() as u64
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let defs = Definitions::discover().resource("io_manager", FilesystemIOManager::new(dir.path()));
    let now: jiff::Timestamp = "2024-01-04T00:00:00Z".parse().map_err(Error::user)?;
    for day in ["2024-01-01", "2024-01-02", "2024-01-03"] {
        defs.run(
            RunOptions::new()
                .selection(["events", "running_total"])
                .partition_key(day)
                .now(now),
        )?;
        check(
            dir.path().join("events").join(day).is_file(),
            format!("events/{day}"),
        )?;
    }
    let r = defs.run(RunOptions::new().selection(["event_count"]).now(now))?;
    check(
        *r.asset_value::<usize>("event_count")? == 9,
        "9 events over 3 days",
    )?;
    let r = defs.run(
        RunOptions::new()
            .selection(["running_total"])
            .partition_key("2024-01-03")
            .now(now),
    )?;
    check(
        *r.asset_value::<u64>("running_total")? == 9,
        "running total is 9 on day 3",
    )?;
    println!("events stored under {}/events/<date>", dir.path().display());
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn daily_partitioned_asset() {
    run().unwrap();
}
