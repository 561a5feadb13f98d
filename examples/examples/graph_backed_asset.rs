//! Dagster's graph-backed asset (`@graph_asset`): an asset computed by two
//! ops. Each op runs as its own step, `cleaned.strip` and `cleaned.shout`;
//! the last op's output is the asset, stored per partition at
//! `<base>/cleaned/<partition>`, while the first op's output is stored like
//! any op output of the run, at `<base>/<run id>/cleaned.strip/result`.

use larder::partitions::StaticPartitionsDefinition;
use larder::prelude::*;
use larder::{NodeInput, type_info};
use larder_examples::check;

fn colors() -> larder::Result<StaticPartitionsDefinition> {
    StaticPartitionsDefinition::new(["red", "blue"])
}

/// The raw text of one partition.
#[asset(partitions_def = colors())]
fn raw(io: &mut StepIo) -> larder::Result<String> {
    Ok(format!("  {} paint ", io.partition_key()?))
}

#[op]
fn strip(text: String) -> String {
    text.trim().to_owned()
}

#[op]
fn shout(text: String) -> String {
    text.to_uppercase()
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let cleaned = AssetDefinition::graph("cleaned")
        .partitions_def(colors())
        .input(AssetIn::new("raw", type_info!(String)))
        .node(strip::definition(), [("text", NodeInput::asset("raw"))])
        .node(
            shout::definition(),
            [("text", NodeInput::result_of("strip"))],
        )
        .result(
            AssetOut::new("cleaned", type_info!(String)),
            "shout",
            "result",
        )
        .build()?;
    let defs = Definitions::discover()
        .assets(cleaned)
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    for color in ["red", "blue"] {
        let r = defs.run(RunOptions::new().partition_key(color))?;
        let steps: Vec<&String> = r.step_outcomes().keys().collect();
        check(
            steps == ["raw", "cleaned.strip", "cleaned.shout"],
            format!("steps {steps:?}"),
        )?;
        let value = r.asset_value::<String>("cleaned")?;
        check(
            *value == format!("{} PAINT", color.to_uppercase()),
            format!("cleaned[{color}] = {value}"),
        )?;
        let asset_path = dir.path().join("cleaned").join(color);
        let op_path = dir.path().join(r.run_id()).join("cleaned.strip/result");
        check(asset_path.is_file(), asset_path.display())?;
        check(op_path.is_file(), op_path.display())?;
        println!("{color}: steps {steps:?}; cleaned = {value:?}");
        println!("  asset    -> {}", asset_path.display());
        println!("  op strip -> {}", op_path.display());
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn graph_backed_asset() {
    run().unwrap();
}
