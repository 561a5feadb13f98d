//! A `#[job]` that fans out over a dynamic output: `.map` per mapping key,
//! chained maps, `.collect()` into a `Vec<T>`, with the filesystem manager
//! writing each value where Dagster does.

use larder::prelude::*;

#[op]
fn split(step: &StepIo) -> DynamicOut<i64> {
    assert_eq!(step.mapping_key(), None);
    [("one", 1), ("two", 2), ("three", 3)]
        .into_iter()
        .map(|(k, v)| DynamicOutput::new(v, k))
        .collect()
}

#[op]
fn double(step: &StepIo, x: i64) -> i64 {
    // A mapped step knows its key: `double[two]` → `two`.
    assert_eq!(
        step.step_key(),
        format!("double[{}]", step.mapping_key().unwrap_or("?"))
    );
    2 * x
}

#[op]
fn add(x: i64, offset: i64) -> i64 {
    x + offset
}

#[op]
fn offset() -> i64 {
    100
}

#[op]
fn total(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

#[op]
fn listed(values: Vec<i64>) -> Vec<i64> {
    values
}

#[op(out(io_manager_key = "scratch"))]
fn scratch_split() -> larder::Result<DynamicOut<String>> {
    Ok(DynamicOut::from(vec![
        DynamicOutput::new("a".to_owned(), "k_a").with_metadata("len", 1_i64),
        DynamicOutput::new("bb".to_owned(), "k_b"),
    ]))
}

#[op]
fn length(s: String) -> usize {
    s.len()
}

#[op]
fn lengths(all: Vec<usize>) -> Vec<usize> {
    all
}

#[io_manager(key = "scratch")]
fn scratch() -> InMemoryIOManager {
    InMemoryIOManager::new()
}

#[job]
fn fan_out() {
    let doubled = split().map(|x| double(x));
    total(doubled.collect());
}

#[job]
fn chained() {
    let base = offset();
    let values = split();
    let shifted = values.map(double).map(|y| add(y, base));
    listed(shifted.collect());
    // Collecting the dynamic output itself.
    total(values.collect());
}

#[job(resource_defs(scratch = InMemoryIOManager::new()))]
fn typed_fan_out() {
    lengths(scratch_split().map(|s| length(s)).collect());
}

#[test]
fn map_and_collect_run_one_step_per_mapping_key() {
    let dir = tempfile::tempdir().unwrap();
    let result = fan_out()
        .unwrap()
        .with_resource(
            "io_manager",
            FilesystemIOManager::new(dir.path()).with_codec(Codec::Json),
        )
        .execute_in_process()
        .unwrap();
    let steps: Vec<&str> = result.step_outcomes().keys().map(String::as_str).collect();
    assert_eq!(
        steps,
        [
            "split",
            "total",
            "double[one]",
            "double[two]",
            "double[three]"
        ]
    );
    assert_eq!(*result.output_for_node::<i64>("double[three]").unwrap(), 6);
    assert_eq!(*result.output_for_node::<i64>("total").unwrap(), 12);
    let run = dir.path().join(result.run_id());
    for (key, value) in [("one", 1_i64), ("two", 2), ("three", 3)] {
        let stored = std::fs::read(run.join("split/result").join(key)).unwrap();
        assert_eq!(serde_json::from_slice::<i64>(&stored).unwrap(), value);
        assert!(run.join(format!("double[{key}]/result")).is_file());
    }
}

#[test]
fn chained_maps_and_a_direct_collect() {
    let result = chained().unwrap().execute_in_process().unwrap();
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("listed").unwrap(),
        [102, 104, 106]
    );
    assert_eq!(*result.output_for_node::<i64>("total").unwrap(), 6);
    assert_eq!(*result.output_for_node::<i64>("add[two]").unwrap(), 104);
}

#[test]
fn a_dynamic_output_with_a_declared_manager_stores_each_value_with_it() {
    let result = typed_fan_out().unwrap().execute_in_process().unwrap();
    assert_eq!(
        *result.output_for_node::<Vec<usize>>("lengths").unwrap(),
        [1, 2]
    );
    let handled: Vec<(String, Metadata)> = result
        .events_for_step("scratch_split")
        .iter()
        .filter_map(|e| match &e.kind {
            larder::EventKind::HandledOutput {
                manager_key,
                metadata,
                ..
            } => Some((manager_key.clone(), metadata.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(handled.len(), 2);
    assert!(handled.iter().all(|(k, _)| k == "scratch"));
    assert_eq!(handled[0].1.get("len"), Some(&MetadataValue::Int(1)));
}
