//! Dagster's dynamic outputs: an op emits one value per file it finds
//! (`DynamicOut`), a downstream op runs once per value (`double[<key>]`),
//! and a last op collects the results in emission order.

use larder::prelude::*;
use larder_examples::check;

/// One value per "file", each under a mapping key naming it.
#[op]
fn files() -> DynamicOut<i64> {
    [("a_csv", 3), ("b_csv", 5), ("c_csv", 8)]
        .into_iter()
        .map(|(name, rows)| DynamicOutput::new(rows, name).with_metadata("file", name))
        .collect()
}

/// Runs once per file: step `double[a_csv]`, `double[b_csv]`…
#[op]
fn double(step: &StepIo, rows: i64) -> i64 {
    step.log().info(format!(
        "file {} has {rows} rows",
        step.mapping_key().unwrap_or("?")
    ));
    rows * 2
}

/// Gets every mapped result, in the order the files were emitted.
#[op]
fn total(doubled: Vec<i64>) -> i64 {
    doubled.iter().sum()
}

#[job]
fn fan_out() {
    let doubled = files().map(|rows| double(rows));
    total(doubled.collect());
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let result = fan_out()?
        .with_resource("io_manager", FilesystemIOManager::new(dir.path()))
        .execute_in_process()?;
    let steps: Vec<&str> = result.step_outcomes().keys().map(String::as_str).collect();
    check(
        steps
            == [
                "files",
                "total",
                "double[a_csv]",
                "double[b_csv]",
                "double[c_csv]",
            ],
        "one step per mapping key",
    )?;
    check(
        *result.output_for_node::<i64>("total")? == 32,
        "total is 32",
    )?;
    // Each value is stored at `<base>/<run_id>/files/result/<mapping_key>`.
    let stored = dir.path().join(result.run_id()).join("files/result/b_csv");
    check(
        stored.is_file(),
        "the value of b_csv is stored under its key",
    )?;
    println!("steps: {}", steps.join(", "));
    println!(
        "double[b_csv] = {}, total = {}",
        result.output_for_node::<i64>("double[b_csv]")?,
        result.output_for_node::<i64>("total")?
    );
    println!(
        "b_csv stored at {}",
        stored.strip_prefix(dir.path()).unwrap_or(&stored).display()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn dynamic_fan_out() {
    run().unwrap();
}
