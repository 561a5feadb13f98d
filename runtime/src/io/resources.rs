//! Resources: what a key is bound to (an IO manager, an input manager or a
//! plain resource such as a connection), how it is initialized for a run,
//! and the per-run instances contexts hand to user code.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::guard::guarded;
use crate::io::manager::DynIOManager;
use crate::model::config::ConfigType;
use crate::model::instance::Instance;
use crate::model::types::TypeInfo;

/// What a resource is, as far as manager keys care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// Stores outputs and loads inputs.
    IOManager,
    /// Only loads inputs.
    InputManager,
    /// Anything else (a client, a connection).
    Resource,
}

impl ResourceKind {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ResourceKind::IOManager => "an IO manager",
            ResourceKind::InputManager => "an input manager",
            ResourceKind::Resource => "a plain resource",
        }
    }
}

/// Converts a manager instance into the run-time dynamic protocol, when its
/// type implements [`DynIOManager`].
pub type ToDynFn = fn(Arc<dyn Any + Send + Sync>) -> Option<Arc<dyn DynIOManager>>;
/// Answers whether a dynamic manager type supports a value type.
pub type SupportsFn = fn(&TypeInfo) -> std::result::Result<(), String>;

type InitFn = Arc<dyn Fn(&mut InitContext) -> Result<Arc<dyn Any + Send + Sync>> + Send + Sync>;
type TeardownFn =
    Arc<dyn Fn(&(dyn Any + Send + Sync), &mut InitContext) -> Result<()> + Send + Sync>;

/// The dynamic capabilities of a manager type, when it has them.
#[derive(Clone, Copy)]
pub(crate) struct DynSupport {
    pub(crate) to_dyn: ToDynFn,
    pub(crate) supports_output: SupportsFn,
    pub(crate) supports_input: SupportsFn,
}

/// What a key is bound to: how to build the resource for a run, with its
/// description, config types, required resource keys and version.
#[derive(Clone)]
pub struct ResourceDefinition {
    pub(crate) kind: ResourceKind,
    pub(crate) type_name: &'static str,
    pub(crate) type_id: TypeId,
    pub(crate) description: Option<String>,
    pub(crate) init: InitFn,
    pub(crate) teardown: Option<TeardownFn>,
    pub(crate) config: Option<serde_json::Value>,
    pub(crate) config_type: Option<ConfigType>,
    pub(crate) input_config_type: Option<ConfigType>,
    pub(crate) output_config_type: Option<ConfigType>,
    pub(crate) required_resource_keys: Vec<String>,
    pub(crate) version: Option<String>,
    pub(crate) dyn_support: Option<DynSupport>,
    /// Whether what it stores outlives the process (false for the
    /// in-memory manager): multiprocess runs and re-execution need it.
    pub(crate) persistent: bool,
}

impl fmt::Debug for ResourceDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceDefinition")
            .field("kind", &self.kind)
            .field("type", &self.type_name)
            .field("description", &self.description)
            .field("required_resource_keys", &self.required_resource_keys)
            .finish_non_exhaustive()
    }
}

impl ResourceDefinition {
    /// A resource built for each run by `init`.
    pub fn new<R, F>(kind: ResourceKind, init: F) -> Self
    where
        R: Any + Send + Sync,
        F: Fn(&mut InitContext) -> Result<R> + Send + Sync + 'static,
    {
        ResourceDefinition {
            kind,
            type_name: std::any::type_name::<R>(),
            type_id: TypeId::of::<R>(),
            description: None,
            init: Arc::new(move |ctx| init(ctx).map(|r| Arc::new(r) as Arc<dyn Any + Send + Sync>)),
            teardown: None,
            config: None,
            config_type: None,
            input_config_type: None,
            output_config_type: None,
            required_resource_keys: Vec::new(),
            version: None,
            dyn_support: None,
            persistent: true,
        }
    }

    /// Whether values it stores can be read by other processes and later
    /// runs (default: yes). Managers that keep values in memory say no, so
    /// a multiprocess run refuses them before launch.
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// See [`ResourceDefinition::persistent`].
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// A plain resource that is this value (shared by every run).
    pub fn value<R: Any + Send + Sync>(value: R) -> Self {
        Self::shared(ResourceKind::Resource, Arc::new(value))
    }

    /// A resource that is this shared instance.
    pub(crate) fn shared<R: Any + Send + Sync>(kind: ResourceKind, value: Arc<R>) -> Self {
        let mut def = Self::new(kind, |_| Ok(()));
        def.type_name = std::any::type_name::<R>();
        def.type_id = TypeId::of::<R>();
        def.init = Arc::new(move |_| Ok(value.clone() as Arc<dyn Any + Send + Sync>));
        // Built already: its config is fixed (run config for it is refused).
        def.config = Some(serde_json::Value::Object(Default::default()));
        def
    }

