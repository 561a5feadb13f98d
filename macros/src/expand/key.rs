//! How a declaration makes a manager key exist program-wide, and how a use
//! checks it.
//!
//! A key `k` is the type `larder::key::IoManagerKey<'k', ..>`, its chars
//! spelled out so errors show it. A declaration emits
//! `impl IoManagerKeyDeclaredBy<D> for IoManagerKey<..>` with a local marker
//! `D`; a use resolves the key to `D` through per-site traits whose messages
//! name the key (`Key::check_items`): it compiles only when exactly one such
//! impl exists, in this crate or any dependency. Trait impls are global, so
//! no import or central list is needed. The type checks go through
//! `D: ManagerDeclaredForKeyStores<T>` / `ManagerDeclaredForKeyLoads<T, _>`,
//! implemented by the declaration for what its manager stores and loads: a
//! use names the type it stores or loads, so a mismatch is reported on the
//! user's type, wherever the manager was declared.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::LitChar;

use crate::exports::*;
use crate::key::Key;

/// What a key names at a use site, for the messages.
#[derive(Clone, Copy)]
pub enum KeyUse {
    Manager,
    Resource,
}

impl Key {
    /// `IoManagerKey<'w', 'a', ...>`, spanned at the literal.
    pub fn key_type(&self) -> TokenStream {
        let span = self.lit.span();
        let value = self.lit.value();
        let chars = value.chars().map(|c| LitChar::new(c, span));
        let key_type = _IoManagerKey.at(span);
        quote_spanned! {span=> #key_type<#(#chars),*> }
    }

    /// The items that check this key at one site, spanned at the literal:
    /// `fn io_manager_key_is_declared_once`, which compiles only when
    /// exactly one declaration of the key is visible, and otherwise fails
    /// with a message naming the key.
    ///
    /// Two inference variables: `X` (ordinary) must be a marker `D` with
    /// `Key: IoManagerKeyDeclaredBy<D>`, else "no ... is declared with key";
    /// `Y` is diverging (the argument is `never()`) and linked to `X` by a
    /// projection. One declaration: `X` is inferred, `Y` follows. None:
    /// the first bound fails; `Y` takes `NoDeclaration` (its only impl).
    /// Two: both are ambiguous, `Y` falls back to `!`, for which only the
    /// "declared more than once" trait could hold, and does not. rustc
    /// then lists the declarations, because `IoManagerKeyDeclaredBy` has no
    /// message of its own and the blankets are not `do_not_recommend`.
    fn check_items(&self) -> TokenStream {
        self.check_items_for(KeyUse::Manager)
    }

    /// [`Key::check_items`], with the messages of `usage`.
    pub(super) fn check_items_for(&self, usage: KeyUse) -> TokenStream {
        let span = self.lit.span();
        let k = self.lit.value();
        let key = self.key_type();
        let declared_by = _IoManagerKeyDeclaredBy.at(span);
        let same = _Same.at(span);
        let phantom = _PhantomData.at(span);
        let (unknown, label, how, last) = match usage {
            KeyUse::Manager => (
                format!("no IO manager or input manager is declared with key `{k}`"),
                "no manager is declared with this key",
                "declare one with `#[io_manager(key = \"...\")]`, `#[input_manager(key = \"...\")]`, or `#[derive(ConfigurableIOManager)]` with `#[io_manager(key = \"...\")]`, in this crate or a dependency",
                "the default key `io_manager` needs no declaration",
            ),
            KeyUse::Resource => (
                format!("no resource is declared with key `{k}`"),
                "no resource is declared with this key",
                "declare one with `#[resource(key = \"...\")]` on a function returning it, or `#[derive(ConfigurableResource)]` with `#[resource(key = \"...\")]`, in this crate or a dependency",
                "a resource bound only at run time is read with `StepIo::resource` and listed in `required_resource_keys`",
            ),
        };
        let (duplicate, conflict) = match usage {
            KeyUse::Manager => (
                format!("IO manager key `{k}` is declared more than once"),
                "a key names one manager in the whole program: two declarations of it (`#[io_manager]`, `#[input_manager]`, the derives), in this crate or in linked dependencies, conflict; rename one",
            ),
            KeyUse::Resource => (
                format!("resource key `{k}` is declared more than once"),
                "a key names one resource in the whole program (managers included): two declarations of it (`#[resource]`, `#[io_manager]`, the derives), in this crate or in linked dependencies, conflict; rename one",
            ),
        };
        let per_deployment = match usage {
            KeyUse::Manager => format!(
                "for another manager per deployment (Python's subclass per deployment), declare it under its own key with `types = [..]`, e.g. `{k}_local`, and bind it under `{k}` where it is used: `.resource(\"{k}\", larder::declared_manager(\"{k}_local\"))`"
            ),
            KeyUse::Resource => format!(
                "for a fake in tests or another resource per deployment, declare one and rebind `{k}` at run time: `.resource_value(\"{k}\", value)`"
            ),
        };
        quote_spanned! {span=>
            type Key = #key;
            #[diagnostic::on_unimplemented(
                message = #unknown,
                label = #label,
                note = #how,
                note = "a key declared in a dependency is found only when that crate is linked: refer to it once, e.g. `use the_crate as _;`",
                note = #last
            )]
            trait IoManagerKeyIsDeclared<D> {}
            // Blanket over all `K` (not just `Key`), so that with no
            // declaration at all rustc does not offer this impl as a
            // candidate ("`IoManagerKeyIsDeclared<D>` is implemented for").
            impl<K, D> IoManagerKeyIsDeclared<D> for K
            where
                K: #declared_by<D>,
            {
            }
            pub struct NoDeclaration;
            #[diagnostic::on_unimplemented(
                message = #duplicate,
                label = "declared more than once",
                note = #conflict,
                note = #per_deployment
            )]
            trait IoManagerKeyIsDeclaredOnce<D> {}
            impl<D> IoManagerKeyIsDeclaredOnce<D> for Key
            where
                Key: #declared_by<D>,
            {
            }
            #[diagnostic::do_not_recommend]
            impl IoManagerKeyIsDeclaredOnce<NoDeclaration> for Key {}
            fn io_manager_key_is_declared_once<X, Y>(_: Y) -> #phantom<X>
            where
                Key: IoManagerKeyIsDeclared<X>,
                Key: IoManagerKeyIsDeclaredOnce<Y>,
                X: #same<Out = Y>,
            {
                #phantom
            }
        }
    }

    /// An expression of type `PhantomData<D>`, `D` the marker of the key's
    /// one declaration (the `if false` branch only drives inference).
    pub(super) fn declaration(&self) -> TokenStream {
        let span = self.lit.span();
        let never = _never.at(span);
        let phantom = _PhantomData.at(span);
        quote_spanned! {span=>
            if false {
                io_manager_key_is_declared_once(#never())
            } else {
                #phantom
            }
        }
    }

    /// The compile-time-checked adapter storing `ty` with this key's
    /// manager. "Cannot store" is reported on `ty`: it is the explicit
    /// argument of a method whose where clause fails (rustc points there,
    /// at the whole type, with no "introduced by this call" label). It is
    /// written out, never left to inference, since an inferred type has no
    /// span of the user's to report the error at.
    pub fn typed_output(&self, ty: &syn::Type) -> TokenStream {
        let check = self.check_items();
        let declaration = self.declaration();
        quote! {
            {
                #check
                trait DeclaredManager<D> {
                    fn stores_output_type<T>(self) -> #_TypedOutput
                    where
                        D: #_ManagerDeclaredForKeyStores<T>;
                }
                impl<D> DeclaredManager<D> for #_PhantomData<D> {
                    fn stores_output_type<T>(self) -> #_TypedOutput
                    where
                        D: #_ManagerDeclaredForKeyStores<T>,
                    {
                        D::typed_output()
                    }
                }
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let declaration = #declaration;
                declaration.stores_output_type::<#ty>()
            }
        }
    }

    /// The compile-time-checked loader of `ty` with this key's manager.
    pub fn typed_loader(&self, ty: &syn::Type) -> TokenStream {
        let check = self.check_items();
        let declaration = self.declaration();
        // The call spanned at the key: rustc adds "required by a bound
        // introduced by this call" there (the bound goes through an impl).
        let span = self.lit.span();
        let head = respan(quote! { declaration.loads_input_type::< }, span);
        let tail = respan(quote! { , _>() }, span);
        let call = quote! { #head #ty #tail };
        quote! {
            {
                #check
                trait DeclaredManager<D> {
                    fn loads_input_type<T, V>(self) -> #_TypedLoader
                    where
                        T: #_LoadedByManagerOf<D, V>;
                }
                impl<D> DeclaredManager<D> for #_PhantomData<D> {
                    fn loads_input_type<T, V>(self) -> #_TypedLoader
                    where
                        T: #_LoadedByManagerOf<D, V>,
                    {
                        <T as #_LoadedByManagerOf<D, V>>::typed_loader()
                    }
                }
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let declaration = #declaration;
                #call
            }
        }
    }

    /// That the key is declared once, for a declaration (items only).
    pub fn declared_once_check(&self) -> TokenStream {
        self.declared_once_check_for(KeyUse::Manager)
    }

    /// [`Key::declared_once_check`], with the messages of `usage`.
    pub fn declared_once_check_for(&self, usage: KeyUse) -> TokenStream {
        let check = self.check_items_for(usage);
        let declaration = self.declaration();
        quote! {
            #[allow(dead_code)]
            const _: () = {
                #check
                fn _io_manager_key_check() {
                    #[allow(unreachable_code, clippy::diverging_sub_expression)]
                    let _ = #declaration;
                }
            };
        }
    }

    /// Only that the key resolves (for `()` outputs, which are not stored).
    pub fn exists_check(&self) -> TokenStream {
        let check = self.check_items();
        let declaration = self.declaration();
        quote! {
            {
                #check
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let _ = #declaration;
            }
        }
    }
}

