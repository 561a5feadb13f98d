//! `partitions N`: a daily-partitioned asset over N days, materialized
//! partition by partition and as one key-range run, then an unpartitioned
//! downstream loading all N partitions.

use std::time::Instant;

use larder::partitions::{PartitionMap, TimeWindowPartitionsDefinition};
use larder::prelude::*;
use larder::{EventType, Result, type_info};

use crate::report::Report;

/// The daily key of day `i` counted from 2020-01-01.
fn day(i: usize) -> Result<String> {
    let start: jiff::civil::Date = "2020-01-01"
        .parse()
        .map_err(|e: jiff::Error| larder::Error::msg(e.to_string()))?;
    let d = start
        .checked_add(jiff::Span::new().days(i as i64))
        .map_err(|e| larder::Error::msg(e.to_string()))?;
    Ok(d.to_string())
}

pub fn definitions(dir: &std::path::Path, durable: bool, n: usize) -> Result<Definitions> {
    let daily = TimeWindowPartitionsDefinition::daily("2020-01-01").build()?;
    let upstream = AssetDefinition::builder("daily_values")
        .partitions_def(daily.clone())
        .output_type(type_info!(Vec<f64>))
        .compute(|io| io.set_output(0, vec![1.0_f64; 16]));
    let ranged = AssetDefinition::builder("daily_values_ranged")
        .partitions_def(daily)
        .output_partition_map::<Vec<f64>>(type_info!(Vec<f64>))
        .compute(move |io| {
            let mut m = PartitionMap::new();
            for i in 0..n {
                m.insert(day(i)?, vec![1.0_f64; 16]);
            }
            io.set_output(0, m)
        });
    let downstream = AssetDefinition::builder("yearly_total")
        .input(AssetIn::partition_map::<Vec<f64>>(
            "daily_values",
            type_info!(Vec<f64>),
        ))
        .output_type(type_info!(f64))
        .compute(|io| {
            let all: PartitionMap<Vec<f64>> = io.take_input(0)?;
            io.set_output(0, all.values().flatten().sum::<f64>())
        });
    Ok(Definitions::new()
        .assets([upstream, ranged, downstream])
        .resource("io_manager", super::fs_manager(dir, durable)))
}

pub fn run(n: usize, durable: bool) -> Result<Report> {
    let n = n.max(1);
    let dir = tempfile::tempdir()?;
    let defs = definitions(dir.path(), durable, n)?;
    let last = day(n - 1)?;
    let now: jiff::Timestamp = format!("{}T00:00:00Z", day(n)?)
        .parse()
        .map_err(|e: jiff::Error| larder::Error::msg(e.to_string()))?;
    let opts = || super::options(Some(dir.path())).now(now);

    let start = Instant::now();
    let mut events = 0;
    for i in 0..n {
        let r = defs.run(opts().selection(["daily_values"]).partition_key(day(i)?))?;
        events += r.events().len();
    }
    let per_partition = start.elapsed().as_secs_f64() / n as f64;

    let t = Instant::now();
    let r = defs.run(
        opts()
            .selection(["daily_values_ranged"])
            .partition_range("2020-01-01", last),
    )?;
    let range_s = t.elapsed().as_secs_f64();
    events += r.events().len();

    let t = Instant::now();
    let r = defs.run(opts().selection(["yearly_total"]).capture_outputs(true))?;
    let downstream_s = t.elapsed().as_secs_f64();
    let total = *r.asset_value::<f64>("yearly_total")?;
    if total != (16 * n) as f64 {
        return Err(larder::Error::msg(format!(
            "downstream total {total}, expected {}",
            16 * n
        )));
    }
    let loaded = r.events_of_type(EventType::LoadedInput).len();
    events += r.events().len();

    let mut report = Report::new("partitions", n, durable);
    report.materialize_s = range_s;
    report.per_asset_s = range_s / n as f64;
    report.upstream_per_partition_s = Some(per_partition);
    report.downstream_load_input_s = Some(downstream_s);
    report.n_events = events;
    debug_assert_eq!(loaded, 1);
    Ok(report)
}
