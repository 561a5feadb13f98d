//! How a declaration makes a manager key exist program-wide, and how a use
//! checks it.
//!
//! A key `K` is the type `IoKey<{ key_hash("K") }>`. A declaration emits
//! `impl KeyIs<D> for IoKey<..>` with a local marker `D`; a use calls
//! `declaration_for(IoKey::<..>)`, which compiles only when exactly one
//! such impl exists, in this crate or any dependency. Trait impls are
//! global, so no import or central list is needed. The type checks go
//! through `D: StoresOutput<T>` / `D: LoadsInput<T, _>`, implemented by the
//! declaration for what its manager stores and loads: a use names the type
//! it stores or loads, so a mismatch is reported on the user's type, at
//! compile time, wherever the manager was declared.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

use crate::exports::*;
use crate::key::Key;

impl Key {
    /// `IoKey<{ key_hash("k") }>`, spanned at the literal.
    pub fn io_key_type(&self) -> TokenStream {
        let lit = &self.lit;
        let io_key = __IoKey.at(lit.span());
        let key_hash = __key_hash.at(lit.span());
        quote_spanned! {lit.span()=>
            #io_key<{ #key_hash(#lit) }>
        }
    }

    /// `declaration_for(IoKey::<..>)`: resolves the key to its declaration
    /// marker. An undeclared key fails here, on the literal, with `KeyIs`'s
    /// message. (Explicit `::<_, _>`: without it, rustc's ambiguity error
    /// for a duplicate key suggests adding generics to the literal.)
    pub fn declaration_for(&self) -> TokenStream {
        let lit = &self.lit;
        let declaration_for = __declaration_for.at(lit.span());
        let io_key = __IoKey.at(lit.span());
        let key_hash = __key_hash.at(lit.span());
        quote_spanned! {lit.span()=>
            #declaration_for::<_, _>(#io_key::<{ #key_hash(#lit) }>)
        }
    }

    /// The compile-time-checked adapter storing `ty` with this key's
    /// manager: `<ty as StoredBy<_>>::typed_output(declaration_for(..))`.
    /// The type is the self type, so "cannot store" is reported on it; it
    /// is written out, never left to inference, since an inferred type has
    /// no span of the user's to report the error at.
    pub fn typed_output(&self, ty: &syn::Type) -> TokenStream {
        let inner = self.declaration_for();
        let (first, last) = token_spans(ty);
        let open = quote_spanned! {first=> < };
        let stored_by = __StoredBy.at(last);
        let rest = quote_spanned! {last=> as #stored_by<_>>::typed_output };
        quote! { #open #ty #rest (#inner) }
    }

    /// The compile-time-checked loader of `ty` with this key's manager.
    pub fn typed_loader(&self, ty: &syn::Type) -> TokenStream {
        let inner = self.declaration_for();
        let (first, last) = token_spans(ty);
        let open = quote_spanned! {first=> < };
        let loaded_by = __LoadedBy.at(last);
        let rest = quote_spanned! {last=> as #loaded_by<_, _>>::typed_loader };
        quote! { #open #ty #rest (#inner) }
    }

    /// Only that the key resolves (for `()` outputs, which are not stored).
    pub fn exists_check(&self) -> TokenStream {
        let inner = self.declaration_for();
        quote! { #inner; }
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
        let io_key = key.io_key_type();
        let lit = &key.lit;
        // Unannotated, so the marker is inferred from the impls: with a
        // second declaration of this key anywhere, inference is ambiguous
        // and rustc reports the key declared twice here, on the literal.
        let self_check = key.declaration_for();
        let line_macro = _line.at(lit.span());
        let line = quote_spanned! {lit.span()=> #line_macro!() };
        let stores = stores.then(|| {
            quote! {
                impl<__T: #_Send + #_Sync + 'static> #__StoresOutput<__T>
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
            impl #__KeyIs<#marker> for #io_key {}

            #stores

            impl<__T: #_Send + #_Sync + 'static, __V> #__LoadsInput<__T, __V>
                for #marker
            where
                #manager: #_LoadInput<__T, __V>,
            {
                fn typed_loader() -> #_TypedLoader {
                    #_TypedLoader::new::<#manager, __T, __V>()
                }
            }

            const _: () = {
                #self_check;
            };

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