/// The spans of the first and last tokens of `tokens`, so generated code can
/// cover a whole user type (rustc joins them into one underline).
pub fn token_spans(tokens: &impl ToTokens) -> (Span, Span) {
    let mut first = None;
    let mut last = Span::call_site();
    for tt in tokens.to_token_stream() {
        let (open, close) = match &tt {
            proc_macro2::TokenTree::Group(g) => (g.span_open(), g.span_close()),
            other => (other.span(), other.span()),
        };
        first.get_or_insert(open);
        last = close;
    }
    (first.unwrap_or(last), last)
}

/// `tokens` with every span set to `span`.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// The marker of a declaration of `key`: named after the key, so rustc's
/// notes read "required for `key_warehouse` to implement ...".
pub fn marker_ident(key: &Key) -> proc_macro2::Ident {
    proc_macro2::Ident::new(&format!("key_{}", key.lit.value()), Span::call_site())
}

/// What a manager declaration emits (inside `const _: () = { .. };`):
/// the key's `KeyIs` impl for a public marker, the capability impls that
/// uses of the key check, the duplicate self-check, and the registration
/// for `Definitions::discover`.
///
/// The manager type appears only in where clauses: it may be private to
/// its module while the key is used from anywhere.
pub struct Declaration<'a> {
    pub key: &'a Key,
    /// The marker type (public, local: the orphan rule needs one).
    pub marker: TokenStream,
    /// The manager type the key stands for.
    pub manager: TokenStream,
    /// Whether the manager may store outputs (not for input managers).
    pub stores: bool,
    /// How the registration names the declaration in messages.
    pub type_name: String,
    /// A path to a `fn() -> ::larder::ResourceDefinition`.
    pub build: TokenStream,
}