    /// Marks the resource's type as a [`DynIOManager`], usable for any value
    /// type it supports even where another manager type was declared.
    pub fn with_dyn<M: DynIOManager>(mut self) -> Self {
        self.dyn_support = Some(DynSupport {
            to_dyn: |any| any.downcast::<M>().ok().map(|m| m as Arc<dyn DynIOManager>),
            supports_output: M::supports_output,
            supports_input: M::supports_input,
        });
        self
    }

    /// The dynamic protocol a probe found for a declared manager's type.
    pub(crate) fn with_dyn_support(
        mut self,
        support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
    ) -> Self {
        self.dyn_support = support.map(|(to_dyn, supports_output, supports_input)| DynSupport {
            to_dyn,
            supports_output,
            supports_input,
        });
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Binds config (Dagster's `configured`); otherwise it comes from the run
    /// config's `resources.<key>.config`.
    pub fn configured(mut self, config: serde_json::Value) -> Self {
        self.config = Some(config);
        self
    }

    /// Declares the config type, checked before the run starts.
    pub fn config_type<C: DeserializeOwned>(mut self) -> Self {
        self.config_type = Some(ConfigType::of::<C>());
        self
    }

    /// Declares the per-input config type (`ops.<op>.inputs.<name>`).
    pub fn input_config_type<C: DeserializeOwned>(mut self) -> Self {
        self.input_config_type = Some(ConfigType::of::<C>());
        self
    }

    /// Declares the per-output config type (`ops.<op>.outputs.<name>`).
    pub fn output_config_type<C: DeserializeOwned>(mut self) -> Self {
        self.output_config_type = Some(ConfigType::of::<C>());
        self
    }

    /// Keys of other resources this one needs, available on its contexts.
    pub fn required_resource_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_resource_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Runs `teardown` on the instance when a run ends.
    pub fn on_teardown<R, F>(mut self, teardown: F) -> Self
    where
        R: Any + Send + Sync,
        F: Fn(&R, &mut InitContext) -> Result<()> + Send + Sync + 'static,
    {
        self.teardown = Some(Arc::new(move |any, ctx| match any.downcast_ref::<R>() {
            Some(r) => teardown(r, ctx),
            None => Ok(()),
        }));
        self
    }

    /// What kind of resource this is.
    pub fn kind(&self) -> ResourceKind {
        self.kind
    }

    /// The Rust type of the instance.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The description, if any.
    pub fn get_description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The version, if any.
    pub fn get_version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The required resource keys.
    pub fn get_required_resource_keys(&self) -> &[String] {
        &self.required_resource_keys
    }

    /// The config type, if declared.
    pub fn get_config_type(&self) -> Option<&ConfigType> {
        self.config_type.as_ref()
    }

    /// The per-input config type, if declared.
    pub fn get_input_config_type(&self) -> Option<&ConfigType> {
        self.input_config_type.as_ref()
    }

    /// The per-output config type, if declared.
    pub fn get_output_config_type(&self) -> Option<&ConfigType> {
        self.output_config_type.as_ref()
    }

    /// Whether `other` is this definition (or a clone of it).
    pub(crate) fn same_definition(&self, other: &ResourceDefinition) -> bool {
        Arc::ptr_eq(&self.init, &other.init)
    }

    pub(crate) fn is_manager(&self) -> bool {
        self.kind != ResourceKind::Resource
    }
}

/// Anything that can be bound to a resource key.
pub trait IntoResourceDefinition {
    /// The definition to bind.
    fn into_resource_definition(self) -> ResourceDefinition;
}

impl IntoResourceDefinition for ResourceDefinition {
    fn into_resource_definition(self) -> ResourceDefinition {
        self
    }
}

/// A resource built for one run.
pub(crate) struct ResourceInstance {
    pub(crate) key: String,
    pub(crate) value: Arc<dyn Any + Send + Sync>,
    pub(crate) dyn_manager: Option<Arc<dyn DynIOManager>>,
    pub(crate) type_name: &'static str,
    pub(crate) config: Arc<serde_json::Value>,
    pub(crate) required_keys: Arc<[String]>,
    pub(crate) teardown: Option<TeardownFn>,
}

/// The resources available to a context: the ones its manager requires.
#[derive(Clone, Default)]
pub struct Resources {
    map: Arc<IndexMap<String, Arc<ResourceInstance>>>,
    allowed: Option<Arc<[String]>>,
    /// Who the view is for: a manager's key, or a step's.
    owner: Option<Arc<str>>,
    owner_is_step: bool,
    /// For resources initialized outside a run ([`Resources::init`]): their
    /// teardown, run when the last handle is dropped or the scope ends.
    scope: Option<Arc<ResourceScope>>,
}

/// Resources initialized for a test, torn down once.
struct ResourceScope {
    run: RunResources,
    closed: std::sync::atomic::AtomicBool,
}

impl ResourceScope {
    fn close(&self) -> Vec<String> {
        if self.closed.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return Vec::new();
        }
        self.run.teardown()
    }
}

impl Drop for ResourceScope {
    fn drop(&mut self) {
        for e in self.close() {
            tracing::warn!(target: "larder", "{e}");
        }
    }
}

impl fmt::Debug for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.keys()).finish()
    }
}

