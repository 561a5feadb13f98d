//! `payload MIB`: one asset returning MIB MiB of bytes, a downstream reading
//! them, against plain `std::fs` write and read of the same bytes.

use std::io::Write;
use std::time::{Instant, SystemTime};

use larder::prelude::*;
use larder::{EventType, Result, type_info};
use serde_bytes::ByteBuf;

use crate::report::Report;

fn between(result: &RunResult, step: &str, from: EventType, to: EventType) -> Result<f64> {
    let at = |ty: EventType| -> Result<SystemTime> {
        result
            .events_for_step(step)
            .into_iter()
            .find(|e| e.event_type() == ty)
            .map(|e| e.timestamp)
            .ok_or_else(|| larder::Error::msg(format!("no {ty:?} event for {step}")))
    };
    let d = at(to)?
        .duration_since(at(from)?)
        .map_err(|e| larder::Error::msg(e.to_string()))?;
    Ok(d.as_secs_f64())
}

pub fn run(mib: usize, durable: bool) -> Result<Report> {
    let mib = mib.max(1);
    let bytes = mib * 1024 * 1024;
    let dir = tempfile::tempdir()?;
    let payload = AssetDefinition::builder("payload")
        .output_type(type_info!(ByteBuf))
        .compute(move |io| io.set_output(0, ByteBuf::from(vec![7_u8; bytes])));
    let reader = AssetDefinition::builder("reader")
        .input(AssetIn::new("payload", type_info!(ByteBuf)))
        .output_type(type_info!(u64))
        .compute(|io| {
            let data: ByteBuf = io.take_input(0)?;
            io.set_output(0, data.len() as u64)
        });
    let defs = Definitions::new()
        .assets([payload, reader])
        .resource("io_manager", super::fs_manager(dir.path(), durable));
    let start = Instant::now();
    let result = defs.run(super::options(Some(dir.path())))?;
    let elapsed = start.elapsed().as_secs_f64();
    let handle_s = between(
        &result,
        "payload",
        EventType::StepOutput,
        EventType::HandledOutput,
    )?;
    let load_s = between(
        &result,
        "reader",
        EventType::StepStart,
        EventType::LoadedInput,
    )?;

    // Baseline: the same bytes with plain std::fs, same durability.
    let data = vec![7_u8; bytes];
    let raw_path = dir.path().join("raw");
    let t = Instant::now();
    {
        let mut f = std::fs::File::create(&raw_path)?;
        f.write_all(&data)?;
        if durable {
            f.sync_all()?;
        }
    }
    let raw_write_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let back = std::fs::read(&raw_path)?;
    let raw_read_s = t.elapsed().as_secs_f64();
    if back.len() != bytes {
        return Err(larder::Error::msg("raw read returned a different size"));
    }

    let mib_f = mib as f64;
    let mut report = Report::new("payload", mib, durable);
    report.materialize_s = elapsed;
    report.per_asset_s = elapsed / 2.0;
    report.handle_output_mib_s = Some(mib_f / handle_s);
    report.load_input_mib_s = Some(mib_f / load_s);
    report.raw_write_mib_s = Some(mib_f / raw_write_s);
    report.raw_read_mib_s = Some(mib_f / raw_read_s);
    report.n_events = result.events().len();
    Ok(report)
}
