//! `#[job]` bodies over dynamic outputs: `d.map(|x| op(x))` (chained maps
//! too, `.map(a).map(b)`, and the short form `.map(op)`), and
//! `total(mapped.collect())`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall, ExprPath, Ident, Pat};

use super::job::{Invocation, Reader, WireArg};

/// `over.map(|param| body)`.
pub struct Mapped {
    pub over: MapOver,
    /// The `map` token, where mapping a non-dynamic output is reported.
    pub map_span: Span,
    /// The closure's parameter (a fresh name for `.map(op)`).
    pub param: Ident,
    /// The op call the closure makes, invoked once per mapping key.
    pub body: Invocation,
}

/// What `.map` / `.collect()` is called on.
pub enum MapOver {
    /// An op call: its (dynamic) output.
    Call(Invocation),
    /// A name bound to an output or to a map.
    Name(ExprPath),
    /// Another map (`.map(a).map(b)`).
    Map(Box<Mapped>),
}

/// `of.collect()` passed to an op.
pub struct Collect {
    pub of: MapOver,
    /// The `collect` token, where a non-`Vec` input is reported.
    pub span: Span,
}

const MAP_HELP: &str = "map an op over a dynamic output with `.map(|x| op(x))` or `.map(op)`, and gather the results into a `Vec<T>` input with `total(mapped.collect())`";

impl Reader {
    /// `over.map(..)` as a statement or a `let`; `None` after an error.
    pub(super) fn mapped(&mut self, m: &ExprMethodCall) -> Option<Mapped> {
        if m.method == "collect" {
            self.errors.spanned(
                &m.method,
                "`.collect()` is passed to the op that takes the values: `total(mapped.collect())`",
            );
            return None;
        }
        if m.method != "map" {
            self.errors.spanned(
                &m.method,
                format!(
                    "unknown method `{}` in a `#[job]` body; {MAP_HELP}",
                    m.method
                ),
            );
            return None;
        }
        if let Some(t) = &m.turbofish {
            self.errors.spanned(t, "`.map` takes no type arguments");
            return None;
        }
        let over = self.map_over(&m.receiver)?;
        let [arg] = m.args.iter().collect::<Vec<_>>()[..] else {
            self.errors.push(syn::Error::new(
                m.paren_token.span.join(),
                "`.map` takes one argument: a closure calling an op, `|x| op(x)`, or the op itself",
            ));
            return None;
        };
        let (param, body) = match arg {
            Expr::Closure(c) => {
                let param = match c.inputs.iter().collect::<Vec<_>>()[..] {
                    [Pat::Ident(pi)] if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        pi.ident.clone()
                    }
                    _ => {
                        self.errors.spanned(
                            &c.inputs,
                            "a `.map` closure takes one value, named: `|x| op(x)`",
                        );
                        return None;
                    }
                };
                let call = match &*c.body {
                    Expr::Call(call) => call,
                    Expr::Block(b) => match b.block.stmts.as_slice() {
                        [syn::Stmt::Expr(Expr::Call(call), None)] => call,
                        _ => {
                            self.errors.spanned(
                                &c.body,
                                "a `.map` closure calls one op on the value: `|x| op(x)`",
                            );
                            return None;
                        }
                    },
                    other => {
                        self.errors.spanned(
                            other,
                            "a `.map` closure calls one op on the value: `|x| op(x)`",
                        );
                        return None;
                    }
                };
                (param, self.invocation(call)?)
            }
            // `.map(op)`: the op with the value as its one argument.
            Expr::Path(p) if p.qself.is_none() => {
                let param = Ident::new("__larder_item", Span::mixed_site());
                let arg: ExprPath = syn::parse_quote!(#param);
                let body = Invocation {
                    path: p.path.clone(),
                    args: vec![WireArg::Name(arg)],
                    paren_span: p.span(),
                };
                (param, body)
            }
            other => {
                self.errors.spanned(other, format!("`.map` takes a closure calling an op, `|x| op(x)`, or the op itself; {MAP_HELP}"));
                return None;
            }
        };
        Some(Mapped {
            over,
            map_span: m.method.span(),
            param,
            body,
        })
    }

    /// `of.collect()` as an op argument; `None` after an error.
    pub(super) fn collect_arg(&mut self, m: &ExprMethodCall) -> Option<Collect> {
        if m.method == "map" {
            self.errors.spanned(
                m,
                "a mapped value is passed to an op outside its map: gather the values with `.collect()` (`total(mapped.collect())`), or call the op inside the map",
            );
            return None;
        }
        if m.method != "collect" {
            self.errors.spanned(
                &m.method,
                format!(
                    "unknown method `{}` in a `#[job]` body; {MAP_HELP}",
                    m.method
                ),
            );
            return None;
        }
        if !m.args.is_empty() || m.turbofish.is_some() {
            self.errors
                .spanned(&m.args, "`.collect()` takes no arguments");
            return None;
        }
        let of = self.map_over(&m.receiver)?;
        Some(Collect {
            of,
            span: m.method.span(),
        })
    }

    fn map_over(&mut self, e: &Expr) -> Option<MapOver> {
        match e {
            Expr::Call(call) => self.invocation(call).map(MapOver::Call),
            Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                Some(MapOver::Name(p.clone()))
            }
            Expr::MethodCall(m) if m.method == "map" => {
                self.mapped(m).map(|m| MapOver::Map(Box::new(m)))
            }
            Expr::Paren(p) => self.map_over(&p.expr),
            other => {
                self.errors.spanned(
                    other,
                    format!("`.map` and `.collect()` apply to an op call, a name bound to one, or another `.map(..)`; {MAP_HELP}"),
                );
                None
            }
        }
    }
}
