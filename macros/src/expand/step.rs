//! What `#[asset]` and `#[op]` emit alike: the Rocket-style proxy struct
//! named like the function, the type-erased compute closure, the input
//! builders, and what is emitted when the attribute has errors.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, Type};

use super::key::token_spans;
use crate::attr::{self, Errors, MetadataEntry, UnrawString};
use crate::exports::*;
use crate::item::Function;
use crate::model::{StepFn, StepKind};
use crate::signature::{self, Param, StepIoRef, Wrapper};

/// The description: `description = ".."`, or the doc comment.
pub fn description_text(step: &StepFn) -> Option<String> {
    step.args
        .description
        .as_ref()
        .map(syn::LitStr::value)
        .or_else(|| attr::doc_string(&step.func.attrs))
}

/// One `InputDescriptor` per input, and the checks that its type can travel
/// between steps (pushed to `checks`).
pub fn input_descriptors(step: &StepFn, checks: &mut Vec<TokenStream>) -> Vec<TokenStream> {
    let mut inputs = Vec::new();
    for p in step.inputs() {
        checks.push(assert_step_value(&p.ty));
        let name = p.ident.unraw_string();
        let ty = &p.ty;
        let mut configure = Vec::new();
        // `PartitionMap<T>` / `Option<T>`: how many upstream partitions it takes.
        if step.kind.is_asset()
            && let Some(shape) = partition_shape(ty)
        {
            configure.push(quote! { .shape(#shape) });
        }
        let mut input_manager_key = quote! { #_None };
        let mut typed = quote! { #_None };
        // What is loaded: the element of a `PartitionMap<T>` / `Option<T>`
        // (the whole value when the upstream is not partitioned is checked
        // at validation), else the type itself.
        let element =
            signature::partition_map_element(ty).or_else(|| signature::generic_arg(ty, "Option"));
        let spec = step.in_spec(p);
        // Through the upstream's manager: `PartitionMap<T>` loads `T`s; an
        // `Option<T>` is a `T` of a partitioned upstream or the stored
        // `Option<T>` itself, which only validation can tell apart.
        let optional = signature::partition_map_element(ty).is_none() && element.is_some();
        if step.kind.is_asset()
            && !optional
            && spec.and_then(|s| s.input_manager_key.as_ref()).is_none()
        {
            let upstream: Vec<String> = match spec {
                Some(s) => match (&s.key, &s.key_prefix) {
                    (Some((_, components)), _) => components.clone(),
                    (None, Some(prefix)) => prefix
                        .items
                        .iter()
                        .map(|(s, _)| s.clone())
                        .chain([name.clone()])
                        .collect(),
                    (None, None) => vec![name.clone()],
                },
                None => vec![name.clone()],
            };
            let loader =
                super::key::upstream_loader(&name, &step.name, &upstream, element.unwrap_or(ty));
            if element.is_some() {
                configure.push(quote! { .typed_element(#loader) });
            } else {
                typed = quote! { #_Some(|| #loader) };
            }
        }
        if let Some(spec) = spec {
            if let Some(mapping) = &spec.partition_mapping {
                configure.push(quote! { .partition_mapping(#mapping) });
            }
            if let Some((_, components)) = &spec.key {
                configure.push(quote! { .key(#_AssetKey::new([#(#components),*])) });
            }
            if let Some(prefix) = &spec.key_prefix {
                let parts = prefix.items.iter().map(|(s, _)| s);
                configure.push(quote! { .key_prefix([#(#parts),*]) });
            }
            if let Some(k) = &spec.input_manager_key {
                let lit = &k.lit;
                input_manager_key = quote! { #_Some(#lit) };
                // A shaped input of an asset loads its elements one by one.
                match element {
                    Some(el) if step.kind.is_asset() => {
                        let loader = k.typed_loader(el);
                        configure.push(quote! { .typed_element(#loader) });
                    }
                    _ => {
                        let loader = k.typed_loader(ty);
                        typed = quote! { #_Some(|| #loader) };
                    }
                }
            }
            if !spec.metadata.is_empty() {
                let md = metadata(&spec.metadata);
                configure.push(quote! { .metadata(#md) });
            }
            if let Some(d) = &spec.description {
                configure.push(quote! { .description(#d) });
            }
        }
        // A `Vec<T>` input of an op may collect a dynamic output.
        if step.kind == StepKind::Op {
            configure.extend(super::dynamic::collect_shape(ty));
        }
        let input_ty = match step.kind {
            StepKind::Asset | StepKind::MultiAsset => quote! { #_AssetIn },
            StepKind::Op => quote! { #_In },
        };
        let configure = if configure.is_empty() {
            quote! { #_None }
        } else {
            quote! { #_Some(|__larder_in: #input_ty| __larder_in #(#configure)*) }
        };
        inputs.push(quote! {
            #_InputDescriptor {
                name: #name,
                ty: || #_type_info!(#ty),
                input_manager_key: #input_manager_key,
                typed: #typed,
                configure: #configure,
            }
        });
    }
    inputs
}

/// The compute closure: takes each input (in declaration order), calls the
/// user's function, and hands back what it returned.
///
/// `store` receives the tokens of the returned value (already unwrapped
/// from `Result`) and returns the statements that set the outputs.
pub fn compute_closure(
    step: &StepFn,
    store: impl FnOnce(TokenStream) -> TokenStream,
) -> TokenStream {
    let fn_ident = &step.func.sig.ident;
    let mut takes = Vec::new();
    let mut call_args = Vec::new();
    let mut index = 0usize;
    // A clone of the handle (shared maps): the resources then borrow from
    // it, not from the io handle the function may also take `&mut`.
    if step.params.iter().any(|p| p.resource.is_some()) {
        takes.push(quote! { let __larder_resources = __larder_io.resources().clone(); });
    }
    for (n, p) in step.params.iter().enumerate() {
        if let (Some(ty), Some(spec)) = (&p.resource, step.resource_spec(&p.ident)) {
            let var = format_ident!("__larder_resource_{}", n);
            let lit = &spec.key.lit;
            takes.push(quote! { let #var: &#ty = __larder_resources.get::<#ty>(#lit)?; });
            call_args.push(quote! { #var });
            continue;
        }
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
    let unwrap = unwrap_result(step.output.is_result, step.output.written.as_ref());
    let call = quote! { #fn_ident(#(#call_args),*) #unwrap };
    let store = store(call);
    quote! {
        |__larder_io: &mut #_StepIo<'_>| -> #_LarderResult<()> {
            #(#takes)*
            #store
        }
    }
}

/// Stores the one value a step returns as output 0 (nothing for `()`).
pub fn store_single(output: &signature::Output, call: TokenStream) -> TokenStream {
    match (&output.ty, output.wrapper) {
        (None, Wrapper::None) => quote! {
            #call;
            #_Ok(())
        },
        (ty, wrapper) => {
            let set = set_value(0, ty.as_ref(), wrapper, quote! { __larder_value });
            quote! {
                let __larder_value = #call;
                #set
            }
        }
    }
}

/// Sets output `index` to `value`, as the step returned it: a bare value,
/// an `Output<T>` (value and metadata) or a `MaterializeResult`.
pub fn set_value(
    index: usize,
    ty: Option<&Type>,
    wrapper: Wrapper,
    value: TokenStream,
) -> TokenStream {
    match (wrapper, ty) {
        (Wrapper::None, Some(ty)) => set_output(index, ty, value),
        (Wrapper::None, None) => quote! { __larder_io.set_output(#index, #value) },
        (Wrapper::Output, Some(ty)) => {
            let check = assert_step_value(ty);
            quote! {{
                #check
                __larder_io.set_output_with::<#ty>(#index, #value)
            }}
        }
        (Wrapper::Output, None) => quote! { __larder_io.set_output_with::<()>(#index, #value) },
        (Wrapper::MaterializeResult, _) => quote! { __larder_io.materialize_result(#value) },
    }
}

/// What the descriptor's `configure` adds for the step's resources:
/// `.resource::<T>("key")` per resource parameter, and the keys the body
/// reads itself.
pub fn resource_configure(step: &StepFn) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for p in &step.params {
        if let (Some(ty), Some(spec)) = (&p.resource, step.resource_spec(&p.ident)) {
            let lit = &spec.key.lit;
            out.push(quote! { .resource::<#ty>(#lit) });
        }
    }
    if let Some(policy) = &step.args.retry_policy {
        out.push(quote! { .retry_policy(#policy) });
    }
    if !step.args.required_resource_keys.is_empty() {
        let keys = &step.args.required_resource_keys;
        out.push(quote! {
            .required_resource_keys::<[&'static str; _], &'static str>([#(#keys),*])
        });
    }
    out
}

/// The compile-time checks of the resource parameters: each key is
/// declared, by a resource of the parameter's type.
pub fn resource_checks(step: &StepFn, checks: &mut Vec<TokenStream>) {
    for p in &step.params {
        if let (Some(ty), Some(spec)) = (&p.resource, step.resource_spec(&p.ident)) {
            checks.push(spec.key.resource_check(ty));
        }
    }
}

/// `#[doc(hidden)] <vis> struct <fn_name> {}`: braced, so it lives in the
/// type namespace only and coexists with the function (Rocket's handler
/// proxy). `members` are the items of its inherent impl.
pub fn proxy(func: &Function, members: TokenStream, items: TokenStream) -> TokenStream {
    let vis = &func.vis;
    let ident = &func.sig.ident;
    let cfgs = attr::cfgs(&func.attrs);
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
            }]: #_Sized,
        {}
    }
}

/// On errors: the user's function unchanged (still callable, so nothing
/// cascades), a proxy with the same members whose bodies are never run
/// (so `#[job]` bodies naming it still resolve), and the errors.
pub fn fallback(func: &Function, errors: &Errors, dummy_members: TokenStream) -> TokenStream {
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

/// The metadata map, each value converted where the user wrote it: a
/// value with no `MetadataValue` conversion is reported on that value.
pub fn metadata(entries: &[MetadataEntry]) -> TokenStream {
    let inserts = entries.iter().map(|e| {
        let key = &e.key;
        let value = &e.value;
        let mut trees = value.clone().into_iter();
        let (first, last) = match (trees.next(), trees.next()) {
            // One tree, e.g. `()`: its whole span, not just its delimiters.
            (Some(tt), None) => (tt.span(), tt.span()),
            _ => token_spans(value),
        };
        // The path spans the value's first to last token: rustc joins
        // them, so the error underlines the whole value.
        let metadata_value = _MetadataValue.at(first);
        let head = quote_spanned! {first=> #metadata_value };
        let from = quote_spanned! {last=> ::from };
        quote! {
            __larder_md.insert(#_String::from(#key), #head #from (#value));
        }
    });
    quote! {{
        let mut __larder_md = #_Metadata::new();
        #(#inserts)*
        __larder_md
    }}
}

/// `.map_err(user_error)?` after a call returning `Result`, nothing otherwise.
fn unwrap_result(is_result: bool, written: Option<&Type>) -> TokenStream {
    if !is_result {
        return TokenStream::new();
    }
    let (first, _) = written
        .map(token_spans)
        .unwrap_or((Span::call_site(), Span::call_site()));
    let user_error = __user_error.at(first);
    let map_err = quote_spanned! {first=> .map_err(#user_error) };
    quote! { #map_err ? }
}

/// `<T as StepValue>::is_step_value();` spanned at `T`: a clear message
/// for values that cannot travel between steps.
fn assert_step_value(ty: &Type) -> TokenStream {
    let (first, last) = token_spans(ty);
    let step_value = _StepValue.at(last);
    let head = quote_spanned! {first=> < };
    let tail = quote_spanned! {last=> as #step_value>::is_step_value };
    quote! { #head #ty #tail (); }
}

/// `<T as StepValue>::set_step_output(value, io, index)`, spanned at `T`: a
/// value that cannot travel between steps is reported on the output type
/// (through the trait, so rustc adds no note pointing into larder).
pub fn set_output(index: usize, ty: &Type, value: TokenStream) -> TokenStream {
    let (first, last) = token_spans(ty);
    let step_value = _StepValue.at(last);
    let head = quote_spanned! {first=> < };
    let tail = quote_spanned! {last=> as #step_value>::set_step_output };
    quote! { #head #ty #tail (#value, __larder_io, #index) }
}

/// `PartitionShape::map::<T>(type_info!(T))`.
pub fn partition_map_shape(el: &Type) -> TokenStream {
    quote! { #_PartitionShape::map::<#el>(#_type_info!(#el)) }
}

/// The partition shape of an input type: `PartitionMap<T>` takes any number
/// of upstream partitions, `Option<T>` zero or one (when the upstream is
/// partitioned; otherwise the value is loaded as it was stored).
fn partition_shape(ty: &Type) -> Option<TokenStream> {
    if let Some(el) = signature::partition_map_element(ty) {
        return Some(partition_map_shape(el));
    }
    signature::generic_arg(ty, "Option")
        .map(|el| quote! { #_PartitionShape::optional::<#el>(#_type_info!(#el)) })
}

/// The number of inputs a `#[job]` call passes (the step's io handle is
/// not one).
pub fn input_count(params: &[Param]) -> usize {
    params.iter().filter(|p| p.is_input()).count()
}

/// `fn_name`, the function's identifier.
pub fn ident(step: &StepFn) -> &Ident {
    &step.func.sig.ident
}

/// `Some("text")` or `None`.
pub fn optional(text: Option<String>) -> TokenStream {
    match text {
        Some(t) => quote! { #_Some(#t) },
        None => quote! { #_None },
    }
}
