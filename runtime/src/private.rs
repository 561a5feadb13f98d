//! Not public API. The only surface generated code touches; everything here
//! may change in any release.

use std::marker::PhantomData;

pub use crate::{
    __config_json as config_json, __dyn_support as dyn_support, __lifecycle as lifecycle, type_info,
};

pub use crate::definitions::job::{OpArgs, OpProxy};
pub use crate::definitions::op::{StepValue, assert_step_value, compute_fn, set_step_output};
pub use crate::definitions::registry::{
    AssetRegistration, JobRegistration, ManagerRegistration, OpRegistration,
};
pub use crate::error::user_error;
pub use crate::io::declared::{
    DynSupport, Lifecycle, configurable_at_launch, configurable_shared, factory_at_launch,
    factory_definition, into_definition, manager_definition, manager_probe,
};
pub use crate::io::manager::{LoadInput, TypedLoader, TypedOutput, via};
pub use crate::model::types::probe;
pub use inventory;
pub use serde;
pub use serde_json;

use crate::error::Result;
use crate::io::context::{InputContext, OutputContext};
use crate::io::manager::IOManager;

/// A manager key at the type level: `IoKey<{ key_hash("warehouse") }>`.
#[derive(Clone, Copy)]
pub struct IoKey<const H: u64>;

/// FNV-1a of a key; the one function that turns keys into types.
pub const fn key_hash(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// `IoKey<H>: KeyIs<D>` says the key hashing to `H` is declared by `D`.
/// Implemented once per declaration; a unique impl lets rustc infer `D`.
#[diagnostic::on_unimplemented(
    message = "no IO manager or input manager is declared with this key",
    label = "unknown manager key",
    note = "declare one with `#[io_manager(key = \"...\")]`, `#[input_manager(key = \"...\")]`, or `#[derive(ConfigurableIOManager)]` with `#[io_manager(key = \"...\")]`, in this crate or a dependency",
    note = "a key declared in a dependency is found only when that crate is linked: refer to it once, e.g. `use the_crate as _;`",
    note = "the default key `io_manager` needs no declaration"
)]
pub trait KeyIs<D> {}

// ---- Key resolution that allows private manager types ----
//
// `Declared::Manager` names the manager in a public associated type, which
// rustc rejects (E0446) when the manager is private to its module while
// the marker must be public (keys are used from any module). So the
// macros resolve a key to its marker only, and put the manager type in
// the where clauses of the capability impls below, which may mention
// private types.

/// Resolves a key to its declaration marker: a compile error on the key
/// when no declaration (or more than one) is visible.
pub const fn declaration_for<K: KeyIs<D> + Copy, D>(_: K) -> PhantomData<D> {
    PhantomData
}

/// The declaration's manager stores `T`. Generated as
/// `impl<T> StoresOutput<T> for Marker where Manager: IOManager<T>`, so a
/// missing `IOManager<T>` is reported with that trait's message.
#[diagnostic::on_unimplemented(
    message = "the manager declared for this key cannot store values of type `{T}`",
    label = "not storable by the manager declared for this key",
    note = "the key is declared by an input manager, which only loads inputs; use a key declared with `#[io_manager]` or `#[derive(ConfigurableIOManager)]` whose manager implements `IOManager<{T}>`"
)]
pub trait StoresOutput<T> {
    /// The adapter storing `T` with the declared manager.
    fn typed_output() -> TypedOutput;
}

/// The declaration's manager loads `T` (through `V`, see `LoadInput`).
#[diagnostic::on_unimplemented(
    message = "the manager declared for this key cannot load values of type `{T}`",
    label = "not loadable by the manager declared for this key",
    note = "implement `larder::InputManager<{T}>` or `larder::IOManager<{T}>` for the manager, or use a key whose manager loads `{T}`"
)]
pub trait LoadsInput<T, V> {
    /// The loader of `T` with the declared manager.
    fn typed_loader() -> TypedLoader;
}

/// `T` is stored by the manager of declaration `D`. Generated code calls
/// `<T as StoredBy<_>>::typed_output(declaration_for(..))` with the output
/// type as written, so rustc reports a type the manager cannot store on
/// that type.
pub trait StoredBy<D>: Sized {
    /// The adapter storing `Self` with the declared manager.
    fn typed_output(declaration: PhantomData<D>) -> TypedOutput;
}

impl<T: Send + Sync + 'static, D: StoresOutput<T>> StoredBy<D> for T {
    fn typed_output(_: PhantomData<D>) -> TypedOutput {
        D::typed_output()
    }
}

/// `T` is loaded by the manager of declaration `D` (see [`StoredBy`]).
pub trait LoadedBy<D, V>: Sized {
    /// The loader of `Self` with the declared manager.
    fn typed_loader(declaration: PhantomData<D>) -> TypedLoader;
}

impl<T: Send + Sync + 'static, D: LoadsInput<T, V>, V> LoadedBy<D, V> for T {
    fn typed_loader(_: PhantomData<D>) -> TypedLoader {
        D::typed_loader()
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
