//! The manager traits: what an IO manager or input manager is.
//!
//! A manager states which Rust types it stores and loads by implementing
//! [`IOManager<T>`] (store and load) or [`InputManager<T>`] (load only) for
//! them; generic managers implement them for bounds. Generated code checks
//! these impls at compile time for the manager declared under a key.
//!
//! [`DynIOManager`] is the run-time protocol for managers that work for
//! *any* type with some capability (serde, `Clone`): the built-in memory and
//! filesystem managers. It is what lets a test bind `InMemoryIOManager`
//! under a key declared for a production manager, and what serves the
//! default `io_manager` key, whose manager is only known at run time.

mod adapter;
mod configurable;
mod definition;

use std::any::Any;

pub use adapter::{ManagedBy, TypedLoader, TypedOutput};
pub use configurable::{ConfigurableIOManager, ConfigurableIOManagerFactory};
#[doc(hidden)]
pub use definition::DynManagerType;
pub(crate) use definition::dyn_manager_type;
pub use definition::{IOManagerDefinition, InputManagerDefinition, hardcoded_io_manager};

use crate::error::Result;
use crate::io::context::{InputContext, OutputContext};
use crate::model::types::{TypeInfo, Value};

/// Stores outputs of type `T` and loads them back as inputs (Dagster's
/// `IOManager`).
///
/// ```
/// use larder::prelude::*;
///
/// struct Upper;
/// impl IOManager<String> for Upper {
///     fn handle_output(&self, ctx: &mut OutputContext, obj: &String) -> larder::Result<()> {
///         ctx.add_output_metadata(larder::metadata! { "len" => obj.len() })
///     }
///     fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<String> {
///         Ok("LOADED".into())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "IO manager `{Self}` cannot store values of type `{T}`",
    label = "`{Self}` does not implement `IOManager<{T}>`",
    note = "implement `larder::IOManager<{T}>` for `{Self}`, or use an `io_manager_key` whose manager stores `{T}`"
)]
pub trait IOManager<T>: Send + Sync + 'static {
    /// Stores `obj`, the value of the output described by `ctx`.
    fn handle_output(&self, ctx: &mut OutputContext, obj: &T) -> Result<()>;
    /// Loads the value of the input described by `ctx`.
    fn load_input(&self, ctx: &mut InputContext) -> Result<T>;
}

/// Loads inputs of type `T` (Dagster's `InputManager`): for root inputs
/// with no upstream, or to override how a connected input is loaded.
#[diagnostic::on_unimplemented(
    message = "input manager `{Self}` cannot load values of type `{T}`",
    label = "`{Self}` does not implement `InputManager<{T}>`",
    note = "implement `larder::InputManager<{T}>` for `{Self}`"
)]
pub trait InputManager<T>: Send + Sync + 'static {
    /// Loads the value of the input described by `ctx`.
    fn load_input(&self, ctx: &mut InputContext) -> Result<T>;
}

/// A manager usable for any type that has the capabilities it needs,
/// dispatched at run time through [`TypeInfo`].
pub trait DynIOManager: Send + Sync + 'static {
    /// `Ok` if this manager can store values described by `ty`, else why not.
    fn supports_output(ty: &TypeInfo) -> std::result::Result<(), String>
    where
        Self: Sized;
    /// `Ok` if this manager can load values described by `ty`, else why not.
    fn supports_input(ty: &TypeInfo) -> std::result::Result<(), String>
    where
        Self: Sized;
    /// Stores `value`, whose type is described by `ty`.
    fn handle_output_dyn(
        &self,
        ctx: &mut OutputContext,
        value: &(dyn Any + Send + Sync),
        ty: &TypeInfo,
    ) -> Result<()>;
    /// Loads a value of the type described by `ty`.
    fn load_input_dyn(&self, ctx: &mut InputContext, ty: &TypeInfo) -> Result<Value>;
}

/// Marks how a manager loads a type: through [`IOManager`], through
/// [`InputManager`], or (for `#[input_manager]` functions) by calling the
/// function. Lets one capability check accept all three without overlap.
#[doc(hidden)]
pub mod via {
    pub struct IoManager;
    pub struct InputManager;
    pub struct Function;
    /// Through the manager a function returns, itself loading via `V`
    /// (an `InputManager` or an `IOManager`).
    pub struct FunctionReturningManager<V>(std::marker::PhantomData<V>);
}

/// Capability behind `input_manager_key` checks: the manager can load `T`.
#[diagnostic::on_unimplemented(
    message = "the manager `{Self}` cannot load an input of type `{T}`",
    label = "this input's type is not loadable by the manager declared for its `input_manager_key`",
    note = "implement `larder::InputManager<{T}>` or `larder::IOManager<{T}>` for `{Self}`, or pick a key whose manager loads `{T}`"
)]
#[doc(hidden)]
pub trait LoadInput<T, Via>: Send + Sync + 'static {
    fn load(&self, ctx: &mut InputContext) -> Result<T>;
}

impl<T, M: IOManager<T>> LoadInput<T, via::IoManager> for M {
    fn load(&self, ctx: &mut InputContext) -> Result<T> {
        IOManager::load_input(self, ctx)
    }
}

impl<T, M: InputManager<T>> LoadInput<T, via::InputManager> for M {
    fn load(&self, ctx: &mut InputContext) -> Result<T> {
        InputManager::load_input(self, ctx)
    }
}
