//! The definitions of the multiprocess demo (`larder-mp-demo`): the tests'
//! parent process and the demo binary, which is also its step worker,
//! build the same ones.

use std::path::Path;

use larder::prelude::*;
use larder::{Executor, In, JobDefinition, OpDefinition, Out, type_info};
use serde::Deserialize;

/// How the `crash` op ends, from its config (`how`).
#[derive(Deserialize)]
struct CrashConfig {
    how: String,
}

fn crash_op() -> OpDefinition {
    OpDefinition::builder("crash")
        .config_type::<CrashConfig>()
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let config: CrashConfig = io.config_as()?;
            match config.how.as_str() {
                "panic" => panic!("the crash op panics on purpose"),
                "abort" => std::process::abort(),
                "sigkill" => {
                    // As the out-of-memory killer would.
                    let _ = std::process::Command::new("kill")
                        .args(["-9", &std::process::id().to_string()])
                        .status();
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(1));
                    }
                }
                "hang" => loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                },
                _ => io.output("result", 0_i64),
            }
        })
}

/// Fails its first attempt in each process, then gives 5: retried only
/// when the run's retry policy reaches the child.
fn flaky_once() -> OpDefinition {
    static ATTEMPTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    OpDefinition::builder("flaky_once")
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            if ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                return Err(larder::Error::msg("first attempt fails"));
            }
            io.output("result", 5_i64)
        })
}

fn constant(name: &str, value: i64) -> OpDefinition {
    OpDefinition::builder(name)
        .output(Out::result(type_info!(i64)))
        .compute(move |io| io.output("result", value))
}

fn plus_one(name: &str) -> OpDefinition {
    OpDefinition::builder(name)
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let x: i64 = io.input("x")?;
            io.output("result", x + 1)
        })
}

/// Jobs `two_ops` (`op_a` gives 1, `op_b` adds one), `crashes` (`crash`,
/// `after_crash` downstream of it, and an independent `independent`),
/// `mp_by_default` (as `two_ops`, on the multiprocess executor by its own
/// choice, with `worker` as its worker program when given), `flaky` (one op
/// failing its first attempt in each process), and the assets `numbers`
/// and `total`.
pub fn definitions(worker: Option<&Path>) -> larder::Result<Definitions> {
    let (op_a, op_b) = (constant("op_a", 1), plus_one("op_b"));
    let mut two = JobDefinition::builder("two_ops");
    let a = two.invoke(&op_a, []);
    two.invoke(&op_b, [("x", a.output())]);

    let mut crashes = JobDefinition::builder("crashes");
    let c = crashes.invoke(&crash_op(), []);
    crashes.invoke(&plus_one("after_crash"), [("x", c.output())]);
    crashes.invoke(&constant("independent", 7), []);

    let mut executor = Executor::multiprocess().max_concurrent(2);
    if let Some(w) = worker {
        executor = executor.worker_program(w);
    }
    let mut by_default = JobDefinition::builder("mp_by_default");
    by_default.executor(executor);
    let a = by_default.invoke(&op_a, []);
    by_default.invoke(&op_b, [("x", a.output())]);

    let mut flaky = JobDefinition::builder("flaky");
    flaky.invoke(&flaky_once(), []);

    let numbers = AssetDefinition::builder("numbers")
        .output_type(type_info!(Vec<i64>))
        .compute(|io| io.output("result", vec![1_i64, 2, 3]));
    let total = AssetDefinition::builder("total")
        .input(AssetIn::new("numbers", type_info!(Vec<i64>)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let numbers: Vec<i64> = io.input("numbers")?;
            io.output("result", numbers.iter().sum::<i64>())
        });

    Ok(Definitions::new()
        .job(two.build()?)
        .job(crashes.build()?)
        .job(by_default.build()?)
        .job(flaky.build()?)
        .assets([numbers, total]))
}
