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
    // Named after the function: rustc names generated items by their
    // path in notes (`numbers_descriptor::{closure#1}::..`).
    let descriptor_ident = quote::format_ident!("{}_descriptor", fn_ident);
    let op_name = &op.name;
    let outputs = &op.outputs;

    let mut checks = Vec::new();
    let inputs = step::input_descriptors(op, &mut checks);

    let mut outs = Vec::new();
    for decl in outputs {
        let name = &decl.name;
        let ty = &decl.ty;
        let unit = quote! { () };
        let ty_tokens = ty.as_ref().map(ToTokens::to_token_stream).unwrap_or(unit);
        let mut io_manager_key = quote! { #_None };
        let mut typed = quote! { #_None };
        let mut configure = Vec::new();
        // A `DynamicOut<T>` is stored one `T` per mapping key.
        let dynamic_element = ty.as_ref().and_then(super::dynamic::dynamic_element);
        if let Some(el) = dynamic_element {
            configure.push(super::dynamic::dynamic_shape(el));
        }
        if let Some(spec) = &decl.spec {
            if let Some(k) = &spec.io_manager_key {
                let lit = &k.lit;
                io_manager_key = quote! { #_Some(#lit) };
                match (dynamic_element, ty) {
                    (Some(el), _) => {
                        let adapter = k.typed_output(el);
                        configure.push(quote! { .typed_element(#adapter) });
                    }
                    (None, Some(ty)) => {
                        let adapter = k.typed_output(ty);
                        typed = quote! { #_Some(|| #adapter) };
                    }
                    (None, None) => checks.push(k.exists_check()),
                }
            }
            if !spec.metadata.is_empty() {
                let md = step::metadata(&spec.metadata);
                configure.push(quote! { .metadata(#md) });
            }
            if let Some(d) = &spec.description {
                configure.push(quote! { .description(#d) });
            }
        }
        let configure = if configure.is_empty() {
            quote! { #_None }
        } else {
            quote! { #_Some(|__larder_out: #_Out| __larder_out #(#configure)*) }
        };
        outs.push(quote! {
            #_OutputDescriptor {
                name: #name,
                ty: || #_type_info!(#ty_tokens),
                io_manager_key: #io_manager_key,
                typed: #typed,
                configure: #configure,
            }
        });
    }

    let description = step::optional(step::description_text(op));
    let code_version = step::optional(args.code_version.as_ref().map(syn::LitStr::value));
    let mut configure = step::resource_configure(op);
    step::resource_checks(op, &mut checks);
    if let Some(c) = &args.config {
        configure.push(quote! { .config_type::<#c>() });
    }
    let configure = if configure.is_empty() {
        quote! { #_None }
    } else {
        quote! { #_Some(|__larder_b: #_OpBuilder| __larder_b #(#configure)*) }
    };

    let multi = args.outs.is_some();
    // The checks are calls of empty `const fn`s: free at run time,
    // reported at the user's tokens at compile time.
    let compute = step::compute_closure(op, |call| {
        let store = if multi {
            let vars: Vec<Ident> = (0..outputs.len())
                .map(|i| format_ident!("__larder_out_{}", i))
                .collect();
            let sets = vars.iter().zip(outputs).enumerate().map(|(i, (v, decl))| {
                let set = step::set_value(i, decl.ty.as_ref(), decl.wrapper, quote! { #v });
                quote! { #set?; }
            });
            quote! {
                let (#(#vars,)*) = #call;
                #(#sets)*
                #_Ok(())
            }
        } else {
            step::store_single(&op.output, call)
        };
        quote! { #(#checks)* #store }
    });

    let doc = format!("The definition of op `{op_name}`, built from `#[op] fn {fn_ident}`.");
    let members = quote! {
        #[doc = #doc]
        pub fn definition() -> #_OpDefinition {
            #_OpDefinition::from_descriptor(&#descriptor_ident)
        }
    };
    let descriptor = quote! {
        #[allow(non_upper_case_globals)]
        static #descriptor_ident: #_OpDescriptor = #_OpDescriptor {
            name: #op_name,
            inputs: &[#(#inputs),*],
            outputs: &[#(#outs),*],
            description: #description,
            code_version: #code_version,
            configure: #configure,
            compute: #compute,
        };
    };
    let op_proxy = op_proxy(func, &op.managed_inputs());
    let dynamic_checks = super::dynamic::op_impls(op);
    let cfgs = attr::cfgs(&func.attrs);
    let proxy = step::proxy(
        func,
        members,
        quote! {
            #descriptor
            #op_proxy
            #dynamic_checks
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
        impl #_OpArgsMatchInputs<#ident> for [#_OutputHandle; #all] {
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
            impl #_OpArgsMatchInputs<#ident> for [#_OutputHandle; #n] {
                fn wire(self) -> #_Vec<#_Option<#_OutputHandle>> {
                    let [#(#wired),*] = self;
                    #_vec![#(#slots),*]
                }
            }
        }
    };
    quote! {
        #cfgs
        impl #_IsOp for #ident {
            fn definition() -> #_OpDefinition {
                #ident::definition()
            }
        }
        #every
        #only_wired
    }
}
