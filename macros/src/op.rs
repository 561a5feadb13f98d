//! `#[op]`: a function with named inputs (its parameters) and one output
//! (`out(..)`) or several (`outs(a(..), b(..))`, returned as a tuple).
//!
//! Emits the function unchanged, a proxy struct named like it with
//! `definition()` and the input-count check `#[job]` bodies use, and the
//! registration.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{Ident, LitStr, Type};

use crate::item::Function as ItemFn;

use crate::attr::{self, Errors, MetadataEntry, Seen, UnrawString};
use crate::key::Key;
use crate::signature::{self, Output};
use crate::step;

pub(crate) const ARGS: &[&str] = &[
    "name",
    "description",
    "out",
    "outs",
    "ins",
    "config",
    "code_version",
];
pub(crate) const OUT_ARGS: &[&str] = &["io_manager_key", "metadata", "description"];
pub(crate) const IN_ARGS: &[&str] = &["input_manager_key", "metadata", "description"];

#[derive(Default)]
struct OpArgs {
    name: Option<LitStr>,
    description: Option<LitStr>,
    out: Option<(Ident, OutArgs)>,
    outs: Option<(Ident, Vec<OutArgs>)>,
    ins: Vec<InArgs>,
    config: Option<Type>,
    code_version: Option<LitStr>,
}

#[derive(Default)]
struct OutArgs {
    name: Option<Ident>,
    io_manager_key: Option<Key>,
    metadata: Vec<MetadataEntry>,
    description: Option<LitStr>,
}

