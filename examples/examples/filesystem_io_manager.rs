//! Dagster's `FilesystemIOManager`, attached the three ways its docs show:
//! as the global `io_manager` for assets, as a job-level resource for ops,
//! and per output under its own key. Prints the paths written.

use larder::prelude::*;
use larder_examples::check;

/// Per output: a key of its own, declared where the manager is built.
#[io_manager(key = "fs_archive")]
fn fs_archive() -> FilesystemIOManager {
    FilesystemIOManager::new(archive_dir()).with_codec(Codec::Json)
}

fn archive_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("larder-archive-{}", std::process::id()))
}

#[asset]
fn upstream() -> Vec<i64> {
    vec![1, 2, 3]
}

#[asset]
fn downstream(upstream: Vec<i64>) -> i64 {
    upstream.iter().sum()
}

#[asset(io_manager_key = "fs_archive")]
fn archived(downstream: i64) -> String {
    format!("total was {downstream}")
}

#[op]
fn produce() -> Vec<String> {
    vec!["a".into(), "b".into()]
}

#[op]
fn count(items: Vec<String>) -> usize {
    items.len()
}

#[job(resource_defs(io_manager = FilesystemIOManager::new(std::env::temp_dir().join(format!("larder-job-{}", std::process::id())))))]
fn count_job() {
    count(produce());
}

fn run() -> larder::Result<()> {
    let global = tempfile::tempdir()?;
    // 1. Global: the default `io_manager` for every asset without a key.
    let defs =
        Definitions::discover().resource("io_manager", FilesystemIOManager::new(global.path()));
    let result = defs.materialize(["upstream", "downstream", "archived"])?;
    check(
        global.path().join("upstream").is_file() && global.path().join("downstream").is_file(),
        "global files",
    )?;
    // 3. Per output: `archived` went to its own manager, as JSON.
    let archived = std::fs::read_to_string(archive_dir().join("archived"))?;
    check(
        archived == "\"total was 6\"",
        format!("archived is {archived}"),
    )?;
    for e in result.events_of_type(larder::EventType::HandledOutput) {
        if let larder::EventKind::HandledOutput {
            metadata,
            manager_key,
            ..
        } = &e.kind
        {
            println!(
                "{:>10} [{manager_key}] -> {}",
                e.step_key.as_deref().unwrap_or(""),
                metadata["path"]
            );
        }
    }
    // 2. Job-level: the job's own `io_manager` stores op outputs per run.
    let job = count_job()?;
    let run = job.execute_in_process()?;
    let job_dir = std::env::temp_dir().join(format!("larder-job-{}", std::process::id()));
    let produced = job_dir.join(run.run_id()).join("produce/result");
    check(produced.is_file(), format!("{} exists", produced.display()))?;
    check(*run.output_for_node::<usize>("count")? == 2, "count is 2")?;
    println!("   produce [io_manager] -> {}", produced.display());
    std::fs::remove_dir_all(job_dir).ok();
    std::fs::remove_dir_all(archive_dir()).ok();
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn filesystem_io_manager() {
    run().unwrap();
}
