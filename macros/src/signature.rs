//! Reading a user function's signature: what is supported, its parameters,
//! and its output type (with `Result<T, E>` unwrapped).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, GenericArgument, Ident, Pat, PathArguments, ReturnType, Signature, Type};

use crate::attr::Errors;

/// Rejects what a step function cannot be: generic, a method, async…
/// `what` is e.g. "`#[asset]`".
pub fn check_plain_fn(sig: &Signature, what: &str, errors: &mut Errors) {
    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            format!("{what} functions cannot be generic: larder needs each input and output type to be concrete"),
        );
    } else if let Some(wc) = &sig.generics.where_clause {
        errors.spanned(wc, format!("{what} functions cannot have a `where` clause"));
    }
    if let Some(a) = &sig.asyncness {
        errors.spanned(
            a,
            format!("async functions are not supported by {what}; write a plain `fn`"),
        );
    }
    if let syn::Safety::Unsafe(u) = &sig.safety {
        errors.spanned(u, format!("{what} cannot be used on an `unsafe fn`"));
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(
            abi,
            format!("{what} cannot be used on an `extern` function"),
        );
    }
    if let Some(v) = &sig.variadic {
        errors.spanned(v, format!("{what} functions cannot be variadic"));
    }
    if let Some(r) = sig.receiver() {
        errors.spanned(
            r,
            format!("{what} cannot be used on a method: `self` has no value in a step; write a free function"),
        );
    }
}

/// A function parameter.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    /// `&mut StepIo` / `&StepIo`: the step's io handle, not an input.
    pub step_io: Option<StepIoRef>,
}

#[derive(Clone, Copy)]
pub enum StepIoRef {
    Mut,
    Shared,
}

/// The plain `name: Type` parameters. `what` names the macro, `noun`
/// what a parameter is ("upstream asset", "input").
pub fn params(sig: &Signature, what: &str, errors: &mut Errors) -> Vec<Param> {
    let mut out = Vec::new();
    for arg in &sig.inputs {
        let FnArg::Typed(pt) = arg else { continue };
        let ident = match &*pt.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => pi.ident.clone(),
            other => {
                errors.spanned(
                    other,
                    format!("{what} parameters must be plain names: the name is the input's name"),
                );
                continue;
            }
        };
        let ty = (*pt.ty).clone();
        let step_io = step_io_ref(&ty);
        if step_io.is_none() && last_segment_is(&ty, "StepIo") {
            errors.spanned(
                &ty,
                format!(
                    "parameter `{ident}` takes the step's io handle by value; take `&mut StepIo`"
                ),
            );
            continue;
        }
        if step_io.is_none()
            && let Err(e) = crate::attr::check_name(
                &crate::attr::UnrawString::unraw_string(&ident),
                ident.span(),
                "input name",
            )
        {
            errors.push(e);
            continue;
        }
        if step_io.is_none() {
            if let Type::Reference(r) = &ty {
                errors.spanned(
                    &ty,
                    format!(
                        "parameter `{ident}` takes a reference; step inputs are owned values: take `{}`",
                        crate::io_manager::type_string(&r.elem)
                    ),
                );
                continue;
            }
            if let Type::ImplTrait(_) = &ty {
                errors.spanned(
                    &ty,
                    format!("parameter `{ident}` cannot be `impl Trait`: name its type"),
                );
                continue;
            }
        }
        out.push(Param { ident, ty, step_io });
    }
    let io_params: Vec<&Param> = out.iter().filter(|p| p.step_io.is_some()).collect();
    if io_params.len() > 1 {
        errors.spanned(&io_params[1].ty, "only one `StepIo` parameter is allowed");
    }
    out
}

/// `&mut StepIo` / `&StepIo` (last path segment `StepIo`).
fn step_io_ref(ty: &Type) -> Option<StepIoRef> {
    let Type::Reference(r) = ty else { return None };
    if last_segment_is(&r.elem, "StepIo") {
        Some(if r.mutability.is_some() {
            StepIoRef::Mut
        } else {
            StepIoRef::Shared
        })
    } else {
        None
    }
}

