//! Every `#[asset]` argument, the `StepIo` parameter, `Result` and `()`
//! returns, all warning-free.
#![deny(warnings)]

use larder::prelude::*;

#[derive(Deserialize)]
struct Threshold {
    #[allow(dead_code)]
    min: i64,
}

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

#[asset(
    key_prefix = ["raw", "events"],
    io_manager_key = "warehouse",
    group_name = "ingest",
    metadata(owner = "data-eng", rows = 3),
    code_version = "1"
)]
fn clicks() -> Vec<i64> {
    vec![1, 2, 3]
}

#[asset(key_prefix = "raw/events", name = "views")]
fn views_asset() -> Result<Vec<i64>, std::num::ParseIntError> {
    Ok(vec!["4".parse()?])
}

/// Clicks above a threshold.
#[asset(
    key = "clean/clicks",
    ins(
        clicks(key_prefix = ["raw", "events"], metadata(note = "from raw")),
        views(key = "raw/events/views")
    ),
    deps = [audit, "raw/events/views"],
    config = Threshold
)]
fn clean_clicks(clicks: Vec<i64>, io: &mut larder::StepIo, views: Vec<i64>) -> larder::Result<Vec<i64>> {
    let t: Threshold = io.config_as()?;
    Ok(clicks.into_iter().chain(views).filter(|c| *c >= t.min).collect())
}

#[asset(description = "checks things; stores nothing")]
fn audit() {}

#[asset(io_manager_key = "warehouse")]
fn nothing_but_named() -> Result<(), String> {
    Ok(())
}

/// Compiled out, with everything the macro generates for it.
#[cfg(any())]
#[asset(io_manager_key = "warehouse")]
fn gone() -> Vec<i64> {
    vec![]
}

fn main() {
    let def = clean_clicks::definition();
    assert_eq!(def.key().to_string(), "clean/clicks");
    assert_eq!(def.description(), Some("Clicks above a threshold."));
    assert_eq!(def.upstream_keys().len(), 2);
    assert_eq!(def.deps().len(), 2);
    let clicks = clicks::definition();
    assert_eq!(clicks.key().to_string(), "raw/events/clicks");
    assert_eq!(clicks.group_name(), "ingest");
    assert_eq!(clicks.metadata().len(), 2);
    assert_eq!(views_asset::key().to_string(), "raw/events/views");
    assert_eq!(audit::definition().description(), Some("checks things; stores nothing"));
    assert_eq!(nothing_but_named::definition().io_manager_key(), "warehouse");
    audit();
}
