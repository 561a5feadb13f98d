//! `#[input_manager]` on a function returning an IO manager (Dagster's
//! `@input_manager def m(): return MyIOManager()`): inputs are loaded by
//! that manager's `load_input`.

use larder::prelude::*;

pub struct Numbers;

impl IOManager<i64> for Numbers {
    fn handle_output(&self, _: &mut OutputContext, _: &i64) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _: &mut InputContext) -> larder::Result<i64> {
        Ok(5)
    }
}

#[input_manager(key = "numbers")]
fn numbers() -> Numbers {
    Numbers
}

#[asset(ins(n(input_manager_key = "numbers")))]
fn doubled(n: i64) -> i64 {
    n * 2
}

fn main() {
    let result = Definitions::discover()
        .run(RunOptions::new().in_memory())
        .unwrap();
    assert_eq!(*result.asset_value::<i64>("doubled").unwrap(), 10);
}
