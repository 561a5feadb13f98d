//! Dagster's config scenarios (dagster-features.md §8), with larder's
//! messages: the full path, what was expected and what was found.

mod common;

use common::*;
use larder::config::EnvVar;
use larder::prelude::*;
use larder::{Error, type_info};
use serde_json::json;

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::InvalidDefinitions(p) => p,
        other => panic!("expected InvalidDefinitions, got {other}"),
    }
}

fn run_with(defs: &Definitions, config: serde_json::Value) -> Result<RunResult, Error> {
    defs.run(RunOptions::new().run_config(RunConfig::from_json(config).unwrap()))
}

#[test]
fn wrong_type_names_the_full_path() {
    let defs = Definitions::new()
        .asset(const_asset("a", 1))
        .resource("io_manager", fs_io_manager());
    let p = problems(
        run_with(
            &defs,
            json!({"resources": {"io_manager": {"config": {"base_dir": 123}}}}),
        )
        .unwrap_err(),
    );
    assert_eq!(
        p,
        [
            "resources.io_manager.config.base_dir: expected a string or { env = \"NAME\" }, found 123"
        ]
    );
    // A base_dir may name an environment variable.
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: only this test reads this variable.
    unsafe { std::env::set_var("LARDER_TEST_BASE_DIR", dir.path()) };
    run_with(&defs, json!({"resources": {"io_manager": {"config": {"base_dir": {"env": "LARDER_TEST_BASE_DIR"}}}}})).unwrap();
    assert!(dir.path().join("a").is_file());
}

#[test]
fn unknown_entry_gets_a_did_you_mean() {
    let defs = Definitions::new()
        .asset(const_asset("a", 1))
        .resource("io_manager", fs_io_manager());
    let p = problems(
        run_with(
            &defs,
            json!({"resources": {"io_manager": {"config": {"base_dirx": "/tmp"}}}}),
        )
        .unwrap_err(),
    );
    assert_eq!(
        p,
        [
            "resources.io_manager.config: unknown field `base_dirx`; did you mean `base_dir`? (expected one of `base_dir`, `codec`, `durable`)"
        ]
    );
}

#[derive(Debug, Deserialize)]
struct RootConfig {
    root: EnvVar,
}

#[derive(Debug, Deserialize)]
struct FooConfig {
    #[allow(dead_code)]
    foo: String,
}

fn configured_manager<C: serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static>()
-> IOManagerDefinition {
    IOManagerDefinition::new_dyn(|ctx: &mut InitContext| {
        let _config: C = ctx.config()?;
        Ok(InMemoryIOManager::new())
    })
    .config_type::<C>()
}

#[test]
fn missing_env_var_names_the_variable_and_path() {
    let defs = Definitions::new()
        .asset(const_asset("a", 1))
        .resource("io_manager", configured_manager::<RootConfig>());
    let p = problems(run_with(&defs, json!({"resources": {"io_manager": {"config": {"root": {"env": "LARDER_TEST_NOPE_ENV"}}}}})).unwrap_err());
    assert_eq!(
        p,
        [
            "resources.io_manager.config.root: environment variable `LARDER_TEST_NOPE_ENV` is not set; set it before launching the run"
        ]
    );
}

#[test]
fn env_var_resolves_at_launch_and_is_never_printed() {
    // SAFETY: this test is the only one touching this variable.
    unsafe { std::env::set_var("LARDER_TEST_SECRET", "hunter2") };
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let record = seen.clone();
    let manager = IOManagerDefinition::new_dyn(move |ctx: &mut InitContext| {
        let config: RootConfig = ctx.config()?;
        *record.lock().unwrap() = config.root.get()?;
        assert_eq!(format!("{:?}", config.root), "EnvVar(LARDER_TEST_SECRET)");
        assert!(!ctx.resource_config().to_string().contains("hunter2"));
        Ok(InMemoryIOManager::new())
    })
    .config_type::<RootConfig>();
    let defs = Definitions::new()
        .asset(const_asset("a", 1))
        .resource("io_manager", manager);
    let result = run_with(
        &defs,
        json!({"resources": {"io_manager": {"config": {"root": {"env": "LARDER_TEST_SECRET"}}}}}),
    )
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), "hunter2");
    let everything = format!("{:?}", result.events());
    assert!(!everything.contains("hunter2"));
}

#[test]
fn missing_required_config_shows_a_sample() {
    let defs = Definitions::new()
        .asset(const_asset("a", 1))
        .resource("io_manager", configured_manager::<FooConfig>());
    let p = problems(run_with(&defs, json!({})).unwrap_err());
    assert_eq!(
        p,
        [
            "resources.io_manager.config: missing required field `foo`; for example:\n      [resources.io_manager.config]\n      foo = ..."
        ]
    );
}

#[derive(Debug, Deserialize)]
struct OutputConfig {
    #[allow(dead_code)]
    some_config: String,
}

#[derive(Debug, Deserialize)]
struct InputConfig {
    #[allow(dead_code)]
    v: i64,
}

fn job_with(manager: IOManagerDefinition) -> JobDefinition {
    let mut job = JobDefinition::builder("j");
    let a = job.invoke(&const_op("my_op", 1), []);
    job.invoke(&plus_one_op("b"), [("x", a.output())]);
    job.resource("io_manager", manager);
    job.build().unwrap()
}

#[test]
fn output_config_type_error() {
    let manager = IOManagerDefinition::new_dyn(|_| Ok(InMemoryIOManager::new()))
        .output_config_type::<OutputConfig>();
    let job = job_with(manager);
    let config = RunConfig::new()
        .output("my_op", "result", json!({"some_config": 5}))
        .output("b", "result", json!({"some_config": "x"}));
    let p = problems(
        job.execute_in_process_with(RunOptions::new().run_config(config))
            .unwrap_err(),
    );
    assert_eq!(
        p,
        ["ops.my_op.outputs.result.some_config: expected a string, found 5"]
    );
}

