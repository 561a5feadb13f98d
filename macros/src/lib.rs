//! Procedural macros for larder. Depend on `larder`, which re-exports them;
//! this crate's own paths are not part of any API.
//!
//! What every macro here guarantees:
//!
//! - Generated code names only absolute paths (`::larder::__private::…`,
//!   `::larder::…`, `::core::…`, `::std::…`): users depend on `larder` alone.
//! - Errors are reported all at once, each on the token it is about, and the
//!   annotated item is still emitted, so a mistake in an attribute does not
//!   cascade into errors wherever the function is used.
//! - Manager keys are checked at compile time, program-wide: a key nothing
//!   declares, a type its manager cannot store or load, and a key declared
//!   twice are compile errors (see "How keys are checked" below).
//! - `LARDER_MACROS_DEBUG=1` prints every expansion to stderr.
//!
//! # Keys
//!
//! Manager keys (`io_manager_key`, `input_manager_key`, `key`) are made of
//! ASCII letters, digits and `_`, and do not start with a digit — the rule
//! Dagster applies to resource keys, so a key reads the same in code, in run
//! config (`resources.<key>.config`) and in messages. The default key
//! `io_manager` (used when an asset or output names no key) needs no
//! declaration and is checked when the `Definitions` are validated, since
//! it may be rebound at run time.
//!
//! # How keys are checked
//!
//! A declaration (`#[io_manager]`, `#[input_manager]`, the derives) makes
//! the key exist as a trait impl, `IoKey<{hash of the key}>: KeyIs<Marker>`,
//! and says what its manager stores and loads through impls on the marker.
//! A use resolves the key to that marker; the trait system finds the impl in
//! any module of the crate or in any linked dependency, with no import. A
//! dependency is loaded by rustc only when the crate refers to it once
//! (`use the_crate as _;`), as `Definitions::discover` needs anyway.
//!
//! # Layout
//!
//! Each macro runs parse → check → expand (`expand/mod.rs`), as
//! serde_derive does: `model/` reads what the user wrote (each macro's
//! arguments from its table in `args.rs`, values with `attr.rs`),
//! `check.rs` reports every mistake of the model, and `expand/` writes
//! tokens from a model without mistakes, naming larder only through
//! `exports.rs`. So a message is written where the mistake is found, and
//! code generation never has to decide what is an error.

use proc_macro::TokenStream;

mod args;
mod attr;
mod check;
mod check_multi_asset;
mod debug;
mod expand;
mod exports;
mod item;
mod key;
mod model;
mod signature;
#[cfg(test)]
mod torture;

