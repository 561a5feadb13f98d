//! Partitioned op jobs (Dagster's `@job(partitions_def=..)`): every op's
//! contexts see the run's partition, op outputs stay per run
//! (`<base>/<run_id>/<step>/<output>`, as Dagster's `get_identifier` has
//! no partition for op outputs), and a partition the job lacks is refused
//! before launch.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use larder::partitions::{
    DynamicPartitionsDefinition, PartitionsDefinition, StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
};
use larder::prelude::*;
use larder::{Error, EventType, Instance, type_info};

fn daily() -> PartitionsDefinition {
    TimeWindowPartitionsDefinition::daily("2024-01-01")
        .build()
        .unwrap()
        .into()
}

fn now() -> jiff::Timestamp {
    "2024-02-01T00:00:00Z".parse().unwrap()
}

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::InvalidDefinitions(p) => p,
        other => panic!("expected InvalidDefinitions, got {other}"),
    }
}

/// What a manager saw: output `(has_partition_key, partition_key,
/// has_asset_partitions)` and input `partition_key`.
type Seen = Arc<Mutex<Vec<String>>>;

struct Recording(Seen);

impl IOManager<String> for Recording {
    fn handle_output(&self, ctx: &mut OutputContext, _: &String) -> larder::Result<()> {
        self.0.lock().unwrap().push(format!(
            "out {} {} {}",
            ctx.has_partition_key(),
            ctx.partition_key()?,
            ctx.has_asset_partitions()
        ));
        Ok(())
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<String> {
        self.0
            .lock()
            .unwrap()
            .push(format!("in {}", ctx.partition_key()?));
        Ok("loaded".to_owned())
    }
}

/// `day` (its step context's partition key and window) -> `shout` (loads
/// through `recording`) -> `tail`.
fn job(def: PartitionsDefinition) -> JobDefinition {
    let day = OpDefinition::builder("day")
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            assert!(io.has_partition_key());
            let key = io.partition_key()?.to_owned();
            let window = io.partition_time_window()?;
            io.output("result", format!("{key} {}", window.start.date()))
        });
    let shout = OpDefinition::builder("shout")
        .input(In::new("x", type_info!(String)))
        .output(
            Out::result(type_info!(String))
                .io_manager_key("recording")
                .typed(larder::TypedOutput::new::<Recording, String>()),
        )
        .compute(|io| {
            let x: String = io.input("x")?;
            io.output("result", x.to_uppercase())
        });
    let tail = OpDefinition::builder("tail")
        .input(
            In::new("x", type_info!(String))
                .typed(larder::TypedLoader::new::<Recording, String, _>()),
        )
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            let x: String = io.input("x")?;
            io.output("result", x)
        });
    let mut b = JobDefinition::builder("daily_job");
    b.partitions_def(def);
    let d = b.invoke(&day, []);
    let s = b.invoke(&shout, [("x", d.output())]);
    b.invoke(&tail, [("x", s.output())]);
    b.build().unwrap()
}

#[test]
fn ops_see_the_run_partition_and_their_outputs_stay_per_run() {
    let home = tempfile::tempdir().unwrap();
    let base = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let defs = Definitions::new()
        .job(job(daily()))
        .resource("io_manager", FilesystemIOManager::new(base.path()))
        .resource(
            "recording",
            IOManagerDefinition::hardcoded(Recording(seen.clone())),
        );
    let result = defs
        .execute_job(
            "daily_job",
            RunOptions::new()
                .partition_key("2024-01-02")
                .now(now())
                .instance(Instance::at(home.path())),
        )
        .unwrap();
    assert_eq!(
        result.output_for_node::<String>("day").unwrap(),
        "2024-01-02 2024-01-02"
    );
    assert_eq!(result.output_for_node::<String>("tail").unwrap(), "loaded");
    // The run's partition on both contexts; no asset partitions for ops.
    assert_eq!(
        *seen.lock().unwrap(),
        ["out true 2024-01-02 false", "in 2024-01-02"]
    );
    // Dagster's layout for op outputs: per run, not per partition.
    let run_dir = base.path().join(result.run_id());
    assert!(run_dir.join("day").join("result").is_file());
    assert!(run_dir.join("tail").join("result").is_file());
    assert!(!base.path().join("day").exists());
    assert_eq!(result.events_of_type(EventType::HandledOutput).len(), 3);
    // The history keeps the run's partition.
    let summary = Instance::at(home.path())
        .history()
        .unwrap()
        .unwrap()
        .run(result.run_id())
        .unwrap()
        .unwrap();
    assert_eq!(summary.job_name, "daily_job");
    assert_eq!(summary.launch.partitions.as_deref(), Some("2024-01-02"));
}

