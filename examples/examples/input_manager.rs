//! Dagster's input-manager examples: an `#[input_manager]` that loads a root
//! input (an op input with no upstream), and one that overrides how a
//! connected input is loaded.

use larder::prelude::*;
use larder_examples::check;

/// Loads the root input from the run config of the input
/// (`ops.<op>.inputs.<name>`), as Dagster's `root_input_manager` examples do.
#[input_manager(key = "config_loader")]
fn load_from_config(ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
    ctx.config_as::<Vec<i64>>()
}

/// Overrides a connected input: loads the upstream's value, then keeps only
/// the even numbers. It returns an input manager, whose `load_input` is
/// then called (Dagster's semantics).
struct EvenOnly(FilesystemIOManager);

impl InputManager<Vec<i64>> for EvenOnly {
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
        let all: Vec<i64> = IOManager::load_input(&self.0, ctx)?;
        Ok(all.into_iter().filter(|n| n % 2 == 0).collect())
    }
}

#[input_manager(key = "even_only")]
fn even_only(ctx: &mut InputContext) -> EvenOnly {
    let base = ctx
        .resource_config()
        .get("base_dir")
        .and_then(|v| v.as_str())
        .map(std::path::PathBuf::from);
    EvenOnly(FilesystemIOManager::new(
        base.unwrap_or_else(std::env::temp_dir),
    ))
}

#[op(ins(numbers(input_manager_key = "config_loader")))]
fn total(numbers: Vec<i64>) -> i64 {
    numbers.iter().sum()
}

#[job]
fn totals() {
    total();
}

#[asset]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3, 4]
}

#[asset(ins(numbers(input_manager_key = "even_only")))]
fn evens(numbers: Vec<i64>) -> Vec<i64> {
    numbers
}

fn run() -> larder::Result<()> {
    // A root input: nothing upstream, the input manager provides it.
    let config = RunConfig::new().input("total", "numbers", serde_json::json!([5, 6, 7]));
    let r = Definitions::discover().execute_job("totals", RunOptions::new().run_config(config))?;
    check(*r.output_for_node::<i64>("total")? == 18, "total is 18")?;

    // A connected input, loaded another way than its upstream was stored.
    let dir = tempfile::tempdir()?;
    let defs = Definitions::discover()
        .resource("io_manager", FilesystemIOManager::new(dir.path()))
        .resource(
            "even_only",
            larder::declared_manager("even_only")
                .configured(serde_json::json!({ "base_dir": dir.path() })),
        );
    let r = defs.materialize(["numbers", "evens"])?;
    check(r.asset_value::<Vec<i64>>("evens")? == &vec![2, 4], "evens")?;
    println!("total = 18, evens = [2, 4]");
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn input_manager() {
    run().unwrap();
}
