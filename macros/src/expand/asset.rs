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
    let mut builder = step::inputs(asset, &mut checks);

    // The output. A partitioned asset returning `PartitionMap<T>` stores
    // each entry as its own partition: the manager must store `T`.
    if let Some(def) = &args.partitions_def {
        builder.push(quote! { .partitions_def(#def) });
    }
    let element = match (&args.partitions_def, &output.ty) {
        (Some(_), Some(ty)) => signature::partition_map_element(ty),
        _ => None,
    };
    if let Some(ty) = &output.ty {
        builder.push(quote! { .output_type(#_type_info!(#ty)) });
    }
    if let Some(el) = element {
        let shape = step::partition_map_shape(el);
        builder.push(quote! { .output_shape(#shape) });
    }
    if let Some(k) = &args.io_manager_key {
        let lit = &k.lit;
        match (&output.ty, element) {
            (_, Some(el)) => {
                let adapter = k.typed_output(el);
                builder.push(quote! { .io_manager_key(#lit).typed_element(#adapter) });
            }
            (Some(ty), None) => {
                let adapter = k.typed_output(ty);
                builder.push(quote! { .io_manager_key(#lit).typed_output(#adapter) });
            }
            (None, None) => {
                // `()` is never stored, but a named key must still exist.
                checks.push(k.exists_check());
                builder.push(quote! { .io_manager_key(#lit) });
            }
        }
    }

    if !args.metadata.is_empty() {
        let md = step::metadata(&args.metadata);
        builder.push(quote! { .metadata(#md) });
    }
    builder.extend(step::description(asset));
    if let Some(g) = &args.group_name {
        builder.push(quote! { .group_name(#g) });
    }
    if !args.deps.is_empty() {
        let deps = args.deps.iter().map(|d| match d {
            Dep::Asset(path) => quote! { #path::key() },
            Dep::Key(components) => quote! { #_AssetKey::new([#(#components),*]) },
        });
        builder.push(quote! { .deps([#(#deps),*]) });
    }
    if let Some(c) = &args.config {
        builder.push(quote! { .config_type::<#c>() });
    }
    if let Some(v) = &args.code_version {
        builder.push(quote! { .version(#v) });
    }

    let compute = step::compute_closure(asset, |call| step::store_single(output.ty.as_ref(), call));

    let doc = format!(
        "The definition of asset `{}`, built from `#[asset] fn {}`.",
        key_components.join("/"),
        fn_ident
    );
    let members = quote! {
        /// The asset's key.
        pub fn key() -> #_AssetKey {
            #_AssetKey::new([#(#key_components),*])
        }

        #[doc = #doc]
        pub fn definition() -> #_AssetDefinition {
            #(#checks)*
            #_AssetDefinition::builder(#asset_name)
                .key(Self::key())
                #(#builder)*
                .compute_fn(#__compute_fn(#compute))
        }
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
            impl #__OpArgs<#fn_ident> for [#_OutputHandle; #n_params] {
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
