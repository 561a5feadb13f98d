//! A Dagster project as a data team writes it, in larder: hourly stories
//! fetched through an API client *resource*, metadata reported by the
//! steps (row counts, a Markdown preview, a data version), an *asset job*
//! over a group, a day-long *backfill* of 24 partitions that resumes, and a
//! unit test that injects a fake client through `build_asset_context`.

use larder::partitions::{PartitionMap, TimeWindowPartitionsDefinition};
use larder::prelude::*;
use larder::{AssetSelection, BackfillOptions, Instance};
use larder_examples::check;

/// The Hacker News API, as the assets see it. Here it makes up stories from
/// the hour it is asked for, so the example runs offline.
pub struct HnClient {
    per_hour: usize,
}

impl HnClient {
    fn stories_for(&self, hour: &str) -> Vec<Story> {
        (0..self.per_hour)
            .map(|i| Story {
                id: i as u64,
                title: format!("story {i} of {hour}"),
                score: (i as u64 * 7) % 11,
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Story {
    id: u64,
    title: String,
    score: u64,
}

/// Declared once: discovered by `Definitions::discover()`, and checked at
/// compile time wherever a step takes `resources(hn_client)`.
#[resource(key = "hn_client")]
fn hn_client() -> HnClient {
    HnClient { per_hour: 5 }
}

fn hourly() -> larder::partitions::TimeWindowPartitionsBuilder {
    TimeWindowPartitionsDefinition::hourly("2024-01-01-00:00")
}

/// One hour of stories, with a row count and a preview on its
/// materialization.
#[asset(
    group_name = "hn",
    partitions_def = hourly(),
    resources(hn_client),
    metadata(columns = ["id", "title", "score"])
)]
fn stories(io: &mut StepIo, hn_client: &HnClient) -> larder::Result<Output<Vec<Story>>> {
    let hour = io.partition_key()?.to_owned();
    let stories = hn_client.stories_for(&hour);
    io.log()
        .info(format!("fetched {} stories for {hour}", stories.len()));
    let preview: Vec<String> = stories
        .iter()
        .take(2)
        .map(|s| format!("- {}", s.title))
        .collect();
    let rows = stories.len();
    Ok(Output::new(stories)
        .metadata(metadata! {
            larder::ROW_COUNT => rows,
            "preview" => MetadataValue::Markdown(preview.join("\n")),
        })
        .data_version(hour))
}

/// The best story of each hour, over every hour stored so far.
#[asset(group_name = "reports")]
fn top_stories(stories: PartitionMap<Vec<Story>>) -> Vec<String> {
    stories
        .values()
        .filter_map(|hour| hour.iter().max_by_key(|s| s.score))
        .map(|s| s.title.clone())
        .collect()
}

/// The reports, from the stories already stored.
fn reports_job() -> larder::Result<larder::AssetJob> {
    larder::define_asset_job("reports_job", "group:reports")
}
larder::asset_job!(reports_job);

fn run() -> larder::Result<()> {
    let home = tempfile::tempdir()?;
    let instance = Instance::at(home.path());
    let defs = Definitions::discover();
    let now: jiff::Timestamp = "2024-01-02T00:00:00Z".parse().map_err(Error::user)?;

    // A day of hourly partitions, one run each, four at a time.
    let selection = AssetSelection::parse("group:hn")?;
    let day = || {
        BackfillOptions::new(selection.clone())
            .partition_range("2024-01-01-00:00", "2024-01-01-23:00")
            .max_concurrent(4)
            .instance(instance.clone())
            .now(now)
    };
    let backfill = defs.backfill(day())?;
    println!("{}", backfill.summary());
    check(
        backfill.succeeded().count() == 24,
        "24 partitions backfilled",
    )?;
    let stored = home.path().join("storage/stories/2024-01-01-13:00");
    check(stored.is_file(), format!("{} stored", stored.display()))?;

    // Run again: every partition is already materialized.
    let again = defs.backfill(day())?;
    check(again.skipped().count() == 24, "a re-run skips all 24")?;

    // The asset job over the reports reads every stored hour.
    let result = defs.execute_job(
        "reports_job",
        RunOptions::new().instance(instance.clone()).now(now),
    )?;
    let top = result.asset_value::<Vec<String>>("top_stories")?;
    check(top.len() == 24, "one top story per hour")?;

    // Each hour's materialization carries the step's metadata.
    let latest = instance
        .history()?
        .map(|h| h.latest_materialization(&"stories".into()))
        .transpose()?
        .flatten();
    let rows = latest
        .as_ref()
        .and_then(|m| m.metadata.get(larder::ROW_COUNT).cloned());
    check(
        rows == Some(MetadataValue::Int(5)),
        "row count recorded in the history",
    )?;
    println!(
        "top stories of 2024-01-01: {} hours, first: {}",
        top.len(),
        top[0]
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn hacker_news() {
    run().unwrap();
}

#[test]
fn stories_with_a_fake_client() {
    let fake = HnClient { per_hour: 2 };
    let mut io = build_asset_context()
        .partitions_def(hourly().build().unwrap())
        .partition_key("2024-01-01-05:00")
        .build()
        .unwrap();
    let out = stories(&mut io, &fake).unwrap();
    assert_eq!(out.value().len(), 2);
    assert_eq!(out.get_metadata()[larder::ROW_COUNT], MetadataValue::Int(2));
    assert_eq!(out.get_data_version(), Some("2024-01-01-05:00"));
    assert_eq!(
        io.logged(),
        [(
            "info".to_owned(),
            "fetched 2 stories for 2024-01-01-05:00".to_owned()
        )]
    );
}
