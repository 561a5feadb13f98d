//! `one_asset`: materialize a single asset; time the process from outside.

use std::time::Instant;

use larder::prelude::*;
use larder::{Result, type_info};

use crate::report::Report;

pub fn run(durable: bool) -> Result<Report> {
    let dir = tempfile::tempdir()?;
    let asset = AssetDefinition::builder("one")
        .output_type(type_info!(Vec<i64>))
        .compute(|io| io.output("result", vec![1_i64, 2, 3]));
    let defs = Definitions::new()
        .asset(asset)
        .resource("io_manager", super::fs_manager(dir.path(), durable));
    let start = Instant::now();
    let result = defs.run(super::options(Some(dir.path())))?;
    let elapsed = start.elapsed().as_secs_f64();
    let mut report = Report::new("one_asset", 1, durable);
    report.materialize_s = elapsed;
    report.per_asset_s = elapsed;
    report.n_events = result.events().len();
    Ok(report)
}
