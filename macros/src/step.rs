//! Code shared by `#[asset]` and `#[op]`: the Rocket-style proxy struct
//! named like the function, the type-erased compute closure, and what is
//! emitted when the attribute has errors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::item::Function as ItemFn;

use crate::attr::Errors;
use crate::signature::{Param, StepIoRef};

/// The compute closure: takes each input (in declaration order), calls the
/// user's function, and hands back what it returned.
///
/// `store` receives the tokens of the returned value (already unwrapped
/// from `Result`) and returns the statements that set the outputs.
pub fn compute_closure(
    fn_ident: &Ident,
    params: &[Param],
    unwrap: &TokenStream,
    store: impl FnOnce(TokenStream) -> TokenStream,
) -> TokenStream {
    let mut takes = Vec::new();
    let mut call_args = Vec::new();
    let mut index = 0usize;
    for p in params {
        match p.step_io {
            Some(StepIoRef::Mut) => call_args.push(quote! { &mut *__larder_io }),
            Some(StepIoRef::Shared) => call_args.push(quote! { &*__larder_io }),
            None => {
                let var = format_ident!("__larder_in_{}", index);
                let ty = &p.ty;
                takes.push(quote! { let #var = __larder_io.take_input::<#ty>(#index)?; });
                call_args.push(quote! { #var });
                index += 1;
            }
        }
    }
    let call = quote! { #fn_ident(#(#call_args),*) #unwrap };
    let store = store(call);
    quote! {
        |__larder_io: &mut ::larder::StepIo<'_>| -> ::larder::Result<()> {
            #(#takes)*
            #store
        }
    }
}

/// `#[doc(hidden)] <vis> struct <fn_name> {}`: braced, so it lives in the
/// type namespace only and coexists with the function (Rocket's handler
/// proxy). `members` are the items of its inherent impl.
pub fn proxy(func: &ItemFn, members: TokenStream, items: TokenStream) -> TokenStream {
    let vis = &func.vis;
    let ident = &func.sig.ident;
    let cfgs = crate::attr::cfgs(&func.attrs);
    // Every generated item lives in the anonymous constant of the proxy's
    // where-clause. Inside an `impl` block, where a step cannot be
    // declared, the struct is then the one error, at the attribute, and
    // nothing in it is expanded to fail again.
    quote! {
        #cfgs
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, non_local_definitions)]
        #vis struct #ident
        where
            [(); {
                #[allow(dead_code, clippy::all)]
                impl #ident {
                    #members
                }
                #items
                0
            }]: ::core::marker::Sized,
        {}
    }
}

/// On errors: the user's function unchanged (still callable, so nothing
/// cascades), a proxy with the same members whose bodies are never run
/// (so `#[job]` bodies naming it still resolve), and the errors.
pub fn fallback(func: &ItemFn, errors: &Errors, dummy_members: TokenStream) -> TokenStream {
    let errs = errors.to_compile_errors();
    // A method (`self` receiver) sits in an impl block, where a struct
    // cannot be declared: emit only the function there.
    let proxy = if func.sig.receiver().is_none() {
        proxy(func, dummy_members, TokenStream::new())
    } else {
        TokenStream::new()
    };
    quote! {
        #func
        #proxy
        #errs
    }
}

/// Every `ins(x)` of an asset or op must name one of its parameters.
pub fn check_ins<'a>(
    ins: impl Iterator<Item = &'a Ident>,
    params: &[Param],
    what: &str,
    errors: &mut Errors,
) {
    let names: Vec<String> = params
        .iter()
        .filter(|p| p.step_io.is_none())
        .map(|p| p.ident.to_string())
        .collect();
    for param in ins {
        let wrong = param.to_string();
        if names.contains(&wrong) {
            continue;
        }
        let hint = crate::attr::did_you_mean(&wrong, names.iter().map(String::as_str))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        errors.spanned(
            param,
            format!(
                "`ins({wrong})` names no parameter of {what}; its parameters: {}{hint}",
                crate::attr::list(&names)
            ),
        );
    }
}
