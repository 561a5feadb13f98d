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

pub struct Fixed;

impl InputManager<i64> for Fixed {
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<i64> {
        Ok(7)
    }
}

#[input_manager(key = "fixed")]
fn fixed() -> Fixed {
    Fixed
}

/// A root `Option<T>` input: the manager loads a `T`, passed as `Some`.
#[asset(ins(seed(input_manager_key = "fixed")))]
fn seeded(seed: Option<i64>) -> i64 {
    seed.unwrap_or(-1)
}

fn main() {
    let result = Definitions::discover()
        .run(RunOptions::new().in_memory().selection(["seeded"]))
        .unwrap();
    assert_eq!(*result.asset_value::<i64>("seeded").unwrap(), 7);

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
