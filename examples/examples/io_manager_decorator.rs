//! Dagster's `@io_manager` example: a function that builds a manager from
//! its config, an op whose output names it with `out(io_manager_key)`, and a
//! job whose `resource_defs` bind it.

use std::collections::HashMap;
use std::sync::Mutex;

use larder::prelude::*;
use larder_examples::check;

#[derive(Deserialize)]
struct MyConfig {
    prefix: String,
}

/// Keeps values in memory under `<prefix>/<step>/<output>`.
struct MyIOManager {
    prefix: String,
    values: Mutex<HashMap<String, Vec<i64>>>,
}

impl MyIOManager {
    fn key(&self, step: &str, output: &str) -> String {
        format!("{}/{step}/{output}", self.prefix)
    }
}

impl IOManager<Vec<i64>> for MyIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &Vec<i64>) -> larder::Result<()> {
        let key = self.key(ctx.step_key()?, ctx.name()?);
        self.values
            .lock()
            .map_err(|_| Error::msg("poisoned"))?
            .insert(key.clone(), obj.clone());
        ctx.add_output_metadata(metadata! { "stored_as" => key })
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
        let up = ctx
            .upstream_output()
            .ok_or_else(|| Error::msg("no upstream"))?;
        let key = self.key(up.step_key()?, up.name()?);
        self.values
            .lock()
            .map_err(|_| Error::msg("poisoned"))?
            .get(&key)
            .cloned()
            .ok_or_else(|| Error::msg(format!("nothing at {key}")))
    }
}

#[io_manager(key = "my_io_manager_key", config = MyConfig)]
fn my_io_manager(ctx: &mut InitContext) -> larder::Result<MyIOManager> {
    let config: MyConfig = ctx.config()?;
    Ok(MyIOManager {
        prefix: config.prefix,
        values: Mutex::new(HashMap::new()),
    })
}

#[op(out(io_manager_key = "my_io_manager_key"))]
fn my_op() -> Vec<i64> {
    vec![1, 2, 3]
}

#[op(out(io_manager_key = "my_io_manager_key"))]
fn doubled(numbers: Vec<i64>) -> Vec<i64> {
    numbers.iter().map(|n| n * 2).collect()
}

#[job(resource_defs(my_io_manager_key = larder::declared_manager("my_io_manager_key")))]
fn my_job() {
    doubled(my_op());
}

fn run() -> larder::Result<()> {
    let job = my_job()?;
    let config = RunConfig::new().resource(
        "my_io_manager_key",
        serde_json::json!({ "prefix": "memory" }),
    );
    let result = job.execute_in_process_with(RunOptions::new().run_config(config))?;
    check(
        result.output_for_node::<Vec<i64>>("doubled")? == &vec![2, 4, 6],
        "doubled",
    )?;
    let handled = result.events_of_type(larder::EventType::HandledOutput);
    let larder::EventKind::HandledOutput {
        metadata,
        manager_key,
        ..
    } = &handled[1].kind
    else {
        return Err(Error::msg("no handled output"));
    };
    check(manager_key == "my_io_manager_key", "manager key")?;
    check(
        metadata["stored_as"] == MetadataValue::from("memory/doubled/result"),
        "stored_as",
    )?;
    println!("doubled -> {}", metadata["stored_as"]);
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn io_manager_decorator() {
    run().unwrap();
}