impl Declaration<'_> {
    pub fn tokens(&self) -> TokenStream {
        let Declaration {
            key,
            marker,
            manager,
            stores,
            type_name,
            build,
        } = self;
        let key_type = key.key_type();
        let lit = &key.lit;
        // The key resolves here too: with a second declaration of this key
        // anywhere, rustc reports it here, on the literal, with no use of
        // the key needed.
        let self_check = key.declared_once_check();
        let line_macro = _line.at(lit.span());
        let line = quote_spanned! {lit.span()=> #line_macro!() };
        let stores = stores.then(|| {
            quote! {
                impl<__T: #_Send + #_Sync + 'static> #_ManagerDeclaredForKeyStores<__T>
                    for #marker
                where
                    #manager: #_IOManager<__T>,
                {
                    fn typed_output() -> #_TypedOutput {
                        #_TypedOutput::new::<#manager, __T>()
                    }
                }
            }
        });
        quote! {
            impl #_IoManagerKeyDeclaredBy<#marker> for #key_type {}

            #stores

            impl<__T: #_Send + #_Sync + 'static, __V> #_ManagerDeclaredForKeyLoads<__T, __V>
                for #marker
            where
                #manager: #_LoadInput<__T, __V>,
            {
                fn typed_loader() -> #_TypedLoader {
                    #_TypedLoader::new::<#manager, __T, __V>()
                }
            }

            #self_check

            #__submit! {
                #__ManagerRegistration {
                    key: #lit,
                    type_name: #type_name,
                    location: #_concat!(#_file!(), ":", #line),
                    build: #build,
                }
            }
        }
    }
}

