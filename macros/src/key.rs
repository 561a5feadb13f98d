//! Manager keys: their syntax, how a declaration makes a key exist
//! program-wide, and how a use checks it (keycheck "a3 + d").
//!
//! A key `K` is the type `IoKey<{ key_hash("K") }>`. A declaration emits
//! `impl KeyIs<D> for IoKey<..>` with a local marker `D`; a use calls
//! `declaration_for(IoKey::<..>)`, which compiles only when exactly one
//! such impl exists, in this crate or any dependency. Trait impls are
//! global, so no import or central list is needed. The type checks go
//! through `D: StoresOutput<T>` / `D: LoadsInput<T, _>`, implemented by the
//! declaration for what its manager stores and loads.
//!
//! Key rule: ASCII letters, digits and `_`, not starting with a digit (the
//! rule Dagster applies to resource keys). Keys then read the same in code,
//! in run config (`resources.<key>.config`) and in messages.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::LitStr;

/// A checked manager key and the literal it was written as.
#[derive(Clone)]
pub struct Key {
    pub lit: LitStr,
}

/// The key of the manager storing an asset or output that names none.
pub const DEFAULT_IO_MANAGER: &str = "io_manager";

impl Key {
    /// An `io_manager_key`: `None` for the default key written out, which
    /// needs no declaration (it is bound, and checked, with the
    /// `Definitions`), so it means the same as leaving the key out.
    pub fn parse_io_manager_key(lit: LitStr) -> syn::Result<Option<Key>> {
        let key = Key::parse(lit)?;
        Ok((key.lit.value() != DEFAULT_IO_MANAGER).then_some(key))
    }

    /// Validates `lit` against the key rule.
    pub fn parse(lit: LitStr) -> syn::Result<Key> {
        let value = lit.value();
        if value.is_empty() {
            return Err(syn::Error::new(lit.span(), "a manager key cannot be empty"));
        }
        let valid_start = value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let valid_rest = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !(valid_start && valid_rest) {
            let mut fixed: String = value
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            if fixed.starts_with(|c: char| c.is_ascii_digit()) {
                fixed.insert(0, '_');
            }
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "invalid manager key \"{value}\": keys are made of ASCII letters, digits and `_`, and do not start with a digit; did you mean \"{fixed}\"?"
                ),
            ));
        }
        Ok(Key { lit })
    }

    /// `IoKey<{ key_hash("k") }>`, spanned at the literal.
    pub fn io_key_type(&self) -> TokenStream {
        let lit = &self.lit;
        quote_spanned! {lit.span()=>
            ::larder::__private::IoKey<{ ::larder::__private::key_hash(#lit) }>
        }
    }

    /// `declaration_for(IoKey::<..>)`: resolves the key to its declaration
    /// marker. An undeclared key fails here, on the literal, with `KeyIs`'s
    /// message. (Explicit `::<_, _>`: without it, rustc's ambiguity error
    /// for a duplicate key suggests adding generics to the literal.)
    pub fn declaration_for(&self) -> TokenStream {
        let lit = &self.lit;
        quote_spanned! {lit.span()=>
            ::larder::__private::declaration_for::<_, _>(::larder::__private::IoKey::<{ ::larder::__private::key_hash(#lit) }>)
        }
    }

    /// The compile-time-checked adapter storing `ty` with this key's
    /// manager: `<ty as StoredBy<_>>::typed_output(declaration_for(..))`.
    /// The type is the self type, so "cannot store" is reported on it; it
    /// is written out, never inferred (keycheck pitfall, section d).
    pub fn typed_output(&self, ty: &syn::Type) -> TokenStream {
        let inner = self.declaration_for();
        let (first, last) = token_spans(ty);
        let open = quote_spanned! {first=> < };
        let rest = quote_spanned! {last=> as ::larder::__private::StoredBy<_>>::typed_output };
        quote! { #open #ty #rest (#inner) }
    }

    /// The compile-time-checked loader of `ty` with this key's manager.
    pub fn typed_loader(&self, ty: &syn::Type) -> TokenStream {
        let inner = self.declaration_for();
        let (first, last) = token_spans(ty);
        let open = quote_spanned! {first=> < };
        let rest = quote_spanned! {last=> as ::larder::__private::LoadedBy<_, _>>::typed_loader };
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
        // and rustc reports it here, on the literal (check 4).
        let self_check = key.declaration_for();
        let line = quote_spanned! {lit.span()=> ::core::line!() };
        let stores = stores.then(|| {
            quote! {
                impl<__T: ::core::marker::Send + ::core::marker::Sync + 'static> ::larder::__private::StoresOutput<__T>
                    for #marker
                where
                    #manager: ::larder::IOManager<__T>,
                {
                    fn typed_output() -> ::larder::__private::TypedOutput {
                        ::larder::__private::TypedOutput::new::<#manager, __T>()
                    }
                }
            }
        });
        quote! {
            impl ::larder::__private::KeyIs<#marker> for #io_key {}

            #stores

            impl<__T: ::core::marker::Send + ::core::marker::Sync + 'static, __V> ::larder::__private::LoadsInput<__T, __V>
                for #marker
            where
                #manager: ::larder::__private::LoadInput<__T, __V>,
            {
                fn typed_loader() -> ::larder::__private::TypedLoader {
                    ::larder::__private::TypedLoader::new::<#manager, __T, __V>()
                }
            }

            const _: () = {
                #self_check;
            };

            ::larder::__private::inventory::submit! {
                ::larder::__private::ManagerRegistration {
                    key: #lit,
                    type_name: #type_name,
                    location: ::core::concat!(::core::file!(), ":", #line),
                    build: #build,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> syn::Result<Key> {
        Key::parse(LitStr::new(s, Span::call_site()))
    }

    fn err(s: &str) -> String {
        key(s).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn key_rule() {
        assert!(key("warehouse").is_ok());
        assert!(key("_private_2").is_ok());
        assert!(err("").contains("cannot be empty"));
        let bad = err("my-warehouse");
        assert!(bad.contains("did you mean \"my_warehouse\""), "{bad}");
        assert!(err("2fast").contains("\"_2fast\""));
    }

    #[test]
    fn markers_are_named_after_keys() {
        let k = key("warehouse").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(marker_ident(&k).to_string(), "key_warehouse");
    }
}
