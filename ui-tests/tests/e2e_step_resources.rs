//! Steps as Dagster users write them: resources declared with `#[resource]`
//! and `#[derive(ConfigurableResource)]`, taken by reference and rebound to
//! fakes in tests; metadata from step bodies (`Output<T>`,
//! `add_output_metadata`, `MaterializeResult`) merged with the manager's;
//! and `build_asset_context` for calling an asset function directly.

use larder::prelude::*;

/// The API client the assets fetch through; tests bind a fake one.
pub struct HnClient {
    items: Vec<i64>,
}

impl HnClient {
    fn fetch(&self) -> Vec<i64> {
        self.items.clone()
    }
}

#[resource(key = "hn_client")]
fn hn_client() -> HnClient {
    HnClient {
        items: vec![10, 20, 30],
    }
}

/// Settings from `resources.api_settings.config`.
#[derive(ConfigurableResource, Serialize, Deserialize)]
#[resource(key = "api_settings")]
pub struct ApiSettings {
    page_size: usize,
    retry: Retry,
}

/// A nested config struct: `resources.api_settings.config.retry`.
#[derive(Serialize, Deserialize)]
pub struct Retry {
    attempts: u32,
}

#[io_manager(key = "counting")]
fn counting() -> CountingManager {
    CountingManager::default()
}

/// Keeps the last value; reports a row count and one key the step also
/// sets.
#[derive(Default)]
pub struct CountingManager {
    last: std::sync::Mutex<Vec<i64>>,
}

impl IOManager<Vec<i64>> for CountingManager {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &Vec<i64>) -> larder::Result<()> {
        *self.last.lock().unwrap() = obj.clone();
        ctx.add_output_metadata(metadata! { larder::ROW_COUNT => obj.len(), "owner" => "manager" })
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
        Ok(self.last.lock().unwrap().clone())
    }
}

#[asset(resources(hn_client), io_manager_key = "counting", metadata(columns = ["id", "score"]))]
fn items(io: &mut StepIo, hn_client: &HnClient) -> larder::Result<Output<Vec<i64>>> {
    let items = hn_client.fetch();
    io.add_output_metadata(
        metadata! { "preview" => MetadataValue::Markdown(format!("{items:?}")), "owner" => "step" },
    )?;
    Ok(Output::new(items)
        .metadata(metadata! { "preview" => "replaced by add_output_metadata", "source" => "hn" })
        .data_version("v1"))
}

#[asset(resources(settings(key = "api_settings")))]
fn page_plan(settings: &ApiSettings, items: Vec<i64>) -> (usize, u32) {
    (
        items.len().div_ceil(settings.page_size),
        settings.retry.attempts,
    )
}

/// Writes its own data; only the materialization is recorded.
#[asset(required_resource_keys = ["hn_client"])]
fn exported(io: &mut StepIo) -> larder::Result<MaterializeResult> {
    let client: &HnClient = io.resource("hn_client")?;
    Ok(MaterializeResult::new().metadata(metadata! { "exported" => client.fetch().len() }))
}

fn defs() -> Definitions {
    Definitions::new()
        .asset(items::definition())
        .asset(page_plan::definition())
        .asset(exported::definition())
        .resource("hn_client", larder::declared_manager("hn_client"))
        .resource("api_settings", larder::declared_manager("api_settings"))
        .resource("counting", larder::declared_manager("counting"))
}

fn settings_config() -> RunConfig {
    RunConfig::from_json(serde_json::json!({
        "resources": { "api_settings": { "config": { "page_size": 2, "retry": { "attempts": 3 } } } }
    }))
    .unwrap()
}