impl Resources {
    /// No resources.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a plain resource, for contexts built in tests.
    pub fn with<R: Any + Send + Sync>(mut self, key: impl Into<String>, value: R) -> Self {
        let key = key.into();
        let map = Arc::make_mut(&mut self.map);
        map.insert(
            key.clone(),
            Arc::new(ResourceInstance {
                key,
                value: Arc::new(value),
                dyn_manager: None,
                type_name: std::any::type_name::<R>(),
                config: Arc::new(serde_json::Value::Object(Default::default())),
                required_keys: Arc::from(Vec::new()),
                teardown: None,
            }),
        );
        self
    }

    pub(crate) fn from_instances(map: IndexMap<String, Arc<ResourceInstance>>) -> Self {
        Resources {
            map: Arc::new(map),
            allowed: None,
            owner: None,
            owner_is_step: false,
            scope: None,
        }
    }

    /// Initializes resource definitions outside a run, for contexts built in
    /// tests (`build_input_context().resources(..)`): each is set up now,
    /// dependencies first, and torn down when the last handle (the
    /// contexts holding it) is dropped. Config comes from each definition
    /// (`configured`).
    pub fn init<I, K>(definitions: I) -> Result<Resources>
    where
        I: IntoIterator<Item = (K, ResourceDefinition)>,
        K: Into<String>,
    {
        let defs: IndexMap<String, ResourceDefinition> = definitions
            .into_iter()
            .map(|(k, d)| (k.into(), d))
            .collect();
        let run = RunResources::init(
            &defs,
            &crate::model::config::RunConfig::default(),
            &Instance::ephemeral(),
            "ephemeral",
        )
        .map_err(|failed| failed.error)?;
        let mut resources = run.resources.clone();
        resources.scope = Some(Arc::new(ResourceScope {
            run,
            closed: std::sync::atomic::AtomicBool::new(false),
        }));
        Ok(resources)
    }

    /// Like [`Resources::init`], torn down when `body` returns (Dagster's
    /// `with build_input_context(resources=..) as ctx:`); a handle kept
    /// past it reports that its resources were torn down. Teardown
    /// errors are returned after `body`'s own.
    pub fn scope<I, K, T>(definitions: I, body: impl FnOnce(&Resources) -> Result<T>) -> Result<T>
    where
        I: IntoIterator<Item = (K, ResourceDefinition)>,
        K: Into<String>,
    {
        let resources = Resources::init(definitions)?;
        let out = body(&resources);
        let errors = resources
            .scope
            .as_ref()
            .map(|s| s.close())
            .unwrap_or_default();
        let out = out?;
        match errors.is_empty() {
            true => Ok(out),
            false => Err(Error::msg(errors.join("; "))),
        }
    }

    /// The view a manager bound to `owner` gets: only its required keys.
    pub(crate) fn restricted(&self, owner: &str, allowed: Arc<[String]>) -> Self {
        Resources {
            map: self.map.clone(),
            allowed: Some(allowed),
            owner: Some(Arc::from(owner)),
            owner_is_step: false,
            scope: self.scope.clone(),
        }
    }

    /// The view step `step` gets: the keys it declares.
    pub(crate) fn for_step(&self, step: &str, allowed: Arc<[String]>) -> Self {
        Resources {
            map: self.map.clone(),
            allowed: Some(allowed),
            owner: Some(Arc::from(step)),
            owner_is_step: true,
            scope: self.scope.clone(),
        }
    }

    pub(crate) fn instance(&self, key: &str) -> Option<&Arc<ResourceInstance>> {
        self.map.get(key)
    }

