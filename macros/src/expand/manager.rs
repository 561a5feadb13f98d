//! Manager declarations: `#[io_manager]` and `#[input_manager]` on a
//! function, `#[derive(ConfigurableIOManager)]` (the struct is the manager,
//! its fields its config) and `#[derive(ConfigurableIOManagerFactory)]`
//! (the struct builds the manager in `create_io_manager`).
//!
//! Each emits, in an anonymous `const`, a public marker type, the key's
//! `Declaration` (see `expand/key.rs`), a `fn` building its
//! `ResourceDefinition` decorated with the declaration's arguments, and the
//! `DynIOManager` impl of `types = [..]`.
//!
//! `#[input_manager]`'s marker is named like the function and is also the
//! manager: it loads `R` (what the function returns) by calling the
//! function; and, when `R` is itself an `InputManager<U>` or `IOManager<U>`, it loads `U` by
//! calling the function and then `load_input` on the result, as Dagster
//! does with a function returning a manager.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Type};

use super::key::{Declaration, marker_ident, respan};
use crate::attr::{self, Errors};
use crate::exports::*;
use crate::item::Function;
use crate::key::Key;
use crate::model::{CtxParam, ManagerArgs, ManagerDecl, ManagerItem, ManagerKind};
use crate::signature::type_string;

pub fn expand(decl: &ManagerDecl) -> TokenStream {
    let Some(key) = &decl.args.key else {
        return TokenStream::new();
    };
    // `check` has reported a function returning nothing.
    let returned = decl.returned.as_ref();
    match (&decl.item, decl.kind, returned) {
        (ManagerItem::Fn(_), _, None) => TokenStream::new(),
        (ManagerItem::Fn(func), ManagerKind::ResourceFn, Some(ret)) => {
            super::resource::resource_fn(decl, key, func, ret)
        }
        (ManagerItem::Struct { input, .. }, ManagerKind::DeriveResource, _) => {
            super::resource::derive_resource(decl, key, &input.ident)
        }
        (ManagerItem::Fn(func), ManagerKind::IoManagerFn, Some(ret)) => {
            io_manager_fn(decl, key, func, ret)
        }
        (ManagerItem::Fn(func), _, Some(ret)) => input_manager_fn(decl, key, func, ret),
        (ManagerItem::Struct { input, .. }, ManagerKind::DeriveFactory, _) => {
            derive_factory(decl, key, &input.ident)
        }
        (ManagerItem::Struct { input, .. }, _, _) => derive_manager(decl, key, &input.ident),
    }
}

/// On errors: the item as it was (a function is still callable), and for
/// a derive impls whose bodies never run, so uses of the type do not
/// cascade into more errors while the attribute is being fixed.
pub fn fallback(decl: &ManagerDecl, errors: &Errors) -> TokenStream {
    let errs = errors.to_compile_errors();
    match &decl.item {
        ManagerItem::Fn(func) => quote! { #func #errs },
        ManagerItem::Struct { input, .. } => {
            let dummies = if input.generics.params.is_empty() {
                dummies(decl.kind, &input.ident)
            } else {
                TokenStream::new()
            };
            quote! {
                #errs
                const _: () = { #dummies };
            }
        }
    }
}

/// `const _: () = { pub struct <marker> {} <items> };`: the marker is
/// public (the orphan rule needs a local type, and the struct or function
/// it stands for may be private to its module while keys are used
/// anywhere).
pub(super) fn scope(cfgs: TokenStream, marker: &TokenStream, items: TokenStream) -> TokenStream {
    quote! {
        #cfgs
        const _: () = {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code, unreachable_pub)]
            pub struct #marker {}

            #items
        };
    }
}