/// The type-level form of an asset key: `AssetKeyHash<H>`, `H` a 128-bit
/// FNV-1a hash of its components (each followed by a NUL, so `["a/b"]`
/// and `["a", "b"]` differ). Both ends of an edge compute it here.
pub fn asset_key_type(components: &[String]) -> TokenStream {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for c in components {
        for b in c.bytes().chain([0]) {
            h ^= u128::from(b);
            h = h.wrapping_mul(0x0000000001000000000000000000013b);
        }
    }
    let lit = proc_macro2::Literal::u128_suffixed(h);
    quote! { #_AssetKeyHash<#lit> }
}

/// What an `#[asset]` stored under a declared key emits: the key of the
/// asset resolves to its marker, and the marker to the key's
/// declaration, so downstream inputs check their types against the
/// manager that stores it (see [`upstream_loader`]).
pub fn asset_stored_by(fn_ident: &syn::Ident, components: &[String], key: &Key) -> TokenStream {
    let asset_type = asset_key_type(components);
    let key_type = key.key_type();
    // Named for the asset and key: rustc names it in errors.
    let marker = proc_macro2::Ident::new(
        // Unraw: `asset_r#type_..` is no identifier (and `Ident::new` panics).
        &format!(
            "asset_{}_stored_under_key_{}",
            crate::attr::UnrawString::unraw_string(fn_ident),
            key.lit.value()
        ),
        Span::call_site(),
    );
    quote! {
        #[allow(non_camel_case_types)]
        pub struct #marker;
        impl #_AssetStoredByDeclaredManager<#marker> for #asset_type {}
        impl<__D> #_AssetManagerDeclaredBy<__D> for #marker
        where
            #key_type: #_IoManagerKeyDeclaredBy<__D>,
        {
        }
    }
}

/// The loader of `ty` for an asset input with no `input_manager_key`:
/// when its upstream asset (`upstream`, the key's components) is stored by
/// a declared manager, that manager's loader of `ty`, and a compile error
/// at `ty` naming the input, the upstream and the key when it cannot load
/// it; otherwise `TypedLoader::none()` (checked at validation).
pub fn upstream_loader(
    input: &str,
    asset: &str,
    upstream: &[String],
    ty: &syn::Type,
) -> TokenStream {
    let asset_type = asset_key_type(upstream);
    // Braces would be placeholders of the diagnostic's format string.
    let escape = |s: &str| s.replace('{', "{{").replace('}', "}}");
    let up = escape(&upstream.join("/"));
    let asset = escape(asset);
    let message = format!(
        "input `{input}` of asset `{asset}` is a `{{Self}}`, which the IO manager storing asset `{up}` (declared as `{{D}}`) cannot load"
    );
    let label = format!("not loadable by the manager that stores asset `{up}`");
    let note = "the upstream's manager loads its downstream inputs (Dagster's `load_input`), as their types ask; implement `larder::InputManager<{Self}>` (or `IOManager<{Self}>`) for that manager, change the input's type, or give the input an `input_manager_key` whose manager loads it";
    let (first, last) = token_spans(ty);
    let head = respan(quote! { __larder_upstream.input_loader::< }, first);
    let tail = respan(quote! { >() }, last);
    quote! {
        {
            #[allow(unused_imports)]
            use #_upstream_probe::{Declared as _, NotDeclared as _};
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait UpstreamManagerLoadsInput<D, V> {
                fn typed_loader() -> #_TypedLoader;
            }
            #[diagnostic::do_not_recommend]
            impl<T, D: #_ManagerDeclaredForKeyLoads<T, V>, V> UpstreamManagerLoadsInput<D, V> for T {
                fn typed_loader() -> #_TypedLoader {
                    D::typed_loader()
                }
            }
            trait FromDeclared<D, V> {
                fn input_loader<T: UpstreamManagerLoadsInput<D, V>>(self) -> #_TypedLoader;
            }
            impl<A: #_AssetManagerDeclaredBy<D>, D, V> FromDeclared<D, V> for #_PhantomData<A> {
                fn input_loader<T: UpstreamManagerLoadsInput<D, V>>(self) -> #_TypedLoader {
                    T::typed_loader()
                }
            }
            trait FromUndeclared {
                fn input_loader<T>(self) -> #_TypedLoader;
            }
            impl FromUndeclared for #_upstream_probe::NoDeclaredUpstream {
                fn input_loader<T>(self) -> #_TypedLoader {
                    #_TypedLoader::none()
                }
            }
            let __larder_upstream = (&#_upstream_probe::Probe::<#asset_type>::NEW).__larder_upstream();
            #head #ty #tail
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_named_after_keys() {
        let k = Key::parse(syn::LitStr::new("warehouse", Span::call_site()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(marker_ident(&k).to_string(), "key_warehouse");
    }
}
