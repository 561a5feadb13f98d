//! Declared managers: how a manager from `#[io_manager]`, `#[input_manager]`
//! or a derive becomes a resource definition, with the capabilities
//! (dynamic protocol, lifecycle hooks, serializable config) its type has,
//! found by autoref probes where the type is concrete.

use crate::error::Result;
use crate::io::lifecycle::ResourceLifecycle;
use crate::io::resources::{
    InitContext, IntoResourceDefinition, ResourceDefinition, ResourceKind, SupportsFn, ToDynFn,
};

/// Builds the resource definition of a manager-returning function.
pub fn manager_definition<M: Send + Sync + 'static>(
    kind: ResourceKind,
    make: impl Fn(&mut InitContext) -> Result<M> + Send + Sync + 'static,
    dyn_support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
    lifecycle: Option<Lifecycle<M>>,
) -> ResourceDefinition {
    let mut def = ResourceDefinition::new(kind, move |ctx: &mut InitContext| {
        let mut m = make(ctx)?;
        if let Some(l) = lifecycle {
            (l.setup)(&mut m, ctx)?;
        }
        Ok(m)
    })
    .with_dyn_support(dyn_support);
    if let Some(l) = lifecycle {
        def = def.on_teardown(move |m: &M, ctx| (l.teardown)(m, ctx));
    }
    def
}

/// Resolves an `IntoResourceDefinition` value (for derives).
pub fn into_definition<R: IntoResourceDefinition>(r: R) -> ResourceDefinition {
    r.into_resource_definition()
}

/// Setup and teardown of a type implementing [`ResourceLifecycle`].
pub struct Lifecycle<M> {
    /// `ResourceLifecycle::setup_for_execution`.
    pub setup: fn(&mut M, &mut InitContext) -> Result<()>,
    /// `ResourceLifecycle::teardown_after_execution`.
    pub teardown: fn(&M, &mut InitContext) -> Result<()>,
}

impl<M> Clone for Lifecycle<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Lifecycle<M> {}

/// Probes for manager capabilities at a concrete type.
pub mod manager_probe {
    use super::*;
    use crate::io::manager::DynIOManager;
    pub use crate::model::types::probe::Probe;

    /// Chosen when the manager implements `DynIOManager`.
    pub trait DynYes {
        /// What the probe found.
        fn __larder_dyn(&self) -> Option<(ToDynFn, SupportsFn, SupportsFn)>;
    }
    impl<M: DynIOManager> DynYes for Probe<M> {
        /// What the probe found.
        fn __larder_dyn(&self) -> Option<(ToDynFn, SupportsFn, SupportsFn)> {
            Some((
                |any| {
                    any.downcast::<M>()
                        .ok()
                        .map(|m| m as std::sync::Arc<dyn DynIOManager>)
                },
                M::supports_output,
                M::supports_input,
            ))
        }
    }
    /// The fallback: no dynamic protocol.
    pub trait DynNo {
        /// What the probe found.
        fn __larder_dyn(&self) -> Option<(ToDynFn, SupportsFn, SupportsFn)> {
            None
        }
    }
    impl<M> DynNo for &Probe<M> {}

    /// Chosen when the manager implements `ResourceLifecycle`.
    pub trait LifeYes<M> {
        /// What the probe found.
        fn __larder_lifecycle(&self) -> Option<Lifecycle<M>>;
    }
    impl<M: ResourceLifecycle> LifeYes<M> for Probe<M> {
        /// What the probe found.
        fn __larder_lifecycle(&self) -> Option<Lifecycle<M>> {
            Some(Lifecycle {
                setup: M::setup_for_execution,
                teardown: M::teardown_after_execution,
            })
        }
    }
    /// The fallback: no hooks.
    pub trait LifeNo<M> {
        /// What the probe found.
        fn __larder_lifecycle(&self) -> Option<Lifecycle<M>> {
            None
        }
    }
    impl<M> LifeNo<M> for &Probe<M> {}

    /// Chosen when the manager implements `Serialize`.
    pub trait SerYes {
        /// What the probe found.
        fn __larder_to_json(&self) -> Option<fn(&dyn std::any::Any) -> serde_json::Value>;
    }
    impl<M: serde::Serialize + 'static> SerYes for Probe<M> {
        /// What the probe found.
        fn __larder_to_json(&self) -> Option<fn(&dyn std::any::Any) -> serde_json::Value> {
            Some(|v| {
                v.downcast_ref::<M>()
                    .and_then(|m| serde_json::to_value(m).ok())
                    .unwrap_or_default()
            })
        }
    }
    /// The fallback: no config to show.
    pub trait SerNo {
        /// What the probe found.
        fn __larder_to_json(&self) -> Option<fn(&dyn std::any::Any) -> serde_json::Value> {
            None
        }
    }
    impl<M> SerNo for &Probe<M> {}
}

