//! Graphs, fan-in and Nothing dependencies: a graph flattened into a job
//! (steps keyed `graph.op`, stored at `<base>/<run_id>/four.add_one/result`),
//! an op gathering several upstream outputs into a `Vec`, and an op that
//! only waits for another.

use larder::prelude::*;
use larder::type_info;
use larder_examples::check;

fn main() -> larder::Result<()> {
    let three = OpDefinition::builder("three")
        .output(Out::result(type_info!(i64)))
        .compute(|io| io.output("result", 3_i64));
    let add_one = OpDefinition::builder("add_one")
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let x: i64 = io.input("x")?;
            io.output("result", x + 1)
        });
    let total = OpDefinition::builder("total")
        .input(In::fan_in::<i64>(
            "xs",
            type_info!(Vec<i64>),
            type_info!(i64),
        ))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let xs: Vec<i64> = io.input("xs")?;
            io.output("result", xs.iter().sum::<i64>())
        });
    let setup = OpDefinition::builder("setup")
        .output(Out::result(type_info!(Nothing)))
        .compute(|_| Ok(()));
    let report = OpDefinition::builder("report")
        .input(In::new("after", type_info!(Nothing)))
        .output(Out::result(type_info!(Nothing)))
        .compute(|_| Ok(()));

    // Dagster's `@graph def four(x): return add_one(x)`.
    let mut four = GraphDefinition::builder("four");
    let x = four.input("x");
    let inner = four.invoke(&add_one, [("x", x)]);
    four.outputs_of(&inner);
    let four = four.build()?;

    let dir = tempfile::tempdir().map_err(larder::Error::msg)?;
    let mut job = JobDefinition::builder("graphs");
    let a = job.invoke(&three, []);
    let b = job.invoke_graph(&four, [("x", a.output())]);
    job.invoke_wired(
        &total,
        [("xs", Upstream::Many(vec![a.output(), b.output()]))],
    );
    let ready = job.invoke(&setup, []);
    job.invoke(&report, [("after", ready.output())]);
    job.resource("io_manager", FilesystemIOManager::new(dir.path()));
    let run = job.build()?.execute_in_process()?;

    let path = dir
        .path()
        .join(run.run_id())
        .join("four.add_one")
        .join("result");
    println!("graph step stored at {}", path.display());
    check(path.is_file(), format!("{} exists", path.display()))?;
    check(
        *run.output_for_node::<i64>("four")? == 4,
        "four's output is add_one's: 4",
    )?;
    check(
        *run.output_for_node::<i64>("total")? == 7,
        "total gathers [3, 4] into 7",
    )?;
    let handled = run.events_of_type(larder::EventType::HandledOutput).len();
    println!("handled outputs: {handled} (Nothing outputs are never stored)");
    check(
        handled == 3,
        "three handled outputs: three, four.add_one, total",
    )?;
    Ok(())
}
