//! `#[asset]`: a function computing one asset from its upstream assets.
//!
//! Emits the function unchanged, a proxy struct named like it with
//! `definition()` (and `key()`, for `deps = [this_asset]`), and the
//! registration `Definitions::discover` finds.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Path, Type};

use crate::item::Function as ItemFn;

use crate::attr::{self, Errors, MetadataEntry, Seen, StrList, UnrawString};
use crate::key::Key;
use crate::signature;
use crate::step;

pub(crate) const ARGS: &[&str] = &[
    "io_manager_key",
    "key_prefix",
    "key",
    "name",
    "description",
    "group_name",
    "metadata",
    "deps",
    "ins",
    "config",
    "code_version",
    "partitions_def",
];

pub(crate) const IN_ARGS: &[&str] = &[
    "key",
    "key_prefix",
    "input_manager_key",
    "metadata",
    "partition_mapping",
];

#[derive(Default)]
struct AssetArgs {
    io_manager_key: Option<Key>,
    key_prefix: Option<StrList>,
    key: Option<(LitStr, Vec<String>)>,
    name: Option<LitStr>,
    description: Option<LitStr>,
    group_name: Option<LitStr>,
    metadata: Vec<MetadataEntry>,
    deps: Vec<Dep>,
    ins: Vec<InArgs>,
    config: Option<Type>,
    code_version: Option<LitStr>,
    partitions_def: Option<TokenStream>,
}

enum Dep {
    /// Another `#[asset]` function, by path: its key, whatever it is.
    Asset(Path),
    /// An asset key, `"a/b"`.
    Key(Vec<String>),
}

