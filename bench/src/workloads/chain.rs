//! `chain N`: N assets, each the previous value + 1.

use std::time::Instant;

use larder::prelude::*;
use larder::{Result, type_info};

use crate::report::Report;

/// The chain's assets: `a0` = 0, `a{i}` = `a{i-1}` + 1.
pub fn assets(n: usize) -> Vec<AssetDefinition> {
    (0..n)
        .map(|i| {
            let name = format!("a{i}");
            if i == 0 {
                AssetDefinition::builder(name)
                    .output_type(type_info!(u64))
                    .compute(|io| io.set_output(0, 0_u64))
            } else {
                AssetDefinition::builder(name)
                    .input(AssetIn::new(format!("a{}", i - 1), type_info!(u64)))
                    .output_type(type_info!(u64))
                    .compute(|io| {
                        let prev: u64 = io.take_input(0)?;
                        io.set_output(0, prev + 1)
                    })
            }
        })
        .collect()
}

/// Where a multiprocess chain's step workers learn the chain: length,
/// durability and directory (they inherit the parent's environment).
const WORKER_ENV: &str = "LARDER_BENCH_CHAIN";

/// The chain's definitions, on disk in `dir`.
fn definitions(n: usize, dir: &std::path::Path, durable: bool) -> Definitions {
    Definitions::new()
        .assets(assets(n))
        .resource("io_manager", super::fs_manager(dir, durable))
}

/// In a step worker of a multiprocess chain: the chain's definitions.
pub fn worker_definitions() -> Definitions {
    let spec = std::env::var(WORKER_ENV).unwrap_or_default();
    let mut parts = spec.splitn(3, ':');
    let n = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let durable = parts.next() == Some("durable");
    let dir = std::path::PathBuf::from(parts.next().unwrap_or("."));
    definitions(n, &dir, durable)
}

pub fn run(n: usize, fs: bool, durable: bool, multiprocess: bool) -> Result<Report> {
    let n = n.max(1);
    let dir = tempfile::tempdir()?;
    let mut defs = Definitions::new().assets(assets(n));
    if fs || multiprocess {
        defs = definitions(n, dir.path(), durable);
    }
    let fs = fs || multiprocess;
    let mut options = super::options(fs.then_some(dir.path()));
    if multiprocess {
        // SAFETY: set before any thread of this process is started.
        unsafe {
            std::env::set_var(
                WORKER_ENV,
                format!(
                    "{n}:{}:{}",
                    if durable { "durable" } else { "plain" },
                    dir.path().display()
                ),
            )
        };
        options = options.executor(larder::Executor::multiprocess().max_concurrent(4));
    }
    let start = Instant::now();
    let result = defs.run(options)?;
    let elapsed = start.elapsed().as_secs_f64();
    if fs {
        let last: u64 = rmp_last(dir.path(), n)?;
        if last != n as u64 - 1 {
            return Err(larder::Error::msg(format!(
                "chain ended at {last}, expected {}",
                n - 1
            )));
        }
    }
    let name = match (multiprocess, fs) {
        (true, _) => "chain_multiprocess",
        (false, true) => "chain_fs",
        (false, false) => "chain_mem",
    };
    let mut report = Report::new(name, n, durable && fs);
    report.materialize_s = elapsed;
    report.per_asset_s = elapsed / n as f64;
    report.n_events = result.events().len();
    Ok(report)
}

fn rmp_last(dir: &std::path::Path, n: usize) -> Result<u64> {
    let path = dir.join("storage").join(format!("a{}", n - 1));
    let bytes = std::fs::read(&path)?;
    // MessagePack positive integers: decode the tiny subset we wrote.
    match bytes.as_slice() {
        [b] if *b < 0x80 => Ok(u64::from(*b)),
        [0xcc, b] => Ok(u64::from(*b)),
        [0xcd, a, b] => Ok(u64::from(u16::from_be_bytes([*a, *b]))),
        [0xce, rest @ ..] if rest.len() == 4 => Ok(u64::from(u32::from_be_bytes([
            rest[0], rest[1], rest[2], rest[3],
        ]))),
        _ => Err(larder::Error::msg(format!(
            "unexpected bytes in {}",
            path.display()
        ))),
    }
}
