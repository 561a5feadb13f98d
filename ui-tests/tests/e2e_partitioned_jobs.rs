//! `#[job(partitions_def = ..)]`: each run executes one partition, which
//! the job's `#[op]`s read from their context; dynamic partitions take
//! their keys from the instance.

use larder::partitions::{DynamicPartitionsDefinition, TimeWindowPartitionsDefinition};
use larder::prelude::*;
use larder::{Error, Instance};

#[op]
fn day(io: &mut StepIo) -> larder::Result<String> {
    let window = io.partition_time_window()?;
    Ok(format!("{} from {}", io.partition_key()?, window.start))
}

#[op]
fn shout(text: String) -> String {
    text.to_uppercase()
}

/// One day of reports.
#[job(partitions_def = TimeWindowPartitionsDefinition::daily("2024-01-01"))]
fn daily_reports() {
    shout(day());
}

#[op]
fn file_name(io: &mut StepIo) -> larder::Result<String> {
    Ok(io.partition_key()?.to_owned())
}

#[job(partitions_def = DynamicPartitionsDefinition::new("e2e_files"))]
fn per_file() {
    file_name();
}

#[test]
fn a_partitioned_job_runs_one_day_and_its_ops_see_it() {
    let job = daily_reports().unwrap();
    assert_eq!(
        job.partitions_def().unwrap().to_string(),
        TimeWindowPartitionsDefinition::daily("2024-01-01")
            .build()
            .unwrap()
            .to_string()
    );
    let result = job
        .execute_in_process_with(
            RunOptions::new()
                .partition_key("2024-01-03")
                .now("2024-02-01T00:00:00Z".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(
        result.output_for_node::<String>("shout").unwrap(),
        "2024-01-03 FROM 2024-01-03T00:00:00+00:00[UTC]"
    );
    let Error::InvalidDefinitions(problems) = job
        .execute_in_process_with(RunOptions::new().partition_key("2024-01-32"))
        .unwrap_err()
    else {
        panic!("expected InvalidDefinitions")
    };
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("job `daily_reports`: partition key `2024-01-32`"),
        "{problems:?}"
    );
}

#[test]
fn a_job_over_dynamic_partitions_runs_a_key_once_it_is_added() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let job = per_file().unwrap();
    let run = || {
        job.execute_in_process_with(
            RunOptions::new()
                .partition_key("report.csv")
                .instance(instance.clone()),
        )
    };
    assert!(run().is_err());
    instance
        .add_dynamic_partitions("e2e_files", ["report.csv"])
        .unwrap();
    assert_eq!(
        run()
            .unwrap()
            .output_for_node::<String>("file_name")
            .unwrap(),
        "report.csv"
    );
}
