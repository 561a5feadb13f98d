//! The annotated function, read only as deep as the macros need: its
//! attributes, visibility and signature are parsed, its body is kept as the
//! brace-delimited token group it was written as and emitted unchanged.
//!
//! Parsing the body with syn (and printing it back) recurses once per
//! nesting level on the compiler's stack, so a body rustc itself accepts
//! could crash the compiler inside the macro; passed through as tokens, any
//! body is accepted with the attribute.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility};

/// `#[attrs] vis fn name(..) -> T { body }`.
pub struct Function {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    /// The body, `{ .. }`, unparsed.
    pub body: Group,
}

impl Parse for Function {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body = input.step(|cursor| match cursor.token_tree() {
            Some((TokenTree::Group(g), rest)) if g.delimiter() == Delimiter::Brace => Ok((g, rest)),
            _ => Err(cursor.error("expected the function's body `{ .. }`")),
        })?;
        Ok(Function {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(self.attrs.iter());
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        tokens.append(self.body.clone());
    }
}

/// Refuses `tokens` nested more deeply than `limit` groups, for the few
/// places that must parse user tokens as expressions or types (syn
/// recurses per level there), at the first group past the limit. The walk
/// is iterative: it runs on token trees nested as deeply as rustc allows.
pub fn check_nesting(tokens: &TokenStream, limit: usize, what: &str) -> syn::Result<()> {
    let mut stack = vec![tokens.clone().into_iter()];
    while let Some(iter) = stack.last_mut() {
        match iter.next() {
            Some(TokenTree::Group(g)) => {
                if stack.len() > limit {
                    return Err(syn::Error::new(
                        g.span_open(),
                        format!(
                            "{what} is nested more than {limit} levels deep, more than larder reads here"
                        ),
                    ));
                }
                stack.push(g.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    Ok(())
}

/// The error for an attribute put on something that is not a function,
/// at the item's first token after its attributes (`struct`, `impl`, `pub`…).
pub fn not_a_function(item: &TokenStream, msg: &str) -> TokenStream {
    let mut trees = item.clone().into_iter().peekable();
    let mut span = None;
    while let Some(tt) = trees.next() {
        let is_attr = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(trees.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
        if is_attr {
            trees.next();
            continue;
        }
        span = Some(tt.span());
        break;
    }
    // Only attributes: point at the first of them.
    let span = span
        .or_else(|| item.clone().into_iter().next().map(|tt| tt.span()))
        .unwrap_or_else(proc_macro2::Span::call_site);
    syn::Error::new(span, msg).to_compile_error()
}