/// Declares an asset: a function computing a value from its upstream assets.
///
/// The parameters are the upstream assets, each named like its asset (or as
/// `ins(..)` says); a parameter `&mut StepIo` receives the step's io handle
/// instead (config, logging, partitions, output metadata), and a parameter
/// named in `resources(..)` the resource bound to its key, as `&R`. The
/// function may return `T`, `Output<T>` (the value with metadata and a data
/// version), `MaterializeResult` (the asset stored its own data: nothing is
/// handed to a manager, the materialization records its metadata), or any
/// of them in a `Result<_, E>`; `()` is never stored. It stays an ordinary
/// function.
///
/// An input is loaded by the manager that stored its upstream, as the
/// input's type asks (Dagster's `load_input`): it may differ from the
/// upstream's type when that manager implements `InputManager<U>` for the
/// input's type `U`. This is checked at compile time when the upstream
/// names its `io_manager_key`, at validation otherwise. A `()` upstream's
/// manager loads its downstream inputs too. As in Dagster, the asset's
/// `key_prefix` does not apply to its inputs: name a prefixed upstream with
/// `ins(param(key_prefix = ..))`.
///
/// | argument | meaning |
/// | --- | --- |
/// | `io_manager_key = "k"` | the manager storing the value (checked at compile time) |
/// | `io_manager_def = expr` | the asset's own IO manager, bound under `<key>__io_manager` (no binding needed) |
/// | `key_prefix = ["a", "b"]` or `"a/b"` | the asset key is `a/b/<name>` |
/// | `key = "a/b/c"` | the whole key (instead of `name` and `key_prefix`) |
/// | `name = ".."` | the last key component (default: the function's name) |
/// | `description = ".."` | default: the doc comment |
/// | `group_name = ".."` | default `default` |
/// | `metadata(owner = "x", rows = 3)` | definition metadata |
/// | `deps = [other_asset, "a/b"]` | upstream assets waited for, not loaded |
/// | `ins(param(key = .., key_prefix = .., input_manager_key = "k", metadata(..), partition_mapping = ..))` | per parameter: its upstream key, loader and partition mapping |
/// | `config = T` | the config type of `ops.<step>.config` (read with `StepIo::config_as`) |
/// | `code_version = ".."` | the version |
/// | `partitions_def = expr` | the asset's partitions; returning `PartitionMap<T>` stores one `T` per partition |
/// | `retry_policy = expr` | a `RetryPolicy`: how a failed attempt is retried |
/// | `resources(client, db(key = "k"))` | parameters that receive resources by reference (key: the parameter's name; checked at compile time) |
/// | `required_resource_keys = ["a"]` | resources the body reads with `StepIo::resource` (checked when the definitions are validated) |
///
/// ```
/// use larder::prelude::*;
///
/// #[io_manager(key = "warehouse")]
/// fn warehouse() -> InMemoryIOManager {
///     InMemoryIOManager::new()
/// }
///
/// #[asset(io_manager_key = "warehouse", key_prefix = "raw")]
/// fn numbers() -> Vec<i64> {
///     vec![1, 2, 3]
/// }
///
/// /// The sum of the raw numbers.
/// #[asset(ins(numbers(key_prefix = "raw")))]
/// fn total(numbers: Vec<i64>) -> i64 {
///     numbers.iter().sum()
/// }
///
/// // Everything declared above, `warehouse` bound under its key.
/// let result = Definitions::discover().run(RunOptions::new().in_memory()).unwrap();
/// assert_eq!(*result.asset_value::<i64>("total").unwrap(), 6);
/// assert_eq!(total(vec![1, 1]), 2);
/// ```
///
/// Emitted next to the function: a hidden struct of the same name (type
/// namespace only) with `definition()` and `key()`, and the registration
/// `Definitions::discover` collects.
#[proc_macro_attribute]
pub fn asset(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[asset]", expand::asset(args.into(), item.into())).into()
}

/// Declares an op: a function with named inputs (its parameters) and one
/// output, `result`, or several.
///
/// | argument | meaning |
/// | --- | --- |
/// | `out(io_manager_key = "k", metadata(..), description = "..")` | the single output `result` |
/// | `outs(first(io_manager_key = "k"), second())` | several outputs; the function returns a tuple of as many values |
/// | `ins(param(input_manager_key = "k", metadata(..), description = ".."))` | per parameter |
/// | `retry_policy = expr` | a `RetryPolicy`: how a failed attempt is retried |
/// | `resources(client, db(key = "k"))` | parameters that receive resources by reference (key: the parameter's name; checked at compile time) |
/// | `required_resource_keys = ["a"]` | resources the body reads with `StepIo::resource` (checked when the definitions are validated) |
/// | `name`, `description`, `config = T`, `code_version` | as for `#[asset]` |
///
/// ```
/// use larder::prelude::*;
///
/// #[op(outs(smallest(), largest()))]
/// fn bounds(values: Vec<i64>) -> (i64, i64) {
///     (*values.iter().min().unwrap(), *values.iter().max().unwrap())
/// }
///
/// let def = bounds::definition();
/// assert_eq!(def.outputs().iter().map(|o| o.name()).collect::<Vec<_>>(), ["smallest", "largest"]);
/// ```
#[proc_macro_attribute]
pub fn op(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[op]", expand::op(args.into(), item.into())).into()
}

