//! `#[asset]`: the function unchanged, a proxy struct named like it with
//! `definition()` (and `key()`, for `deps = [this_asset]`), and the
//! registration `Definitions::discover` finds.

use proc_macro2::TokenStream;
use quote::quote;

use super::step;
use crate::attr;
use crate::exports::*;
use crate::model::{Dep, StepFn};
use crate::signature;

pub fn expand(asset: &StepFn) -> TokenStream {
    let args = &asset.args;
    let func = &asset.func;
    let fn_ident = step::ident(asset);
    // Named after the function: rustc names generated items by their
    // path in notes (`numbers_descriptor::{closure#1}::..`).
    let descriptor_ident = quote::format_ident!("{}_descriptor", fn_ident);
    let asset_name = &asset.name;
    let output = &asset.output;
    let key_components: Vec<String> = match &args.key {
        Some((_, components)) => components.clone(),
        None => {
            let mut c: Vec<String> = args
                .key_prefix
                .iter()
                .flat_map(|p| p.items.iter().map(|(s, _)| s.clone()))
                .collect();
            c.push(asset_name.clone());
            c
        }
    };

    let mut checks = Vec::new();
    let inputs = step::input_descriptors(asset, &mut checks);

    // What the descriptor holds as plain data; everything rarer goes
    // through `configure`, so one-line assets pay for none of it.
    let mut configure = Vec::new();
    // The output. A partitioned asset returning `PartitionMap<T>` stores
    // each entry as its own partition: the manager must store `T`.
    if let Some(def) = &args.partitions_def {
        configure.push(quote! { .partitions_def(#def) });
    }
    let element = match (&args.partitions_def, &output.ty) {
        (Some(_), Some(ty)) => signature::partition_map_element(ty),
        _ => None,
    };
    let output_type = match &output.ty {
        Some(ty) => quote! { #_Some(|| #_type_info!(#ty)) },
        None => quote! { #_None },
    };
    if let Some(el) = element {
        let shape = step::partition_map_shape(el);
        configure.push(quote! { .output_shape(#shape) });
    }
    let mut io_manager_key = quote! { #_None };
    let mut typed_output = quote! { #_None };
    // Downstream inputs check their types against this asset's manager.
    let stored_by = args
        .io_manager_key
        .as_ref()
        .map(|k| super::key::asset_stored_by(fn_ident, &key_components, k));
    if let Some(k) = &args.io_manager_key {
        let lit = &k.lit;
        io_manager_key = quote! { #_Some(#lit) };
        match (&output.ty, element) {
            (_, Some(el)) => {
                let adapter = k.typed_output(el);
                configure.push(quote! { .typed_element(#adapter) });
            }
            (Some(ty), None) => {
                let adapter = k.typed_output(ty);
                typed_output = quote! { #_Some(|| #adapter) };
            }
            // `()` is never stored, but a named key must still exist.
            (None, None) => checks.push(k.exists_check()),
        }
    }
    if let Some(def) = &args.io_manager_def {
        configure.push(quote! { .io_manager_def(#def) });
    }
    if !args.metadata.is_empty() {
        let md = step::metadata(&args.metadata);
        configure.push(quote! { .metadata(#md) });
    }
    let description = step::optional(step::description_text(asset));
    let group_name = step::optional(args.group_name.as_ref().map(syn::LitStr::value));
    let code_version = step::optional(args.code_version.as_ref().map(syn::LitStr::value));
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
    configure.extend(step::resource_configure(asset));
    step::resource_checks(asset, &mut checks);
    let configure = if configure.is_empty() {
        quote! { #_None }
    } else {
        quote! { #_Some(|__larder_b: #_AssetBuilder| __larder_b #(#configure)*) }
    };

    let compute = step::compute_closure(asset, |call| {
        let store = step::store_single(output, call);
        // The checks are calls of empty `const fn`s: free at run time,
        // reported at the user's tokens at compile time.
        quote! { #(#checks)* #store }
    });

    let doc = format!(
        "The definition of asset `{}`, built from `#[asset] fn {}`.",
        key_components.join("/"),
        fn_ident
    );
    let members = quote! {
        /// The asset's key.
        pub fn key() -> #_AssetKey {
            #_AssetKey::from(#descriptor_ident.key)
        }

        #[doc = #doc]
        pub fn definition() -> #_AssetDefinition {
            #_AssetDefinition::from_descriptor(&#descriptor_ident)
        }
    };
    let descriptor = quote! {
        #[allow(non_upper_case_globals)]
        static #descriptor_ident: #_AssetDescriptor = #_AssetDescriptor {
            name: #asset_name,
            key: &[#(#key_components),*],
            output_type: #output_type,
            io_manager_key: #io_manager_key,
            typed_output: #typed_output,
            inputs: &[#(#inputs),*],
            description: #description,
            group_name: #group_name,
            code_version: #code_version,
            configure: #configure,
            compute: #compute,
        };
    };
    let cfgs = attr::cfgs(&func.attrs);
    // An asset called in a `#[job]` body is reported as "not an `#[op]`"
    // (`OpProxy` is not implemented). `OpProxy::invoke` also requires
    // `OpArgs` of the argument array, which rustc reports as a second
    // error; the runtime's bound cannot be split from here, so this impl
    // (never callable: an asset is no `OpProxy`) satisfies it.
    let n_params = step::input_count(&asset.params);
    let no_arity_error = if func.sig.receiver().is_some() {
        TokenStream::new()
    } else {
        quote! {
            #cfgs
            impl #_OpArgsMatchInputs<#fn_ident> for [#_OutputHandle; #n_params] {
                fn wire(self) -> #_Vec<#_Option<#_OutputHandle>> {
                    #_Vec::new()
                }
            }
        }
    };
    let proxy = step::proxy(
        func,
        members,
        quote! {
            #descriptor
            #stored_by
            #no_arity_error
            #cfgs
            #__submit! {
                #__AssetRegistration { build: #fn_ident::definition }
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
        pub fn key() -> #_AssetKey {
            #_unreachable!()
        }
        pub fn definition() -> #_AssetDefinition {
            #_unreachable!()
        }
    }
}
