//! `#[multi_asset]`'s own checks: its `outs(..)` against the returned tuple
//! (one element per out, in order; `Option<T>` for an optional out), and
//! that no two outs are the same asset.

use syn::Type;

use crate::attr::{Errors, UnrawString};
use crate::model::StepFn;
use crate::model::multi_asset::{AssetOutSpec, AssetOutputDecl};
use crate::signature::{self, Wrapper};

pub fn outputs(step: &StepFn, errors: &mut Errors) -> Vec<AssetOutputDecl> {
    let Some((outs_ident, outs)) = &step.args.asset_outs else {
        errors.spanned(
            &step.func.sig.ident,
            "`#[multi_asset]` needs `outs(..)`: one entry per asset it computes, e.g. `#[multi_asset(outs(a, b(key_prefix = \"raw\")))]`",
        );
        return Vec::new();
    };
    if outs.is_empty() {
        errors.spanned(
            outs_ident,
            "`outs()` declares no assets; name one per element of the returned tuple, e.g. `outs(a, b)`, or use `#[asset]` for one",
        );
        return Vec::new();
    }
    duplicate_keys(outs, errors);
    let elems = match tuple_elements(step, outs, outs_ident, errors) {
        Some(e) => e,
        None => return Vec::new(),
    };
    let mut decls = Vec::new();
    for (n, (spec, elem)) in outs.iter().zip(elems).enumerate() {
        let name = spec.name.unraw_string();
        let stored = if spec.required() {
            elem.clone()
        } else {
            match signature::generic_arg(&elem, "Option") {
                Some(inner) => inner.clone(),
                None => {
                    errors.spanned(
                        &elem,
                        format!(
                            "out `{name}` is optional (`is_required = false`), so its element of the returned tuple is an `Option<{0}>`: `Some(value)` when produced, `None` to skip the assets reading it",
                            signature::type_string(&elem)
                        ),
                    );
                    continue;
                }
            }
        };
        let (ty, wrapper) = signature::unwrap_output(&stored);
        match (ty, wrapper) {
            (_, Wrapper::MaterializeResult) => errors.spanned(
                &stored,
                format!(
                    "out `{name}` of a multi-asset is stored by its manager: return its value (or `Output<T>` to add metadata), not `MaterializeResult`"
                ),
            ),
            (None, _) => errors.spanned(
                &stored,
                format!("out `{name}` is `()`: every out of a multi-asset is a value its manager stores"),
            ),
            (Some(ty), wrapper) => decls.push(AssetOutputDecl {
                spec: n,
                ty,
                wrapper,
            }),
        }
    }
    decls
}

/// The elements of the returned tuple, one per out (a single out may be
/// returned bare).
fn tuple_elements(
    step: &StepFn,
    outs: &[AssetOutSpec],
    outs_ident: &syn::Ident,
    errors: &mut Errors,
) -> Option<Vec<Type>> {
    let output = &step.output;
    let names: Vec<String> = outs.iter().map(|o| o.name.unraw_string()).collect();
    let n = outs.len();
    let (assets, values) = match n {
        1 => (
            "1 asset".to_owned(),
            "its value (or a tuple of 1)".to_owned(),
        ),
        n => (
            format!("{n} assets"),
            format!("a tuple of {n} values, one per out in order"),
        ),
    };
    let arity_error = |found: &str| {
        format!(
            "`outs({})` declares {assets}, so multi-asset `{}` must return {values}; {found}",
            names.join(", "),
            step.name,
        )
    };
    let elems: Vec<Type> = match (&output.ty, &output.written) {
        (Some(Type::Tuple(t)), _) => t.elems.iter().cloned().collect(),
        (Some(other), _) if outs.len() == 1 => vec![other.clone()],
        (Some(other), _) => {
            errors.spanned(
                other,
                arity_error(&format!("it returns `{}`", signature::type_string(other))),
            );
            return None;
        }
        (None, Some(w)) => {
            errors.spanned(w, arity_error("it returns `()`"));
            return None;
        }
        (None, None) => {
            errors.spanned(outs_ident, arity_error("it returns nothing"));
            return None;
        }
    };
    if elems.len() != outs.len() {
        let ret = output
            .ty
            .as_ref()
            .map(signature::type_string)
            .unwrap_or_default();
        let found = format!("it returns `{ret}` ({} values)", elems.len());
        match &output.ty {
            Some(t) => errors.spanned(t, arity_error(&found)),
            None => errors.spanned(outs_ident, arity_error(&found)),
        }
        return None;
    }
    Some(elems)
}

/// Two outs stored as the same asset (e.g. `a(key = "x")`, `x`).
fn duplicate_keys(outs: &[AssetOutSpec], errors: &mut Errors) {
    for (i, out) in outs.iter().enumerate() {
        let key = out.key_components();
        // Same name: already reported as a duplicate out.
        if let Some(first) = outs[..i]
            .iter()
            .find(|o| o.key_components() == key && o.name != out.name)
        {
            errors.spanned(
                &out.name,
                format!(
                    "out `{}` is asset `{}`, as out `{}` is: each out of a multi-asset is its own asset; give one a `key` or `key_prefix`",
                    out.name.unraw_string(),
                    key.join("/"),
                    first.name.unraw_string()
                ),
            );
        }
    }
}
