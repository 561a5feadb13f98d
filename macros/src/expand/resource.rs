//! Plain resources: `#[resource]` on a function building one, and
//! `#[derive(ConfigurableResource)]` (the struct is the resource, its fields
//! its config). A declaration makes its key exist like a manager's (one
//! namespace of keys, as in Dagster) and says the resource's type, so a
//! `resources(..)` parameter is checked at compile time; the check of a
//! use is [`Key::resource_check`].

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{Ident, Type};

use super::key::{KeyUse, marker_ident};
use super::manager::{call_user_fn, scope};
use crate::attr;
use crate::exports::*;
use crate::item::Function;
use crate::key::Key;
use crate::model::ManagerDecl;
use crate::signature::type_string;

impl Key {
    /// That this key is declared by a resource of type `ty`, reported on
    /// `ty` (the parameter's referent) or, for an unknown key, at the key.
    pub fn resource_check(&self, ty: &Type) -> TokenStream {
        let check = self.check_items_for(KeyUse::Resource);
        let declaration = self.declaration();
        let resource_of_key = _ResourceOfKey.at(self.lit.span());
        let (first, last) = super::key::token_spans(ty);
        let head = quote_spanned! {first=> declaration.resource_type_is::< };
        let tail = quote_spanned! {last=> >() };
        quote! {
            {
                #check
                trait DeclaredResource<D> {
                    fn resource_type_is<T>(self)
                    where
                        T: #resource_of_key<D>;
                }
                impl<D> DeclaredResource<D> for #_PhantomData<D> {
                    fn resource_type_is<T>(self)
                    where
                        T: #resource_of_key<D>,
                    {
                    }
                }
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let declaration = #declaration;
                #head #ty #tail;
            }
        }
    }
}

/// The key's declaration: `IoManagerKeyDeclaredBy` for the marker, the
/// resource's type, the duplicate self-check, and the registration.
fn declaration(
    key: &Key,
    marker: &TokenStream,
    resource: &TokenStream,
    type_name: &str,
    build: TokenStream,
) -> TokenStream {
    let key_type = key.key_type();
    let lit = &key.lit;
    let self_check = key.declared_once_check_for(KeyUse::Resource);
    let line_macro = _line.at(lit.span());
    let line = quote_spanned! {lit.span()=> #line_macro!() };
    quote! {
        impl #_IoManagerKeyDeclaredBy<#marker> for #key_type {}
        impl #_ResourceOfKey<#marker> for #resource {}

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

/// `#[resource(key = "k")] fn make(ctx?) -> R`.
pub fn resource_fn(
    decl: &ManagerDecl,
    key: &Key,
    func: &Function,
    (resource, is_result): &(Type, bool),
) -> TokenStream {
    let ident = &func.sig.ident;
    let ctx_var = Ident::new("__larder_ctx", Span::call_site());
    let call = call_user_fn(ident, &decl.ctx, &ctx_var, *is_result);
    let marker = marker_ident(key).to_token_stream();
    let r = resource.to_token_stream();
    let decorations = super::manager::decorations(&decl.args, attr::doc_string(&func.attrs));
    let declaration = declaration(
        key,
        &marker,
        &r,
        &format!("{} (#[resource] fn {ident})", type_string(resource)),
        quote! { __larder_build },
    );
    let scope = scope(
        attr::cfgs(&func.attrs),
        &marker,
        quote! {
            #declaration

            fn __larder_build() -> #_ResourceDefinition {
                #__manager_definition::<#r>(
                    #_ResourceKind::Resource,
                    |#ctx_var: &mut #_InitContext| -> #_LarderResult<#r> { #call },
                    #_None,
                    #__lifecycle!(#r),
                )
                #decorations
            }
        },
    );
    quote! {
        #func

        #scope
    }
}

/// `#[derive(ConfigurableResource)]` with `#[resource(key = "k")]`.
pub fn derive_resource(decl: &ManagerDecl, key: &Key, ident: &Ident) -> TokenStream {
    let span = ident.span();
    let marker = marker_ident(key).to_token_stream();
    let decorations = super::manager::decorations(&decl.args, None);
    let lit = &key.lit;
    let declaration = declaration(
        key,
        &marker,
        &quote! { #ident },
        &ident.to_string(),
        quote! { <#ident as #_ConfigurableResource>::configure_at_launch },
    );
    // Spanned at the struct's name: a missing `Deserialize` or
    // `Send + Sync` is reported there.
    let (definition, lifecycle) = (__manager_definition.at(span), __lifecycle.at(span));
    let at_launch = quote_spanned! {span=>
        #definition::<#ident>(
            #_ResourceKind::Resource,
            |ctx: &mut #_InitContext| ctx.config::<#ident>(),
            #_None,
            #lifecycle!(#ident),
        )
        .config_type::<#ident>()
    };
    scope(
        TokenStream::new(),
        &marker,
        quote! {
            #declaration

            #[automatically_derived]
            impl #_ConfigurableResource for #ident {
                const KEY: &'static str = #lit;

                fn into_definition(self) -> #_ResourceDefinition {
                    let __larder_config = #__config_json!(#ident, &self);
                    #_ResourceDefinition::value(self).configured(__larder_config)
                    #decorations
                }

                fn configure_at_launch() -> #_ResourceDefinition {
                    #at_launch
                    #decorations
                }
            }

            #[automatically_derived]
            impl #_IntoResourceDefinition for #ident {
                fn into_resource_definition(self) -> #_ResourceDefinition {
                    <#ident as #_ConfigurableResource>::into_definition(self)
                }
            }
        },
    )
}

/// Impls with bodies never run, for a derive with errors.
pub fn dummies(ident: &Ident) -> TokenStream {
    quote! {
        impl #_IntoResourceDefinition for #ident {
            fn into_resource_definition(self) -> #_ResourceDefinition {
                #_unreachable!()
            }
        }
        impl #_ConfigurableResource for #ident {
            const KEY: &'static str = "";
            fn into_definition(self) -> #_ResourceDefinition {
                #_unreachable!()
            }
            fn configure_at_launch() -> #_ResourceDefinition {
                #_unreachable!()
            }
        }
    }
}
