//! Not public API. The only surface generated code touches; everything here
//! may change in any release.

use std::marker::PhantomData;

pub use crate::definitions::registry::{
    AssetRegistration, JobRegistration, ManagerRegistration, OpRegistration,
};
pub use crate::io::manager::{LoadInput, TypedLoader, TypedOutput, via};
pub use crate::model::types::probe;
pub use inventory;
pub use serde;
pub use serde_json;

use crate::error::{BoxError, Error, Result};
use crate::io::lifecycle::ResourceLifecycle;
use crate::io::manager::IOManager;
use crate::io::resources::{
    InitContext, IntoResourceDefinition, ResourceDefinition, ResourceKind, SupportsFn, ToDynFn,
};

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

/// Values that can flow between steps.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an asset or op value",
    label = "values passed between steps must be `Send + Sync + 'static`",
    note = "wrap shared state in `Arc<Mutex<..>>`, or return owned data"
)]
pub trait StepValue: Send + Sync + 'static {}
impl<T: Send + Sync + 'static> StepValue for T {}

/// Checks `T: StepValue` at the span of the type it is called with.
pub const fn assert_step_value<T: StepValue>() {}

/// Converts a user error into larder's, keeping larder errors as they are.
pub fn user_error<E: Into<BoxError>>(err: E) -> Error {
    match err.into().downcast::<Error>() {
        Ok(e) => *e,
        Err(other) => Error::User(other),
    }
}

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
    .__with_dyn_support(dyn_support);
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
    pub setup: fn(&mut M, &mut InitContext) -> Result<()>,
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

    pub trait DynYes {
        fn __larder_dyn(&self) -> Option<(ToDynFn, SupportsFn, SupportsFn)>;
    }
    impl<M: DynIOManager> DynYes for Probe<M> {
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
    pub trait DynNo {
        fn __larder_dyn(&self) -> Option<(ToDynFn, SupportsFn, SupportsFn)> {
            None
        }
    }
    impl<M> DynNo for &Probe<M> {}

    pub trait LifeYes<M> {
        fn __larder_lifecycle(&self) -> Option<Lifecycle<M>>;
    }
    impl<M: ResourceLifecycle> LifeYes<M> for Probe<M> {
        fn __larder_lifecycle(&self) -> Option<Lifecycle<M>> {
            Some(Lifecycle {
                setup: M::setup_for_execution,
                teardown: M::teardown_after_execution,
            })
        }
    }
    pub trait LifeNo<M> {
        fn __larder_lifecycle(&self) -> Option<Lifecycle<M>> {
            None
        }
    }
    impl<M> LifeNo<M> for &Probe<M> {}

    pub trait SerYes {
        fn __larder_to_json(&self) -> Option<fn(&dyn std::any::Any) -> serde_json::Value>;
    }
    impl<M: serde::Serialize + 'static> SerYes for Probe<M> {
        fn __larder_to_json(&self) -> Option<fn(&dyn std::any::Any) -> serde_json::Value> {
            Some(|v| {
                v.downcast_ref::<M>()
                    .and_then(|m| serde_json::to_value(m).ok())
                    .unwrap_or_default()
            })
        }
    }
    pub trait SerNo {
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

pub use crate::{
    __config_json as config_json, __dyn_support as dyn_support, __lifecycle as lifecycle, type_info,
};

/// `#[derive(ConfigurableIOManager)]`: this very instance, shared by runs.
pub fn configurable_shared<M: Send + Sync + 'static>(
    manager: M,
    config: serde_json::Value,
    dyn_support: Option<(ToDynFn, SupportsFn, SupportsFn)>,
    lifecycle: Option<Lifecycle<M>>,
) -> ResourceDefinition {
    let mut def = ResourceDefinition::shared(ResourceKind::IOManager, std::sync::Arc::new(manager))
        .__with_dyn_support(dyn_support)
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
    .__with_dyn_support(dyn_support)
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
    .__with_dyn_support(dyn_support)
    .config_type::<F>()
    .on_teardown(move |m: &F::Manager, ctx| {
        let factory = for_teardown.lock().ok().and_then(|mut h| h.take());
        match factory {
            Some(f) => f.teardown_after_execution(m, ctx),
            None => Ok(()),
        }
    })
}

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

/// Sets output `index` of a step; `T: StepValue` gives larder's message
/// (on the output type) for values that cannot travel between steps.
pub fn set_step_output<T: StepValue>(io: &mut StepIo<'_>, index: usize, value: T) -> Result<()> {
    io.set_output(index, value)
}

use crate::definitions::StepIo;
use crate::io::context::{InputContext, OutputContext};

/// What a `#[job]` body invokes: the proxy struct of an `#[op]` function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `#[op]`",
    label = "a `#[job]` body invokes `#[op]` functions",
    note = "annotate the function with `#[op]`; assets are not wired in jobs, they are materialized with `Definitions`"
)]
pub trait OpProxy: Sized {
    /// The op's definition.
    fn definition() -> crate::definitions::OpDefinition;

    /// Invokes the op in a job, its inputs wired to `args`. Called through
    /// the trait, so a non-op is reported once, and its arguments not at all.
    fn invoke<A: OpArgs<Self>>(
        job: &mut crate::definitions::JobBuilder,
        args: A,
    ) -> crate::definitions::Invocation {
        let op = Self::definition();
        let names: Vec<String> = op.inputs().iter().map(|i| i.name().to_owned()).collect();
        let wired: Vec<(&str, crate::definitions::OutputHandle)> = names
            .iter()
            .zip(args.wire())
            .filter_map(|(n, h)| h.map(|h| (n.as_str(), h)))
            .collect();
        job.invoke(&op, wired)
    }
}

/// The arguments of an op call in a `#[job]` body: one upstream output per
/// input, or one per input without an `input_manager_key`.
#[diagnostic::on_unimplemented(
    message = "wrong number of arguments for `#[op]` `{P}`",
    label = "pass one upstream output per input of `{P}`, in order",
    note = "inputs with an `input_manager_key` may be left out: their manager loads them (root inputs)"
)]
pub trait OpArgs<P> {
    /// Each input's upstream output, `None` for a root input.
    fn wire(self) -> Vec<Option<crate::definitions::OutputHandle>>;
}

/// The compute function of a generated asset or op, boxed without a
/// per-function instantiation: it is a plain `fn`, so every asset shares
/// one `Arc<fn>` vtable.
pub fn compute_fn(
    f: for<'a, 'b> fn(&'a mut crate::definitions::StepIo<'b>) -> Result<()>,
) -> crate::definitions::ComputeFn {
    std::sync::Arc::new(f)
}
