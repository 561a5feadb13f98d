//! Reading types in a user function's signature: its parameters' kinds and
//! its output type (with `Result<T, E>` unwrapped). What is refused is
//! `check.rs`'s; this only looks.

use quote::ToTokens;
use syn::{GenericArgument, Ident, PathArguments, ReturnType, Signature, Type};

/// A function parameter.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    /// `&mut StepIo` / `&StepIo`: the step's io handle, not an input.
    pub step_io: Option<StepIoRef>,
    /// Named in `resources(..)`: the referenced type, not an input.
    pub resource: Option<Type>,
}

impl Param {
    /// Whether the parameter is loaded from upstream (not the io handle,
    /// not a resource).
    pub fn is_input(&self) -> bool {
        self.step_io.is_none() && self.resource.is_none()
    }
}

#[derive(Clone, Copy)]
pub enum StepIoRef {
    Mut,
    Shared,
}

/// `&mut StepIo` / `&StepIo` (last path segment `StepIo`).
pub fn step_io_ref(ty: &Type) -> Option<StepIoRef> {
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

/// How a step's returned value wraps what is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wrapper {
    /// The value itself.
    None,
    /// `Output<T>`: the value with metadata.
    Output,
    /// `MaterializeResult`: nothing stored, metadata recorded.
    MaterializeResult,
}

/// `T` and `Wrapper::Output` for `Output<T>`; `MaterializeResult` has no
/// value; anything else is itself.
pub fn unwrap_output(ty: &Type) -> (Option<Type>, Wrapper) {
    if let Some(inner) = generic_arg(ty, "Output") {
        return ((!is_unit(inner)).then(|| inner.clone()), Wrapper::Output);
    }
    if last_segment_is(ty, "MaterializeResult") {
        return (None, Wrapper::MaterializeResult);
    }
    ((!is_unit(ty)).then(|| ty.clone()), Wrapper::None)
}

/// What a function returns, as a step sees it.
pub struct Output {
    /// `T` (or `T` of `Result<T, E>`, or of `Output<T>`); `None` for `()`,
    /// `MaterializeResult` or no return type.
    pub ty: Option<Type>,
    /// Whether `T` comes wrapped (`Output<T>`, `MaterializeResult`).
    pub wrapper: Wrapper,
    /// Whether the function returns `Result<T, E>`.
    pub is_result: bool,
    /// The whole written return type, for spans.
    pub written: Option<Type>,
}

/// What `sig` returns. (An `impl Trait` output is `check`'s to report.)
pub fn output(sig: &Signature) -> Output {
    let ReturnType::Type(_, ty) = &sig.output else {
        return Output {
            ty: None,
            wrapper: Wrapper::None,
            is_result: false,
            written: None,
        };
    };
    let written = Some((**ty).clone());
    let (inner, is_result) = match result_ok_type(ty) {
        Some(t) => (t.clone(), true),
        None => ((**ty).clone(), false),
    };
    Output {
        ty: (!is_unit(&inner)).then_some(inner),
        wrapper: Wrapper::None,
        is_result,
        written,
    }
}

/// What a step function returns: as [`output`], with `Output<T>` and
/// `MaterializeResult` seen through.
pub fn step_output(sig: &Signature) -> Output {
    let mut out = output(sig);
    if let Some(ty) = out.ty.take() {
        (out.ty, out.wrapper) = unwrap_output(&ty);
    }
    out
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

/// The single type argument of `Name<T>` when the type's last path segment
/// is `Name`.
pub fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
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

/// A type as written, for messages and registrations (`Vec<u8>`).
pub fn type_string(ty: &impl ToTokens) -> String {
    let s = ty.to_token_stream().to_string();
    s.replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}