    /// The keys available here.
    pub fn keys(&self) -> Vec<&str> {
        match &self.allowed {
            Some(allowed) => allowed
                .iter()
                .filter(|k| self.map.contains_key(k.as_str()))
                .map(String::as_str)
                .collect(),
            None => self.map.keys().map(String::as_str).collect(),
        }
    }

    /// The resource bound to `key`, as `R`.
    pub fn get<R: Any>(&self, key: &str) -> Result<&R> {
        if let Some(scope) = &self.scope
            && scope.closed.load(std::sync::atomic::Ordering::Acquire)
        {
            return Err(Error::context(format!(
                "resource `{key}` is used after its scope ended: the resources built by `Resources::scope` were torn down when its body returned; use them inside it"
            )));
        }
        if let (Some(allowed), Some(owner)) = (&self.allowed, &self.owner)
            && !allowed.iter().any(|k| k == key)
        {
            return Err(Error::context(format!(
                "resource `{key}` is not available to {}: it is not in its required_resource_keys ({}){}",
                if self.owner_is_step {
                    format!("step `{owner}`")
                } else {
                    format!("the manager bound to `{owner}`")
                },
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                },
                if self.owner_is_step {
                    format!(
                        "; declare it with `required_resource_keys = [\"{key}\"]` or take it as a `resources({key})` parameter"
                    )
                } else {
                    String::new()
                }
            )));
        }
        let instance = self.map.get(key).ok_or_else(|| {
            Error::context(format!(
                "no resource is bound to `{key}`; bound keys: {}",
                self.map.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        instance.value.downcast_ref::<R>().ok_or_else(|| {
            Error::context(format!(
                "resource `{key}` is a `{}`, not a `{}`",
                instance.type_name,
                std::any::type_name::<R>()
            ))
        })
    }
}

/// What a resource's init function receives (Dagster's
/// `InitResourceContext`).
pub struct InitContext {
    pub(crate) resource_key: String,
    pub(crate) resource_config: serde_json::Value,
    pub(crate) resources: Resources,
    pub(crate) run_id: Option<String>,
    pub(crate) instance: Instance,
}

impl InitContext {
    /// The key the resource is bound to.
    pub fn resource_key(&self) -> &str {
        &self.resource_key
    }

    /// The resource's config (`{}` when none was given).
    pub fn resource_config(&self) -> &serde_json::Value {
        &self.resource_config
    }

    /// The resource's config as `C`; errors name the field path.
    pub fn config<C: DeserializeOwned>(&self) -> Result<C> {
        let path = format!("resources.{}.config", self.resource_key);
        crate::model::config::deserialize_at(&self.resource_config, &path)
            .map_err(|e| Error::Config(vec![e]))
    }

    /// The resources named in `required_resource_keys`.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// The run being initialized for, if any.
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// The instance (storage directory, home).
    pub fn instance(&self) -> &Instance {
        &self.instance
    }
}

/// An init context for unit tests.
pub fn build_init_resource_context(config: serde_json::Value, resources: Resources) -> InitContext {
    InitContext {
        resource_key: "resource".to_owned(),
        resource_config: config,
        resources,
        run_id: None,
        instance: Instance::ephemeral(),
    }
}

/// Why the resources of a run could not be built, and what tearing down
/// the ones already built reported.
pub(crate) struct InitFailed {
    pub(crate) error: Error,
    pub(crate) teardown_errors: Vec<String>,
}

/// The resources of one run, in init order, torn down (in reverse) on drop.
pub(crate) struct RunResources {
    pub(crate) resources: Resources,
    pub(crate) order: Vec<String>,
    pub(crate) instance: Instance,
    pub(crate) run_id: String,
    pub(crate) teardown_errors: Mutex<Vec<String>>,
}

impl RunResources {
    /// Initializes every bound resource, dependencies first.
    pub(crate) fn init(
        defs: &IndexMap<String, ResourceDefinition>,
        run_config: &crate::model::config::RunConfig,
        instance: &Instance,
        run_id: &str,
    ) -> std::result::Result<RunResources, Box<InitFailed>> {
        let order = init_order(defs).map_err(|error| {
            Box::new(InitFailed {
                error,
                teardown_errors: Vec::new(),
            })
        })?;
        let mut map: IndexMap<String, Arc<ResourceInstance>> = IndexMap::new();
        let mut failed = None;
        for key in &order {
            let def = &defs[key];
            let config = def
                .config
                .clone()
                .or_else(|| run_config.resource_config(key).cloned())
                .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
            let required: Arc<[String]> = Arc::from(def.required_resource_keys.clone());
            // Only the required instances: the view hides the rest anyway,
            // and copying the whole map for each resource is quadratic.
            let visible = required
                .iter()
                .filter_map(|k| map.get(k).map(|i| (k.clone(), i.clone())))
                .collect();
            let resources = Resources::from_instances(visible).restricted(key, required.clone());
            let mut ctx = InitContext {
                resource_key: key.clone(),
                resource_config: config.clone(),
                resources,
                run_id: Some(run_id.to_owned()),
                instance: instance.clone(),
            };
            // Init runs user code (and `setup_for_execution` inside it).
            match guarded(|| (def.init)(&mut ctx)) {
                Ok(value) => {
                    let dyn_manager = def.dyn_support.and_then(|d| (d.to_dyn)(value.clone()));
                    map.insert(
                        key.clone(),
                        Arc::new(ResourceInstance {
                            key: key.clone(),
                            value,
                            dyn_manager,
                            type_name: def.type_name,
                            config: Arc::new(config),
                            required_keys: required,
                            teardown: def.teardown.clone(),
                        }),
                    );
                }
                Err(e) => {
                    // The rest may need this one: stop, as Dagster does.
                    failed = Some(Error::ResourceInit {
                        key: key.clone(),
                        type_name: def.type_name,
                        source: Box::new(e),
                    });
                    break;
                }
            }
        }
        if let Some(error) = failed {
            let partial = RunResources {
                resources: Resources::from_instances(map),
                order,
                instance: instance.clone(),
                run_id: run_id.to_owned(),
                teardown_errors: Mutex::new(Vec::new()),
            };
            return Err(Box::new(InitFailed {
                error,
                teardown_errors: partial.teardown(),
            }));
        }
        Ok(RunResources {
            resources: Resources::from_instances(map),
            order,
            instance: instance.clone(),
            run_id: run_id.to_owned(),
            teardown_errors: Mutex::new(Vec::new()),
        })
    }

    /// Tears resources down in reverse init order; returns the errors.
    pub(crate) fn teardown(&self) -> Vec<String> {
        for key in self.order.iter().rev() {
            let Some(instance) = self.resources.instance(key) else {
                continue;
            };
            if let Some(teardown) = &instance.teardown {
                let mut ctx = InitContext {
                    resource_key: key.clone(),
                    resource_config: (*instance.config).clone(),
                    resources: self
                        .resources
                        .restricted(key, instance.required_keys.clone()),
                    run_id: Some(self.run_id.clone()),
                    instance: self.instance.clone(),
                };
                if let Err(e) = guarded(|| teardown(instance.value.as_ref(), &mut ctx))
                    && let Ok(mut errs) = self.teardown_errors.lock()
                {
                    errs.push(format!("tearing down resource `{key}`: {e}"));
                }
            }
        }
        self.teardown_errors
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }
}

/// Orders resources so each comes after the ones it requires. The walk
/// keeps its own stack, so long dependency chains cannot overflow it.
pub(crate) fn init_order(defs: &IndexMap<String, ResourceDefinition>) -> Result<Vec<String>> {
    let mut order = Vec::with_capacity(defs.len());
    // 1 = on the path, 2 = ordered
    let mut state: HashMap<&str, u8> = HashMap::with_capacity(defs.len());
    let mut problems = Vec::new();
    // The current path: each key with the index of its next required key.
    let mut path: Vec<(&str, usize)> = Vec::new();
    for root in defs.keys() {
        if state.contains_key(root.as_str()) {
            continue;
        }
        state.insert(root, 1);
        path.push((root, 0));
        while let Some(top) = path.last_mut() {
            let (key, next) = *top;
            let required = defs
                .get(key)
                .map(|d| d.required_resource_keys.as_slice())
                .unwrap_or_default();
            let Some(dep) = required.get(next) else {
                state.insert(key, 2);
                order.push(key.to_owned());
                path.pop();
                continue;
            };
            top.1 += 1;
            let Some((dep, _)) = defs.get_key_value(dep.as_str()) else {
                problems.push(format!(
                    "resource `{key}` requires resource `{dep}`, which is not bound; bound keys: {}",
                    defs.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
                continue;
            };
            match state.get(dep.as_str()) {
                None => {
                    state.insert(dep, 1);
                    path.push((dep, 0));
                }
                Some(1) => {
                    let start = path.iter().position(|(k, _)| k == dep).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[start..].iter().map(|(k, _)| *k).collect();
                    cycle.push(dep);
                    problems.push(format!("resource dependency cycle: {}", cycle.join(" -> ")));
                }
                Some(_) => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(order)
    } else {
        problems.dedup();
        Err(Error::InvalidDefinitions(problems))
    }
}
