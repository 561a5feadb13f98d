//! "`T` takes exactly one partition, checked before the run" holds for a
//! custom manager too: a `T` input reading many partitions is refused
//! before anything runs; `PartitionMap<T>` loads them one by one.

use std::collections::HashMap;
use std::sync::Mutex;

use larder::partitions::{PartitionMap, StaticPartitionsDefinition};
use larder::prelude::*;

/// What `Counts` stored, by partition (shared by the runs of the test).
static STORED: Mutex<Option<HashMap<String, i64>>> = Mutex::new(None);

/// Stores each partition's value, keyed by partition.
#[derive(Default)]
pub struct Counts;

impl IOManager<i64> for Counts {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &i64) -> larder::Result<()> {
        let key = ctx.asset_partition_key()?.to_owned();
        STORED
            .lock()
            .unwrap()
            .get_or_insert_default()
            .insert(key, *obj);
        Ok(())
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
        let key = ctx.asset_partition_key()?;
        STORED
            .lock()
            .unwrap()
            .get_or_insert_default()
            .get(key)
            .copied()
            .ok_or_else(|| larder::Error::msg(format!("partition {key} not stored")))
    }
}

#[io_manager(key = "counts")]
fn counts() -> Counts {
    Counts
}

#[asset(io_manager_key = "counts", partitions_def = StaticPartitionsDefinition::new(["a", "b", "c"]))]
fn visits(io: &mut StepIo) -> larder::Result<i64> {
    Ok(io.partition_key()?.len() as i64)
}

#[asset]
fn one_number(visits: i64) -> i64 {
    visits
}

#[asset]
fn all_numbers(visits: PartitionMap<i64>) -> i64 {
    visits.values().sum()
}

#[test]
fn a_single_value_input_over_many_partitions_is_refused_before_the_run() {
    let defs = Definitions::discover();
    let err = defs.validate().unwrap_err();
    let larder::Error::InvalidDefinitions(problems) = err else {
        panic!("expected invalid definitions, got {err}");
    };
    assert_eq!(
        problems,
        [
            "input `visits` of asset `one_number` reads 3 partitions (a to c) of asset `visits`, but its type `i64` takes exactly one; declare it as `PartitionMap<i64>`"
        ]
    );
}

#[test]
fn a_partition_map_input_is_loaded_partition_by_partition_by_the_custom_manager() {
    let defs = Definitions::discover();
    for p in ["a", "b", "c"] {
        defs.run(
            RunOptions::new()
                .selection(["visits"])
                .partition_key(p)
                .in_memory(),
        )
        .unwrap();
    }
    let result = defs
        .run(RunOptions::new().selection(["all_numbers"]).in_memory())
        .unwrap();
    // Each partition's key has length 1: three partitions, loaded by `Counts`.
    assert_eq!(*result.asset_value::<i64>("all_numbers").unwrap(), 3);
}
