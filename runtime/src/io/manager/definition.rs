//! `IOManagerDefinition` and `InputManagerDefinition`: a manager together
//! with how it is built for a run, its config types, required resources
//! and version (Dagster's definitions of the same names).

use std::any::TypeId;

use serde::de::DeserializeOwned;

use super::DynIOManager;
use crate::error::Result;
use crate::io::resources::{
    InitContext, IntoResourceDefinition, ResourceDefinition, ResourceKind, SupportsFn, ToDynFn,
};

/// A manager type known to implement [`DynIOManager`], so that
/// [`IOManagerDefinition::hardcoded`] (generic over any manager) serves
/// every type it supports. The built-in managers register themselves.
#[doc(hidden)]
pub struct DynManagerType {
    /// The manager's `TypeId`.
    pub type_id: fn() -> TypeId,
    /// Its dynamic protocol.
    pub support: fn() -> (ToDynFn, SupportsFn, SupportsFn),
}

inventory::collect!(DynManagerType);

/// The dynamic protocol of `M`, when `M` is a registered [`DynManagerType`].
fn registered_dyn<M: 'static>() -> Option<(ToDynFn, SupportsFn, SupportsFn)> {
    let id = TypeId::of::<M>();
    inventory::iter::<DynManagerType>
        .into_iter()
        .find(|r| (r.type_id)() == id)
        .map(|r| (r.support)())
}

/// The registration of a [`DynIOManager`] type (for the built-ins).
#[doc(hidden)]
pub const fn dyn_manager_type<M: DynIOManager>() -> DynManagerType {
    DynManagerType {
        type_id: TypeId::of::<M>,
        support: || {
            (
                |any| {
                    any.downcast::<M>()
                        .ok()
                        .map(|m| m as std::sync::Arc<dyn DynIOManager>)
                },
                M::supports_output,
                M::supports_input,
            )
        },
    }
}

macro_rules! definition_builders {
    () => {
        /// Sets the description.
        pub fn description(self, description: impl Into<String>) -> Self {
            Self(self.0.description(description))
        }
        /// Declares the config type (`resources.<key>.config`).
        pub fn config_type<C: DeserializeOwned>(self) -> Self {
            Self(self.0.config_type::<C>())
        }
        /// Declares the per-input config type (`ops.<op>.inputs.<name>`).
        pub fn input_config_type<C: DeserializeOwned>(self) -> Self {
            Self(self.0.input_config_type::<C>())
        }
        /// Keys of resources the manager needs (on its contexts' `resources`).
        pub fn required_resource_keys<I, S>(self, keys: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            Self(self.0.required_resource_keys(keys))
        }
        /// Sets the version.
        pub fn version(self, version: impl Into<String>) -> Self {
            Self(self.0.version(version))
        }
        /// Binds config instead of taking it from the run config. The
        /// version is dropped, as Dagster's `configured` does: the
        /// configured definition is a new one.
        pub fn configured(self, config: serde_json::Value) -> Self {
            let mut def = self.0.configured(config);
            def.version = None;
            Self(def)
        }
        /// The underlying resource definition.
        pub fn resource_definition(&self) -> &ResourceDefinition {
            &self.0
        }
    };
}

/// An IO manager and how to build it for each run.
///
/// ```
/// use larder::prelude::*;
/// let def = IOManagerDefinition::new_dyn(|ctx: &mut InitContext| {
///     Ok(FilesystemIOManager::new(ctx.instance().storage_directory()))
/// })
/// .description("files under the instance's storage directory");
/// assert_eq!(def.resource_definition().get_description(), Some("files under the instance's storage directory"));
/// ```
#[derive(Clone, Debug)]
pub struct IOManagerDefinition(pub(crate) ResourceDefinition);

impl IOManagerDefinition {
    /// A manager built by `init` at the start of each run. It serves keys
    /// declared for its own type.
    pub fn new<M, F>(init: F) -> Self
    where
        M: Send + Sync + 'static,
        F: Fn(&mut InitContext) -> Result<M> + Send + Sync + 'static,
    {
        IOManagerDefinition(ResourceDefinition::new(ResourceKind::IOManager, init))
    }

    /// A [`DynIOManager`] built by `init` at the start of each run; it serves
    /// any key for any type it supports.
    pub fn new_dyn<M, F>(init: F) -> Self
    where
        M: DynIOManager,
        F: Fn(&mut InitContext) -> Result<M> + Send + Sync + 'static,
    {
        IOManagerDefinition(ResourceDefinition::new(ResourceKind::IOManager, init).with_dyn::<M>())
    }

    /// Wraps an existing manager (Dagster's `hardcoded_io_manager`). A
    /// built-in manager (`InMemoryIOManager`, `FilesystemIOManager`,
    /// `UPathManager::serde`) then stores every type it supports under any
    /// key; another manager serves the keys declared for its type (use
    /// [`hardcoded_io_manager`] for your own [`DynIOManager`]).
    pub fn hardcoded<M: Send + Sync + 'static>(manager: M) -> Self {
        IOManagerDefinition(
            ResourceDefinition::shared(ResourceKind::IOManager, std::sync::Arc::new(manager))
                .with_dyn_support(registered_dyn::<M>()),
        )
    }

    /// Declares the per-output config type (`ops.<op>.outputs.<name>`).
    pub fn output_config_type<C: DeserializeOwned>(self) -> Self {
        Self(self.0.output_config_type::<C>())
    }

    definition_builders!();
}

/// Wraps an existing dynamic manager (Dagster's `hardcoded_io_manager`).
pub fn hardcoded_io_manager<M: DynIOManager>(manager: M) -> IOManagerDefinition {
    IOManagerDefinition(
        ResourceDefinition::shared(ResourceKind::IOManager, std::sync::Arc::new(manager))
            .with_dyn::<M>(),
    )
}

impl IntoResourceDefinition for IOManagerDefinition {
    fn into_resource_definition(self) -> ResourceDefinition {
        self.0
    }
}

/// An input manager and how to build it for each run.
#[derive(Clone, Debug)]
pub struct InputManagerDefinition(pub(crate) ResourceDefinition);

impl InputManagerDefinition {
    /// An input manager built by `init` at the start of each run.
    pub fn new<M, F>(init: F) -> Self
    where
        M: Send + Sync + 'static,
        F: Fn(&mut InitContext) -> Result<M> + Send + Sync + 'static,
    {
        InputManagerDefinition(ResourceDefinition::new(ResourceKind::InputManager, init))
    }

    /// Wraps an existing input manager.
    pub fn hardcoded<M: Send + Sync + 'static>(manager: M) -> Self {
        InputManagerDefinition(ResourceDefinition::shared(
            ResourceKind::InputManager,
            std::sync::Arc::new(manager),
        ))
    }

    definition_builders!();
}

impl IntoResourceDefinition for InputManagerDefinition {
    fn into_resource_definition(self) -> ResourceDefinition {
        self.0
    }
}
