//! Small builders shared by the runtime tests (plain Rust API, no macros).
#![allow(dead_code)]

use larder::prelude::*;
use larder::type_info;

/// An asset returning `value`.
pub fn const_asset(name: &str, value: i64) -> AssetDefinition {
    AssetDefinition::builder(name)
        .output_type(type_info!(i64))
        .compute(move |io| io.output("result", value))
}

/// An asset adding one to its upstream `up`.
pub fn plus_one(name: &str, up: &str) -> AssetDefinition {
    let up_name = up.to_owned();
    AssetDefinition::builder(name)
        .input(AssetIn::new(up, type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(move |io| {
            let v: i64 = io.input(&up_name)?;
            io.output("result", v + 1)
        })
}

/// An op returning `value`.
pub fn const_op(name: &str, value: i64) -> OpDefinition {
    OpDefinition::builder(name)
        .output(Out::result(type_info!(i64)))
        .compute(move |io| io.output("result", value))
}

/// An op with input `x` returning `x + 1`.
pub fn plus_one_op(name: &str) -> OpDefinition {
    OpDefinition::builder(name)
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let x: i64 = io.input("x")?;
            io.output("result", x + 1)
        })
}

/// The events of a run as `(type, step)` pairs.
pub fn event_types(result: &RunResult) -> Vec<(larder::EventType, Option<String>)> {
    result
        .events()
        .iter()
        .map(|e| (e.event_type(), e.step_key.clone()))
        .collect()
}
