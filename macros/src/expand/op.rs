//! `#[op]`: the function unchanged, a proxy struct named like it with
//! `definition()`, the `OpProxy` / `OpArgs` impls `#[job]` bodies invoke
//! (which check the number of arguments of each call), and the
//! registration.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::Ident;

use super::step;
use crate::attr;
use crate::exports::*;
use crate::item::Function;
use crate::model::StepFn;

pub fn expand(op: &StepFn) -> TokenStream {
    let args = &op.args;
    let func = &op.func;
    let fn_ident = step::ident(op);
    let op_name = &op.name;
    let outputs = &op.outputs;

    let mut checks = Vec::new();
    let mut builder = step::inputs(op, &mut checks);

    for decl in outputs {
        let name = &decl.name;
        let ty = &decl.ty;
        let unit = quote! { () };
        let ty_tokens = ty.as_ref().map(ToTokens::to_token_stream).unwrap_or(unit);
        let mut out = quote! { #_Out::new(#name, #_type_info!(#ty_tokens)) };
        if let Some(spec) = &decl.spec {
            if let Some(k) = &spec.io_manager_key {
                let lit = &k.lit;
                match ty {
                    Some(ty) => {
                        let adapter = k.typed_output(ty);
                        out.extend(quote! { .io_manager_key(#lit).typed(#adapter) });
                    }
                    None => {
                        checks.push(k.exists_check());
                        out.extend(quote! { .io_manager_key(#lit) });
                    }
                }
            }
            if !spec.metadata.is_empty() {
                let md = step::metadata(&spec.metadata);
                out.extend(quote! { .metadata(#md) });
            }
            if let Some(d) = &spec.description {
                out.extend(quote! { .description(#d) });
            }
        }
        builder.push(quote! { .output(#out) });
    }

    builder.extend(step::description(op));
    if let Some(c) = &args.config {
        builder.push(quote! { .config_type::<#c>() });
    }
    if let Some(v) = &args.code_version {
        builder.push(quote! { .version(#v) });
    }

    let multi = args.outs.is_some();
    let compute = step::compute_closure(op, |call| {
        if multi {
            let vars: Vec<Ident> = (0..outputs.len())
                .map(|i| format_ident!("__larder_out_{}", i))
                .collect();
            let sets = vars
                .iter()
                .zip(outputs)
                .enumerate()
                .map(|(i, (v, decl))| match &decl.ty {
                    Some(ty) => {
                        let set = step::set_output(i, ty, quote! { #v });
                        quote! { #set?; }
                    }
                    None => quote! { __larder_io.set_output(#i, #v)?; },
                });
            quote! {
                let (#(#vars,)*) = #call;
                #(#sets)*
                #_Ok(())
            }
        } else {
            step::store_single(op.output.ty.as_ref(), call)
        }
    });

    let doc = format!("The definition of op `{op_name}`, built from `#[op] fn {fn_ident}`.");
    let members = quote! {
        #[doc = #doc]
        pub fn definition() -> #_OpDefinition {
            #(#checks)*
            #_OpDefinition::builder(#op_name)
                #(#builder)*
                .compute_fn(#__compute_fn(#compute))
        }
    };
    let op_proxy = op_proxy(func, &op.managed_inputs());
    let cfgs = attr::cfgs(&func.attrs);
    let proxy = step::proxy(
        func,
        members,
        quote! {
            #op_proxy
            #cfgs
            #__submit! {
                #__OpRegistration { build: #fn_ident::definition }
            }
        },
    );
    quote! {
        #func
        #proxy
    }
}

/// The proxy's members when the attribute has errors.
pub fn dummy_members() -> TokenStream {
    quote! {
        pub fn definition() -> #_OpDefinition {
            #_unreachable!()
        }
    }
}

/// `impl OpProxy`: what `#[job]` bodies invoke. A call passes one upstream
/// output per input, or only for the inputs that have no
/// `input_manager_key` (the others are root inputs, loaded by their
/// manager); any other count fails to compile. Emitted with the errors
/// too, so a `#[job]` calling an op whose attribute is wrong adds none.
pub fn op_proxy(func: &Function, managed: &[bool]) -> TokenStream {
    if func.sig.receiver().is_some() {
        return TokenStream::new();
    }
    let ident = &func.sig.ident;
    let cfgs = attr::cfgs(&func.attrs);
    let all = managed.len();
    let handles: Vec<Ident> = (0..all)
        .map(|i| format_ident!("__larder_in{}", i))
        .collect();
    // Bound to a name: `quote!` binds what a repetition interpolates with
    // `let`, which a constant cannot be.
    let some = _Some;
    let every = quote! {
        #cfgs
        impl #__OpArgs<#ident> for [#_OutputHandle; #all] {
            fn wire(self) -> #_Vec<#_Option<#_OutputHandle>> {
                let [#(#handles),*] = self;
                #_vec![#(#some(#handles)),*]
            }
        }
    };
    let wired: Vec<&Ident> = handles
        .iter()
        .zip(managed)
        .filter(|(_, m)| !**m)
        .map(|(h, _)| h)
        .collect();
    let only_wired = if wired.len() == all {
        TokenStream::new()
    } else {
        let n = wired.len();
        let slots = handles.iter().zip(managed).map(|(h, m)| {
            if *m {
                quote! { #_None }
            } else {
                quote! { #_Some(#h) }
            }
        });
        quote! {
            #cfgs
            impl #__OpArgs<#ident> for [#_OutputHandle; #n] {
                fn wire(self) -> #_Vec<#_Option<#_OutputHandle>> {
                    let [#(#wired),*] = self;
                    #_vec![#(#slots),*]
                }
            }
        }
    };
    quote! {
        #cfgs
        impl #__OpProxy for #ident {
            fn definition() -> #_OpDefinition {
                #ident::definition()
            }
        }
        #every
        #only_wired
    }
}
