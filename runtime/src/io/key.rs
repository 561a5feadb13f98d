//! Manager keys at the type level, for the code `#[io_manager]`,
//! `#[input_manager]`, `#[asset]` and `#[op]` generate. Not for use by hand.
//!
//! A key is spelled out in chars, `IoManagerKey<'w', 'a', 'r', ...>`, so
//! compile errors show it. A declaration implements
//! [`IoManagerKeyDeclaredBy`] for its key with a marker of its own; a use
//! resolves the key to that marker (unique impl: rustc infers it) and then
//! checks what the declared manager stores or loads through the marker.
//! The per-key messages ("no IO manager or input manager is declared with
//! key `k`", "IO manager key `k` is declared more than once") are on
//! traits the macros emit at each site, with the key written in.
//!
//! This module is public (not under `__private`) because rustc prints its
//! paths in those errors; it may still change in any release.

use crate::io::manager::{TypedLoader, TypedOutput};

/// Longest manager key: one const parameter per character.
pub const MAX_KEY_CHARS: usize = 64;

/// A manager key, one character per parameter; unused positions are `'\0'`
/// (keys are ASCII letters, digits and `_`, so padding is unambiguous).
pub struct IoManagerKey<
    const C0: char = '\0',
    const C1: char = '\0',
    const C2: char = '\0',
    const C3: char = '\0',
    const C4: char = '\0',
    const C5: char = '\0',
    const C6: char = '\0',
    const C7: char = '\0',
    const C8: char = '\0',
    const C9: char = '\0',
    const C10: char = '\0',
    const C11: char = '\0',
    const C12: char = '\0',
    const C13: char = '\0',
    const C14: char = '\0',
    const C15: char = '\0',
    const C16: char = '\0',
    const C17: char = '\0',
    const C18: char = '\0',
    const C19: char = '\0',
    const C20: char = '\0',
    const C21: char = '\0',
    const C22: char = '\0',
    const C23: char = '\0',
    const C24: char = '\0',
    const C25: char = '\0',
    const C26: char = '\0',
    const C27: char = '\0',
    const C28: char = '\0',
    const C29: char = '\0',
    const C30: char = '\0',
    const C31: char = '\0',
    const C32: char = '\0',
    const C33: char = '\0',
    const C34: char = '\0',
    const C35: char = '\0',
    const C36: char = '\0',
    const C37: char = '\0',
    const C38: char = '\0',
    const C39: char = '\0',
    const C40: char = '\0',
    const C41: char = '\0',
    const C42: char = '\0',
    const C43: char = '\0',
    const C44: char = '\0',
    const C45: char = '\0',
    const C46: char = '\0',
    const C47: char = '\0',
    const C48: char = '\0',
    const C49: char = '\0',
    const C50: char = '\0',
    const C51: char = '\0',
    const C52: char = '\0',
    const C53: char = '\0',
    const C54: char = '\0',
    const C55: char = '\0',
    const C56: char = '\0',
    const C57: char = '\0',
    const C58: char = '\0',
    const C59: char = '\0',
    const C60: char = '\0',
    const C61: char = '\0',
    const C62: char = '\0',
    const C63: char = '\0',
>;

/// `IoManagerKey<..>: IoManagerKeyDeclaredBy<D>`: the key is declared by the
/// declaration whose marker is `D`. One impl per declaration, anywhere in
/// the program. Deliberately without a message of its own: the messages
/// are on the per-site traits, and rustc then lists the declared keys.
pub trait IoManagerKeyDeclaredBy<D> {}

/// The manager declared with marker `Self` stores `T`. Implemented by each
/// `#[io_manager]` declaration for the types its manager stores, so a
/// missing `IOManager<T>` is reported with that trait's message.
#[diagnostic::on_unimplemented(
    message = "the manager declared for this key cannot store values of type `{T}`",
    label = "not storable by the manager declared for this key",
    note = "the key is declared by an input manager, which only loads inputs; use a key declared with `#[io_manager]` or `#[derive(ConfigurableIOManager)]` whose manager implements `IOManager<{T}>`"
)]
pub trait ManagerDeclaredForKeyStores<T> {
    /// The adapter storing `T` with the declared manager.
    fn typed_output() -> TypedOutput;
}