#[test]
fn output_config_given_to_a_manager_without_an_output_config_type() {
    let job = job_with(IOManagerDefinition::new_dyn(|_| {
        Ok(InMemoryIOManager::new())
    }));
    let config = RunConfig::new().output("my_op", "result", json!({"some_config": "x"}));
    let p = problems(
        job.execute_in_process_with(RunOptions::new().run_config(config))
            .unwrap_err(),
    );
    assert_eq!(
        p,
        [
            "ops.my_op.outputs.result: unexpected config: the IO manager bound to `io_manager` (`InMemoryIOManager`) declares no output config type"
        ]
    );
}

#[test]
fn input_config_type_error_and_reading_it_in_the_manager() {
    let manager = IOManagerDefinition::new_dyn(|_| Ok(InMemoryIOManager::new()))
        .input_config_type::<InputConfig>();
    let job = job_with(manager.clone());
    let bad = RunConfig::new().input("b", "x", json!({"v": "str"}));
    let p = problems(
        job.execute_in_process_with(RunOptions::new().run_config(bad))
            .unwrap_err(),
    );
    assert_eq!(p, ["ops.b.inputs.x.v: expected i64, found \"str\""]);
    let good = RunConfig::new().input("b", "x", json!({"v": 3}));
    assert!(
        job.execute_in_process_with(RunOptions::new().run_config(good))
            .unwrap()
            .success()
    );
}

#[test]
fn config_for_ops_themselves_and_unknown_entries() {
    #[derive(Deserialize)]
    struct Scale {
        factor: i64,
    }
    let scaled = OpDefinition::builder("scaled")
        .config_type::<Scale>()
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let scale: Scale = io.config_as()?;
            io.output("result", 10 * scale.factor)
        });
    let mut job = JobDefinition::builder("j");
    job.invoke(&scaled, []);
    let job = job.build().unwrap();
    let ok = job
        .execute_in_process_with(
            RunOptions::new()
                .run_config(RunConfig::from_toml_str("[ops.scaled.config]\nfactor = 4\n").unwrap()),
        )
        .unwrap();
    assert_eq!(*ok.output_for_node::<i64>("scaled").unwrap(), 40);

    let typo = RunConfig::from_json(json!({"ops": {"scaledd": {"config": {"factor": 1}}, "scaled": {"config": {"factor": 2}, "outptus": {}}}, "resource": {}})).unwrap();
    let p = problems(
        job.execute_in_process_with(RunOptions::new().run_config(typo))
            .unwrap_err(),
    );
    assert_eq!(
        p,
        [
            "run config: unknown field `resource`; did you mean `resources`? (expected one of `resources`, `ops`)",
            "ops.scaledd: no op or asset step is named `scaledd` in this run; did you mean `scaled`?",
            "ops.scaled: unknown field `outptus`; did you mean `outputs`? (expected one of `config`, `inputs`, `outputs`)",
        ]
    );
}

/// A manager that records which database it writes to, from a resource.
struct Audited;

impl IOManager<i64> for Audited {
    fn handle_output(&self, ctx: &mut OutputContext, _obj: &i64) -> larder::Result<()> {
        let db = ctx.resources().get::<String>("db")?.clone();
        ctx.add_output_metadata(larder::metadata! { "db" => db })
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<i64> {
        Ok(0)
    }
}

fn audited_asset() -> AssetDefinition {
    AssetDefinition::builder("audited")
        .output_type(type_info!(i64))
        .io_manager_key("audited")
        .typed_output(larder::TypedOutput::new::<Audited, i64>())
        .compute(|io| io.output("result", 1_i64))
}

#[test]
fn managers_get_the_resources_they_require() {
    let defs = Definitions::new()
        .asset(audited_asset())
        .resource(
            "db",
            ResourceDefinition::value(String::from("postgres://warehouse")),
        )
        .resource(
            "audited",
            IOManagerDefinition::new(|ctx: &mut InitContext| {
                // Init sees the required resource too.
                assert_eq!(ctx.resources().get::<String>("db")?, "postgres://warehouse");
                Ok(Audited)
            })
            .required_resource_keys(["db"]),
        );
    let r = defs
        .run(
            RunOptions::new()
                .in_memory()
                .instance(Instance::ephemeral()),
        )
        .unwrap();
    let handled = &r.events_of_type(larder::EventType::HandledOutput)[0].kind;
    assert!(
        matches!(handled, larder::EventKind::HandledOutput { metadata, .. } if metadata["db"] == MetadataValue::from("postgres://warehouse"))
    );

    // Without declaring it, the resource is not available, and the error says so.
    let undeclared = Definitions::new()
        .asset(audited_asset())
        .resource(
            "db",
            ResourceDefinition::value(String::from("postgres://warehouse")),
        )
        .resource("audited", IOManagerDefinition::new(|_| Ok(Audited)));
    let err = undeclared
        .run(
            RunOptions::new()
                .in_memory()
                .instance(Instance::ephemeral()),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "resource `db` is not available to the manager bound to `audited`: it is not in its required_resource_keys (none)"
        ),
        "{err}"
    );

    // A required key that is not bound is reported before the run.
    let missing = Definitions::new().asset(audited_asset()).resource(
        "audited",
        IOManagerDefinition::new(|_| Ok(Audited)).required_resource_keys(["db"]),
    );
    let err = missing
        .run(
            RunOptions::new()
                .in_memory()
                .instance(Instance::ephemeral()),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("resource `audited` requires resource `db`, which is not bound"),
        "{err}"
    );
}