struct InArgs {
    param: Ident,
    input_manager_key: Option<Key>,
    metadata: Vec<MetadataEntry>,
    description: Option<LitStr>,
}

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = crate::item::not_a_function(&item, "`#[op]` can only be used on a function");
            return quote! { #item #err };
        }
    };
    let mut errors = Errors::default();
    let args = parse_args(args, &mut errors);
    signature::check_plain_fn(&func.sig, "`#[op]`", &mut errors);
    let params = signature::params(&func.sig, "`#[op]`", &mut errors);
    let output = signature::output(&func.sig, &mut errors);
    let op_name = args
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| func.sig.ident.unraw_string());
    step::check_ins(
        args.ins.iter().map(|i| &i.param),
        &params,
        &format!("op `{op_name}`"),
        &mut errors,
    );
    let outputs = outputs(&args, &output, &op_name, &mut errors);
    // Per input: whether an input manager can load it with nothing wired.
    let managed: Vec<bool> = params
        .iter()
        .filter(|p| p.step_io.is_none())
        .map(|p| {
            args.ins
                .iter()
                .any(|i| i.param == p.ident && i.input_manager_key.is_some())
        })
        .collect();
    if !errors.is_empty() {
        let fallback = step::fallback(&func, &errors, dummy_members());
        let op_proxy = op_proxy(&func, &managed);
        return quote! { #fallback #op_proxy };
    }

    let fn_ident = &func.sig.ident;
    let mut checks = Vec::new();
    let mut builder = Vec::new();

    for p in params.iter().filter(|p| p.step_io.is_none()) {
        checks.push(signature::assert_step_value(&p.ty));
        let name = p.ident.unraw_string();
        let ty = &p.ty;
        let mut input = quote! { ::larder::In::new(#name, ::larder::type_info!(#ty)) };
        if let Some(spec) = args.ins.iter().find(|i| i.param == p.ident) {
            if let Some(k) = &spec.input_manager_key {
                let lit = &k.lit;
                let loader = k.typed_loader(ty);
                input.extend(quote! { .input_manager_key(#lit).typed(#loader) });
            }
            if !spec.metadata.is_empty() {
                let md = attr::metadata_tokens(&spec.metadata);
                input.extend(quote! { .metadata(#md) });
            }
            if let Some(d) = &spec.description {
                input.extend(quote! { .description(#d) });
            }
        }
        builder.push(quote! { .input(#input) });
    }

    for (name, ty, spec) in &outputs {
        let unit = quote! { () };
        let ty_tokens = ty.as_ref().map(ToTokens::to_token_stream).unwrap_or(unit);
        let mut out = quote! { ::larder::Out::new(#name, ::larder::type_info!(#ty_tokens)) };
        if let Some(spec) = spec {
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
                let md = attr::metadata_tokens(&spec.metadata);
                out.extend(quote! { .metadata(#md) });
            }
            if let Some(d) = &spec.description {
                out.extend(quote! { .description(#d) });
            }
        }
        builder.push(quote! { .output(#out) });
    }

    let description = args
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| attr::doc_string(&func.attrs));
    if let Some(d) = description {
        builder.push(quote! { .description(#d) });
    }
    if let Some(c) = &args.config {
        builder.push(quote! { .config_type::<#c>() });
    }
    if let Some(v) = &args.code_version {
        builder.push(quote! { .version(#v) });
    }

    let unwrap = signature::unwrap_result(output.is_result, output.written.as_ref());
    let multi = args.outs.is_some();
    let compute = step::compute_closure(fn_ident, &params, &unwrap, |call| {
        if multi {
            let vars: Vec<Ident> = (0..outputs.len())
                .map(|i| format_ident!("__larder_out_{}", i))
                .collect();
            let sets = vars
                .iter()
                .zip(&outputs)
                .enumerate()
                .map(|(i, (v, (_, ty, _)))| match ty {
                    Some(ty) => {
                        let set = signature::set_output(i, ty, quote! { #v });
                        quote! { #set?; }
                    }
                    None => quote! { __larder_io.set_output(#i, #v)?; },
                });
            quote! {
                let (#(#vars,)*) = #call;
                #(#sets)*
                ::core::result::Result::Ok(())
            }
        } else if let Some(ty) = &output.ty {
            let set = signature::set_output(0, ty, quote! { __larder_value });
            quote! {
                let __larder_value = #call;
                #set
            }
        } else {
            quote! {
                #call;
                ::core::result::Result::Ok(())
            }
        }
    });

    let doc = format!("The definition of op `{op_name}`, built from `#[op] fn {fn_ident}`.");
    let members = quote! {
        #[doc = #doc]
        pub fn definition() -> ::larder::OpDefinition {
            #(#checks)*
            ::larder::OpDefinition::builder(#op_name)
                #(#builder)*
                .compute_fn(::larder::__private::compute_fn(#compute))
        }
    };
    let op_proxy = op_proxy(&func, &managed);
    let cfgs = attr::cfgs(&func.attrs);
    let proxy = step::proxy(
        &func,
        members,
        quote! {
            #op_proxy
            #cfgs
            ::larder::__private::inventory::submit! {
                ::larder::__private::OpRegistration { build: #fn_ident::definition }
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
        pub fn definition() -> ::larder::OpDefinition {
            ::core::unreachable!()
        }
    }
}

/// `impl OpProxy`: what `#[job]` bodies invoke. A call passes one upstream
/// output per input, or only for the inputs that have no
/// `input_manager_key` (the others are root inputs, loaded by their
/// manager); any other count fails to compile.
fn op_proxy(func: &ItemFn, managed: &[bool]) -> TokenStream {
    if func.sig.receiver().is_some() {
        return TokenStream::new();
    }
    let ident = &func.sig.ident;
    let cfgs = attr::cfgs(&func.attrs);
    let all = managed.len();
    let handles: Vec<Ident> = (0..all)
        .map(|i| format_ident!("__larder_in{}", i))
        .collect();
    let every = quote! {
        #cfgs
        impl ::larder::__private::OpArgs<#ident> for [::larder::OutputHandle; #all] {
            fn wire(self) -> ::std::vec::Vec<::core::option::Option<::larder::OutputHandle>> {
                let [#(#handles),*] = self;
                ::std::vec![#(::core::option::Option::Some(#handles)),*]
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
                quote! { ::core::option::Option::None }
            } else {
                quote! { ::core::option::Option::Some(#h) }
            }
        });
        quote! {
            #cfgs
            impl ::larder::__private::OpArgs<#ident> for [::larder::OutputHandle; #n] {
                fn wire(self) -> ::std::vec::Vec<::core::option::Option<::larder::OutputHandle>> {
                    let [#(#wired),*] = self;
                    ::std::vec![#(#slots),*]
                }
            }
        }
    };
    quote! {
        #cfgs
        impl ::larder::__private::OpProxy for #ident {
            fn definition() -> ::larder::OpDefinition {
                #ident::definition()
            }
        }
        #every
        #only_wired
    }
}

/// `(name, type (None for `()`), its `out`/`outs` spec)` per output.
fn outputs<'a>(
    args: &'a OpArgs,
    output: &Output,
    op: &str,
    errors: &mut Errors,
) -> Vec<(String, Option<Type>, Option<&'a OutArgs>)> {
    if let (Some((out, _)), Some(_)) = (&args.out, &args.outs) {
        errors.spanned(
            out,
            "use either `out(..)` (one output) or `outs(..)` (several), not both",
        );
    }
    let Some((outs_ident, outs)) = &args.outs else {
        return vec![(
            "result".to_owned(),
            output.ty.clone(),
            args.out.as_ref().map(|(_, o)| o),
        )];
    };
    if outs.is_empty() {
        errors.spanned(
            outs_ident,
            "`outs()` declares no outputs; omit it for the single output `result`",
        );
        return Vec::new();
    }
    let names: Vec<String> = outs
        .iter()
        .filter_map(|o| o.name.as_ref())
        .map(UnrawString::unraw_string)
        .collect();
    let arity_error = |found: &str| {
        format!(
            "`outs({})` declares {} outputs, so op `{op}` must return a tuple of {} values; {found}",
            names.join(", "),
            outs.len(),
            outs.len()
        )
    };
    let elems: Vec<Type> = match (&output.ty, &output.written) {
        (Some(Type::Tuple(t)), _) => t.elems.iter().cloned().collect(),
        (Some(other), _) => {
            errors.spanned(
                other,
                arity_error(&format!("it returns `{}`", other.to_token_stream())),
            );
            return Vec::new();
        }
        (None, Some(w)) => {
            errors.spanned(w, arity_error("it returns `()`"));
            return Vec::new();
        }
        (None, None) => {
            errors.spanned(outs_ident, arity_error("it returns nothing"));
            return Vec::new();
        }
    };
    if elems.len() != outs.len() {
        let ret = output
            .ty
            .as_ref()
            .map(|t| t.to_token_stream().to_string())
            .unwrap_or_default();
        let found = format!("it returns `{ret}` ({} values)", elems.len());
        match &output.ty {
            Some(t) => errors.spanned(t, arity_error(&found)),
            None => errors.spanned(outs_ident, arity_error(&found)),
        }
        return Vec::new();
    }
    outs.iter()
        .zip(elems)
        .map(|(o, ty)| {
            let name = o
                .name
                .as_ref()
                .map(UnrawString::unraw_string)
                .unwrap_or_default();
            let ty = if signature::is_unit(&ty) {
                None
            } else {
                Some(ty)
            };
            (name, ty, Some(o))
        })
        .collect()
}

fn parse_args(tokens: TokenStream, errors: &mut Errors) -> OpArgs {
    let mut args = OpArgs::default();
    let mut seen = Seen::default();
    let ctx = "`#[op]` argument";
    attr::parse_args(tokens, errors, |meta, errors| {
        let name = attr::arg_name(meta)?;
        if !ARGS.contains(&name.to_string().as_str()) {
            return Err(attr::unknown(&name, ctx, ARGS));
        }
        seen.first(&name, ctx)?;
        match name.to_string().as_str() {
            "name" => args.name = Some(attr::name_lit(meta, &name, "op name")?),
            "description" => args.description = Some(attr::lit_str(meta, &name)?),
            "out" => {
                let spec = parse_out(meta, errors, "`out(..)` argument".to_owned())?;
                args.out = Some((name.clone(), spec));
            }
            "outs" => {
                let mut outs = Vec::new();
                let mut seen_outs = Seen::default();
                attr::parse_nested(meta, errors, |entry, errors| {
                    let out_name = attr::arg_name(entry)?;
                    seen_outs.first(&out_name, "output")?;
                    attr::check_name(&out_name.unraw_string(), out_name.span(), "output name")?;
                    let mut spec = if entry.input.peek(syn::token::Paren) {
                        parse_out(entry, errors, format!("argument of `outs({out_name}(..))`"))?
                    } else {
                        OutArgs::default()
                    };
                    spec.name = Some(out_name);
                    outs.push(spec);
                    Ok(())
                })?;
                args.outs = Some((name.clone(), outs));
            }
            "ins" => args.ins = parse_ins(meta, errors)?,
            "config" => args.config = Some(attr::ty(meta, &name)?),
            "code_version" => args.code_version = Some(attr::lit_str(meta, &name)?),
            _ => return Err(attr::unknown(&name, ctx, ARGS)),
        }
        Ok(())
    });
    args
}

fn parse_out(
    meta: &syn::meta::ParseNestedMeta,
    errors: &mut Errors,
    ctx: String,
) -> syn::Result<OutArgs> {
    let mut spec = OutArgs::default();
    let mut seen = Seen::default();
    attr::parse_nested(meta, errors, |m, errors| {
        let name = attr::arg_name(m)?;
        if !OUT_ARGS.contains(&name.to_string().as_str()) {
            return Err(attr::unknown(&name, &ctx, OUT_ARGS));
        }
        seen.first(&name, &ctx)?;
        match name.to_string().as_str() {
            "io_manager_key" => {
                spec.io_manager_key = Key::parse_io_manager_key(attr::lit_str(m, &name)?)?
            }
            "metadata" => spec.metadata = attr::metadata(m, errors)?,
            "description" => spec.description = Some(attr::lit_str(m, &name)?),
            _ => return Err(attr::unknown(&name, &ctx, OUT_ARGS)),
        }
        Ok(())
    })?;
    Ok(spec)
}

fn parse_ins(meta: &syn::meta::ParseNestedMeta, errors: &mut Errors) -> syn::Result<Vec<InArgs>> {
    let mut ins = Vec::new();
    let mut seen_params = Seen::default();
    attr::parse_nested(meta, errors, |entry, errors| {
        let param = attr::arg_name(entry)?;
        seen_params.first(&param, "`ins(..)` entry for parameter")?;
        let mut spec = InArgs {
            param: param.clone(),
            input_manager_key: None,
            metadata: Vec::new(),
            description: None,
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
                    "input_manager_key" => {
                        spec.input_manager_key = Some(Key::parse(attr::lit_str(m, &name)?)?)
                    }
                    "metadata" => spec.metadata = attr::metadata(m, errors)?,
                    "description" => spec.description = Some(attr::lit_str(m, &name)?),
                    _ => return Err(attr::unknown(&name, &ctx, IN_ARGS)),
                }
                Ok(())
            })?;
        }
        ins.push(spec);
        Ok(())
    })?;
    Ok(ins)
}
