//! Graphs flattened into jobs (nested step keys, graph outputs), fan-in
//! inputs and Nothing dependencies, as Dagster 1.7.2 runs them.

mod common;

use common::*;
use larder::prelude::*;
use larder::{EventKind, EventType, GraphDefinition, Nothing, Upstream, type_info};

/// `four(x) = plus_one(x)`: a graph with one input and one output.
fn four_graph() -> GraphDefinition {
    let mut g = GraphDefinition::builder("four");
    let x = g.input("x");
    let inner = g.invoke(&plus_one_op("add_1"), [("x", x)]);
    g.outputs_of(&inner);
    g.build().unwrap()
}

fn nothing_op(name: &str) -> OpDefinition {
    OpDefinition::builder(name)
        .output(Out::result(type_info!(Nothing)))
        .compute(|_| Ok(()))
}

#[test]
fn graph_ops_are_stored_under_nested_step_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = JobDefinition::builder("j");
    let three = job.invoke(&const_op("three", 3), []);
    let four = job.invoke_graph(&four_graph(), [("x", three.output())]);
    job.invoke(&plus_one_op("after"), [("x", four.output())]);
    job.resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert!(result.success());

    // Dagster: `<base>/<run_id>/four.add_1/result`.
    let path = dir
        .path()
        .join(result.run_id())
        .join("four.add_1")
        .join("result");
    let stored: i64 = rmp_serde::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(stored, 4);
    assert_eq!(*result.output_for_node::<i64>("four.add_1").unwrap(), 4);
    // A graph's output resolves to the inner op's, as in Dagster.
    assert_eq!(*result.output_for_node::<i64>("four").unwrap(), 4);
    assert_eq!(*result.output_for_node::<i64>("after").unwrap(), 5);
    // Events carry the nested step key.
    let handled: Vec<Option<String>> = result
        .events_of_type(EventType::HandledOutput)
        .iter()
        .map(|e| e.step_key.clone())
        .collect();
    assert_eq!(
        handled,
        [Some("three"), Some("four.add_1"), Some("after")].map(|s| s.map(str::to_owned))
    );
    let loaded = result.events_of_type(EventType::LoadedInput);
    match &loaded[1].kind {
        EventKind::LoadedInput {
            upstream_step_key, ..
        } => assert_eq!(upstream_step_key.as_deref(), Some("four.add_1")),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_graph_in_a_graph_keys_its_steps_a_b_c_and_reused_names_get_suffixes() {
    let mut b = GraphDefinition::builder("b");
    let x = b.input("x");
    let c = b.invoke(&plus_one_op("c"), [("x", x)]);
    let c2 = b.invoke(&plus_one_op("c"), [("x", c.output())]);
    b.outputs_of(&c2);
    let b = b.build().unwrap();
    let mut a = GraphDefinition::builder("a");
    let x = a.input("x");
    let inner = a.invoke_graph(&b, [("x", x)]);
    a.output("result", inner.output());
    let a = a.build().unwrap();

    let mut job = JobDefinition::builder("j");
    let one = job.invoke(&const_op("one", 1), []);
    let first = job.invoke_graph(&a, [("x", one.output())]);
    job.invoke_graph(&a, [("x", first.output())]);
    let job = job.build().unwrap();
    let keys: Vec<&str> = job.nodes().iter().map(|n| n.name()).collect();
    assert_eq!(keys, ["one", "a.b.c", "a.b.c_2", "a_2.b.c", "a_2.b.c_2"]);
    let result = job.execute_in_process().unwrap();
    assert_eq!(*result.output_for_node::<i64>("a.b.c_2").unwrap(), 3);
    assert_eq!(*result.output_for_node::<i64>("a.b").unwrap(), 3);
    assert_eq!(*result.output_for_node::<i64>("a").unwrap(), 3);
    assert_eq!(*result.output_for_node::<i64>("a_2").unwrap(), 5);
}

#[test]
fn an_inner_ops_own_manager_stores_it_and_loads_it_downstream_outside_the_graph() {
    let (main, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let warehouse = OpDefinition::builder("load")
        .output(Out::result(type_info!(i64)).io_manager_key("warehouse"))
        .compute(|io| io.output("result", 7_i64));
    let mut g = GraphDefinition::builder("g");
    let inner = g.invoke(&warehouse, []);
    g.outputs_of(&inner);
    let g = g.build().unwrap();
    let mut job = JobDefinition::builder("j");
    let out = job.invoke_graph(&g, []);
    job.invoke(&plus_one_op("after"), [("x", out.output())]);
    job.resource("io_manager", FilesystemIOManager::new(main.path()));
    job.resource("warehouse", FilesystemIOManager::new(other.path()));
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert!(result.success());
    assert!(
        other
            .path()
            .join(result.run_id())
            .join("g.load")
            .join("result")
            .is_file()
    );
    assert!(!main.path().join(result.run_id()).join("g.load").exists());
    let loaded = result.events_of_type(EventType::LoadedInput);
    assert_eq!(loaded.len(), 1);
    match &loaded[0].kind {
        EventKind::LoadedInput { manager_key, .. } => assert_eq!(manager_key, "warehouse"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(*result.output_for_node::<i64>("after").unwrap(), 8);
}

#[test]
fn graph_wiring_mistakes_are_reported_naming_the_graph() {
    let mut job = JobDefinition::builder("j");
    job.invoke_graph_positional(&four_graph(), vec![]);
    job.invoke_graph(&four_graph(), []);
    let err = job.build().unwrap_err().to_string();
    assert!(
        err.contains("graph `four` takes 1 input (x), but 0 were given"),
        "{err}"
    );

    let mut job = JobDefinition::builder("j");
    let one = job.invoke(&const_op("one", 1), []);
    job.invoke_graph(&four_graph(), [("y", one.output())]);
    let err = job.build().unwrap_err().to_string();
    assert!(
        err.contains("graph `four` has no input `y`; its inputs: x"),
        "{err}"
    );

    let mut g = GraphDefinition::builder("g");
    let nothing = g.invoke(&nothing_op("n"), []);
    g.output("result", nothing.out("missing"));
    let err = g.build().unwrap_err().to_string();
    assert!(
        err.contains(
            "graph `g`: output `result` maps output `missing` of op `n`, which has no such output"
        ),
        "{err}"
    );
}

fn total_op() -> OpDefinition {
    OpDefinition::builder("total")
        .input(In::fan_in::<i64>(
            "xs",
            type_info!(Vec<i64>),
            type_info!(i64),
        ))
        .output(Out::result(type_info!(Vec<i64>)))
        .compute(|io| {
            let xs: Vec<i64> = io.input("xs")?;
            io.output("result", xs)
        })
}

#[test]
fn fan_in_gathers_each_upstream_in_order_with_one_loaded_input_each() {
    let mut job = JobDefinition::builder("j");
    let a = job.invoke(&const_op("a", 1), []);
    let b = job.invoke(&const_op("b", 2), []);
    let c = job.invoke(&const_op("c", 3), []);
    job.invoke_wired(
        &total_op(),
        [(
            "xs",
            Upstream::Many(vec![c.output(), a.output(), b.output()]),
        )],
    );
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("total").unwrap(),
        [3, 1, 2]
    );
    // Dagster 1.7.2 (observed): `total([a(), b()])` records one LOADED_INPUT
    // per element, each naming its upstream step.
    let from: Vec<Option<String>> = result
        .events_of_type(EventType::LoadedInput)
        .iter()
        .map(|e| match &e.kind {
            EventKind::LoadedInput {
                upstream_step_key, ..
            } => upstream_step_key.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(
        from,
        [Some("c"), Some("a"), Some("b")].map(|s| s.map(str::to_owned))
    );
}

#[test]
fn fan_in_into_a_non_vec_input_is_refused() {
    let mut job = JobDefinition::builder("j");
    let a = job.invoke(&const_op("a", 1), []);
    job.invoke_wired(&plus_one_op("p"), [("x", Upstream::Many(vec![a.output()]))]);
    let err = job.build().unwrap_err().to_string();
    assert!(
        err.contains("input `x` of op `p` is fed several upstream outputs, but it is a `i64`"),
        "{err}"
    );
}

#[test]
fn nothing_outputs_are_never_handled_and_nothing_inputs_never_loaded() {
    let after = OpDefinition::builder("after")
        .input(In::new("start", type_info!(Nothing)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| io.output("result", 3_i64));
    let mut job = JobDefinition::builder("j");
    let n1 = job.invoke(&nothing_op("n1"), []);
    let n2 = job.invoke(&nothing_op("n2"), []);
    // Fan-in of Nothing outputs: `after` waits for both.
    job.invoke_wired(
        &after,
        [("start", Upstream::Many(vec![n1.output(), n2.output()]))],
    );
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert!(result.success());
    // Dagster 1.7.2 (observed with `Out(Nothing)` / `In(Nothing)`): each
    // Nothing output records STEP_OUTPUT but no HANDLED_OUTPUT; the Nothing
    // input records no LOADED_INPUT; `after` handles its own output only.
    let handled: Vec<Option<String>> = result
        .events_of_type(EventType::HandledOutput)
        .iter()
        .map(|e| e.step_key.clone())
        .collect();
    assert_eq!(handled, [Some("after".to_owned())]);
    assert_eq!(result.events_of_type(EventType::StepOutput).len(), 3);
    assert!(result.events_of_type(EventType::LoadedInput).is_empty());
    let order: Vec<&str> = result
        .events_of_type(EventType::StepStart)
        .iter()
        .filter_map(|e| e.step_key.as_deref())
        .collect();
    assert_eq!(order.last(), Some(&"after"));
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Step {
    amount: i64,
}

fn configured_graph_job() -> JobDefinition {
    let add = OpDefinition::builder("add")
        .config_type::<Step>()
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let amount = io.config()["amount"].as_i64().unwrap_or(0);
            io.output("result", amount)
        });
    let mut inner = GraphDefinition::builder("inner");
    let a = inner.invoke(&add, []);
    inner.outputs_of(&a);
    let inner = inner.build().unwrap();
    let mut outer = GraphDefinition::builder("outer");
    let i = outer.invoke_graph(&inner, []);
    outer.output("result", i.output());
    let outer = outer.build().unwrap();
    let mut job = JobDefinition::builder("j");
    job.invoke_graph(&outer, []);
    job.build().unwrap()
}

#[test]
fn nested_run_config_reaches_the_inner_op_in_dagsters_shape() {
    let config = RunConfig::from_json(serde_json::json!({
        "ops": {"outer": {"ops": {"inner": {"ops": {"add": {"config": {"amount": 5}}}}}}}
    }))
    .unwrap();
    let result = configured_graph_job()
        .execute_in_process_with(RunOptions::new().run_config(config))
        .unwrap();
    assert_eq!(
        *result.output_for_node::<i64>("outer.inner.add").unwrap(),
        5
    );
    assert_eq!(*result.output_for_node::<i64>("outer").unwrap(), 5);
}

#[test]
fn a_wrong_nested_config_field_is_refused_naming_its_path() {
    let config = RunConfig::from_json(serde_json::json!({
        "ops": {"outer": {"ops": {
            "inner": {"ops": {"add": {"config": {"amount": 5, "amuont": 1}}}},
            "inenr": {}
        }}}
    }))
    .unwrap();
    let err = configured_graph_job()
        .execute_in_process_with(RunOptions::new().run_config(config))
        .unwrap_err()
        .to_string();
    assert!(err.contains("ops.outer.ops.inner.ops.add.config"), "{err}");
    assert!(err.contains("amuont"), "{err}");
    assert!(
        err.contains("ops.outer.ops.inenr: graph `outer` has no op or graph named `inenr`"),
        "{err}"
    );
}

/// An op whose optional output `result` is never produced.
fn unproduced_op(name: &str) -> OpDefinition {
    OpDefinition::builder(name)
        .output(Out::result(type_info!(i64)).is_required(false))
        .compute(|_| Ok(()))
}

#[test]
fn fan_in_leaves_out_a_skipped_optional_output() {
    let mut job = JobDefinition::builder("j");
    let a = job.invoke(&const_op("a", 1), []);
    let maybe = job.invoke(&unproduced_op("maybe"), []);
    let b = job.invoke(&const_op("b", 2), []);
    job.invoke_wired(
        &total_op(),
        [(
            "xs",
            Upstream::Many(vec![a.output(), maybe.output(), b.output()]),
        )],
    );
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert!(result.success(), "{:?}", result.failure_lines());
    // Dagster's `FromMultipleSources` loads the sources it can: the skipped
    // one is left out, and no LOADED_INPUT names it.
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("total").unwrap(),
        [1, 2]
    );
    assert_eq!(result.events_of_type(EventType::LoadedInput).len(), 2);
}

#[test]
fn a_fan_in_none_of_whose_outputs_were_produced_is_skipped() {
    let mut job = JobDefinition::builder("j");
    let m1 = job.invoke(&unproduced_op("m1"), []);
    let m2 = job.invoke(&unproduced_op("m2"), []);
    job.invoke_wired(
        &total_op(),
        [("xs", Upstream::Many(vec![m1.output(), m2.output()]))],
    );
    let result = job.build().unwrap().execute_in_process().unwrap();
    // Nothing to load: the step is skipped, and the run still succeeds.
    assert!(result.success(), "{:?}", result.failure_lines());
    assert_eq!(
        result.step_outcome("total"),
        Some(&larder::StepOutcome::NotYielded(vec![
            "m1.result".to_owned(),
            "m2.result".to_owned()
        ]))
    );
    assert_eq!(result.events_of_type(EventType::StepSkipped).len(), 1);
}
