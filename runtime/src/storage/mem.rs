//! `InMemoryIOManager`: values kept in memory, keyed by output identifier.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;

use super::upath::manager::describe_input;
use crate::error::{Error, Result};
use crate::io::context::{InputContext, OutputContext};
use crate::io::manager::{DynIOManager, IOManager, IOManagerDefinition, hardcoded_io_manager};
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::model::types::{TypeInfo, Value};

/// Keeps values in memory, keyed by `[run_id, step_key, output]`. Values
/// live as long as the manager: for `mem_io_manager`, one run.
#[derive(Default)]
pub struct InMemoryIOManager {
    values: Mutex<HashMap<Vec<String>, Value>>,
}

impl std::fmt::Debug for InMemoryIOManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.values.lock().map(|v| v.len()).unwrap_or(0);
        write!(f, "InMemoryIOManager({n} values)")
    }
}

impl InMemoryIOManager {
    /// An empty manager.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many values are held.
    pub fn len(&self) -> usize {
        self.values.lock().map(|v| v.len()).unwrap_or(0)
    }

    /// Whether no value is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn store(&self, ctx: &OutputContext, value: Value) -> Result<()> {
        let id = ctx.get_identifier()?;
        self.values
            .lock()
            .map_err(|_| Error::msg("the in-memory store was poisoned by a panic"))?
            .insert(id, value);
        Ok(())
    }

    fn fetch<T>(
        &self,
        ctx: &InputContext,
        f: impl FnOnce(&(dyn Any + Send + Sync)) -> Result<T>,
    ) -> Result<T> {
        let what = match ctx.asset_key() {
            Ok(k) => format!("asset `{k}`"),
            Err(_) => format!("input `{}`", ctx.name().unwrap_or("?")),
        };
        let up = ctx.upstream_output().ok_or_else(|| {
            Error::msg(format!(
                "InMemoryIOManager cannot load {what}: it has no upstream output to look up"
            ))
        })?;
        if up.run_id.is_none() {
            return Err(Error::msg(format!(
                "InMemoryIOManager cannot load {what}: it was not materialized in this run, and in-memory values live only in the run that produced them; use a persistent manager such as FilesystemIOManager for it"
            )));
        }
        let id = up.get_identifier()?;
        let values = self
            .values
            .lock()
            .map_err(|_| Error::msg("the in-memory store was poisoned by a panic"))?;
        match values.get(&id) {
            Some(v) => f(v.as_ref()),
            None => Err(Error::NotMaterialized {
                what,
                location: format!("memory under {id:?}"),
            }),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> IOManager<T> for InMemoryIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &T) -> Result<()> {
        self.store(ctx, Box::new(obj.clone()))
    }

    fn load_input(&self, ctx: &mut InputContext) -> Result<T> {
        let what = format!("{} (held in memory)", describe_input(ctx));
        self.fetch(ctx, |v| {
            v.downcast_ref::<T>()
                .cloned()
                .ok_or_else(|| Error::TypeMismatch {
                    what,
                    expected: std::any::type_name::<T>(),
                    found: "another type".to_owned(),
                })
        })
    }
}

fn needs_clone(ty: &TypeInfo) -> std::result::Result<(), String> {
    match ty.clone {
        Some(_) => Ok(()),
        None => Err(format!(
            "it keeps a copy of each value, so `{}` must implement Clone",
            ty.short_name()
        )),
    }
}

impl DynIOManager for InMemoryIOManager {
    fn supports_output(ty: &TypeInfo) -> std::result::Result<(), String> {
        needs_clone(ty)
    }

    fn supports_input(ty: &TypeInfo) -> std::result::Result<(), String> {
        needs_clone(ty)
    }

    fn handle_output_dyn(
        &self,
        ctx: &mut OutputContext,
        value: &(dyn Any + Send + Sync),
        ty: &TypeInfo,
    ) -> Result<()> {
        let clone = ty
            .clone
            .ok_or_else(|| Error::msg(needs_clone(ty).unwrap_err()))?;
        let copy =
            clone(value).ok_or_else(|| Error::msg(format!("the value is not a `{}`", ty.name)))?;
        self.store(ctx, copy)
    }

    fn load_input_dyn(&self, ctx: &mut InputContext, ty: &TypeInfo) -> Result<Value> {
        let clone = ty
            .clone
            .ok_or_else(|| Error::msg(needs_clone(ty).unwrap_err()))?;
        let what = format!("{} (held in memory)", describe_input(ctx));
        self.fetch(ctx, |v| {
            clone(v).ok_or_else(|| Error::TypeMismatch {
                what,
                expected: ty.name,
                found: "another type".to_owned(),
            })
        })
    }
}

impl IntoResourceDefinition for InMemoryIOManager {
    /// Binds this very manager: its values outlive the run.
    fn into_resource_definition(self) -> ResourceDefinition {
        hardcoded_io_manager(self)
            .into_resource_definition()
            .persistent(false)
    }
}

/// The in-memory manager as a definition: a fresh, empty manager per run.
pub fn mem_io_manager() -> IOManagerDefinition {
    let mut def = IOManagerDefinition::new_dyn(|_| Ok(InMemoryIOManager::new()))
        .description("Built-in IO manager that stores and retrieves values in memory.");
    // Values live in this process only: no other process, and no
    // re-execution, can read them.
    def.0.persistent = false;
    def
}

// `IOManagerDefinition::hardcoded(InMemoryIOManager)` serves any serde type too.
inventory::submit! { crate::io::manager::dyn_manager_type::<InMemoryIOManager>() }
