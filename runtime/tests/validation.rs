//! Definitions are checked as a whole before anything runs, and every
//! problem is listed at once.

mod common;

use common::*;
use larder::prelude::*;
use larder::{Error, ResourceKind, type_info};

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::InvalidDefinitions(p) => p,
        other => panic!("expected InvalidDefinitions, got {other}"),
    }
}

#[test]
fn unbound_key_names_key_output_step_and_bound_keys() {
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(i64))
        .io_manager_key("missing_io")
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .asset(a)
        .resource("warehouse", mem_io_manager());
    let p = problems(defs.validate().unwrap_err());
    assert_eq!(
        p,
        [
            "io manager key `missing_io` required by output `result` of asset `a` (step `a`) is not bound; bound keys: `warehouse`, `io_manager`"
        ]
    );
}

#[test]
fn did_you_mean_for_close_keys() {
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(i64))
        .io_manager_key("warehose")
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .asset(a)
        .resource("warehouse", mem_io_manager());
    let p = problems(defs.validate().unwrap_err());
    assert!(p[0].ends_with("; did you mean `warehouse`?"), "{}", p[0]);
}

#[test]
fn every_problem_is_listed_at_once() {
    // An unbound input manager key, a key bound to a plain resource, a cycle,
    // a duplicate asset key, an undefined upstream.
    let down = AssetDefinition::builder("down")
        .input(AssetIn::new("up", type_info!(i64)).input_manager_key("nope"))
        .output_type(type_info!(i64))
        .io_manager_key("db")
        .compute(|io| io.output("result", 1_i64));
    let c1 = plus_one("c1", "c2");
    let c2 = plus_one("c2", "c1");
    let dup1 = const_asset("dup", 1);
    let dup2 = const_asset("dup", 2);
    let orphan = plus_one("orphan", "ghost");
    let defs = Definitions::new()
        .assets([down, c1, c2, dup1, dup2, orphan])
        .resource("db", ResourceDefinition::value(String::from("postgres://")));
    let p = problems(defs.validate().unwrap_err());
    let expected = [
        "asset key `dup` is defined 2 times; asset keys must be unique",
        "asset `orphan` loads input `ghost` from asset `ghost`, which is not defined and has no input_manager_key to load it",
        "dependency cycle: c1 -> c2 -> c1",
        "io manager key `db` required by output `result` of asset `down` (step `down`) is bound to `alloc::string::String`, which is a plain resource, not an IO manager",
        "input manager key `nope` required by input `up` of asset `down` (step `down`) is not bound; bound keys: `db`, `io_manager`",
    ];
    for e in expected {
        assert!(p.iter().any(|x| x == e), "missing {e:?} in {p:#?}");
    }
    assert_eq!(p.len(), expected.len(), "{p:#?}");
}

#[test]
fn rebound_manager_that_cannot_store_the_type_is_refused_before_running() {
    struct NotClone(#[allow(dead_code)] i64);
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(NotClone))
        .compute(|io| io.output("result", NotClone(1)));
    let defs = Definitions::new()
        .asset(a)
        .resource("io_manager", mem_io_manager());
    let p = problems(defs.validate().unwrap_err());
    assert_eq!(
        p,
        [
            "output `result` of asset `a` (step `a`) is a `NotClone`, but `InMemoryIOManager`, bound to key `io_manager`, cannot store it: it keeps a copy of each value, so `NotClone` must implement Clone"
        ]
    );
    // The filesystem manager says why in its own terms.
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(NotClone))
        .compute(|io| io.output("result", NotClone(1)));
    let p = problems(Definitions::new().asset(a).validate().unwrap_err());
    assert!(p[0].ends_with("cannot store it: it writes files with serde, so `NotClone` must implement Serialize and Deserialize"), "{}", p[0]);
}

#[test]
fn op_input_with_no_upstream_and_no_input_manager() {
    let mut job = JobDefinition::builder("j");
    job.invoke(&plus_one_op("lonely"), []);
    let err = job.build().unwrap().execute_in_process().unwrap_err();
    assert_eq!(
        problems(err),
        [
            "input `x` of op `lonely` in job `j` has no upstream output and no input_manager_key, so nothing can load it; wire it to an upstream op or give it an input manager"
        ]
    );
}

#[test]
fn wiring_mistakes_in_a_job_are_named() {
    let mut job = JobDefinition::builder("j");
    let a = job.invoke(&const_op("a", 1), []);
    job.invoke(&plus_one_op("b"), [("y", a.out("nope"))]);
    let p = problems(job.build().unwrap_err());
    assert_eq!(
        p,
        [
            "job `j`: op `b` has no input `y`; its inputs: x",
            "job `j`: input `y` of op `b` comes from output `nope` of op `a`, which has no such output; its outputs: result",
        ]
    );
}

#[test]
fn an_op_reused_in_a_job_is_aliased() {
    let mut job = JobDefinition::builder("j");
    let a = job.invoke(&const_op("a", 1), []);
    let b = job.invoke(&plus_one_op("inc"), [("x", a.output())]);
    let c = job.invoke(&plus_one_op("inc"), [("x", b.output())]);
    assert_eq!(c.name(), "inc_2");
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert_eq!(*result.output_for_node::<i64>("inc_2").unwrap(), 3);
}

#[test]
fn key_bound_to_input_manager_cannot_store_outputs() {
    struct Loader;
    impl InputManager<i64> for Loader {
        fn load_input(&self, _: &mut InputContext) -> larder::Result<i64> {
            Ok(5)
        }
    }
    let a = AssetDefinition::builder("a")
        .output_type(type_info!(i64))
        .io_manager_key("loader")
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .asset(a)
        .resource("loader", InputManagerDefinition::hardcoded(Loader));
    let p = problems(defs.validate().unwrap_err());
    assert!(
        p[0].contains("is an input manager, not an IO manager"),
        "{}",
        p[0]
    );
    let def = InputManagerDefinition::hardcoded(Loader);
    assert_eq!(def.resource_definition().kind(), ResourceKind::InputManager);
}