/// Declares a multi-asset (Dagster's `@multi_asset`): one function, run as
/// one step, computing several assets. The function returns a tuple with
/// one element per `outs(..)` entry, in order (a single out may be returned
/// bare); each element is the asset's value, or its `Output<T>`, or for an
/// optional out (`is_required = false`) an `Option` of either: `None` does
/// not store it, and the assets reading it are skipped without failing the
/// run. Each asset has its own key (`key_prefix + [out name]`, or `key`),
/// definition metadata and manager, whose key is checked at compile time
/// against the out's type. Parameters are upstream assets as for
/// `#[asset]`. A selection takes all of a multi-asset's assets or none.
///
/// | argument | meaning |
/// | --- | --- |
/// | `outs(a(key = .., key_prefix = .., io_manager_key = "k", metadata(..), is_required = false, description = "..", group_name = ".."), b)` | its assets, one per element of the returned tuple, in order |
/// | `name = ".."` | the op's (and step's) name (default: the function's name) |
/// | `ins(param(key = .., key_prefix = .., input_manager_key = "k", metadata(..), partition_mapping = ..))` | as for `#[asset]` |
/// | `partitions_def = expr` | the partitions of all its assets |
/// | `description`, `group_name`, `deps`, `config = T`, `code_version`, `retry_policy` | as for `#[asset]` |
/// | `resources(client, db(key = "k"))` | parameters that receive resources by reference (key: the parameter's name; checked at compile time) |
/// | `required_resource_keys = ["a"]` | resources the body reads with `StepIo::resource` (checked when the definitions are validated) |
///
/// ```
/// use larder::prelude::*;
///
/// #[multi_asset(outs(evens, odds(key_prefix = "raw", metadata(owner = "ann"))))]
/// fn split() -> (Vec<i64>, Vec<i64>) {
///     (vec![2, 4], vec![1, 3])
/// }
///
/// #[asset(ins(odds(key_prefix = "raw")))]
/// fn odd_total(odds: Vec<i64>) -> i64 {
///     odds.iter().sum()
/// }
///
/// let result = larder::materialize_to_memory(split::definition().into_iter().chain([odd_total::definition()])).unwrap();
/// assert_eq!(*result.asset_value::<Vec<i64>>("evens").unwrap(), [2, 4]);
/// assert_eq!(*result.asset_value::<i64>("odd_total").unwrap(), 4);
/// assert_eq!(split::keys(), [AssetKey::from("evens"), AssetKey::new(["raw", "odds"])]);
/// ```
#[proc_macro_attribute]
pub fn multi_asset(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit(
        "#[multi_asset]",
        expand::multi_asset(args.into(), item.into()),
    )
    .into()
}

/// Declares a job by wiring ops as Dagster does: `op_b(op_a())`.
///
/// The body is a list of op calls: `op(args)` invokes the op with each
/// argument wired to an upstream output, `let x = op();` names an output,
/// `let (a, b) = op();` names the outputs of an op with `outs(..)`. The
/// number of arguments is checked at compile time. The function becomes
/// `fn name() -> larder::Result<JobDefinition>` and is registered.
///
/// | argument | meaning |
/// | --- | --- |
/// | `name = ".."` | default: the function's name |
/// | `description = ".."` | default: the doc comment |
/// | `resource_defs(key = expr, "other key" = expr)` | resources bound for this job |
/// | `op_retry_policy = expr` | the `RetryPolicy` of ops that have none |
/// | `executor = multiprocess(max_concurrent = 4)` | where its steps execute: `in_process`, `multiprocess(..)` (`max_concurrent`, `step_timeout`) or an `Executor` |
/// | `partitions_def = expr` | the job's partitions: each run executes one, which its ops' contexts see as `partition_key` |
///
/// ```
/// use larder::prelude::*;
///
/// #[op]
/// fn one() -> i64 {
///     1
/// }
///
/// #[op]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// #[job(resource_defs(io_manager = InMemoryIOManager::new()))]
/// fn two() {
///     let x = one();
///     add(x, one());
/// }
///
/// let result = two().unwrap().execute_in_process().unwrap();
/// assert_eq!(*result.output_for_node::<i64>("add").unwrap(), 2);
/// ```
#[proc_macro_attribute]
pub fn job(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[job]", expand::job(args.into(), item.into())).into()
}

