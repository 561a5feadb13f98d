//! Typed adapters: how one manager type stores and loads one Rust type,
//! built where both are known at compile time, so a run calls the manager
//! without the run-time protocol (`DynIOManager`).

use std::any::{Any, TypeId};
use std::fmt;

use super::{IOManager, LoadInput};
use crate::error::Result;
use crate::io::context::{InputContext, OutputContext};
use crate::model::types::Value;

/// How to store and load one Rust type with one manager type, built where
/// both are known at compile time. Used when the key is bound to that very
/// manager type; otherwise the run-time protocol (`DynIOManager`) is used.
#[derive(Clone, Copy)]
pub struct TypedOutput {
    pub(crate) manager_type: &'static str,
    pub(crate) manager_id: TypeId,
    pub(crate) value_id: TypeId,
    pub(crate) handle: fn(
        &(dyn Any + Send + Sync),
        &mut OutputContext,
        &(dyn Any + Send + Sync),
    ) -> Option<Result<()>>,
    pub(crate) load: fn(&(dyn Any + Send + Sync), &mut InputContext) -> Option<Result<Value>>,
}

impl TypedOutput {
    /// The adapter for manager `M` storing `T`.
    pub fn new<M: IOManager<T>, T: Send + Sync + 'static>() -> Self {
        TypedOutput {
            manager_type: std::any::type_name::<M>(),
            manager_id: TypeId::of::<M>(),
            value_id: TypeId::of::<T>(),
            handle: |m, ctx, v| {
                let m = m.downcast_ref::<M>()?;
                let v = v.downcast_ref::<T>()?;
                Some(m.handle_output(ctx, v))
            },
            load: |m, ctx| {
                let m = m.downcast_ref::<M>()?;
                Some(m.load_input(ctx).map(|v| Box::new(v) as Value))
            },
        }
    }
}

impl fmt::Debug for TypedOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypedOutput({})", self.manager_type)
    }
}

/// How a manager type loads one Rust type, for `input_manager_key`.
#[derive(Clone, Copy)]
pub struct TypedLoader {
    pub(crate) manager_type: &'static str,
    pub(crate) manager_id: TypeId,
    pub(crate) load: fn(&(dyn Any + Send + Sync), &mut InputContext) -> Option<Result<Value>>,
}

impl TypedLoader {
    /// The loader for manager `M` loading `T`.
    pub fn new<M: LoadInput<T, V>, T: Send + Sync + 'static, V>() -> Self {
        TypedLoader {
            manager_type: std::any::type_name::<M>(),
            manager_id: TypeId::of::<M>(),
            load: |m, ctx| {
                let m = m.downcast_ref::<M>()?;
                Some(m.load(ctx).map(|v| Box::new(v) as Value))
            },
        }
    }
}

impl TypedLoader {
    /// A loader that matches no manager: what an input whose upstream is
    /// not stored by a declared manager carries (checked at validation).
    pub fn none() -> Self {
        struct NoManager;
        TypedLoader {
            manager_type: "(none)",
            manager_id: TypeId::of::<NoManager>(),
            load: |_, _| None,
        }
    }
}

impl fmt::Debug for TypedLoader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypedLoader({})", self.manager_type)
    }
}

/// `T` is stored and loaded by manager `M` (for `types = [..]`, called as
/// `<T as ManagedBy<M>>::..` so a type `M` does not handle is reported on
/// that type in the list).
pub trait ManagedBy<M>: Sized {
    /// `M::handle_output`.
    fn handle_output(manager: &M, ctx: &mut OutputContext, obj: &Self) -> Result<()>;
    /// `M::load_input`.
    fn load_input(manager: &M, ctx: &mut InputContext) -> Result<Self>;
}

impl<T, M: IOManager<T>> ManagedBy<M> for T {
    fn handle_output(manager: &M, ctx: &mut OutputContext, obj: &T) -> Result<()> {
        manager.handle_output(ctx, obj)
    }
    fn load_input(manager: &M, ctx: &mut InputContext) -> Result<T> {
        manager.load_input(ctx)
    }
}
