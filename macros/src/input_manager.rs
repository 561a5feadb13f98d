//! `#[input_manager]`: a load function called for every input it serves
//! (Dagster's `@input_manager`).
//!
//! A hidden marker struct named like the function is both the declaration
//! and the manager. It loads `R` (what the function returns) by calling the
//! function; and, when `R` is itself an `InputManager<U>`, it loads `U` by
//! calling the function and then `load_input` on the result, as Dagster does
//! with a function returning a manager.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::Ident;

use crate::item::Function as ItemFn;

use crate::attr::{self, Errors, Seen};
use crate::io_manager::{self, ManagerArgs};
use crate::key::Declaration;
use crate::signature;

pub(crate) const ARGS: &[&str] = &[
    "key",
    "description",
    "config",
    "input_config",
    "required_resource_keys",
    "version",
];

pub fn expand(arg_tokens: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = crate::item::not_a_function(
                &item,
                "`#[input_manager]` can only be used on a load function",
            );
            return quote! { #item #err };
        }
    };
    let what = "`#[input_manager]`";
    let mut errors = Errors::default();
    let mut args = ManagerArgs::default();
    args.parse(
        arg_tokens,
        ARGS,
        "`#[input_manager]` argument",
        &mut Seen::default(),
        &mut errors,
    );
    if args.key.is_none() {
        errors.push(io_manager::missing_key(
            what,
            "#[input_manager(key = \"...\")]",
        ));
    }
    signature::check_plain_fn(&func.sig, what, &mut errors);
    let ctx = io_manager::ctx_param(&func, "InputContext", what, &mut errors);
    let ret = returned(&func, &mut errors);
    let (Some(key), Some((loaded, is_result)), true) = (&args.key, ret, errors.is_empty()) else {
        let errs = errors.to_compile_errors();
        return quote! { #func #errs };
    };

    let ident = &func.sig.ident;
    let ctx_var = Ident::new("__larder_ctx", Span::call_site());
    let call = io_manager::call_user_fn(ident, &ctx, &ctx_var, is_result);
    // The marker is named like the function (a braced struct: type
    // namespace only), so messages say "the manager `load_table`".
    let marker = ident.to_token_stream();
    let r = loaded.to_token_stream();
    let decl = Declaration {
        key,
        marker: marker.clone(),
        manager: marker.clone(),
        stores: false,
        type_name: format!("#[input_manager] fn {ident}"),
        build: quote! { __larder_build },
    }
    .tokens();
    let decorations = args.decorations(attr::doc_string(&func.attrs));
    let cfgs = attr::cfgs(&func.attrs);
    quote! {
        #func

        #cfgs
        const _: () = {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code, unreachable_pub)]
            pub struct #marker {}

            #decl

            impl ::larder::__private::LoadInput<#r, ::larder::__private::via::Function> for #marker {
                fn load(&self, #ctx_var: &mut ::larder::InputContext) -> ::larder::Result<#r> {
                    #call
                }
            }

            impl<__U> ::larder::__private::LoadInput<__U, ::larder::__private::via::FunctionReturningManager> for #marker
            where
                #r: ::larder::InputManager<__U>,
            {
                fn load(&self, #ctx_var: &mut ::larder::InputContext) -> ::larder::Result<__U> {
                    let __larder_result: ::larder::Result<#r> = #call;
                    let __larder_manager = __larder_result?;
                    ::larder::InputManager::<__U>::load_input(&__larder_manager, #ctx_var)
                }
            }

            fn __larder_build() -> ::larder::ResourceDefinition {
                ::larder::__private::manager_definition::<#marker>(
                    ::larder::ResourceKind::InputManager,
                    |_| ::core::result::Result::Ok(#marker {}),
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                )
                #decorations
            }
        };
    }
}

fn returned(func: &ItemFn, errors: &mut Errors) -> Option<(syn::Type, bool)> {
    let out = signature::output(&func.sig, errors);
    match out.ty {
        Some(t) => Some((t, out.is_result)),
        None => {
            let msg =
                "`#[input_manager]` functions return the loaded value (or `Result<Value, E>`)";
            match &out.written {
                Some(w) => errors.spanned(w, msg),
                None => errors.spanned(&func.sig.ident, msg),
            }
            None
        }
    }
}