/// Whether `ty` is a path whose last segment is `name`.
pub fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().is_some_and(|s| s.ident == name)
        }
        Type::Group(g) => last_segment_is(&g.elem, name),
        Type::Paren(p) => last_segment_is(&p.elem, name),
        _ => false,
    }
}

/// What a function returns, as a step sees it.
pub struct Output {
    /// `T` (or `T` of `Result<T, E>`); `None` for `()` / no return type.
    pub ty: Option<Type>,
    /// Whether the function returns `Result<T, E>`.
    pub is_result: bool,
    /// The whole written return type, for spans.
    pub written: Option<Type>,
}

pub fn output(sig: &Signature, errors: &mut Errors) -> Output {
    let ReturnType::Type(_, ty) = &sig.output else {
        return Output {
            ty: None,
            is_result: false,
            written: None,
        };
    };
    let written = Some((**ty).clone());
    let (inner, is_result) = match result_ok_type(ty) {
        Some(t) => (t.clone(), true),
        None => ((**ty).clone(), false),
    };
    if let Type::ImplTrait(_) = &inner {
        errors.spanned(
            &inner,
            "the output type cannot be `impl Trait`: larder needs to name it; write the type",
        );
    }
    let ty = if is_unit(&inner) { None } else { Some(inner) };
    Output {
        ty,
        is_result,
        written,
    }
}

/// `T` of `Result<T, ..>` (any path ending in `Result` with type arguments).
pub fn result_ok_type(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last()?;
    if seg.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

pub fn is_unit(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Paren(p) => is_unit(&p.elem),
        Type::Group(g) => is_unit(&g.elem),
        _ => false,
    }
}

/// `.map_err(user_error)?` after a call returning `Result`, nothing otherwise.
pub fn unwrap_result(is_result: bool, written: Option<&Type>) -> TokenStream {
    if !is_result {
        return TokenStream::new();
    }
    let (first, _) = written.map(crate::key::token_spans).unwrap_or((
        proc_macro2::Span::call_site(),
        proc_macro2::Span::call_site(),
    ));
    let map_err = quote::quote_spanned! {first=> .map_err(::larder::__private::user_error) };
    quote! { #map_err ? }
}

/// `assert_step_value::<T>();` spanned at `T`: a clear message for values
/// that cannot travel between steps.
pub fn assert_step_value(ty: &Type) -> TokenStream {
    let (first, last) = crate::key::token_spans(ty);
    let head = quote::quote_spanned! {first=> ::larder::__private::assert_step_value::<};
    let tail = quote::quote_spanned! {last=> >};
    quote! { #head #ty #tail (); }
}

/// `set_step_output::<T>(io, index, value)`, spanned at `T`: a value that
/// cannot travel between steps is reported on the output type.
pub fn set_output(index: usize, ty: &Type, value: TokenStream) -> TokenStream {
    let (first, last) = crate::key::token_spans(ty);
    let head = quote::quote_spanned! {first=> ::larder::__private::set_step_output::<};
    let tail = quote::quote_spanned! {last=> >};
    quote! { #head #ty #tail (__larder_io, #index, #value) }
}

/// The single type argument of `Name<T>` when the type's last path segment
/// is `Name`.
fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(t)] => Some(t),
        _ => None,
    }
}

/// `T` of a `PartitionMap<T>` type.
pub fn partition_map_element(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "PartitionMap")
}

/// The partition shape of an input type: `PartitionMap<T>` takes any number
/// of upstream partitions, `Option<T>` zero or one (when the upstream is
/// partitioned; otherwise the value is loaded as it was stored).
pub fn partition_shape(ty: &Type) -> Option<proc_macro2::TokenStream> {
    if let Some(el) = generic_arg(ty, "PartitionMap") {
        return Some(quote::quote! {
            ::larder::partitions::PartitionShape::map::<#el>(::larder::type_info!(#el))
        });
    }
    generic_arg(ty, "Option").map(|el| {
        quote::quote! {
            ::larder::partitions::PartitionShape::optional::<#el>(::larder::type_info!(#el))
        }
    })
}