/// `Option<(to_dyn, supports_output, supports_input)>` for a concrete manager type.
#[macro_export]
#[doc(hidden)]
macro_rules! __dyn_support {
    ($t:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::manager_probe::{DynNo as _, DynYes as _};
        (&$crate::__private::manager_probe::Probe::<$t>::NEW).__larder_dyn()
    }};
}

/// `Option<Lifecycle<M>>` for a concrete manager type.
#[macro_export]
#[doc(hidden)]
macro_rules! __lifecycle {
    ($t:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::manager_probe::{LifeNo as _, LifeYes as _};
        (&$crate::__private::manager_probe::Probe::<$t>::NEW).__larder_lifecycle()
    }};
}

/// The resource config of a configurable manager: its fields, when it
/// implements `Serialize`.
#[macro_export]
#[doc(hidden)]
macro_rules! __config_json {
    ($t:ty, $value:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::manager_probe::{SerNo as _, SerYes as _};
        match (&$crate::__private::manager_probe::Probe::<$t>::NEW).__larder_to_json() {
            ::core::option::Option::Some(f) => f($value),
            ::core::option::Option::None => {
                $crate::__private::serde_json::Value::Object(::core::default::Default::default())
            }
        }
    }};
}

/// `#[derive(ConfigurableIOManager)]`: this very instance, shared by runs.
pub fn configurable_shared<M: Send + Sync + 'static>(
    manager: M,
    config: serde_json::Value,
    dyn_support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
    lifecycle: Option<Lifecycle<M>>,
) -> ResourceDefinition {
    let mut def = ResourceDefinition::shared(ResourceKind::IOManager, std::sync::Arc::new(manager))
        .with_dyn_support(dyn_support)
        .configured(config);
    if let Some(l) = lifecycle {
        def = def.on_teardown(move |m: &M, ctx| (l.teardown)(m, ctx));
    }
    def
}

/// `#[derive(ConfigurableIOManager)]`: built for each run from
/// `resources.<key>.config` (Dagster's `configure_at_launch`).
pub fn configurable_at_launch<M: serde::de::DeserializeOwned + Send + Sync + 'static>(
    dyn_support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
    lifecycle: Option<Lifecycle<M>>,
) -> ResourceDefinition {
    manager_definition::<M>(
        ResourceKind::IOManager,
        |ctx| ctx.config::<M>(),
        dyn_support,
        lifecycle,
    )
    .config_type::<M>()
}

/// What `dyn_support!` finds for a manager type.
pub type DynSupport = (ToDynFn, SupportsFn, SupportsFn);

/// `#[derive(ConfigurableIOManagerFactory)]`: `create_io_manager` on each run.
pub fn factory_definition<F: crate::io::manager::ConfigurableIOManagerFactory>(
    factory: F,
    config: serde_json::Value,
    dyn_support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
) -> ResourceDefinition {
    let factory = std::sync::Arc::new(factory);
    let teardown = factory.clone();
    ResourceDefinition::new(ResourceKind::IOManager, move |ctx| {
        factory.create_io_manager(ctx)
    })
    .with_dyn_support(dyn_support)
    .configured(config)
    .on_teardown(move |m: &F::Manager, ctx| teardown.teardown_after_execution(m, ctx))
}

/// `#[derive(ConfigurableIOManagerFactory)]`: the factory deserialized from
/// `resources.<key>.config` on each run.
pub fn factory_at_launch<F>(
    dyn_support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
) -> ResourceDefinition
where
    F: crate::io::manager::ConfigurableIOManagerFactory + serde::de::DeserializeOwned,
{
    let holder: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<F>>>> = Default::default();
    let for_teardown = holder.clone();
    ResourceDefinition::new(ResourceKind::IOManager, move |ctx| {
        let factory = std::sync::Arc::new(ctx.config::<F>()?);
        let manager = factory.create_io_manager(ctx)?;
        if let Ok(mut h) = holder.lock() {
            *h = Some(factory);
        }
        Ok(manager)
    })
    .with_dyn_support(dyn_support)
    .config_type::<F>()
    .on_teardown(move |m: &F::Manager, ctx| {
        let factory = for_teardown.lock().ok().and_then(|mut h| h.take());
        match factory {
            Some(f) => f.teardown_after_execution(m, ctx),
            None => Ok(()),
        }
    })
}
