//! Ops with one output, several outputs and input managers, wired in a
//! `#[job]` with job-level resources; the job runs.
#![deny(warnings)]

use larder::prelude::*;

#[io_manager(key = "fs")]
fn fs() -> InMemoryIOManager {
    InMemoryIOManager::new()
}

#[op(out(io_manager_key = "fs", metadata(kind = "number")))]
fn one() -> i64 {
    1
}

#[op(outs(left(io_manager_key = "fs"), right(description = "the other one")))]
fn split() -> (i64, String) {
    (2, "two".into())
}

/// Adds things up.
#[op(name = "add_all", ins(b(metadata(unit = "count"))))]
fn add(a: i64, b: i64, label: String) -> larder::Result<String> {
    Ok(format!("{label}: {}", a + b))
}

#[op]
fn log_it(text: String, io: &mut larder::StepIo) {
    io.log().info(&text);
}

/// The whole thing.
#[job(resource_defs(fs = InMemoryIOManager::new(), "io_manager" = InMemoryIOManager::new()))]
fn my_job() {
    let (left, right) = split();
    let total = add(one(), left, right);
    log_it(total);
}

#[job(name = "twice")]
fn twice_job() {
    let a = one();
    let b = one();
    let (x, _) = split();
    log_it(add(a, b, split_label(x)));
}

#[op]
fn split_label(x: i64) -> String {
    x.to_string()
}

fn main() {
    let job = my_job().unwrap();
    assert_eq!(job.name(), "my_job");
    assert_eq!(job.description(), Some("The whole thing."));
    let result = job.execute_in_process().unwrap();
    assert_eq!(result.output_for_node::<String>("add_all").unwrap(), "two: 3");
    let twice = twice_job().unwrap();
    assert_eq!(twice.name(), "twice");
    assert_eq!(twice.nodes().len(), 6);
    assert_eq!(add(1, 2, "x".into()).unwrap(), "x: 3");
}
