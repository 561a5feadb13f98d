//! A `#[job]` of `#[op]`s with job-level resources runs, and every output
//! lands where its `out(io_manager_key)` says.

use larder::prelude::*;

#[io_manager(key = "scratch")]
fn scratch() -> InMemoryIOManager {
    InMemoryIOManager::new()
}

#[op(out(io_manager_key = "scratch"))]
fn load() -> Vec<i64> {
    vec![3, 1, 2]
}

#[op(outs(smallest(io_manager_key = "scratch"), largest()))]
fn bounds(values: Vec<i64>) -> (i64, i64) {
    (*values.iter().min().unwrap(), *values.iter().max().unwrap())
}

#[op]
fn spread(low: i64, high: i64) -> larder::Result<i64> {
    if high < low {
        return Err(larder::Error::msg("bounds are reversed"));
    }
    Ok(high - low)
}

#[op]
fn describe(spread: i64, values: Vec<i64>) -> String {
    format!("{} values, spread {spread}", values.len())
}

/// Computes the spread of some numbers.
#[job(resource_defs(scratch = InMemoryIOManager::new()))]
fn spread_job() {
    let values = load();
    let (low, high) = bounds(values);
    describe(spread(low, high), values);
}

#[test]
fn the_job_runs_and_outputs_are_readable() {
    let job = spread_job().unwrap();
    assert_eq!(
        job.description(),
        Some("Computes the spread of some numbers.")
    );
    let result = job.execute_in_process().unwrap();
    assert!(result.success());
    assert_eq!(*result.output_for_node::<i64>("spread").unwrap(), 2);
    assert_eq!(
        *result.output_value::<i64>("bounds", "smallest").unwrap(),
        1
    );
    assert_eq!(*result.output_value::<i64>("bounds", "largest").unwrap(), 3);
    assert_eq!(
        result.output_for_node::<String>("describe").unwrap(),
        "3 values, spread 2"
    );
}

#[test]
fn discovered_jobs_run_by_name() {
    let defs = Definitions::discover();
    assert!(defs.get_ops().iter().any(|o| o.name() == "bounds"));
    let result = defs.execute_job("spread_job", RunOptions::new()).unwrap();
    assert_eq!(*result.output_for_node::<i64>("spread").unwrap(), 2);
}