/// `.description(..)`, `.config_type::<T>()`… on a `ResourceDefinition`.
pub(super) fn decorations(args: &ManagerArgs, default_description: Option<String>) -> TokenStream {
    let mut out = TokenStream::new();
    if let Some(d) = args
        .description
        .as_ref()
        .map(LitStr::value)
        .or(default_description)
    {
        out.extend(quote! { .description(#d) });
    }
    if let Some(t) = &args.config {
        out.extend(quote! { .config_type::<#t>() });
    }
    if let Some(t) = &args.input_config {
        out.extend(quote! { .input_config_type::<#t>() });
    }
    if let Some(t) = &args.output_config {
        out.extend(quote! { .output_config_type::<#t>() });
    }
    if let Some(keys) = &args.required_resource_keys {
        // Typed, so an empty list infers.
        out.extend(
            quote! { .required_resource_keys::<[&'static str; _], &'static str>([#(#keys),*]) },
        );
    }
    if let Some(v) = &args.version {
        out.extend(quote! { .version(#v) });
    }
    out
}

/// The user's function called with the context (if it takes one), as a
/// `larder::Result`.
pub(super) fn call_user_fn(
    ident: &Ident,
    ctx: &CtxParam,
    ctx_var: &Ident,
    is_result: bool,
) -> TokenStream {
    let arg = match ctx {
        CtxParam::None => quote! {},
        CtxParam::Some => quote! { #ctx_var },
    };
    if is_result {
        quote! { #ident(#arg).map_err(#__user_error) }
    } else {
        quote! { #_Ok(#ident(#arg)) }
    }
}

fn io_manager_fn(
    decl: &ManagerDecl,
    key: &Key,
    func: &Function,
    (manager, is_result): &(Type, bool),
) -> TokenStream {
    let ident = &func.sig.ident;
    let ctx_var = Ident::new("__larder_ctx", Span::call_site());
    let call = call_user_fn(ident, &decl.ctx, &ctx_var, *is_result);
    let marker = marker_ident(key).to_token_stream();
    let m = manager.to_token_stream();
    let declaration = Declaration {
        key,
        marker: marker.clone(),
        manager: m.clone(),
        stores: true,
        type_name: format!("{} (#[io_manager] fn {ident})", type_string(manager)),
        build: quote! { __larder_build },
    }
    .tokens();
    let decorations = decorations(&decl.args, attr::doc_string(&func.attrs));
    let dyn_impl = decl
        .args
        .types
        .as_ref()
        .map(|(_, types)| dyn_impl(&m, &type_string(manager), types));
    let scope = scope(
        attr::cfgs(&func.attrs),
        &marker,
        quote! {
            #declaration

            fn __larder_build() -> #_ResourceDefinition {
                #__manager_definition::<#m>(
                    #_ResourceKind::IOManager,
                    |#ctx_var: &mut #_InitContext| -> #_LarderResult<#m> { #call },
                    #__dyn_support!(#m),
                    #__lifecycle!(#m),
                )
                #decorations
            }

            #dyn_impl
        },
    );
    quote! {
        #func

        #scope
    }
}

fn input_manager_fn(
    decl: &ManagerDecl,
    key: &Key,
    func: &Function,
    (loaded, is_result): &(Type, bool),
) -> TokenStream {
    let ident = &func.sig.ident;
    let ctx_var = Ident::new("__larder_ctx", Span::call_site());
    let call = call_user_fn(ident, &decl.ctx, &ctx_var, *is_result);
    // The marker is named like the function (a braced struct: type
    // namespace only), so messages say "the manager `load_table`".
    let marker = ident.to_token_stream();
    let r = loaded.to_token_stream();
    let declaration = Declaration {
        key,
        marker: marker.clone(),
        manager: marker.clone(),
        stores: false,
        type_name: format!("#[input_manager] fn {ident}"),
        build: quote! { __larder_build },
    }
    .tokens();
    let decorations = decorations(&decl.args, attr::doc_string(&func.attrs));
    let scope = scope(
        attr::cfgs(&func.attrs),
        &marker,
        quote! {
            #declaration

            impl #_LoadInput<#r, #_via::Function> for #marker {
                fn load(&self, #ctx_var: &mut #_InputContext) -> #_LarderResult<#r> {
                    #call
                }
            }

            // The function returns a manager (input or IO manager): it is
            // built for each load, as Dagster calls the function.
            impl<__U, __V> #_LoadInput<__U, #_via::FunctionReturningManager<__V>> for #marker
            where
                #r: #_LoadInput<__U, __V>,
            {
                fn load(&self, #ctx_var: &mut #_InputContext) -> #_LarderResult<__U> {
                    let __larder_result: #_LarderResult<#r> = #call;
                    let __larder_manager = __larder_result?;
                    #_LoadInput::<__U, __V>::load(&__larder_manager, #ctx_var)
                }
            }

            fn __larder_build() -> #_ResourceDefinition {
                #__manager_definition::<#marker>(
                    #_ResourceKind::InputManager,
                    |_| #_Ok(#marker {}),
                    #_None,
                    #_None,
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

fn derive_manager(decl: &ManagerDecl, key: &Key, ident: &Ident) -> TokenStream {
    let span = ident.span();
    let marker = marker_ident(key).to_token_stream();
    let decorations = decorations(&decl.args, None);
    let name = ident.to_string();
    let declaration = Declaration {
        key,
        marker: marker.clone(),
        manager: quote! { #ident },
        stores: true,
        type_name: name.clone(),
        build: quote! { <#ident as #_ConfigurableIOManager>::configure_at_launch },
    }
    .tokens();
    let m = quote! { #ident };
    let dyn_impl = decl
        .args
        .types
        .as_ref()
        .map(|(_, types)| dyn_impl(&m, &name, types));
    let lit = &key.lit;
    // Spanned at the struct's name: a missing `Deserialize` or
    // `Send + Sync` is reported there.
    let (configurable_at_launch, dyn_support, lifecycle) = (
        __configurable_at_launch.at(span),
        __dyn_support.at(span),
        __lifecycle.at(span),
    );
    let at_launch = quote_spanned! {span=>
        #configurable_at_launch::<#ident>(
            #dyn_support!(#ident),
            #lifecycle!(#ident),
        )
    };
    scope(
        TokenStream::new(),
        &marker,
        quote! {
            #declaration

            #[automatically_derived]
            impl #_ConfigurableIOManager for #ident {
                const KEY: &'static str = #lit;

                fn into_definition(self) -> #_ResourceDefinition {
                    let __larder_config = #__config_json!(#ident, &self);
                    #__configurable_shared(
                        self,
                        __larder_config,
                        #__dyn_support!(#ident),
                        #__lifecycle!(#ident),
                    )
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
                    <#ident as #_ConfigurableIOManager>::into_definition(self)
                }
            }

            #dyn_impl
        },
    )
}

fn derive_factory(decl: &ManagerDecl, key: &Key, ident: &Ident) -> TokenStream {
    let span = ident.span();
    let marker = marker_ident(key).to_token_stream();
    let decorations = decorations(&decl.args, None);
    let name = ident.to_string();
    // Spanned at the struct: without the user's
    // `impl ConfigurableIOManagerFactory`, the "required by a bound" notes
    // point there, not into larder.
    let factory = _ConfigurableIOManagerFactory.at(span);
    let (resource_definition, option, dyn_support_ty, dyn_support) = (
        _ResourceDefinition.at(span),
        _Option.at(span),
        __DynSupport.at(span),
        __dyn_support.at(span),
    );
    let (deserialize_owned, factory_at_launch, json_value, factory_definition) = (
        __DeserializeOwned.at(span),
        __factory_at_launch.at(span),
        __JsonValue.at(span),
        __factory_definition.at(span),
    );
    let manager = quote_spanned! {span=> <#ident as #factory>::Manager };
    let declaration = Declaration {
        key,
        marker: marker.clone(),
        manager: manager.clone(),
        stores: true,
        type_name: name.clone(),
        build: quote! { __larder_build },
    }
    .tokens();
    let dyn_impl = decl
        .args
        .types
        .as_ref()
        .map(|(_, types)| dyn_impl(&manager, &name, types));
    let at_launch = quote_spanned! {span=>
        __larder_at_launch::<#ident>(#dyn_support!(#manager))
    };
    // Local copies of the runtime's bounds, spanned at the struct (see
    // above).
    let bounded = quote_spanned! {span=>
        fn __larder_at_launch<__F>(
            dyn_support: #option<#dyn_support_ty>,
        ) -> #resource_definition
        where
            __F: #factory + #deserialize_owned,
        {
            #factory_at_launch::<__F>(dyn_support)
        }

        fn __larder_definition<__F: #factory>(
            factory: __F,
            config: #json_value,
            dyn_support: #option<#dyn_support_ty>,
        ) -> #resource_definition {
            #factory_definition(factory, config, dyn_support)
        }
    };
    scope(
        TokenStream::new(),
        &marker,
        quote! {
            #declaration

            #bounded

            fn __larder_build() -> #_ResourceDefinition {
                #at_launch
                #decorations
            }

            #[automatically_derived]
            impl #_IntoResourceDefinition for #ident {
                fn into_resource_definition(self) -> #_ResourceDefinition {
                    let __larder_config = #__config_json!(#ident, &self);
                    __larder_definition(
                        self,
                        __larder_config,
                        #__dyn_support!(#manager),
                    )
                    #decorations
                }
            }

            #dyn_impl
        },
    )
}

/// Impls with bodies never run, for a derive with errors.
fn dummies(kind: ManagerKind, ident: &Ident) -> TokenStream {
    let into = quote! {
        impl #_IntoResourceDefinition for #ident {
            fn into_resource_definition(self) -> #_ResourceDefinition {
                #_unreachable!()
            }
        }
    };
    match kind {
        ManagerKind::DeriveResource => super::resource::dummies(ident),
        ManagerKind::DeriveManager => quote! {
            #into
            impl #_ConfigurableIOManager for #ident {
                const KEY: &'static str = "";
                fn into_definition(self) -> #_ResourceDefinition {
                    #_unreachable!()
                }
                fn configure_at_launch() -> #_ResourceDefinition {
                    #_unreachable!()
                }
            }
        },
        _ => into,
    }
}

/// `impl DynIOManager for M` serving exactly `types`, each through
/// `M`'s own `IOManager<T>` impl (checked at the type's token).
fn dyn_impl(manager: &TokenStream, manager_name: &str, types: &[Type]) -> TokenStream {
    let names = attr::list(types.iter().map(type_string));
    let stored = format!("it stores only {names}");
    let loaded = format!("it loads only {names}");
    // The manager's tokens are respanned to each listed type, so a type
    // the manager does not handle is reported once, on that type.
    let handles = types.iter().map(|t| {
        let m = respan(manager.clone(), t.span());
        let managed_by = __ManagedBy.at(t.span());
        let call = quote_spanned! {t.span()=> <#t as #managed_by<#m>>::handle_output };
        quote! {
            if let #_Some(v) = value.downcast_ref::<#t>() {
                return #call(self, ctx, v);
            }
        }
    });
    let loads = types.iter().map(|t| {
        let m = respan(manager.clone(), t.span());
        let managed_by = __ManagedBy.at(t.span());
        let call = quote_spanned! {t.span()=> <#t as #managed_by<#m>>::load_input };
        quote! {
            if ty.id == #_TypeId::of::<#t>() {
                return #call(self, ctx).map(|v| #_Box::new(v) as #_Value);
            }
        }
    });
    let ids = types.iter().map(|t| quote! { #_TypeId::of::<#t>() });
    let ids2 = ids.clone();
    quote! {
        #[automatically_derived]
        impl #_DynIOManager for #manager {
            fn supports_output(ty: &#_TypeInfo) -> #_Result<(), #_String> {
                if [#(#ids),*].contains(&ty.id) {
                    #_Ok(())
                } else {
                    #_Err(#_format!("{} (its `types = [..]`), not `{}`", #stored, ty.short_name()))
                }
            }
            fn supports_input(ty: &#_TypeInfo) -> #_Result<(), #_String> {
                if [#(#ids2),*].contains(&ty.id) {
                    #_Ok(())
                } else {
                    #_Err(#_format!("{} (its `types = [..]`), not `{}`", #loaded, ty.short_name()))
                }
            }
            fn handle_output_dyn(
                &self,
                ctx: &mut #_OutputContext,
                value: &(dyn #_Any + #_Send + #_Sync),
                ty: &#_TypeInfo,
            ) -> #_LarderResult<()> {
                #(#handles)*
                #_Err(#_Error::msg(#_format!(
                    "`{}` cannot store a `{}`: {}", #manager_name, ty.short_name(), #stored
                )))
            }
            fn load_input_dyn(
                &self,
                ctx: &mut #_InputContext,
                ty: &#_TypeInfo,
            ) -> #_LarderResult<#_Value> {
                #(#loads)*
                #_Err(#_Error::msg(#_format!(
                    "`{}` cannot load a `{}`: {}", #manager_name, ty.short_name(), #loaded
                )))
            }
        }
    }
}