/// The manager declared with marker `Self` loads `T` (through `V`, see
/// `LoadInput`). Every declaration implements it, bounded by `LoadInput`,
/// so it has no message of its own: `LoadInput`'s names the manager.
pub trait ManagerDeclaredForKeyLoads<T, V> {
    /// The loader of `T` with the declared manager.
    fn typed_loader() -> TypedLoader;
}

/// `Self` is loaded by the manager of declaration `D`. What a use checks:
/// its self type is the input's type, so rustc reports a failure with the
/// message of the innermost bound (`LoadInput`'s), on that type.
pub trait LoadedByManagerOf<D, V> {
    /// The loader of `Self` with the manager of declaration `D`.
    fn typed_loader() -> TypedLoader;
}
impl<T, V, D: ManagerDeclaredForKeyLoads<T, V>> LoadedByManagerOf<D, V> for T {
    fn typed_loader() -> TypedLoader {
        D::typed_loader()
    }
}

/// `<X as Same>::Out` is `X`: links a use site's two inference variables
/// without unifying them (see the macros' `key.rs`).
pub trait Same {
    /// `Self`.
    type Out;
}
impl<T> Same for T {
    type Out = T;
}

/// A value of type `!` for type checks that never run: its type makes an
/// inference variable fall back to `!` when nothing else determines it.
pub fn never() -> ! {
    unreachable!("larder's generated key checks never run")
}

/// `R: ResourceOfKey<D>`: the resource declared with marker `D` is an `R`.
/// Implemented by each `#[resource]` / `#[derive(ConfigurableResource)]`
/// declaration for its type, and by manager declarations for their manager
/// type; a `resources(..)` parameter checks it for the type it takes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the type of the resource declared with this key",
    label = "the resource declared for this key is of another type",
    note = "a `resources(..)` parameter takes `&R`, `R` the type its key's `#[resource]` function returns or its `#[derive(ConfigurableResource)]` struct"
)]
pub trait ResourceOfKey<D> {}

/// A second impl of [`ResourceOfKey`] for every type, so the parameter's
/// type alone never determines the declaration (with one declaration in
/// the program, rustc would infer it and report a mismatch on top of an
/// unknown key).
pub struct AnyResourceType;

#[diagnostic::do_not_recommend]
impl<T: ?Sized> ResourceOfKey<AnyResourceType> for T {}

/// An asset key at the type level: a 128-bit hash of its path, computed
/// by the macros (asset keys may be long and hold any character).
pub struct AssetKeyHash<const H: u128>;

/// `AssetKeyHash<H>: AssetStoredByDeclaredManager<A>`: the `#[asset]` of
/// marker `A` has that key, and its output names a declared manager key.
/// One impl per such asset; assets stored under the default key, or built
/// without the macro, have none (their manager is checked at validation).
pub trait AssetStoredByDeclaredManager<A> {}

/// `A: AssetManagerDeclaredBy<D>`: the asset of marker `A` is stored by
/// the manager of declaration `D` (resolved through its key's
/// declaration, wherever that is).
pub trait AssetManagerDeclaredBy<D> {}

/// Probes, at a downstream input, whether its upstream asset is stored by
/// a declared manager (then that manager must load the input's type: a
/// compile error otherwise) or not (then it is checked at validation).
pub mod upstream_probe {
    use super::AssetStoredByDeclaredManager;
    use std::marker::PhantomData;

    /// The type probed: `Probe<AssetKeyHash<H>>`.
    pub struct Probe<K>(PhantomData<K>);
    impl<K> Probe<K> {
        /// The probe's value.
        pub const NEW: Self = Probe(PhantomData);
    }

    /// What the fallback finds: no declared manager stores the upstream.
    pub struct NoDeclaredUpstream;

    /// Chosen when the upstream's asset is stored by a declared manager.
    pub trait Declared<A> {
        /// The upstream asset's marker.
        fn __larder_upstream(&self) -> PhantomData<A> {
            PhantomData
        }
    }
    impl<K: AssetStoredByDeclaredManager<A>, A> Declared<A> for Probe<K> {}

    /// The fallback.
    pub trait NotDeclared {
        /// No marker.
        fn __larder_upstream(&self) -> NoDeclaredUpstream {
            NoDeclaredUpstream
        }
    }
    impl<K> NotDeclared for &Probe<K> {}
}
