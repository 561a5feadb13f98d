//! `#[multi_asset]`: the function unchanged, a proxy struct named like it
//! with `definition()` and `keys()`, and the registration. The returned
//! tuple's elements set the outs in order; an optional out's `None` sets
//! nothing.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, Type};

use super::step;
use crate::attr::{self, UnrawString};
use crate::exports::*;
use crate::model::{Dep, StepFn};
use crate::signature;

pub fn expand(multi: &StepFn) -> TokenStream {
    let args = &multi.args;
    let func = &multi.func;
    let fn_ident = step::ident(multi);
    let descriptor_ident = format_ident!("{}_descriptor", fn_ident);
    let name = &multi.name;
    let specs = args
        .asset_outs
        .as_ref()
        .map(|(_, s)| s.as_slice())
        .unwrap_or_default();

    let mut checks = Vec::new();
    let inputs = step::input_descriptors(multi, &mut checks);
    let mut stored_by = Vec::new();
    let mut outs = Vec::new();
    for decl in &multi.asset_outputs {
        let Some(spec) = specs.get(decl.spec) else {
            continue;
        };
        let out_name = spec.name.unraw_string();
        let key = spec.key_components();
        let ty = &decl.ty;
        // A partitioned multi-asset's `PartitionMap<T>` out stores each
        // entry as its own partition: the manager must store `T`.
        let element = args
            .partitions_def
            .as_ref()
            .and_then(|_| signature::partition_map_element(ty));
        let mut configure = Vec::new();
        if let Some(el) = element {
            let shape = step::partition_map_shape(el);
            configure.push(quote! { .shape(#shape) });
        }
        let mut io_manager_key = quote! { #_None };
        let mut typed = quote! { #_None };
        if let Some(k) = &spec.io_manager_key {
            let lit = &k.lit;
            io_manager_key = quote! { #_Some(#lit) };
            match element {
                Some(el) => {
                    let adapter = k.typed_output(el);
                    configure.push(quote! { .typed_element(#adapter) });
                }
                None => {
                    let adapter = k.typed_output(ty);
                    typed = quote! { #_Some(|| #adapter) };
                }
            }
            // Downstream inputs check their types against this manager;
            // the marker is named for the function and the out.
            let marker = Ident::new(
                &format!("{}_{out_name}", fn_ident.unraw_string()),
                Span::call_site(),
            );
            stored_by.push(super::key::asset_stored_by(&marker, &key, k));
        }
        if !spec.metadata.is_empty() {
            let md = step::metadata(&spec.metadata);
            configure.push(quote! { .metadata(#md) });
        }
        if let Some(d) = &spec.description {
            configure.push(quote! { .description(#d) });
        }
        if let Some(g) = &spec.group_name {
            configure.push(quote! { .group_name(#g) });
        }
        let configure = if configure.is_empty() {
            quote! { #_None }
        } else {
            quote! { #_Some(|__larder_out: #_AssetOut| __larder_out #(#configure)*) }
        };
        let required = spec.required();
        outs.push(quote! {
            #_AssetOutDescriptor {
                name: #out_name,
                key: &[#(#key),*],
                ty: || #_type_info!(#ty),
                io_manager_key: #io_manager_key,
                typed: #typed,
                is_required: #required,
                configure: #configure,
            }
        });
    }

    let mut configure = Vec::new();
    if let Some(def) = &args.partitions_def {
        configure.push(quote! { .partitions_def(#def) });
    }
    if !args.deps.is_empty() {
        let deps = args.deps.iter().map(|d| match d {
            Dep::Asset(path) => quote! { #path::key() },
            Dep::Key(components) => quote! { #_AssetKey::new([#(#components),*]) },
        });
        configure.push(quote! { .deps([#(#deps),*]) });
    }
    if let Some(c) = &args.config {
        configure.push(quote! { .config_type::<#c>() });
    }
    configure.extend(step::resource_configure(multi));
    step::resource_checks(multi, &mut checks);
    let configure = if configure.is_empty() {
        quote! { #_None }
    } else {
        quote! { #_Some(|__larder_b: #_MultiAssetBuilder| __larder_b #(#configure)*) }
    };
    let description = step::optional(step::description_text(multi));
    let group_name = step::optional(args.group_name.as_ref().map(syn::LitStr::value));
    let code_version = step::optional(args.code_version.as_ref().map(syn::LitStr::value));

    let tuple = matches!(multi.output.ty, Some(Type::Tuple(_)));
    let compute = step::compute_closure(multi, |call| {
        let vars: Vec<Ident> = (0..multi.asset_outputs.len())
            .map(|i| format_ident!("__larder_out_{}", i))
            .collect();
        let bind = if tuple {
            quote! { let (#(#vars,)*) = #call; }
        } else {
            quote! { let (#(#vars)*) = #call; }
        };
        let sets = vars
            .iter()
            .zip(&multi.asset_outputs)
            .enumerate()
            .map(|(i, (v, decl))| {
                let set = step::set_value(i, Some(&decl.ty), decl.wrapper, quote! { #v });
                let required = specs.get(decl.spec).is_none_or(|s| s.required());
                if required {
                    quote! { #set?; }
                } else {
                    quote! {
                        if let #_Some(#v) = #v {
                            #set?;
                        }
                    }
                }
            });
        quote! {
            #(#checks)*
            #bind
            #(#sets)*
            #_Ok(())
        }
    });

    let keys: Vec<String> = specs.iter().map(|s| s.key_components().join("/")).collect();
    let doc = format!(
        "The definition of multi-asset `{name}` (assets {}), built from `#[multi_asset] fn {fn_ident}`.",
        keys.join(", ")
    );
    let members = quote! {
        /// The keys of its assets, in the order of its outs.
        pub fn keys() -> #_Vec<#_AssetKey> {
            #descriptor_ident
                .outs
                .iter()
                .map(|o| #_AssetKey::from(o.key))
                .collect()
        }

        #[doc = #doc]
        pub fn definition() -> #_MultiAssetDefinition {
            #_MultiAssetDefinition::from_descriptor(&#descriptor_ident)
        }
    };
    let descriptor = quote! {
        #[allow(non_upper_case_globals)]
        static #descriptor_ident: #_MultiAssetDescriptor = #_MultiAssetDescriptor {
            name: #name,
            outs: &[#(#outs),*],
            inputs: &[#(#inputs),*],
            description: #description,
            group_name: #group_name,
            code_version: #code_version,
            configure: #configure,
            compute: #compute,
        };
    };
    let cfgs = attr::cfgs(&func.attrs);
    let proxy = step::proxy(
        func,
        members,
        quote! {
            #descriptor
            #(#stored_by)*
            #cfgs
            #__submit! {
                #__MultiAssetRegistration { build: #fn_ident::definition }
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
        pub fn keys() -> #_Vec<#_AssetKey> {
            #_unreachable!()
        }
        pub fn definition() -> #_MultiAssetDefinition {
            #_unreachable!()
        }
    }
}