struct InArgs {
    param: Ident,
    key: Option<(LitStr, Vec<String>)>,
    key_prefix: Option<StrList>,
    input_manager_key: Option<Key>,
    metadata: Vec<MetadataEntry>,
    partition_mapping: Option<TokenStream>,
}

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err =
                crate::item::not_a_function(&item, "`#[asset]` can only be used on a function");
            return quote! { #item #err };
        }
    };
    let mut errors = Errors::default();
    let args = parse_args(args, &mut errors);
    signature::check_plain_fn(&func.sig, "`#[asset]`", &mut errors);
    let params = signature::params(&func.sig, "`#[asset]`", &mut errors);
    let output = signature::output(&func.sig, &mut errors);
    let asset_name = args
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| func.sig.ident.unraw_string());
    step::check_ins(
        args.ins.iter().map(|i| &i.param),
        &params,
        &format!("asset `{asset_name}`"),
        &mut errors,
    );
    if !errors.is_empty() {
        return step::fallback(&func, &errors, dummy_members());
    }

    let fn_ident = &func.sig.ident;
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
    let mut builder = Vec::new();

    // Inputs: one per parameter that is not the step's io handle.
    for p in params.iter().filter(|p| p.step_io.is_none()) {
        checks.push(signature::assert_step_value(&p.ty));
        let name = p.ident.unraw_string();
        let ty = &p.ty;
        let mut input = quote! { ::larder::AssetIn::new(#name, ::larder::type_info!(#ty)) };
        // `PartitionMap<T>` / `Option<T>`: how many upstream partitions it takes.
        if let Some(shape) = signature::partition_shape(ty) {
            input.extend(quote! { .shape(#shape) });
        }
        if let Some(spec) = args.ins.iter().find(|i| i.param == p.ident) {
            if let Some(mapping) = &spec.partition_mapping {
                input.extend(quote! { .partition_mapping(#mapping) });
            }
            if let Some((_, components)) = &spec.key {
                input.extend(quote! { .key(::larder::AssetKey::new([#(#components),*])) });
            }
            if let Some(prefix) = &spec.key_prefix {
                let parts = prefix.items.iter().map(|(s, _)| s);
                input.extend(quote! { .key_prefix([#(#parts),*]) });
            }
            if let Some(k) = &spec.input_manager_key {
                let lit = &k.lit;
                let loader = k.typed_loader(ty);
                input.extend(quote! { .input_manager_key(#lit).typed(#loader) });
            }
            if !spec.metadata.is_empty() {
                let md = attr::metadata_tokens(&spec.metadata);
                input.extend(quote! { .metadata(#md) });
            }
        }
        builder.push(quote! { .input(#input) });
    }

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
        builder.push(quote! { .output_type(::larder::type_info!(#ty)) });
    }
    if let Some(el) = element {
        builder.push(quote! {
            .output_shape(::larder::partitions::PartitionShape::map::<#el>(::larder::type_info!(#el)))
        });
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
        let md = attr::metadata_tokens(&args.metadata);
        builder.push(quote! { .metadata(#md) });
    }
    let description = args
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| attr::doc_string(&func.attrs));
    if let Some(d) = description {
        builder.push(quote! { .description(#d) });
    }
    if let Some(g) = &args.group_name {
        builder.push(quote! { .group_name(#g) });
    }
    if !args.deps.is_empty() {
        let deps = args.deps.iter().map(|d| match d {
            Dep::Asset(path) => quote! { #path::key() },
            Dep::Key(components) => quote! { ::larder::AssetKey::new([#(#components),*]) },
        });
        builder.push(quote! { .deps([#(#deps),*]) });
    }
    if let Some(c) = &args.config {
        builder.push(quote! { .config_type::<#c>() });
    }
    if let Some(v) = &args.code_version {
        builder.push(quote! { .version(#v) });
    }

    let unwrap = signature::unwrap_result(output.is_result, output.written.as_ref());
    let compute = step::compute_closure(fn_ident, &params, &unwrap, |call| match &output.ty {
        Some(ty) => {
            let set = signature::set_output(0, ty, quote! { __larder_value });
            quote! {
                let __larder_value = #call;
                #set
            }
        }
        None => quote! {
            #call;
            ::core::result::Result::Ok(())
        },
    });

    let doc = format!(
        "The definition of asset `{}`, built from `#[asset] fn {}`.",
        key_components.join("/"),
        fn_ident
    );
    let members = quote! {
        /// The asset's key.
        pub fn key() -> ::larder::AssetKey {
            ::larder::AssetKey::new([#(#key_components),*])
        }

        #[doc = #doc]
        pub fn definition() -> ::larder::AssetDefinition {
            #(#checks)*
            ::larder::AssetDefinition::builder(#asset_name)
                .key(Self::key())
                #(#builder)*
                .compute_fn(::larder::__private::compute_fn(#compute))
        }
    };
    let cfgs = attr::cfgs(&func.attrs);
    // An asset called in a `#[job]` body is reported as "not an `#[op]`";
    // this impl (never callable: an asset is no `OpProxy`) keeps its
    // argument count from being reported as a second error.
    let n_params = params.iter().filter(|p| p.step_io.is_none()).count();
    let no_arity_error = if func.sig.receiver().is_some() {
        TokenStream::new()
    } else {
        quote! {
            #cfgs
            impl ::larder::__private::OpArgs<#fn_ident> for [::larder::OutputHandle; #n_params] {
                fn wire(self) -> ::std::vec::Vec<::core::option::Option<::larder::OutputHandle>> {
                    ::std::vec::Vec::new()
                }
            }
        }
    };
    let proxy = step::proxy(
        &func,
        members,
        quote! {
            #no_arity_error
            #cfgs
            ::larder::__private::inventory::submit! {
                ::larder::__private::AssetRegistration { build: #fn_ident::definition }
            }
        },
    );
    quote! {
        #func
        #proxy
    }
}

fn dummy_members() -> TokenStream {
    quote! {
        pub fn key() -> ::larder::AssetKey {
            ::core::unreachable!()
        }
        pub fn definition() -> ::larder::AssetDefinition {
            ::core::unreachable!()
        }
    }
}

fn parse_args(tokens: TokenStream, errors: &mut Errors) -> AssetArgs {
    let mut args = AssetArgs::default();
    let mut seen = Seen::default();
    let ctx = "`#[asset]` argument";
    attr::parse_args(tokens, errors, |meta, errors| {
        let name = attr::arg_name(meta)?;
        if !ARGS.contains(&name.to_string().as_str()) {
            return Err(attr::unknown(&name, ctx, ARGS));
        }
        seen.first(&name, ctx)?;
        match name.to_string().as_str() {
            "io_manager_key" => {
                args.io_manager_key = Key::parse_io_manager_key(attr::lit_str(meta, &name)?)?
            }
            "key_prefix" => {
                args.key_prefix = Some(checked_components(attr::path_list(meta, &name)?)?)
            }
            "key" => args.key = Some(asset_key(attr::lit_str(meta, &name)?)?),
            "name" => {
                args.name = Some(attr::name_lit(meta, &name, "asset name")?);
            }
            "description" => args.description = Some(attr::lit_str(meta, &name)?),
            "group_name" => args.group_name = Some(attr::lit_str(meta, &name)?),
            "metadata" => args.metadata = attr::metadata(meta, errors)?,
            "deps" => args.deps = parse_deps(meta, &name)?,
            "ins" => args.ins = parse_ins(meta, errors)?,
            "config" => args.config = Some(attr::ty(meta, &name)?),
            "code_version" => args.code_version = Some(attr::lit_str(meta, &name)?),
            "partitions_def" => {
                args.partitions_def = Some(attr::value_tokens(meta, &name, "partitions")?)
            }
            _ => return Err(attr::unknown(&name, ctx, ARGS)),
        }
        Ok(())
    });
    if let (Some((lit, _)), true) = (&args.key, args.name.is_some() || args.key_prefix.is_some()) {
        errors.spanned(
            lit,
            "`key` sets the whole asset key; it cannot be combined with `name` or `key_prefix`",
        );
    }
    args
}

fn parse_ins(meta: &syn::meta::ParseNestedMeta, errors: &mut Errors) -> syn::Result<Vec<InArgs>> {
    let mut ins = Vec::new();
    let mut seen_params = Seen::default();
    attr::parse_nested(meta, errors, |entry, errors| {
        let param = attr::arg_name(entry)?;
        seen_params.first(&param, "`ins(..)` entry for parameter")?;
        let mut spec = InArgs {
            param: param.clone(),
            key: None,
            key_prefix: None,
            input_manager_key: None,
            metadata: Vec::new(),
            partition_mapping: None,
        };
        if entry.input.peek(syn::token::Paren) {
            let mut seen = Seen::default();
            let ctx = format!("argument of `ins({param}(..))`");
            attr::parse_nested(entry, errors, |m, errors| {
                let name = attr::arg_name(m)?;
                if !IN_ARGS.contains(&name.to_string().as_str()) {
                    return Err(attr::unknown(&name, &ctx, IN_ARGS));
                }
                seen.first(&name, &ctx)?;
                match name.to_string().as_str() {
                    "key" => spec.key = Some(asset_key(attr::lit_str(m, &name)?)?),
                    "key_prefix" => {
                        spec.key_prefix = Some(checked_components(attr::path_list(m, &name)?)?)
                    }
                    "input_manager_key" => {
                        spec.input_manager_key = Some(Key::parse(attr::lit_str(m, &name)?)?)
                    }
                    "metadata" => spec.metadata = attr::metadata(m, errors)?,
                    "partition_mapping" => {
                        spec.partition_mapping = Some(attr::value_tokens(m, &name, "mapping")?)
                    }
                    _ => return Err(attr::unknown(&name, &ctx, IN_ARGS)),
                }
                Ok(())
            })?;
            if let (Some((lit, _)), Some(_)) = (&spec.key, &spec.key_prefix) {
                errors.spanned(
                    lit,
                    "`key` sets the whole upstream key; it cannot be combined with `key_prefix`",
                );
            }
        }
        ins.push(spec);
        Ok(())
    })?;
    Ok(ins)
}

fn parse_deps(meta: &syn::meta::ParseNestedMeta, name: &Ident) -> syn::Result<Vec<Dep>> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = [upstream_asset, \"prefix/other\"]`"),
        ));
    }
    let tokens = attr::tokens_until_comma(meta.value()?)?;
    crate::item::check_nesting(&tokens, attr::VALUE_DEPTH, &format!("`{name}`"))?;
    let expr: Expr = syn::parse2(tokens)?;
    let Expr::Array(arr) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            format!("expected a list of assets: `{name} = [upstream_asset, \"prefix/other\"]`"),
        ));
    };
    let mut deps = Vec::new();
    for e in arr.elems {
        match e {
            Expr::Path(p) if p.qself.is_none() => deps.push(Dep::Asset(p.path)),
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let (_, components) = asset_key(s)?;
                deps.push(Dep::Key(components));
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "expected an `#[asset]` function or an asset key string such as \"prefix/name\"",
                ));
            }
        }
    }
    Ok(deps)
}

/// `"a/b/c"` as a checked asset key.
fn asset_key(lit: LitStr) -> syn::Result<(LitStr, Vec<String>)> {
    let value = lit.value();
    let components: Vec<String> = value.split('/').map(str::to_owned).collect();
    for c in &components {
        check_component(c, lit.span())?;
    }
    Ok((lit, components))
}

fn checked_components(list: StrList) -> syn::Result<StrList> {
    for (c, span) in &list.items {
        check_component(c, *span)?;
    }
    Ok(list)
}

fn check_component(c: &str, span: Span) -> syn::Result<()> {
    attr::check_name(c, span, "asset key component")
}
