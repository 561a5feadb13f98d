//! `#[multi_asset]`: one function, one step, several assets, each stored
//! by its own declared manager at its own path, found by `discover`.

use std::sync::Mutex;

use larder::partitions::StaticPartitionsDefinition;
use larder::prelude::*;
use larder::{EventType, StepOutcome};

/// What `recording` saw: `store <key> owner=<definition metadata>` and
/// `load <key> owner=<upstream_output's definition metadata>`.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub struct Recording;

fn owner(m: &Metadata) -> String {
    match m.get("owner") {
        Some(MetadataValue::Text(t)) => t.clone(),
        other => format!("{other:?}"),
    }
}

impl IOManager<i64> for Recording {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &i64) -> larder::Result<()> {
        SEEN.lock().unwrap().push(format!(
            "store {} = {obj} owner={}",
            ctx.asset_key()?,
            owner(ctx.definition_metadata())
        ));
        Ok(())
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
        let up = ctx
            .upstream_output()
            .ok_or_else(|| larder::Error::msg("no upstream output"))?;
        SEEN.lock().unwrap().push(format!(
            "load {} owner={}",
            up.asset_key()?,
            owner(up.definition_metadata())
        ));
        Ok(7)
    }
}

#[io_manager(key = "recording")]
fn recording() -> Recording {
    Recording
}

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::new(std::env::temp_dir())
}

/// Two assets of one computation.
#[multi_asset(outs(
    counts(
        key_prefix = "raw",
        io_manager_key = "warehouse",
        metadata(owner = "ann")
    ),
    labels(io_manager_key = "warehouse")
))]
fn census() -> (Vec<i64>, Vec<String>) {
    (vec![3, 4], vec!["x".to_owned(), "y".to_owned()])
}

#[asset(ins(counts(key_prefix = "raw")))]
fn total(counts: Vec<i64>) -> i64 {
    counts.iter().sum()
}

#[multi_asset(outs(
    tagged(io_manager_key = "recording", metadata(owner = "bob")),
    maybe(io_manager_key = "recording", is_required = false)
))]
fn tagger() -> (i64, Option<i64>) {
    (1, None)
}

#[asset]
fn reads_tagged(tagged: i64) -> i64 {
    tagged
}

#[asset]
fn reads_maybe(maybe: i64) -> i64 {
    maybe
}

#[multi_asset(
    partitions_def = StaticPartitionsDefinition::new(["red", "blue"]),
    outs(left, right(key = "sides/right"))
)]
fn sides(io: &mut StepIo) -> larder::Result<(String, String)> {
    let p = io.partition_key()?.to_owned();
    Ok((format!("{p}-l"), format!("{p}-r")))
}

fn defs(dir: &std::path::Path) -> Definitions {
    // JSON, so the test reads the files with serde_json.
    let fs = |d: &str| FilesystemIOManager::new(dir.join(d)).with_codec(larder::Codec::Json);
    Definitions::discover()
        .resource("warehouse", fs("warehouse"))
        .resource("io_manager", fs("default"))
}

fn read<T: serde::de::DeserializeOwned>(path: std::path::PathBuf) -> T {
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn discover_finds_each_asset_of_a_multi_asset_under_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let defs = defs(dir.path());
    let keys: Vec<String> = defs
        .get_assets()
        .iter()
        .map(|a| a.key().to_string())
        .collect();
    assert_eq!(
        keys,
        [
            "labels",
            "left",
            "maybe",
            "raw/counts",
            "reads_maybe",
            "reads_tagged",
            "sides/right",
            "tagged",
            "total"
        ]
    );
    let counts = defs.get_asset(["raw", "counts"]).unwrap();
    assert!(counts.is_multi());
    assert_eq!(counts.op().name(), "census");
    assert_eq!(counts.io_manager_key(), "warehouse");
    assert_eq!(owner(counts.metadata()), "ann");
    assert_eq!(
        census::keys(),
        [AssetKey::new(["raw", "counts"]), AssetKey::from("labels")]
    );
    defs.validate().unwrap();
}

#[test]
fn a_multi_asset_stores_each_out_at_its_asset_path_and_feeds_a_downstream() {
    let dir = tempfile::tempdir().unwrap();
    let result = defs(dir.path())
        .materialize(["raw/counts", "labels", "total"])
        .unwrap();
    assert_eq!(
        result.step_outcomes().keys().collect::<Vec<_>>(),
        ["census", "total"]
    );
    let counts: Vec<i64> = read(dir.path().join("warehouse/raw/counts"));
    let labels: Vec<String> = read(dir.path().join("warehouse/labels"));
    let total: i64 = read(dir.path().join("default/total"));
    assert_eq!(counts, [3, 4]);
    assert_eq!(labels, ["x", "y"]);
    assert_eq!(total, 7);
}

#[test]
fn metadata_reaches_the_manager_and_an_optional_out_not_produced_skips_its_reader() {
    let dir = tempfile::tempdir().unwrap();
    let result = defs(dir.path())
        .materialize(["tagged", "maybe", "reads_tagged", "reads_maybe"])
        .unwrap();
    assert!(result.success());
    assert_eq!(
        *SEEN.lock().unwrap(),
        ["store tagged = 1 owner=bob", "load tagged owner=bob",]
    );
    assert_eq!(
        result.step_outcome("reads_maybe"),
        Some(&StepOutcome::NotYielded(vec!["tagger.maybe".to_owned()]))
    );
    let outputs: Vec<_> = result
        .events_of_type(EventType::StepOutput)
        .iter()
        .map(|e| e.step_key.clone().unwrap_or_default())
        .collect();
    assert_eq!(outputs, ["tagger", "reads_tagged"]);
}

#[test]
fn a_partitioned_multi_asset_writes_a_file_per_asset_and_partition() {
    let dir = tempfile::tempdir().unwrap();
    let defs = defs(dir.path());
    for p in ["red", "blue"] {
        defs.run(
            RunOptions::new()
                .selection(["left", "sides/right"])
                .partition_key(p),
        )
        .unwrap();
    }
    let left: String = read(dir.path().join("default/left/red"));
    let right: String = read(dir.path().join("default/sides/right/blue"));
    assert_eq!(left, "red-l");
    assert_eq!(right, "blue-r");
}

#[test]
fn selecting_one_asset_of_a_multi_asset_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = defs(dir.path())
        .materialize(["labels"])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("multi-asset `census` computes assets `raw/counts`, `labels` in one step, but only `labels` is selected"),
        "{e}"
    );
}
