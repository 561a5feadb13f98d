//! An asset's own IO manager (Dagster's `io_manager_def`): bound under
//! `<key>__io_manager` with no binding in `Definitions`, used by the
//! asset and by downstream assets loading it; a conflicting binding is
//! refused.

use std::sync::OnceLock;

use larder::prelude::*;

static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();

fn own_dir() -> std::path::PathBuf {
    DIR.get().cloned().unwrap_or_else(std::env::temp_dir)
}

#[asset(key_prefix = "raw", io_manager_def = FilesystemIOManager::new(own_dir()))]
fn events() -> Vec<i64> {
    vec![4, 5, 6]
}

#[asset(ins(events(key_prefix = "raw")))]
fn event_total(events: Vec<i64>) -> i64 {
    events.iter().sum()
}

#[test]
fn an_asset_brings_its_own_io_manager() {
    let own = tempfile::tempdir().unwrap();
    DIR.set(own.path().to_owned()).unwrap();
    let defs = Definitions::new().assets([events::definition(), event_total::definition()]);
    assert_eq!(
        defs.get_asset("raw/events").unwrap().io_manager_key(),
        "raw__events__io_manager"
    );
    let result = defs.run(RunOptions::new().in_memory()).unwrap();
    assert_eq!(*result.asset_value::<i64>("event_total").unwrap(), 15);
    assert!(own.path().join("raw/events").is_file());

    let err = defs
        .resource("raw__events__io_manager", InMemoryIOManager::new())
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("asset `raw/events` brings its own resource `raw__events__io_manager`, and the definitions bind `raw__events__io_manager` too"),
        "{err}"
    );
}