/// Declares an IO manager under a key: a function building the manager,
/// with no parameters or one `&mut InitContext`, returning it (or
/// `Result<Manager, E>`). The function is kept as is.
///
/// | argument | meaning |
/// | --- | --- |
/// | `key = "k"` | required: the key it is declared (and discovered) under |
/// | `description = ".."` | default: the doc comment |
/// | `config = T` | the type of `resources.<key>.config` (read with `InitContext::config`) |
/// | `input_config = T`, `output_config = T` | per-input / per-output config types |
/// | `required_resource_keys = ["a"]` | resources the manager uses |
/// | `version = ".."` | the version |
/// | `types = [A, B]` | also serve exactly these types at run time (`DynIOManager`, for a local manager type) |
///
/// ```
/// use larder::prelude::*;
///
/// #[io_manager(key = "warehouse")]
/// fn warehouse() -> FilesystemIOManager {
///     FilesystemIOManager::default()
/// }
///
/// #[derive(Deserialize)]
/// struct Settings {
///     base_dir: String,
/// }
///
/// /// Files under the configured directory.
/// #[io_manager(key = "configured", config = Settings)]
/// fn configured(ctx: &mut InitContext) -> larder::Result<FilesystemIOManager> {
///     let settings: Settings = ctx.config()?;
///     Ok(FilesystemIOManager::new(settings.base_dir))
/// }
///
/// #[asset(io_manager_key = "configured")]
/// fn table() -> Vec<String> {
///     vec!["row".into()]
/// }
/// # let _ = (warehouse(), table::definition());
/// ```
#[proc_macro_attribute]
pub fn io_manager(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit(
        "#[io_manager]",
        expand::io_manager(args.into(), item.into()),
    )
    .into()
}

/// Declares an input manager under a key: a load function called for each
/// input it serves, taking nothing or `&mut InputContext`, returning the
/// value (or `Result<Value, E>`). When it returns a manager implementing
/// `InputManager<U>`, inputs of type `U` are loaded by that manager, as with
/// Dagster's functions returning a manager.
///
/// Arguments: `key` (required), `description`, `config`, `input_config`,
/// `required_resource_keys`, `version`, as for `#[io_manager]`.
///
/// ```
/// use larder::prelude::*;
///
/// #[input_manager(key = "from_config", input_config = Vec<i64>)]
/// fn from_config(ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
///     ctx.config_as()
/// }
///
/// #[asset(ins(numbers(input_manager_key = "from_config")))]
/// fn total(numbers: Vec<i64>) -> i64 {
///     numbers.iter().sum()
/// }
///
/// let config = RunConfig::new().input("total", "numbers", serde_json::json!([1, 2]));
/// let result = Definitions::discover().run(RunOptions::new().in_memory().run_config(config)).unwrap();
/// assert_eq!(*result.asset_value::<i64>("total").unwrap(), 3);
/// ```
#[proc_macro_attribute]
pub fn input_manager(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit(
        "#[input_manager]",
        expand::input_manager(args.into(), item.into()),
    )
    .into()
}

/// A config struct that is itself the IO manager: its fields are its config.
///
/// Needs `#[io_manager(key = "..")]` on the struct (also: `description`,
/// `input_config`, `output_config`, `required_resource_keys`, `version`,
/// `types = [..]`) and `Deserialize` (for `configure_at_launch`); with
/// `Serialize`, a bound value reports its config. Implements
/// `ConfigurableIOManager` and `IntoResourceDefinition`, and registers the
/// manager configured at launch under its key.
///
/// ```
/// use larder::prelude::*;
///
/// #[derive(ConfigurableIOManager, Serialize, Deserialize)]
/// #[io_manager(key = "lines")]
/// struct Lines {
///     prefix: String,
/// }
///
/// impl IOManager<String> for Lines {
///     fn handle_output(&self, ctx: &mut OutputContext, obj: &String) -> larder::Result<()> {
///         ctx.add_output_metadata(larder::metadata! { "text" => format!("{}{obj}", self.prefix) })
///     }
///     fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<String> {
///         Ok(self.prefix.clone())
///     }
/// }
///
/// #[asset(io_manager_key = "lines")]
/// fn greeting() -> String {
///     "hello".into()
/// }
///
/// let result = Definitions::new()
///     .asset(greeting::definition())
///     .resource("lines", Lines { prefix: "> ".into() })
///     .materialize_all()
///     .unwrap();
/// assert!(result.success());
/// assert_eq!(<Lines as ConfigurableIOManager>::KEY, "lines");
/// ```
/// Declares a plain resource under a key (Dagster's `@resource`): a
/// function building it for each run, taking nothing or
/// `&mut InitContext`, returning the resource (or `Result<R, E>`).
/// Registered for `Definitions::discover`; steps take it with
/// `resources(key)` as a `&R` parameter, checked at compile time.
///
/// Arguments: `key` (required), `description`, `config`,
/// `required_resource_keys`, `version`, as for `#[io_manager]`.
///
/// ```
/// use larder::prelude::*;
///
/// pub struct Greeter {
///     greeting: String,
/// }
///
/// #[resource(key = "greeter")]
/// fn greeter() -> Greeter {
///     Greeter { greeting: "hello".into() }
/// }
///
/// #[asset(resources(greeter))]
/// fn message(greeter: &Greeter) -> String {
///     format!("{}, world", greeter.greeting)
/// }
///
/// let result = Definitions::discover().run(RunOptions::new().in_memory()).unwrap();
/// assert_eq!(*result.asset_value::<String>("message").unwrap(), "hello, world");
/// ```
#[proc_macro_attribute]
pub fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[resource]", expand::resource(args.into(), item.into())).into()
}

