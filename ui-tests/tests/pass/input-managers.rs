//! `#[input_manager]` functions: one returning the value, one returning a
//! manager that loads it (Dagster's semantics), used by assets and ops.
#![deny(warnings)]

use larder::prelude::*;

#[input_manager(key = "numbers_from_config", input_config = Vec<i64>)]
fn numbers_from_config(ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
    ctx.config_as()
}

#[input_manager(key = "constant")]
fn constant() -> String {
    "constant".into()
}

struct Loader;

impl InputManager<u32> for Loader {
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<u32> {
        Ok(7)
    }
}

/// Returns a manager: inputs of type `u32` are loaded by it.
#[input_manager(key = "via_loader", description = "a loader")]
fn via_loader(_ctx: &InputContext) -> Result<Loader, std::convert::Infallible> {
    Ok(Loader)
}

#[asset(ins(numbers(input_manager_key = "numbers_from_config")))]
fn total(numbers: Vec<i64>) -> i64 {
    numbers.iter().sum()
}

#[op(ins(name(input_manager_key = "constant"), n(input_manager_key = "via_loader")))]
fn greet(name: String, n: u32) -> String {
    format!("{name} {n}")
}

fn main() {
    let _ = (total::definition(), greet::definition());
    assert_eq!(constant(), "constant");
}
