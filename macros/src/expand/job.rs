//! `#[job]`: Dagster's `@job` wiring, `op_b(op_a())`, rewritten into
//! `JobBuilder` invocations.
//!
//! ```text
//! #[job(resource_defs(warehouse = FilesystemIOManager::new("/tmp/x")))]
//! fn my_job() {
//!     let (x, y) = two_outs();
//!     op_c(op_a(), x, y);
//! }
//! ```
//!
//! becomes `fn my_job() -> larder::Result<JobDefinition>` that invokes each
//! op on a builder, arguments first. The number of arguments of each call
//! is checked at compile time against the op's inputs (`OpArgs`, emitted
//! by `#[op]`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::key::token_spans;
use crate::attr::{self, Errors, UnrawString};
use crate::exports::*;
use crate::model::{Invocation, JobFn, Wire, WireArg};

pub fn expand(job: &JobFn) -> TokenStream {
    let func = &job.func;
    let attrs = &func.attrs;
    let vis = &func.vis;
    let ident = &func.sig.ident;
    let mut writer = Writer {
        out: Vec::new(),
        counter: 0,
        bound: Default::default(),
    };
    for wire in &job.wiring {
        writer.wire(wire);
    }
    let stmts = writer.out;
    let name = job
        .args
        .name
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| ident.unraw_string());
    let description = job
        .args
        .description
        .as_ref()
        .map(syn::LitStr::value)
        .or_else(|| attr::doc_string(attrs));
    let description = description.map(|d| quote! { __larder_job.description(#d); });
    let cfgs = attr::cfgs(attrs);
    let resources = job.args.resources.iter().map(|r| {
        let (key, expr) = (&r.key, &r.expr);
        let (first, _) = token_spans(expr);
        quote_spanned! {first=> __larder_job.resource(#key, #expr); }
    });
    let retry = job.args.op_retry_policy.as_ref().map(|expr| {
        let (first, _) = token_spans(expr);
        quote_spanned! {first=> __larder_job.op_retry_policy(#expr); }
    });
    let executor = job.args.executor.as_ref().map(|tokens| {
        let (first, _) = token_spans(tokens);
        let expr = executor_expr(tokens);
        quote_spanned! {first=> __larder_job.executor(#expr); }
    });
    let partitions = job.args.partitions_def.as_ref().map(|expr| {
        let (first, _) = token_spans(expr);
        quote_spanned! {first=> __larder_job.partitions_def(#expr); }
    });
    quote! {
        #(#attrs)*
        #vis fn #ident() -> #_LarderResult<#_JobDefinition> {
            let mut __larder_job = #_JobDefinition::builder(#name);
            #description
            #(#resources)*
            #retry
            #executor
            #partitions
            #(#stmts)*
            __larder_job.build()
        }

        #cfgs
        #__submit! {
            #__JobRegistration { build: #ident }
        }
    }
}

/// On errors: the function with the signature the macro gives it (so
/// callers still type-check) and a body never run.
pub fn fallback(job: &JobFn, errors: &Errors) -> TokenStream {
    let func = &job.func;
    let attrs = &func.attrs;
    let vis = &func.vis;
    let ident = &func.sig.ident;
    let errs = errors.to_compile_errors();
    quote! {
        #(#attrs)*
        #vis fn #ident() -> #_LarderResult<#_JobDefinition> {
            #_unreachable!()
        }
        #errs
    }
}

/// Writes the wiring as builder calls, upstream calls first.
pub(super) struct Writer {
    pub(super) out: Vec<TokenStream>,
    counter: usize,
    /// What each name is bound to, for `.map` checks (`expand::dynamic`).
    pub(super) bound: super::dynamic::BoundNames,
}

impl Writer {
    fn wire(&mut self, wire: &Wire) {
        match wire {
            Wire::Call(inv) => {
                let inv = self.invoke(inv);
                self.out.push(quote! { #inv; });
            }
            Wire::Let(ident, inv) => {
                let inv = self.invoke(inv);
                self.out.push(quote! { let #ident = #inv.output(); });
            }
            Wire::Tuple(bindings, inv) => {
                let inv = self.invoke(inv);
                let var = self.fresh("__larder_inv");
                let lets = bindings
                    .iter()
                    .map(|(i, ident)| quote! { let #ident = #var.nth(#i); });
                self.out.push(quote! { let #var = #inv; #(#lets)* });
            }
            Wire::Mapped(ident, m) => self.wire_mapped(ident.as_ref(), m),
        }
        self.bind(wire);
    }

    /// `op(args..)` → `<op as OpProxy>::invoke(&mut __larder_job, [..])`,
    /// invoking call arguments first.
    pub(super) fn invoke(&mut self, inv: &Invocation) -> TokenStream {
        let mut args = Vec::new();
        for (k, arg) in inv.args.iter().enumerate() {
            match arg {
                WireArg::Call(inner) => {
                    let inner = self.invoke(inner);
                    let var = self.fresh("__larder_up");
                    self.out.push(quote! { let #var = #inner.output(); });
                    args.push(quote! { #var });
                }
                WireArg::Name(p) => args.push(quote! { #_Clone::clone(&#p) }),
                WireArg::Collect(c) => {
                    let handle = self.collect_into(inv, k, c);
                    args.push(handle);
                }
            }
        }
        let path = &inv.path;
        let span = path.span();
        let op_proxy = _IsOp.at(span);
        let invoke = quote_spanned! {span=> <#path as #op_proxy>::invoke };
        let array = quote_spanned! {inv.paren_span=> [#(#args),*] };
        quote! { #invoke(&mut __larder_job, #array) }
    }

    pub(super) fn fresh(&mut self, prefix: &str) -> Ident {
        self.counter += 1;
        format_ident!("{}_{}", prefix, self.counter)
    }
}

/// `in_process`, `multiprocess` and `multiprocess(max_concurrent = 4,
/// step_timeout = expr)` as `Executor` builder calls; anything else is an
/// `Executor` expression, used as written.
fn executor_expr(tokens: &TokenStream) -> TokenStream {
    let Ok(expr) = syn::parse2::<syn::Expr>(tokens.clone()) else {
        return tokens.clone();
    };
    let kind = |path: &syn::Expr| match path {
        syn::Expr::Path(p) if p.qself.is_none() => p
            .path
            .get_ident()
            .filter(|i| *i == "in_process" || *i == "multiprocess")
            .cloned(),
        _ => None,
    };
    let (kind, args) = match &expr {
        syn::Expr::Call(call) => match kind(&call.func) {
            Some(k) => (k, call.args.iter().collect::<Vec<_>>()),
            None => return tokens.clone(),
        },
        other => match kind(other) {
            Some(k) => (k, Vec::new()),
            None => return tokens.clone(),
        },
    };
    let mut calls = Vec::new();
    for arg in args {
        let option = match arg {
            syn::Expr::Assign(a) => match &*a.left {
                syn::Expr::Path(p) => p.path.get_ident().cloned().map(|i| (i, &a.right)),
                _ => None,
            },
            _ => None,
        };
        match option {
            Some((name, value)) if name == "max_concurrent" || name == "step_timeout" => {
                calls.push(quote_spanned! {name.span()=> .#name(#value) });
            }
            Some((name, _)) => {
                let msg = format!(
                    "unknown executor option `{name}`; expected `max_concurrent = n` or `step_timeout = duration`"
                );
                return quote_spanned! {name.span()=> ::core::compile_error!(#msg) };
            }
            None => {
                return quote_spanned! {arg.span()=> ::core::compile_error!("expected `max_concurrent = n` or `step_timeout = duration`") };
            }
        }
    }
    quote! { #_Executor::#kind() #(#calls)* }
}
