//! `#[job]`: its arguments and the wiring its body is read into, op calls
//! with their upstream calls and the names bound to outputs.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Expr, ExprCall, ExprPath, Ident, LitStr, Local, Pat, Stmt, Token};

use crate::args;
use crate::attr::{self, Errors, UnrawString};
use crate::item::Function;

/// How deeply a `#[job]` body may nest: far more than op wiring needs, and
/// well within what syn's statement parser can recurse on the compiler's
/// stack.
const JOB_BODY_DEPTH: usize = 64;

#[derive(Default)]
pub struct JobArgs {
    pub name: Option<LitStr>,
    pub description: Option<LitStr>,
    pub resources: Vec<Resource>,
    /// `op_retry_policy = expr`.
    pub op_retry_policy: Option<TokenStream>,
    /// `executor = multiprocess(max_concurrent = 4)`, `in_process`, or an
    /// `Executor` expression.
    pub executor: Option<TokenStream>,
    /// `partitions_def = expr`.
    pub partitions_def: Option<TokenStream>,
}

/// `key = expr` of `resource_defs(..)`.
pub struct Resource {
    pub key: String,
    /// The value as written, for rustc to check.
    pub expr: TokenStream,
}

/// One statement of the body.
pub enum Wire {
    /// `op(..);` or `let _ = op(..);`
    Call(Invocation),
    /// `let x = op(..);`
    Let(Ident, Invocation),
    /// `let (a, _, c) = op(..);`: each name with its output's index.
    Tuple(Vec<(usize, Ident)>, Invocation),
    /// `let x = d.map(|v| op(v));` or the map alone (`model::dynamic`).
    Mapped(Option<Ident>, super::dynamic::Mapped),
}

/// `op(args..)`.
pub struct Invocation {
    pub path: syn::Path,
    pub args: Vec<WireArg>,
    /// The span of the parentheses, where a wrong argument count is reported.
    pub paren_span: Span,
}

pub enum WireArg {
    /// Another op call, invoked first.
    Call(Invocation),
    /// A name bound to an output.
    Name(ExprPath),
    /// `d.collect()`: every value of a dynamic or mapped output.
    Collect(super::dynamic::Collect),
}

pub struct JobFn {
    pub func: Function,
    pub args: JobArgs,
    /// The body's statements, read as wiring.
    pub wiring: Vec<Wire>,
    /// The body's mistakes. `check` reports them after the signature's.
    pub body_errors: Errors,
}

impl JobFn {
    pub fn parse(tokens: TokenStream, func: Function, errors: &mut Errors) -> Self {
        let mut args = JobArgs::default();
        args::parse_list(tokens, args::JOB, "`#[job]` argument", &mut args, errors);
        let mut reader = Reader {
            wiring: Vec::new(),
            errors: Errors::default(),
        };
        // The body is read statement by statement (op calls nest as deeply
        // as they are written), so its depth is bounded first.
        let body = func.body.stream();
        let stmts = crate::item::check_nesting(&body, JOB_BODY_DEPTH, "this `#[job]` body")
            .and_then(|()| syn::parse::Parser::parse2(syn::Block::parse_within, body));
        match stmts {
            Ok(stmts) => {
                for stmt in &stmts {
                    reader.stmt(stmt);
                }
            }
            Err(e) => reader.errors.push(e),
        }
        JobFn {
            func,
            args,
            wiring: reader.wiring,
            body_errors: reader.errors,
        }
    }
}

/// `resource_defs(key = expr, "other key" = expr)`.
pub fn parse_resource_defs(
    meta: &ParseNestedMeta,
    name: &Ident,
    out: &mut Vec<Resource>,
    errors: &mut Errors,
) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            name.span(),
            "expected `resource_defs(key = resource, ..)`",
        ));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    parse_resources(&content, out, errors)
}

/// `key = expr, "other key" = expr`: a string form for keys that are not
/// Rust identifiers. Resource keys may name plain resources, so only
/// emptiness is checked here; manager keys are checked where declared.
fn parse_resources(
    content: ParseStream,
    out: &mut Vec<Resource>,
    errors: &mut Errors,
) -> syn::Result<()> {
    while !content.is_empty() {
        let entry = (|| -> syn::Result<Resource> {
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
            if out.iter().any(|r| r.key == key) {
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
            Ok(Resource { key, expr })
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

/// Reads the body's statements into wiring.
pub(super) struct Reader {
    pub(super) wiring: Vec<Wire>,
    pub(super) errors: Errors,
}

const BODY_HELP: &str = "a `#[job]` body only wires ops: write calls such as `op_b(op_a());`, `let x = op_a();` or `let (a, b) = two_outputs();`";

impl Reader {
    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => self.local(local),
            Stmt::Expr(Expr::Call(call), _) => {
                if let Some(inv) = self.invocation(call) {
                    self.wiring.push(Wire::Call(inv));
                }
            }
            Stmt::Expr(Expr::MethodCall(m), _) => {
                if let Some(mapped) = self.mapped(m) {
                    self.wiring.push(Wire::Mapped(None, mapped));
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
        if let (Expr::MethodCall(m), Pat::Ident(pi)) = (&*init.expr, &local.pat)
            && pi.by_ref.is_none()
            && pi.subpat.is_none()
        {
            if let Some(mapped) = self.mapped(m) {
                self.wiring
                    .push(Wire::Mapped(Some(pi.ident.clone()), mapped));
            }
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
                if let Some(inv) = self.invocation(call) {
                    self.wiring.push(Wire::Let(pi.ident.clone(), inv));
                }
            }
            Pat::Wild(_) => {
                if let Some(inv) = self.invocation(call) {
                    self.wiring.push(Wire::Call(inv));
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
                if let Some(inv) = self.invocation(call) {
                    self.wiring.push(Wire::Tuple(bindings, inv));
                }
            }
            Pat::Type(t) => self.errors.spanned(
                &t.ty,
                "type annotations are not supported in a `#[job]` body: bindings are op outputs (`OutputHandle`s)",
            ),
            other => self
                .errors
                .spanned(other, format!("unsupported pattern; {BODY_HELP}")),
        }
    }

    /// `op(args..)`; `None` after recording an error.
    pub(super) fn invocation(&mut self, call: &ExprCall) -> Option<Invocation> {
        let path = match &*call.func {
            Expr::Path(p) if p.qself.is_none() => p.path.clone(),
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
                Expr::Call(inner) => match self.invocation(inner) {
                    Some(inv) => args.push(WireArg::Call(inv)),
                    None => ok = false,
                },
                Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                    args.push(WireArg::Name(p.clone()));
                }
                Expr::MethodCall(m) => match self.collect_arg(m) {
                    Some(c) => args.push(WireArg::Collect(c)),
                    None => ok = false,
                },
                other => {
                    self.errors.spanned(
                        other,
                        "an op argument in a `#[job]` body is another op call or a name bound to one (`let x = op_a();`)",
                    );
                    ok = false;
                }
            }
        }
        ok.then(|| Invocation {
            path,
            args,
            paren_span: call.paren_token.span.join(),
        })
    }
}
