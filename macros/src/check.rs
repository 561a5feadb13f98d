//! Validation, after parsing: what needs the signature or more than one
//! argument. Every mistake is recorded with its span and checking goes on,
//! so one expansion reports them all, in the order they were always
//! reported (arguments first, then the signature); `expand` runs only when
//! there are none. Checks also keep what is valid (the parameters, an op's
//! outputs), which is all `expand` reads.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Data, FnArg, Pat, ReturnType, Signature, Type};

use crate::attr::{self, Errors, UnrawString};
use crate::model::{
    CtxParam, JobFn, ManagerDecl, ManagerItem, ManagerKind, OutputDecl, StepFn, StepKind,
};
use crate::signature::{self, Output, Param, Wrapper};

/// `#[asset]` and `#[op]`.
pub fn step(step: &mut StepFn, errors: &mut Errors) {
    let what = step.kind.what();
    let args = &step.args;
    if let (Some((lit, _)), true) = (&args.key, args.name.is_some() || args.key_prefix.is_some()) {
        errors.spanned(
            lit,
            "`key` sets the whole asset key; it cannot be combined with `name` or `key_prefix`",
        );
    }
    if let (Some(k), Some(_)) = (&args.io_manager_key, &args.io_manager_def) {
        errors.spanned(
            &k.lit,
            "`io_manager_def` brings the asset's own manager under its own key; drop `io_manager_key`, or bind that key's manager in `Definitions` instead",
        );
    }
    plain_fn(&step.func.sig, what, errors);
    let resources: Vec<String> = step
        .args
        .resources
        .iter()
        .map(|r| r.param.unraw_string())
        .collect();
    let param_names = param_names(&step.func.sig);
    let names_missing = resources.iter().any(|r| !param_names.contains(r));
    step.params = params(&step.func.sig, what, &resources, names_missing, errors);
    output_is_named(&step.output, errors);
    ins_name_parameters(step, errors);
    resources_name_parameters(step, errors);
    if step.kind == StepKind::Op
        && step.output.wrapper == Wrapper::MaterializeResult
        && let Some(w) = &step.output.written
    {
        errors.spanned(
            w,
            "`MaterializeResult` is for assets that store their own data; an op returns its outputs (`Output<T>` to add metadata)",
        );
    }
    if step.kind == StepKind::Op {
        step.outputs = op_outputs(step, errors);
    }
    if step.kind == StepKind::MultiAsset {
        step.asset_outputs = crate::check_multi_asset::outputs(step, errors);
    }
}

/// Manager declarations.
pub fn manager(decl: &mut ManagerDecl, errors: &mut Errors) {
    let what = decl.kind.what();
    match &decl.item {
        ManagerItem::Fn(func) => {
            if !decl.args.key_written {
                let example = match decl.kind {
                    ManagerKind::InputManagerFn => "#[input_manager(key = \"...\")]",
                    ManagerKind::ResourceFn => "#[resource(key = \"...\")]",
                    _ => "#[io_manager(key = \"...\")]",
                };
                errors.push(syn::Error::new(
                    Span::call_site(),
                    format!("{what} needs a key: `{example}`"),
                ));
            }
            plain_fn(&func.sig, what, errors);
            let ctx_ty = match decl.kind {
                ManagerKind::InputManagerFn => "InputContext",
                _ => "InitContext",
            };
            decl.ctx = ctx_param(&func.sig, ctx_ty, what, errors);
            let out = signature::output(&func.sig);
            output_is_named(&out, errors);
            decl.returned = match out.ty {
                Some(t) => Some((t, out.is_result)),
                None => {
                    let msg = match decl.kind {
                        ManagerKind::InputManagerFn => "`#[input_manager]` functions return the loaded value (or `Result<Value, E>`)".to_owned(),
                        ManagerKind::ResourceFn => "`#[resource]` functions return the resource (or `Result<Resource, E>`)".to_owned(),
                        _ => format!("{what} functions must return the manager (or `Result<Manager, E>`)"),
                    };
                    match &out.written {
                        Some(w) => errors.spanned(w, msg),
                        None => errors.spanned(&func.sig.ident, msg),
                    }
                    None
                }
            };
        }
        ManagerItem::Struct {
            input,
            first_helper,
        } => {
            if !decl.args.key_written && errors.is_empty() {
                let helper = decl.kind.helper();
                let noun = if decl.kind.is_resource() {
                    "resource"
                } else {
                    "manager"
                };
                let msg = format!(
                    "{what} needs `#[{helper}(key = \"...\")]` on the struct: the key the {noun} is declared under"
                );
                match first_helper {
                    Some(a) => errors.spanned(a, msg),
                    None => errors.at(Span::call_site(), msg),
                }
            }
            struct_shape(input, what, errors);
        }
    }
}

