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
//! is checked at compile time against the op's inputs.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Expr, ExprCall, Ident, LitStr, Local, Pat, ReturnType, Stmt, Token};

use crate::item::Function as ItemFn;

use crate::attr::{self, Errors, Seen, UnrawString};
use crate::signature;

pub(crate) const ARGS: &[&str] = &["name", "description", "resource_defs"];

/// How deeply a `#[job]` body may nest: far more than op wiring needs, and
/// well within what syn's statement parser can recurse on the compiler's
/// stack.
const JOB_BODY_DEPTH: usize = 64;

#[derive(Default)]
struct JobArgs {
    name: Option<LitStr>,
    description: Option<LitStr>,
    resources: Vec<(String, Span, TokenStream)>,
}

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = crate::item::not_a_function(&item, "`#[job]` can only be used on a function");
            return quote! { #item #err };
        }
    };
    let mut errors = Errors::default();
    let args = parse_args(args, &mut errors);
    signature::check_plain_fn(&func.sig, "`#[job]`", &mut errors);
    if let Some(arg) = func
        .sig
        .inputs
        .iter()
        .find(|a| matches!(a, syn::FnArg::Typed(_)))
    {
        errors.spanned(
            arg,
            "`#[job]` functions take no parameters: the body wires ops together",
        );
    }
    if let ReturnType::Type(_, ty) = &func.sig.output
        && !signature::is_unit(ty)
    {
        errors.spanned(
            ty,
            "`#[job]` functions have no return type: the macro makes the function return `larder::Result<JobDefinition>`",
        );
    }
    let mut lower = Lower {
        out: Vec::new(),
        counter: 0,
        errors: &mut errors,
    };
    // The body is read statement by statement (op calls nest as deeply as
    // they are written), so its depth is bounded first.
    let body = func.body.stream();
    let stmts = crate::item::check_nesting(&body, JOB_BODY_DEPTH, "this `#[job]` body")
        .and_then(|()| syn::parse::Parser::parse2(syn::Block::parse_within, body));
    match stmts {
        Ok(stmts) => {
            for stmt in &stmts {
                lower.stmt(stmt);
            }
        }
        Err(e) => lower.errors.push(e),
    }
    let stmts = std::mem::take(&mut lower.out);

    let attrs = &func.attrs;
    let vis = &func.vis;
    let ident = &func.sig.ident;
    if !errors.is_empty() {
        let errs = errors.to_compile_errors();
        return quote! {
            #(#attrs)*
            #vis fn #ident() -> ::larder::Result<::larder::JobDefinition> {
                ::core::unreachable!()
            }
            #errs
        };
    }

    let name = args
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| ident.unraw_string());
    let description = args
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| attr::doc_string(attrs));
    let description = description.map(|d| quote! { __larder_job.description(#d); });
    let cfgs = attr::cfgs(attrs);
    let resources = args.resources.iter().map(|(key, _, expr)| {
        let (first, _) = crate::key::token_spans(expr);
        quote_spanned! {first=> __larder_job.resource(#key, #expr); }
    });
    quote! {
        #(#attrs)*
        #vis fn #ident() -> ::larder::Result<::larder::JobDefinition> {
            let mut __larder_job = ::larder::JobDefinition::builder(#name);
            #description
            #(#resources)*
            #(#stmts)*
            __larder_job.build()
        }

        #cfgs
        ::larder::__private::inventory::submit! {
            ::larder::__private::JobRegistration { build: #ident }
        }
    }
}

fn parse_args(tokens: TokenStream, errors: &mut Errors) -> JobArgs {
    let mut args = JobArgs::default();
    let mut seen = Seen::default();
    let ctx = "`#[job]` argument";
    attr::parse_args(tokens, errors, |meta, errors| {
        let name = attr::arg_name(meta)?;
        if !ARGS.contains(&name.to_string().as_str()) {
            return Err(attr::unknown(&name, ctx, ARGS));
        }
        seen.first(&name, ctx)?;
        match name.to_string().as_str() {
            "name" => args.name = Some(attr::name_lit(meta, &name, "job name")?),
            "description" => args.description = Some(attr::lit_str(meta, &name)?),
            "resource_defs" => {
                if !meta.input.peek(syn::token::Paren) {
                    return Err(syn::Error::new(
                        name.span(),
                        "expected `resource_defs(key = resource, ..)`",
                    ));
                }
                let content;
                syn::parenthesized!(content in meta.input);
                parse_resources(&content, &mut args.resources, errors)?;
            }
            _ => return Err(attr::unknown(&name, ctx, ARGS)),
        }
        Ok(())
    });
    args
}

/// `key = expr, "other key" = expr`: a string form for keys that are not
/// Rust identifiers. Resource keys may name plain resources, so only
/// emptiness is checked here; manager keys are checked where declared.
fn parse_resources(
    content: ParseStream,
    out: &mut Vec<(String, Span, TokenStream)>,
    errors: &mut Errors,
) -> syn::Result<()> {
    while !content.is_empty() {
        let entry = (|| -> syn::Result<(String, Span, TokenStream)> {
            let (key, span) = if content.peek(LitStr) {
                let lit: LitStr = content.parse()?;
                (lit.value(), lit.span())
            } else {
                let ident = Ident::parse_any(content)?;
                (ident.unraw_string(), ident.span())
            };
            if key.is_empty() {
                return Err(syn::Error::new(span, "a resource key cannot be empty"));
            }
            if out.iter().any(|(k, _, _)| *k == key) {
                return Err(syn::Error::new(
                    span,
                    format!("resource `{key}` is bound twice in `resource_defs`"),
                ));
            }
            content.parse::<Token![=]>()?;
            // As written, for rustc to check (see `attr::value_tokens`).
            let expr = attr::tokens_until_comma(content)?;
            if expr.is_empty() {
                return Err(syn::Error::new(
                    span,
                    format!("resource `{key}` has no value: expected `{key} = resource`"),
                ));
            }
            Ok((key, span, expr))
        })();
        match entry {
            Ok(e) => out.push(e),
            Err(e) => {
                errors.push(e);
                attr::skip_to_comma(content);
            }
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(())
}

/// Rewrites the body's statements into builder calls.
struct Lower<'e> {
    out: Vec<TokenStream>,
    counter: usize,
    errors: &'e mut Errors,
}

const BODY_HELP: &str = "a `#[job]` body only wires ops: write calls such as `op_b(op_a());`, `let x = op_a();` or `let (a, b) = two_outputs();`";

impl Lower<'_> {
    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => self.local(local),
            Stmt::Expr(Expr::Call(call), _) => {
                if let Some(inv) = self.invoke(call) {
                    self.out.push(quote! { #inv; });
                }
            }
            Stmt::Expr(other, _) => self.errors.spanned(other, BODY_HELP),
            Stmt::Item(item) => self.errors.spanned(item, BODY_HELP),
            Stmt::Macro(m) => self.errors.spanned(m, BODY_HELP),
        }
    }

    fn local(&mut self, local: &Local) {
        let Some(init) = &local.init else {
            self.errors
                .spanned(local, format!("`let` without a value; {BODY_HELP}"));
            return;
        };
        if let Some((else_token, _)) = &init.diverge {
            self.errors.spanned(
                else_token,
                format!("`let .. else` is not supported; {BODY_HELP}"),
            );
            return;
        }
        let Expr::Call(call) = &*init.expr else {
            self.errors.spanned(
                &init.expr,
                format!("a `#[job]` binding must be an op call; {BODY_HELP}"),
            );
            return;
        };
        match &local.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                if let Some(inv) = self.invoke(call) {
                    let ident = &pi.ident;
                    self.out.push(quote! { let #ident = #inv.output(); });
                }
            }
            Pat::Wild(_) => {
                if let Some(inv) = self.invoke(call) {
                    self.out.push(quote! { #inv; });
                }
            }
            Pat::Tuple(t) => {
                let mut bindings = Vec::new();
                for (i, p) in t.elems.iter().enumerate() {
                    match p {
                        Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                            bindings.push((i, pi.ident.clone()));
                        }
                        Pat::Wild(_) => {}
                        other => self.errors.spanned(
                            other,
                            "each element of a `#[job]` tuple binding is a name or `_`: `let (a, b) = two_outputs();`",
                        ),
                    }
                }
                if let Some(inv) = self.invoke(call) {
                    let var = self.fresh("__larder_inv");
                    let lets = bindings.iter().map(|(i, ident)| quote! { let #ident = #var.nth(#i); });
                    self.out.push(quote! { let #var = #inv; #(#lets)* });
                }
            }
            Pat::Type(t) => self.errors.spanned(
                &t.ty,
                "type annotations are not supported in a `#[job]` body: bindings are op outputs (`OutputHandle`s)",
            ),
            other => self.errors.spanned(other, format!("unsupported pattern; {BODY_HELP}")),
        }
    }

    /// `op(args..)` → `__larder_job.invoke_positional(..)`, invoking call
    /// arguments first; `None` after recording an error.
    fn invoke(&mut self, call: &ExprCall) -> Option<TokenStream> {
        let path = match &*call.func {
            Expr::Path(p) if p.qself.is_none() => &p.path,
            other => {
                self.errors.spanned(
                    other,
                    format!("expected the name of an `#[op]` function; {BODY_HELP}"),
                );
                return None;
            }
        };
        let mut args = Vec::new();
        let mut ok = true;
        for arg in &call.args {
            match arg {
                Expr::Call(inner) => match self.invoke(inner) {
                    Some(inv) => {
                        let var = self.fresh("__larder_up");
                        self.out.push(quote! { let #var = #inv.output(); });
                        args.push(quote! { #var });
                    }
                    None => ok = false,
                },
                Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                    args.push(quote! { ::core::clone::Clone::clone(&#p) });
                }
                other => {
                    self.errors.spanned(
                        other,
                        "an op argument in a `#[job]` body is another op call or a name bound to one (`let x = op_a();`)",
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let span = path.span();
        let invoke = quote_spanned! {span=> <#path as ::larder::__private::OpProxy>::invoke };
        let array = quote_spanned! {call.paren_token.span.join()=> [#(#args),*] };
        Some(quote! { #invoke(&mut __larder_job, #array) })
    }

    fn fresh(&mut self, prefix: &str) -> Ident {
        self.counter += 1;
        format_ident!("{}_{}", prefix, self.counter)
    }
}
