//! Deep graphs: every walk over the graph (plan, cycle check, order,
//! resource order) is iterative, so a 100,000-step chain validates and
//! runs even from a thread with a small stack.

use larder::prelude::*;
use larder::{Error, ResourceDefinition, ResourceKind, type_info};

const DEPTH: usize = 100_000;
const SMALL_STACK: usize = 256 * 1024;

/// Runs `f` on a thread with a 256 KiB stack and returns what it returns.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// `a0` = 0, `a{i}` = `a{i-1}` + 1.
fn chain(n: usize) -> Vec<AssetDefinition> {
    (0..n)
        .map(|i| {
            let builder = AssetDefinition::builder(format!("a{i}")).output_type(type_info!(u64));
            if i == 0 {
                builder.compute(|io| io.set_output(0, 0_u64))
            } else {
                builder
                    .input(AssetIn::new(format!("a{}", i - 1), type_info!(u64)))
                    .compute(|io| {
                        let prev: u64 = io.take_input(0)?;
                        io.set_output(0, prev + 1)
                    })
            }
        })
        .collect()
}

#[test]
fn a_100000_asset_chain_validates_and_runs_on_a_small_stack() {
    let last = on_small_stack(|| {
        let defs = Definitions::new().assets(chain(DEPTH));
        defs.validate().unwrap();
        let result = defs
            .run(RunOptions::new().in_memory().max_concurrency(1))
            .unwrap();
        assert!(result.success());
        assert_eq!(result.step_outcomes().len(), DEPTH);
        *result
            .asset_value::<u64>(format!("a{}", DEPTH - 1).as_str())
            .unwrap()
    });
    assert_eq!(last, DEPTH as u64 - 1);
}

#[test]
fn a_100000_asset_chain_runs_on_several_workers() {
    let last = on_small_stack(|| {
        let result = Definitions::new()
            .assets(chain(DEPTH))
            .run(RunOptions::new().in_memory().max_concurrency(4))
            .unwrap();
        *result
            .asset_value::<u64>(format!("a{}", DEPTH - 1).as_str())
            .unwrap()
    });
    assert_eq!(last, DEPTH as u64 - 1);
}

#[test]
fn a_100000_asset_cycle_is_reported_on_a_small_stack() {
    let problems = on_small_stack(|| {
        // a0 reads the last asset: one cycle through every asset.
        let mut assets = chain(DEPTH);
        assets[0] = AssetDefinition::builder("a0")
            .input(AssetIn::new(format!("a{}", DEPTH - 1), type_info!(u64)))
            .output_type(type_info!(u64))
            .compute(|io| io.set_output(0, 0_u64));
        match Definitions::new().assets(assets).validate() {
            Err(Error::InvalidDefinitions(p)) => p,
            other => panic!("expected a cycle, got {other:?}"),
        }
    });
    assert_eq!(problems.len(), 1, "{:.300?}", problems);
    let cycle = &problems[0];
    assert!(
        cycle.starts_with("dependency cycle: a0 -> a1 -> a2"),
        "{cycle:.300}"
    );
    assert!(
        cycle.ends_with(&format!("a{} -> a0", DEPTH - 1)),
        "{:.300}",
        &cycle[cycle.len() - 100..]
    );
}

#[test]
fn a_100000_op_job_runs_on_a_small_stack() {
    let last = on_small_stack(|| {
        let first = OpDefinition::builder("op0")
            .output(Out::result(type_info!(u64)))
            .compute(|io| io.set_output(0, 0_u64));
        let next = OpDefinition::builder("op")
            .input(In::new("x", type_info!(u64)))
            .output(Out::result(type_info!(u64)))
            .compute(|io| {
                let x: u64 = io.take_input(0)?;
                io.set_output(0, x + 1)
            });
        let mut job = JobDefinition::builder("deep");
        let mut prev = job.invoke(&first, []);
        for _ in 1..DEPTH {
            prev = job.invoke(&next, [("x", prev.output())]);
        }
        let job = job.build().unwrap();
        let result = job.execute_in_process().unwrap();
        *result.output_for_node::<u64>(prev.name()).unwrap()
    });
    assert_eq!(last, DEPTH as u64 - 1);
}

#[test]
fn a_deep_chain_of_resources_initializes_on_a_small_stack() {
    // r{i} requires r{i-1}: initialized in order without recursion.
    const RESOURCES: usize = 20_000;
    let n = on_small_stack(|| {
        let mut defs = Definitions::new().asset(
            AssetDefinition::builder("x")
                .output_type(type_info!(u64))
                .compute(|io| io.set_output(0, 1_u64)),
        );
        // Bound last-first, so the order has to be worked out.
        for k in (0..RESOURCES).rev() {
            let mut def = ResourceDefinition::new(ResourceKind::Resource, move |ctx| {
                let below = match k {
                    0 => 0,
                    _ => *ctx.resources().get::<usize>(&format!("r{}", k - 1))? + 1,
                };
                Ok(below)
            });
            if k > 0 {
                def = def.required_resource_keys([format!("r{}", k - 1)]);
            }
            defs = defs.resource(format!("r{k}"), def);
        }
        let defs = defs;
        defs.validate().unwrap();
        defs.run(RunOptions::new().in_memory())
            .unwrap()
            .step_outcomes()
            .len()
    });
    assert_eq!(n, 1);
}