/// A config struct that is itself a plain resource (Dagster's
/// `ConfigurableResource`): its serde fields are its config, from
/// `resources.<key>.config` when configured at launch (`EnvVar` fields
/// read the environment; a field that is itself a config struct nests).
///
/// Needs `#[resource(key = "..")]` on the struct (also: `description`,
/// `required_resource_keys`, `version`) and `Deserialize`; with
/// `Serialize`, a bound value reports its config. Implements
/// `ConfigurableResource` and `IntoResourceDefinition`, and registers the
/// resource configured at launch under its key.
///
/// ```
/// use larder::prelude::*;
///
/// #[derive(ConfigurableResource, Serialize, Deserialize)]
/// #[resource(key = "api")]
/// pub struct Api {
///     base_url: String,
/// }
///
/// #[asset(resources(api))]
/// fn endpoint(api: &Api) -> String {
///     format!("{}/items", api.base_url)
/// }
///
/// let config = RunConfig::from_json(serde_json::json!({
///     "resources": { "api": { "config": { "base_url": "http://localhost" } } }
/// })).unwrap();
/// let result = Definitions::discover()
///     .run(RunOptions::new().in_memory().run_config(config))
///     .unwrap();
/// assert_eq!(*result.asset_value::<String>("endpoint").unwrap(), "http://localhost/items");
/// ```
#[proc_macro_derive(ConfigurableResource, attributes(resource))]
pub fn derive_configurable_resource(item: TokenStream) -> TokenStream {
    debug::emit(
        "#[derive(ConfigurableResource)]",
        expand::derive_resource(item.into()),
    )
    .into()
}

#[proc_macro_derive(ConfigurableIOManager, attributes(io_manager))]
pub fn derive_configurable_io_manager(item: TokenStream) -> TokenStream {
    debug::emit(
        "#[derive(ConfigurableIOManager)]",
        expand::derive_manager(item.into()),
    )
    .into()
}

/// A config struct that builds its IO manager for each run (for example by
/// opening a connection) in its `ConfigurableIOManagerFactory` impl.
///
/// Same helper attribute as `ConfigurableIOManager`. Implements
/// `IntoResourceDefinition`, and registers the factory configured at launch.
///
/// ```
/// use larder::prelude::*;
///
/// struct Connection;
///
/// impl IOManager<Vec<u8>> for Connection {
///     fn handle_output(&self, _ctx: &mut OutputContext, _obj: &Vec<u8>) -> larder::Result<()> {
///         Ok(())
///     }
///     fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<Vec<u8>> {
///         Ok(Vec::new())
///     }
/// }
///
/// #[derive(ConfigurableIOManagerFactory, Deserialize)]
/// #[io_manager(key = "database")]
/// struct Database {
///     url: String,
/// }
///
/// impl ConfigurableIOManagerFactory for Database {
///     type Manager = Connection;
///     fn create_io_manager(&self, _ctx: &mut InitContext) -> larder::Result<Connection> {
///         let _ = &self.url;
///         Ok(Connection)
///     }
/// }
///
/// #[asset(io_manager_key = "database")]
/// fn blob() -> Vec<u8> {
///     vec![1]
/// }
///
/// let defs = Definitions::new()
///     .asset(blob::definition())
///     .resource("database", Database { url: "mem://".into() });
/// assert!(defs.materialize_all().unwrap().success());
/// ```
#[proc_macro_derive(ConfigurableIOManagerFactory, attributes(io_manager))]
pub fn derive_configurable_io_manager_factory(item: TokenStream) -> TokenStream {
    debug::emit(
        "#[derive(ConfigurableIOManagerFactory)]",
        expand::derive_factory(item.into()),
    )
    .into()
}
