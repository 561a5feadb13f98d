//! Dynamic outputs in the macros: `#[op]` functions returning
//! `DynamicOut<T>` (a dynamic output, stored one `T` per mapping key) and
//! taking `Vec<T>` inputs (which may collect one), and `#[job]` bodies that
//! map over them, written as `JobBuilder::map` / `collect` calls. Mapping
//! a non-dynamic output, or collecting into a non-`Vec` input, fails to
//! compile at the user's `map` / `collect` token (`IsDynamicOutput`,
//! `CollectsInto`, implemented by `#[op]`).

use std::collections::HashMap;

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{Ident, Type};

use super::job::Writer;
use crate::attr;
use crate::exports::*;
use crate::model::{Collect, Invocation, MapOver, Mapped, StepFn, Wire};
use crate::signature;

/// `T` of a `DynamicOut<T>` output type.
pub fn dynamic_element(ty: &Type) -> Option<&Type> {
    signature::generic_arg(ty, "DynamicOut")
}

/// `.dynamic(DynamicShape::of::<T>(type_info!(T)))`, for an `Out`.
pub fn dynamic_shape(el: &Type) -> TokenStream {
    quote! { .dynamic(#_DynamicShape::of::<#el>(#_type_info!(#el))) }
}

/// `.collects(CollectShape::of::<T>(..))` for a `Vec<T>` input.
pub fn collect_shape(ty: &Type) -> Option<TokenStream> {
    signature::generic_arg(ty, "Vec")
        .map(|el| quote! { .collects(#_CollectShape::of::<#el>(#_type_info!(#el))) })
}

/// The impls `#[job]` bodies check `.map` and `.collect()` against: one
/// `IsDynamicOutput<i>` per dynamic output, one `CollectsInto<n, k>` per
/// `Vec<T>` input, for each argument count a call may have (every input,
/// or only those without an `input_manager_key`).
pub fn op_impls(op: &StepFn) -> TokenStream {
    if op.func.sig.receiver().is_some() {
        return TokenStream::new();
    }
    let ident = &op.func.sig.ident;
    let cfgs = attr::cfgs(&op.func.attrs);
    let mut impls = Vec::new();
    for (i, decl) in op.outputs.iter().enumerate() {
        if decl.ty.as_ref().and_then(dynamic_element).is_some() {
            let i = Literal::usize_unsuffixed(i);
            impls.push(quote! { #cfgs impl #_IsDynamicOutput<#i> for #ident {} });
        }
    }
    let managed = op.managed_inputs();
    let inputs: Vec<&Type> = op.inputs().map(|p| &p.ty).collect();
    let all = inputs.len();
    let wired = managed.iter().filter(|m| !**m).count();
    let mut position = 0;
    for (k, (ty, managed)) in inputs.iter().zip(&managed).enumerate() {
        let is_vec = signature::generic_arg(ty, "Vec").is_some();
        let mut slots = Vec::new();
        if is_vec {
            slots.push((all, k));
        }
        if !managed {
            if is_vec && wired != all {
                slots.push((wired, position));
            }
            position += 1;
        }
        for (n, k) in slots {
            let (n, k) = (Literal::usize_unsuffixed(n), Literal::usize_unsuffixed(k));
            impls.push(quote! { #cfgs impl #_CollectsInto<#n, #k> for #ident {} });
        }
    }
    quote! { #(#impls)* }
}

/// What a name in a `#[job]` body is bound to.
#[derive(Clone)]
pub enum Bound {
    /// Output `i` of the op at this path.
    Output(syn::Path, usize),
    /// The result of a `.map`.
    Mapped,
}

/// The names bound so far, by the statements already written.
pub type BoundNames = HashMap<String, Bound>;

/// `path` with every token at `span`, so rustc reports a bound on it there.
fn respan(path: &syn::Path, span: Span) -> TokenStream {
    path.to_token_stream()
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect()
}

impl Writer {
    /// Records the names `wire` binds, once it is written.
    pub(super) fn bind(&mut self, wire: &Wire) {
        match wire {
            Wire::Let(ident, inv) => {
                self.bound
                    .insert(ident.to_string(), Bound::Output(inv.path.clone(), 0));
            }
            Wire::Tuple(bindings, inv) => {
                for (i, ident) in bindings {
                    self.bound
                        .insert(ident.to_string(), Bound::Output(inv.path.clone(), *i));
                }
            }
            Wire::Mapped(Some(ident), _) => {
                self.bound.insert(ident.to_string(), Bound::Mapped);
            }
            Wire::Mapped(None, _) | Wire::Call(_) => {}
        }
    }

    /// `let x = over.map(..);` (or the map alone).
    pub(super) fn wire_mapped(&mut self, ident: Option<&Ident>, m: &Mapped) {
        let handle = self.mapped(m);
        match ident {
            Some(ident) => self.out.push(quote! { let #ident = #handle; }),
            None => self.out.push(quote! { let _ = #handle; }),
        }
    }

    /// The handle of what `.map` / `.collect()` applies to, checked to be
    /// a dynamic output (reported at `span`) unless it is a map.
    fn over(&mut self, over: &MapOver, span: Span) -> TokenStream {
        match over {
            MapOver::Call(inv) => {
                let call = self.invoke(inv);
                let var = self.fresh("__larder_dyn");
                self.out.push(quote! { let #var = #call.output(); });
                self.dynamic_check(&inv.path, 0, span);
                quote! { #var }
            }
            MapOver::Name(p) => {
                let name = p.path.get_ident().map(Ident::to_string);
                if let Some(Bound::Output(path, i)) = name.and_then(|n| self.bound.get(&n).cloned())
                {
                    self.dynamic_check(&path, i, span);
                }
                quote! { #p }
            }
            MapOver::Map(inner) => self.mapped(inner),
        }
    }

    fn dynamic_check(&mut self, path: &syn::Path, output: usize, span: Span) {
        let path = respan(path, span);
        let check = _IsDynamicOutput.at(span);
        let i = Literal::usize_unsuffixed(output);
        self.out
            .push(quote_spanned! {span=> <#path as #check<#i>>::is_dynamic_output(); });
    }

    /// `JobBuilder::map` with the closure's op call invoked on the builder
    /// it is given; the handle of the mapped result.
    fn mapped(&mut self, m: &Mapped) -> TokenStream {
        let over = self.over(&m.over, m.map_span);
        let outer = std::mem::take(&mut self.out);
        let body = self.invoke(&m.body);
        let stmts = std::mem::replace(&mut self.out, outer);
        let var = self.fresh("__larder_mapped");
        let param = &m.param;
        let map = Ident::new("map", m.map_span);
        self.out.push(quote! {
            let #var = __larder_job.#map(&#over, |mut __larder_job: &mut #_JobBuilder, #param: #_OutputHandle| {
                #(#stmts)*
                #body.output()
            });
        });
        quote! { #var }
    }

    /// `c` passed as argument `k` of `inv`: the collected handle, checked
    /// to reach a `Vec<T>` input (reported at the `collect` token).
    pub(super) fn collect_into(&mut self, inv: &Invocation, k: usize, c: &Collect) -> TokenStream {
        let of = self.over(&c.of, c.span);
        let var = self.fresh("__larder_collected");
        let collect = Ident::new("collect", c.span);
        self.out
            .push(quote! { let #var = __larder_job.#collect(&#of); });
        let path = respan(&inv.path, c.span);
        let check = _CollectsInto.at(c.span);
        let n = Literal::usize_unsuffixed(inv.args.len());
        let k = Literal::usize_unsuffixed(k);
        self.out
            .push(quote_spanned! {c.span=> <#path as #check<#n, #k>>::collects_into(); });
        quote! { #var }
    }
}