/// `#[job]`: a plain function without parameters or return type, then the
/// mistakes of its body.
pub fn job(job: &mut JobFn, errors: &mut Errors) {
    let sig = &job.func.sig;
    plain_fn(sig, "`#[job]`", errors);
    if let Some(arg) = sig.inputs.iter().find(|a| matches!(a, FnArg::Typed(_))) {
        errors.spanned(
            arg,
            "`#[job]` functions take no parameters: the body wires ops together",
        );
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && !signature::is_unit(ty)
    {
        errors.spanned(
            ty,
            "`#[job]` functions have no return type: the macro makes the function return `larder::Result<JobDefinition>`",
        );
    }
    errors.append(std::mem::take(&mut job.body_errors));
}

/// Rejects what a declared function cannot be: generic, a method, async…
/// `what` is e.g. "`#[asset]`".
fn plain_fn(sig: &Signature, what: &str, errors: &mut Errors) {
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

/// The valid `name: Type` parameters of a step; the others are reported.
fn params(
    sig: &Signature,
    what: &str,
    resources: &[String],
    names_missing: bool,
    errors: &mut Errors,
) -> Vec<Param> {
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
        if resources.contains(&ident.unraw_string()) {
            match &ty {
                Type::Reference(r) if r.mutability.is_none() => {
                    let referent = (*r.elem).clone();
                    out.push(Param {
                        ident,
                        ty,
                        step_io: None,
                        resource: Some(referent),
                    });
                }
                Type::Reference(r) => errors.spanned(
                    &ty,
                    format!(
                        "resource parameter `{ident}` takes `&mut`; resources are shared by the steps of a run: take `&{}`",
                        signature::type_string(&r.elem)
                    ),
                ),
                _ => errors.spanned(
                    &ty,
                    format!(
                        "resource parameter `{ident}` takes the resource by value; resources are shared by the steps of a run: take `&{}`",
                        signature::type_string(&ty)
                    ),
                ),
            }
            continue;
        }
        let step_io = signature::step_io_ref(&ty);
        if step_io.is_none() && signature::last_segment_is(&ty, "StepIo") {
            errors.spanned(
                &ty,
                format!(
                    "parameter `{ident}` takes the step's io handle by value; take `&mut StepIo`"
                ),
            );
            continue;
        }
        if step_io.is_none()
            && let Err(e) = attr::check_name(&ident.unraw_string(), ident.span(), "input name")
        {
            errors.push(e);
            continue;
        }
        if step_io.is_none() {
            // A misspelled `resources(..)` entry is reported on its own.
            if let Type::Reference(_) = &ty
                && names_missing
            {
                continue;
            }
            if let Type::Reference(r) = &ty {
                errors.spanned(
                    &ty,
                    format!(
                        "parameter `{ident}` takes a reference; step inputs are owned values: take `{}` (or list it in `resources(..)` to receive a resource)",
                        signature::type_string(&r.elem)
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
        out.push(Param {
            ident,
            ty,
            step_io,
            resource: None,
        });
    }
    let io_params: Vec<&Param> = out.iter().filter(|p| p.step_io.is_some()).collect();
    if io_params.len() > 1 {
        errors.spanned(&io_params[1].ty, "only one `StepIo` parameter is allowed");
    }
    out
}

/// The output type must be nameable: generated code writes it out.
fn output_is_named(output: &Output, errors: &mut Errors) {
    if let Some(inner @ Type::ImplTrait(_)) = &output.ty {
        errors.spanned(
            inner,
            "the output type cannot be `impl Trait`: larder needs to name it; write the type",
        );
    }
}

/// Every `ins(x)` of an asset or op must name one of its parameters.
fn ins_name_parameters(step: &StepFn, errors: &mut Errors) {
    let names: Vec<String> = step.inputs().map(|p| p.ident.to_string()).collect();
    let what = format!("{} `{}`", step.kind.noun(), step.name);
    for spec in &step.args.ins {
        let param = &spec.param;
        let wrong = param.to_string();
        if names.contains(&wrong) {
            continue;
        }
        no_such_parameter(errors, param, "ins", &wrong, &names, &what);
    }
}

/// "`list(wrong)` names no parameter of `what`", with the parameters and a
/// did-you-mean, at `param`.
fn no_such_parameter(
    errors: &mut Errors,
    param: &syn::Ident,
    list: &str,
    wrong: &str,
    names: &[String],
    what: &str,
) {
    let hint = attr::did_you_mean(wrong, names.iter().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    errors.spanned(
        param,
        format!(
            "`{list}({wrong})` names no parameter of {what}; its parameters: {}{hint}",
            attr::list(names)
        ),
    );
}

/// The names of the plain-name parameters of `sig`.
fn param_names(sig: &Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(pi) => Some(pi.ident.unraw_string()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect()
}

/// Every `resources(x)` must name a parameter, and not one `ins(..)` loads.
fn resources_name_parameters(step: &StepFn, errors: &mut Errors) {
    let names = param_names(&step.func.sig);
    let what = format!("{} `{}`", step.kind.noun(), step.name);
    for spec in &step.args.resources {
        let param = &spec.param;
        let wrong = param.unraw_string();
        if step.args.ins.iter().any(|i| i.param == *param) {
            errors.spanned(
                param,
                format!("`{wrong}` is in both `ins(..)` and `resources(..)`: a parameter is an input or a resource"),
            );
            continue;
        }
        if names.contains(&wrong) {
            continue;
        }
        no_such_parameter(errors, param, "resources", &wrong, &names, &what);
    }
}

/// An op's outputs: `result` (with `out(..)`'s spec), or one per
/// `outs(..)` entry, paired with the elements of the returned tuple.
fn op_outputs(step: &StepFn, errors: &mut Errors) -> Vec<OutputDecl> {
    let args = &step.args;
    let output = &step.output;
    let op = &step.name;
    if let (Some((out, _)), Some(_)) = (&args.out, &args.outs) {
        errors.spanned(
            out,
            "use either `out(..)` (one output) or `outs(..)` (several), not both",
        );
    }
    let Some((outs_ident, outs)) = &args.outs else {
        return vec![OutputDecl {
            name: "result".to_owned(),
            ty: output.ty.clone(),
            wrapper: output.wrapper,
            spec: args.out.as_ref().map(|(_, o)| o.clone()),
        }];
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
            let (ty, wrapper) = signature::unwrap_output(&ty);
            OutputDecl {
                name: o
                    .name
                    .as_ref()
                    .map(UnrawString::unraw_string)
                    .unwrap_or_default(),
                ty,
                wrapper,
                spec: Some(o.clone()),
            }
        })
        .collect()
}

/// Zero parameters, or one `&mut <ctx>` / `&<ctx>`.
fn ctx_param(sig: &Signature, ctx_ty: &str, what: &str, errors: &mut Errors) -> CtxParam {
    let typed: Vec<&syn::PatType> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(t),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let expected = format!("{what} functions take no parameters or one `&mut {ctx_ty}`");
    match typed.as_slice() {
        [] => CtxParam::None,
        [one] => match &*one.ty {
            Type::Reference(r) if signature::last_segment_is(&r.elem, ctx_ty) => CtxParam::Some,
            other => {
                errors.spanned(
                    other,
                    format!("{expected}, not `{}`", signature::type_string(other)),
                );
                CtxParam::None
            }
        },
        [_, second, ..] => {
            errors.spanned(second, expected);
            CtxParam::None
        }
    }
}

/// A derived manager is a struct with named fields (they are the config),
/// not generic.
fn struct_shape(input: &syn::DeriveInput, what: &str, errors: &mut Errors) {
    match &input.data {
        Data::Enum(e) => errors.spanned(
            e.enum_token,
            format!("{what} works on a struct with named fields (its config), not on an enum"),
        ),
        Data::Union(u) => errors.spanned(
            u.union_token,
            format!("{what} works on a struct with named fields (its config), not on a union"),
        ),
        Data::Struct(s) => match &s.fields {
            syn::Fields::Named(_) => {}
            syn::Fields::Unnamed(f) => errors.spanned(
                f,
                format!("{what} works on a struct with named fields, not on a tuple struct: the field names are its config keys"),
            ),
            syn::Fields::Unit => errors.spanned(
                &input.ident,
                format!("{what} works on a struct with named fields, not on a unit struct: write `struct {} {{}}` for a manager without config", input.ident),
            ),
        },
    }
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            format!(
                "{what} cannot be used on a generic type: a declared manager is one concrete type"
            ),
        );
    }
}
