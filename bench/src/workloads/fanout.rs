//! `fanout N`: one root, N children, one sink loading all N.

use std::time::Instant;

use larder::prelude::*;
use larder::{Result, type_info};

use crate::report::Report;

pub fn run(n: usize, durable: bool) -> Result<Report> {
    let n = n.max(1);
    let dir = tempfile::tempdir()?;
    let mut assets = vec![
        AssetDefinition::builder("root")
            .output_type(type_info!(u64))
            .compute(|io| io.set_output(0, 1_u64)),
    ];
    for i in 0..n {
        assets.push(
            AssetDefinition::builder(format!("child{i}"))
                .input(AssetIn::new("root", type_info!(u64)))
                .output_type(type_info!(u64))
                .compute(move |io| {
                    let root: u64 = io.take_input(0)?;
                    io.set_output(0, root + i as u64)
                }),
        );
    }
    let mut sink = AssetDefinition::builder("sink");
    for i in 0..n {
        sink = sink.input(AssetIn::new(format!("child{i}"), type_info!(u64)));
    }
    assets.push(sink.output_type(type_info!(u64)).compute(move |io| {
        let mut total = 0;
        for i in 0..n {
            total += io.take_input::<u64>(i)?;
        }
        io.set_output(0, total)
    }));
    let defs = Definitions::new()
        .assets(assets)
        .resource("io_manager", super::fs_manager(dir.path(), durable));
    let start = Instant::now();
    let result = defs.run(super::options(Some(dir.path())).capture_outputs(true))?;
    let elapsed = start.elapsed().as_secs_f64();
    let expected: u64 = (0..n as u64).map(|i| 1 + i).sum();
    let total = *result.asset_value::<u64>("sink")?;
    if total != expected {
        return Err(larder::Error::msg(format!(
            "sink is {total}, expected {expected}"
        )));
    }
    let mut report = Report::new("fanout", n, durable);
    report.materialize_s = elapsed;
    report.per_asset_s = elapsed / (n + 2) as f64;
    report.n_events = result.events().len();
    Ok(report)
}
