//! `#[derive(ConfigurableIOManager)]` (the struct is the manager, its
//! fields its config) and `#[derive(ConfigurableIOManagerFactory)]` (the
//! struct builds the manager in `create_io_manager`). Both take the helper
//! attribute `#[io_manager(key = "...", ..)]`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{Data, DeriveInput, Fields, Meta};

use crate::attr::{Errors, Seen};
use crate::io_manager::{self, ManagerArgs};
use crate::key::Declaration;

#[derive(Clone, Copy)]
pub enum Kind {
    Manager,
    Factory,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::Manager => "`#[derive(ConfigurableIOManager)]`",
            Kind::Factory => "`#[derive(ConfigurableIOManagerFactory)]`",
        }
    }
}

pub(crate) const ARGS: &[&str] = &[
    "key",
    "description",
    "input_config",
    "output_config",
    "required_resource_keys",
    "version",
    "types",
];

pub fn expand(kind: Kind, item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let what = kind.what();
    let mut errors = Errors::default();
    let mut args = ManagerArgs::default();
    let mut seen = Seen::default();
    let mut first_helper = None;
    for a in input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("io_manager"))
    {
        first_helper.get_or_insert(a);
        match &a.meta {
            Meta::List(list) => {
                args.parse(
                    list.tokens.clone(),
                    ARGS,
                    "`#[io_manager]` argument",
                    &mut seen,
                    &mut errors,
                );
            }
            _ => errors.spanned(a, "expected `#[io_manager(key = \"...\")]`"),
        }
    }
    if args.key.is_none() && errors.is_empty() {
        let msg = format!(
            "{what} needs `#[io_manager(key = \"...\")]` on the struct: the key the manager is declared under"
        );
        match first_helper {
            Some(a) => errors.spanned(a, msg),
            None => errors.at(Span::call_site(), msg),
        }
    }
    check_shape(&input, what, &mut errors);

    let ident = &input.ident;
    let generic = !input.generics.params.is_empty();
    let (Some(key), true) = (&args.key, errors.is_empty()) else {
        let errs = errors.to_compile_errors();
        let dummies = if generic {
            TokenStream::new()
        } else {
            dummies(kind, ident)
        };
        return quote! {
            #errs
            const _: () = { #dummies };
        };
    };

    let span = ident.span();
    let marker = crate::key::marker_ident(key).to_token_stream();
    let decorations = args.decorations(None);
    let name = ident.to_string();
    match kind {
        Kind::Manager => {
            let decl = Declaration {
                key,
                marker: marker.clone(),
                manager: quote! { #ident },
                stores: true,
                type_name: name.clone(),
                build: quote! { <#ident as ::larder::ConfigurableIOManager>::configure_at_launch },
            }
            .tokens();
            let m = quote! { #ident };
            let dyn_impl = args
                .types
                .as_ref()
                .map(|(_, types)| io_manager::dyn_impl(&m, &name, types));
            let lit = &key.lit;
            // Spanned at the struct's name: a missing `Deserialize` or
            // `Send + Sync` is reported there.
            let at_launch = quote_spanned! {span=>
                ::larder::__private::configurable_at_launch::<#ident>(
                    ::larder::__private::dyn_support!(#ident),
                    ::larder::__private::lifecycle!(#ident),
                )
            };
            quote! {
                const _: () = {
                    // A public marker (not the struct itself, which may be
                    // private to its module while keys are used anywhere).
                    #[doc(hidden)]
                    #[allow(non_camel_case_types, dead_code, unreachable_pub)]
                    pub struct #marker {}

                    #decl

                    #[automatically_derived]
                    impl ::larder::ConfigurableIOManager for #ident {
                        const KEY: &'static str = #lit;

                        fn into_definition(self) -> ::larder::ResourceDefinition {
                            let __larder_config = ::larder::__private::config_json!(#ident, &self);
                            ::larder::__private::configurable_shared(
                                self,
                                __larder_config,
                                ::larder::__private::dyn_support!(#ident),
                                ::larder::__private::lifecycle!(#ident),
                            )
                            #decorations
                        }

                        fn configure_at_launch() -> ::larder::ResourceDefinition {
                            #at_launch
                            #decorations
                        }
                    }

                    #[automatically_derived]
                    impl ::larder::IntoResourceDefinition for #ident {
                        fn into_resource_definition(self) -> ::larder::ResourceDefinition {
                            <#ident as ::larder::ConfigurableIOManager>::into_definition(self)
                        }
                    }

                    #dyn_impl
                };
            }
        }
        Kind::Factory => {
            let manager = quote_spanned! {span=> <#ident as ::larder::ConfigurableIOManagerFactory>::Manager };
            let decl = Declaration {
                key,
                marker: marker.clone(),
                manager: manager.clone(),
                stores: true,
                type_name: name.clone(),
                build: quote! { __larder_build },
            }
            .tokens();
            let dyn_impl = args
                .types
                .as_ref()
                .map(|(_, types)| io_manager::dyn_impl(&manager, &name, types));
            let at_launch = quote_spanned! {span=>
                __larder_at_launch::<#ident>(::larder::__private::dyn_support!(#manager))
            };
            // Local copies of the runtime's bounds, spanned at the struct:
            // without the user's `impl ConfigurableIOManagerFactory`, the
            // "required by a bound" notes point there, not into larder.
            let bounded = quote_spanned! {span=>
                fn __larder_at_launch<__F>(
                    dyn_support: ::core::option::Option<::larder::__private::DynSupport>,
                ) -> ::larder::ResourceDefinition
                where
                    __F: ::larder::ConfigurableIOManagerFactory + ::larder::__private::serde::de::DeserializeOwned,
                {
                    ::larder::__private::factory_at_launch::<__F>(dyn_support)
                }

                fn __larder_definition<__F: ::larder::ConfigurableIOManagerFactory>(
                    factory: __F,
                    config: ::larder::__private::serde_json::Value,
                    dyn_support: ::core::option::Option<::larder::__private::DynSupport>,
                ) -> ::larder::ResourceDefinition {
                    ::larder::__private::factory_definition(factory, config, dyn_support)
                }
            };
            quote! {
                const _: () = {
                    // A public marker (not the struct itself, which may be
                    // private to its module while keys are used anywhere).
                    #[doc(hidden)]
                    #[allow(non_camel_case_types, dead_code, unreachable_pub)]
                    pub struct #marker {}

                    #decl

                    #bounded

                    fn __larder_build() -> ::larder::ResourceDefinition {
                        #at_launch
                        #decorations
                    }

                    #[automatically_derived]
                    impl ::larder::IntoResourceDefinition for #ident {
                        fn into_resource_definition(self) -> ::larder::ResourceDefinition {
                            let __larder_config = ::larder::__private::config_json!(#ident, &self);
                            __larder_definition(
                                self,
                                __larder_config,
                                ::larder::__private::dyn_support!(#manager),
                            )
                            #decorations
                        }
                    }

                    #dyn_impl
                };
            }
        }
    }
}

/// A struct with named fields (they are the config), not generic.
fn check_shape(input: &DeriveInput, what: &str, errors: &mut Errors) {
    match &input.data {
        Data::Enum(e) => errors.spanned(
            e.enum_token,
            format!("{what} works on a struct with named fields (its config), not on an enum"),
        ),
        Data::Union(u) => errors.spanned(
            u.union_token,
            format!("{what} works on a struct with named fields (its config), not on a union"),
        ),
        Data::Struct(s) => match &s.fields {
            Fields::Named(_) => {}
            Fields::Unnamed(f) => errors.spanned(
                f,
                format!("{what} works on a struct with named fields, not on a tuple struct: the field names are its config keys"),
            ),
            Fields::Unit => errors.spanned(
                &input.ident,
                format!("{what} works on a struct with named fields, not on a unit struct: write `struct {} {{}}` for a manager without config", input.ident),
            ),
        },
    }
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            format!(
                "{what} cannot be used on a generic type: a declared manager is one concrete type"
            ),
        );
    }
}

/// Impls with bodies never run, so uses of the type do not cascade into
/// more errors while the attribute is being fixed.
fn dummies(kind: Kind, ident: &syn::Ident) -> TokenStream {
    let into = quote! {
        impl ::larder::IntoResourceDefinition for #ident {
            fn into_resource_definition(self) -> ::larder::ResourceDefinition {
                ::core::unreachable!()
            }
        }
    };
    match kind {
        Kind::Manager => quote! {
            #into
            impl ::larder::ConfigurableIOManager for #ident {
                const KEY: &'static str = "";
                fn into_definition(self) -> ::larder::ResourceDefinition {
                    ::core::unreachable!()
                }
                fn configure_at_launch() -> ::larder::ResourceDefinition {
                    ::core::unreachable!()
                }
            }
        },
        Kind::Factory => into,
    }
}