#[test]
fn the_step_context_of_an_unpartitioned_job_says_so() {
    let op = OpDefinition::builder("plain")
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            assert!(!io.has_partition_key());
            let err = io.partition_key().unwrap_err().to_string();
            io.output("result", err)
        });
    let mut b = JobDefinition::builder("plain_job");
    b.invoke(&op, []);
    let result = b.build().unwrap().execute_in_process().unwrap();
    assert_eq!(
        result.output_for_node::<String>("plain").unwrap(),
        "step `plain` does not materialize a partition"
    );
}

#[test]
fn a_partition_the_job_lacks_is_refused_before_launch_with_the_nearest_key() {
    let fruit: PartitionsDefinition = StaticPartitionsDefinition::new(["apple", "banana"])
        .unwrap()
        .into();
    let mut b = JobDefinition::builder("fruit_job");
    b.partitions_def(fruit);
    b.invoke(&const_op("one", 1), []);
    let job = b.build().unwrap();
    let events = Arc::new(Mutex::new(0));
    let counted = events.clone();
    let err = job
        .execute_in_process_with(
            RunOptions::new()
                .partition_key("banan")
                .on_event(move |_| *counted.lock().unwrap() += 1),
        )
        .unwrap_err();
    assert_eq!(
        problems(err),
        [
            "job `fruit_job`: partition key `banan` is not a partition of static partitions [apple, banana]: it is not one of the keys; did you mean `banana`?"
        ]
    );
    assert_eq!(*events.lock().unwrap(), 0, "nothing ran");

    // No partition for a partitioned job; a range; a partition for an unpartitioned job.
    let err = job.execute_in_process().unwrap_err();
    assert_eq!(
        problems(err),
        [
            "job `fruit_job` is partitioned (static partitions [apple, banana]); choose the partition to run (RunOptions::partition_key, or --partition KEY)"
        ]
    );
    let err = job
        .execute_in_process_with(RunOptions::new().partition_range("apple", "banana"))
        .unwrap_err();
    assert!(
        problems(err)[0].starts_with("job `fruit_job` runs one partition at a time, but the run asks for the range `apple...banana`"),
    );
    let mut b = JobDefinition::builder("plain_job");
    b.invoke(&const_op("one", 1), []);
    let err = b
        .build()
        .unwrap()
        .execute_in_process_with(RunOptions::new().partition_key("apple"))
        .unwrap_err();
    assert!(
        problems(err)[0].starts_with(
            "job `plain_job` is not partitioned, but the run asks for partition `apple`"
        ),
    );
    // The right key runs.
    let r = job
        .execute_in_process_with(RunOptions::new().partition_key("banana"))
        .unwrap();
    assert_eq!(*r.output_for_node::<i64>("one").unwrap(), 1);
}

#[test]
fn a_job_partitioned_by_dynamic_partitions_runs_the_keys_the_instance_holds() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let op = OpDefinition::builder("read_file")
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            let key = io.partition_key()?.to_owned();
            io.output("result", key)
        });
    let mut b = JobDefinition::builder("files_job");
    b.partitions_def(DynamicPartitionsDefinition::new("job_files"));
    b.invoke(&op, []);
    let job = b.build().unwrap();
    let run = |key: &str| {
        job.execute_in_process_with(
            RunOptions::new()
                .partition_key(key)
                .instance(instance.clone()),
        )
    };
    let err = run("a.csv").unwrap_err();
    assert_eq!(
        problems(err),
        [
            "job `files_job`: partition key `a.csv` is not a partition of dynamic partitions `job_files`: it has no keys yet; add it first (Instance::add_dynamic_partitions(\"job_files\", [\"a.csv\"]) or `partitions add job_files a.csv`)"
        ]
    );
    instance
        .add_dynamic_partitions("job_files", ["a.csv"])
        .unwrap();
    let r = run("a.csv").unwrap();
    assert_eq!(r.output_for_node::<String>("read_file").unwrap(), "a.csv");
}