fn materialization(result: &RunResult, step: &str) -> Metadata {
    result
        .events_for_step(step)
        .into_iter()
        .find_map(|e| match &e.kind {
            EventKind::AssetMaterialization { metadata, .. } => Some(metadata.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no materialization for {step}"))
}

use larder::{EventKind, RunConfig};

#[test]
fn declared_resources_reach_steps_and_metadata_merges_in_dagsters_order() {
    let result = defs()
        .run(RunOptions::new().in_memory().run_config(settings_config()))
        .unwrap();
    assert_eq!(
        *result.asset_value::<(usize, u32)>("page_plan").unwrap(),
        (2, 3)
    );

    let md = materialization(&result, "items");
    // Output's metadata, then add_output_metadata, then the manager's.
    assert_eq!(md["source"], MetadataValue::from("hn"));
    assert_eq!(
        md["preview"],
        MetadataValue::Markdown("[10, 20, 30]".into())
    );
    assert_eq!(md["owner"], MetadataValue::from("manager"));
    assert_eq!(md[larder::ROW_COUNT], MetadataValue::Int(3));
    assert_eq!(md[larder::DATA_VERSION], MetadataValue::from("v1"));

    let exported = materialization(&result, "exported");
    assert_eq!(exported["exported"], MetadataValue::Int(3));
    // Nothing was handed to a manager for `exported`.
    assert!(
        result
            .events_for_step("exported")
            .iter()
            .all(|e| !matches!(e.kind, EventKind::HandledOutput { .. }))
    );

    let def = defs().get_asset("items").unwrap().metadata().clone();
    assert_eq!(
        def["columns"],
        MetadataValue::Json(serde_json::json!(["id", "score"]))
    );
}

#[test]
fn a_test_rebinds_a_resource_to_a_fake_of_its_type() {
    let fake = HnClient { items: vec![1] };
    let result = defs()
        .resource_value("hn_client", fake)
        .run(RunOptions::new().in_memory().run_config(settings_config()))
        .unwrap();
    assert_eq!(
        *result.asset_value::<(usize, u32)>("page_plan").unwrap(),
        (1, 3)
    );
}

#[test]
fn a_fake_of_another_type_is_refused_before_the_run() {
    struct OtherClient;
    let err = defs()
        .resource_value("hn_client", OtherClient)
        .run(RunOptions::new().in_memory().run_config(settings_config()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("resource `hn_client` is bound to a `e2e_step_resources::a_fake_of_another_type_is_refused_before_the_run::OtherClient`, but asset `items` takes it as a `e2e_step_resources::HnClient`"),
        "{err}"
    );
}

#[test]
fn an_unbound_resource_is_named_with_the_step_that_needs_it() {
    let err = Definitions::new()
        .asset(exported::definition())
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("resource `hn_client` required by asset `exported` is not bound"),
        "{err}"
    );
}

#[test]
fn discover_binds_declared_resources_under_their_keys() {
    let defs = Definitions::discover();
    let names: Vec<&str> = ["hn_client", "api_settings"]
        .into_iter()
        .filter(|k| defs.get_resources().contains_key(*k))
        .collect();
    assert_eq!(names, ["hn_client", "api_settings"]);
}

#[test]
fn an_asset_function_called_with_a_test_context() {
    let mut io = build_asset_context()
        .resource("hn_client", HnClient { items: vec![4, 5] })
        .build()
        .unwrap();
    let client = HnClient { items: vec![4, 5] };
    let out = items(&mut io, &client).unwrap();
    assert_eq!(out.value(), &vec![4, 5]);
    assert_eq!(out.get_data_version(), Some("v1"));
    assert_eq!(
        io.output_metadata("result").unwrap()["preview"],
        MetadataValue::Markdown("[4, 5]".into())
    );

    let mut io = build_asset_context()
        .resource("hn_client", HnClient { items: vec![7] })
        .build()
        .unwrap();
    let result = exported(&mut io).unwrap();
    assert_eq!(result.get_metadata()["exported"], MetadataValue::Int(1));
}

#[test]
fn a_test_context_has_the_partition_and_its_time_window() {
    let hourly = larder::partitions::TimeWindowPartitionsDefinition::hourly("2024-01-01-00:00")
        .build()
        .unwrap();
    let io = build_asset_context()
        .partitions_def(hourly.clone())
        .partition_key("2024-01-01-05:00")
        .build()
        .unwrap();
    assert_eq!(io.partition_key().unwrap(), "2024-01-01-05:00");
    let window = io.partition_time_window().unwrap();
    assert_eq!(window.start.to_string(), "2024-01-01T05:00:00+00:00[UTC]");
    assert_eq!(window.end.to_string(), "2024-01-01T06:00:00+00:00[UTC]");

    let io = build_asset_context()
        .partitions_def(hourly)
        .partition_key_range("2024-01-01-00:00", "2024-01-01-23:00")
        .build()
        .unwrap();
    assert_eq!(io.partition_keys().len(), 24);
    let err = io.partition_key().unwrap_err().to_string();
    assert!(err.contains("24 partitions"), "{err}");

    let err = build_asset_context()
        .partition_key_range("a", "b")
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs `partitions_def`"), "{err}");
}

#[op(resources(hn_client), outs(count(), first()))]
fn summarize(hn_client: &HnClient) -> (Output<usize>, i64) {
    let items = hn_client.fetch();
    (
        Output::new(items.len()).metadata(metadata! { "kind" => "count" }),
        items[0],
    )
}

#[op]
fn double(count: usize) -> usize {
    count * 2
}

#[job(resource_defs(hn_client = larder::declared_manager("hn_client")))]
fn summary_job() {
    let (count, _first) = summarize();
    double(count);
}

#[test]
fn an_op_takes_a_resource_and_returns_an_output_with_metadata() {
    let result = summary_job().unwrap().execute_in_process().unwrap();
    assert_eq!(
        *result.output_value::<usize>("summarize", "count").unwrap(),
        3
    );
    assert_eq!(
        *result.output_value::<i64>("summarize", "first").unwrap(),
        10
    );
    assert_eq!(*result.output_for_node::<usize>("double").unwrap(), 6);
    let handled: Vec<Metadata> = result
        .events_for_step("summarize")
        .into_iter()
        .filter_map(|e| match &e.kind {
            EventKind::HandledOutput {
                output_name,
                metadata,
                ..
            } if output_name == "count" => Some(metadata.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(handled.len(), 1);
    assert_eq!(handled[0]["kind"], MetadataValue::from("count"));
}

/// Reads a resource it did not declare.
#[asset]
fn undeclared(io: &mut StepIo) -> larder::Result<usize> {
    Ok(io.resource::<HnClient>("hn_client")?.fetch().len())
}

#[test]
fn a_step_reads_only_the_resources_it_declares() {
    let err = Definitions::new()
        .asset(undeclared::definition())
        .resource("hn_client", larder::declared_manager("hn_client"))
        .run(RunOptions::new().in_memory())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("resource `hn_client` is not available to step `undeclared`: it is not in its required_resource_keys (none)"),
        "{err}"
    );
}

/// A token from the environment, in a configurable resource.
#[derive(ConfigurableResource, Serialize, Deserialize)]
#[resource(key = "token_holder")]
pub struct TokenHolder {
    token: larder::config::EnvVar,
}

#[asset(resources(holder(key = "token_holder")))]
fn token_length(holder: &TokenHolder) -> larder::Result<usize> {
    Ok(holder.token.get()?.len())
}

#[test]
fn a_configurable_resource_reads_env_vars_at_launch() {
    // SAFETY: this test binary reads the variable only here.
    unsafe { std::env::set_var("LARDER_E2E_TOKEN", "s3cret") };
    let config = RunConfig::from_json(serde_json::json!({
        "resources": { "token_holder": { "config": { "token": { "env": "LARDER_E2E_TOKEN" } } } }
    }))
    .unwrap();
    let result = Definitions::new()
        .asset(token_length::definition())
        .resource("token_holder", TokenHolder::configure_at_launch())
        .run(RunOptions::new().in_memory().run_config(config))
        .unwrap();
    assert_eq!(*result.asset_value::<usize>("token_length").unwrap(), 6);

    let err = Definitions::new()
        .asset(token_length::definition())
        .resource("token_holder", TokenHolder::configure_at_launch())
        .run(RunOptions::new().in_memory())
        .unwrap_err()
        .to_string();
    assert!(err.contains("resources.token_holder.config"), "{err}");
}
