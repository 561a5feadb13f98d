#![deny(warnings)]
//! `PartitionMap<T>` and `Option<T>` inputs with an `input_manager_key`:
//! the manager loads each partition as a `T`.

use larder::partitions::{PartitionMap, StaticPartitionsDefinition};
use larder::prelude::*;

pub struct Hourly;

impl InputManager<i64> for Hourly {
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
        Ok(ctx.asset_partition_key()?.len() as i64)
    }
}

#[input_manager(key = "hourly_source")]
fn hourly_source() -> Hourly {
    Hourly
}

#[asset(partitions_def = StaticPartitionsDefinition::new(["a", "bb", "ccc"]))]
fn events() -> i64 {
    0
}

#[asset(ins(events(input_manager_key = "hourly_source")))]
fn total(events: PartitionMap<i64>) -> i64 {
    events.values().sum()
}

#[asset(
    partitions_def = StaticPartitionsDefinition::new(["a", "bb", "ccc"]),
    ins(events(input_manager_key = "hourly_source"))
)]
fn same_partition(events: Option<i64>) -> i64 {
    events.unwrap_or(-1)
}

fn main() {
    let result = Definitions::discover()
        .run(
            RunOptions::new()
                .in_memory()
                .selection(["same_partition"])
                .partition_key("bb"),
        )
        .unwrap();
    assert!(result.success(), "{:?}", result.failure_lines());
    assert_eq!(*result.asset_value::<i64>("same_partition").unwrap(), 2);

    let result = Definitions::discover()
        .run(RunOptions::new().in_memory().selection(["total"]))
        .unwrap();
    assert!(result.success(), "{:?}", result.failure_lines());
    assert_eq!(*result.asset_value::<i64>("total").unwrap(), 6);
}
