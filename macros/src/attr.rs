//! Shared argument parsing: error accumulation, duplicate detection,
//! did-you-mean, and the literal / list / type value parsers. Which
//! arguments a macro takes is `args.rs`'s business; this module reads the
//! value of one, whatever it is.
//!
//! Every parser here records its errors instead of stopping at the first:
//! a bad argument is reported and skipped, so one expansion lists every
//! mistake in the attribute, and fixing one does not reveal the next.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token, Type};

/// All errors of one macro invocation, combined into one.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub fn spanned(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Adds `other`'s errors after these.
    pub fn append(&mut self, other: Errors) {
        if let Some(e) = other.0 {
            self.push(e);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The `compile_error!`s, or nothing.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.0
            .as_ref()
            .map(syn::Error::to_compile_error)
            .unwrap_or_default()
    }
}

/// Names already given in one argument list, for "duplicate argument".
#[derive(Default)]
pub struct Seen(Vec<String>);

impl Seen {
    /// Errors on the second occurrence of `name`, at the second one.
    pub fn first(&mut self, name: &Ident, context: &str) -> syn::Result<()> {
        let key = name.to_string();
        if self.0.contains(&key) {
            return Err(syn::Error::new(
                name.span(),
                format!("duplicate {context} `{key}`"),
            ));
        }
        self.0.push(key);
        Ok(())
    }
}

/// The closest candidate to `wrong`, when one is close enough to suggest.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `` `a`, `b`, `c` `` for messages.
pub fn list(items: impl IntoIterator<Item = impl std::fmt::Display>) -> String {
    let v: Vec<String> = items.into_iter().map(|i| format!("`{i}`")).collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

/// ``unknown `#[asset]` argument `x`; did you mean `y`?``
pub fn unknown(name: &Ident, context: &str, known: &[&str]) -> syn::Error {
    let wrong = name.to_string();
    let msg = match did_you_mean(&wrong, known.iter().copied()) {
        Some(s) => format!("unknown {context} `{wrong}`; did you mean `{s}`?"),
        None => format!(
            "unknown {context} `{wrong}`; expected one of {}",
            list(known)
        ),
    };
    syn::Error::new(name.span(), msg)
}

/// The argument's name (a single identifier, keywords allowed).
pub fn arg_name(meta: &ParseNestedMeta) -> syn::Result<Ident> {
    match meta.path.get_ident() {
        Some(i) => Ok(i.clone()),
        None => Err(syn::Error::new_spanned(
            &meta.path,
            "expected an argument name, not a path",
        )),
    }
}

/// Skips the rest of a bad argument (its `= value` or `(...)`), up to the
/// next top-level comma, so parsing can go on with the next one.
pub fn skip_to_comma(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

/// Parses a comma-separated argument list, calling `each` per argument and
/// recording (not propagating) its errors.
pub fn parse_args(
    tokens: TokenStream,
    errors: &mut Errors,
    mut each: impl FnMut(&ParseNestedMeta, &mut Errors) -> syn::Result<()>,
) {
    if tokens.is_empty() {
        return;
    }
    let parser = syn::meta::parser(|meta| {
        if let Err(e) = each(&meta, errors) {
            errors.push(e);
            skip_to_comma(meta.input);
        }
        Ok(())
    });
    if let Err(e) = parser.parse2(tokens) {
        errors.push(e);
    }
}

/// Parses `name(a = .., b(..))`, like [`parse_args`], for a nested list.
pub fn parse_nested(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    mut each: impl FnMut(&ParseNestedMeta, &mut Errors) -> syn::Result<()>,
) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        let name = arg_name(meta)?;
        return Err(syn::Error::new(
            name.span(),
            format!("expected a list: `{name}(...)`"),
        ));
    }
    // `name()`: an empty list (syn's parser expects at least one entry).
    let fork = meta.input.fork();
    let content;
    syn::parenthesized!(content in fork);
    if content.is_empty() {
        let _empty;
        syn::parenthesized!(_empty in meta.input);
        return Ok(());
    }
    meta.parse_nested_meta(|inner| {
        if let Err(e) = each(&inner, errors) {
            errors.push(e);
            skip_to_comma(inner.input);
        }
        Ok(())
    })
}

/// The `= value` of an argument, as an expression.
fn value_expr(meta: &ParseNestedMeta, name: &Ident, example: &str) -> syn::Result<Expr> {
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = {example}`"),
        ));
    }
    let tokens = tokens_until_comma(meta.value()?)?;
    crate::item::check_nesting(&tokens, VALUE_DEPTH, &format!("the value of `{name}`"))?;
    syn::parse2::<Expr>(tokens)
}

/// How deeply a value larder reads itself (a string, a list of strings or
/// of assets) may nest: syn's expression parser recurses once per level.
pub const VALUE_DEPTH: usize = 16;

/// `name = "literal"`.
pub fn lit_str(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<LitStr> {
    match value_expr(meta, name, "\"...\"")? {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected a string literal: `{name} = \"...\"`"),
        )),
    }
}

/// `name = true` / `name = false`.
pub fn lit_bool(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<syn::LitBool> {
    match value_expr(meta, name, "false")? {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected `true` or `false`: `{name} = false`"),
        )),
    }
}

/// Longest name accepted: names become file names (one path component
/// each), which most filesystems cap at 255 bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// Asset key components and op, job, output and input names: each becomes
/// one path component of what the managers store (and a run-config key), so
/// the runtime's storage rule (`check_component`) is checked here, at
/// compile time, at the literal. `what` is e.g. "op name".
pub fn check_name(value: &str, span: Span, what: &str) -> syn::Result<()> {
    let why = if value.is_empty() {
        "it is empty".to_owned()
    } else if value == "." || value == ".." {
        "`.` and `..` are not allowed".to_owned()
    } else if value.contains('/') || value.contains('\\') {
        "it contains a path separator".to_owned()
    } else if value.contains('\0') {
        "it contains a NUL byte".to_owned()
    } else if value.len() > MAX_NAME_BYTES {
        format!(
            "it is {} bytes long, more than {MAX_NAME_BYTES}",
            value.len()
        )
    } else {
        return Ok(());
    };
    let shown: String = value.chars().take(40).collect();
    let ellipsis = if shown.len() < value.len() { "…" } else { "" };
    Err(syn::Error::new(
        span,
        format!("invalid {what} \"{shown}{ellipsis}\": {why}"),
    ))
}

/// `name = "literal"`, checked with [`check_name`].
pub fn name_lit(meta: &ParseNestedMeta, name: &Ident, what: &str) -> syn::Result<LitStr> {
    let lit = lit_str(meta, name)?;
    check_name(&lit.value(), lit.span(), what)?;
    Ok(lit)
}

/// A list of string literals with the span of each.
#[derive(Clone)]
pub struct StrList {
    pub items: Vec<(String, Span)>,
}

/// `name = "a/b"` (split on `/`) or `name = ["a", "b"]`.
pub fn path_list(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<StrList> {
    let expr = value_expr(meta, name, "[\"a\", \"b\"]")?;
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(StrList {
            items: s
                .value()
                .split('/')
                .map(|p| (p.to_owned(), s.span()))
                .collect(),
        }),
        Expr::Array(arr) => {
            let mut items = Vec::new();
            for e in &arr.elems {
                match e {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => items.push((s.value(), s.span())),
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            format!("expected a string literal in `{name}`"),
                        ));
                    }
                }
            }
            Ok(StrList { items })
        }
        other => Err(syn::Error::new_spanned(
            other,
            format!(
                "expected a string or a list of strings: `{name} = \"a/b\"` or `{name} = [\"a\", \"b\"]`"
            ),
        )),
    }
}

/// `name = ["a", "b"]`: a list of string literals.
pub fn str_list(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<Vec<LitStr>> {
    match value_expr(meta, name, "[\"a\", \"b\"]")? {
        Expr::Array(arr) => arr
            .elems
            .iter()
            .map(|e| match e {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Ok(s.clone()),
                other => Err(syn::Error::new_spanned(
                    other,
                    format!("expected a string literal in `{name}`"),
                )),
            })
            .collect(),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected a list of strings: `{name} = [\"a\", \"b\"]`"),
        )),
    }
}

/// `name = Type`.
pub fn ty(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<Type> {
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = SomeType`"),
        ));
    }
    meta.value()?.parse::<Type>()
}

/// `name = [A, B]`: a list of types.
pub fn type_list(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<Vec<Type>> {
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = [TypeA, TypeB]`"),
        ));
    }
    let input = meta.value()?;
    if !input.peek(syn::token::Bracket) {
        return Err(input.error(format!(
            "expected a list of types: `{name} = [TypeA, TypeB]`"
        )));
    }
    let content;
    syn::bracketed!(content in input);
    let types = Punctuated::<Type, Token![,]>::parse_terminated(&content)?;
    if types.is_empty() {
        return Err(syn::Error::new(
            name.span(),
            format!("`{name} = []` lists no types"),
        ));
    }
    Ok(types.into_iter().collect())
}

/// One `key = value` of a `metadata(..)` list.
#[derive(Clone)]
pub struct MetadataEntry {
    pub key: String,
    /// The value as written: rustc checks it where it is converted.
    pub value: TokenStream,
}

/// `metadata(owner = "x", rows = 3)`.
pub fn metadata(meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<Vec<MetadataEntry>> {
    let mut entries = Vec::new();
    let mut seen = Seen::default();
    parse_nested(meta, errors, |m, _| {
        let key = arg_name(m)?;
        seen.first(&key, "metadata entry")?;
        let value = value_tokens(m, &key, "value")?;
        entries.push(MetadataEntry {
            key: key.unraw_string(),
            value,
        });
        Ok(())
    })?;
    Ok(entries)
}

/// The `= value` of an argument as the tokens written, up to the next
/// top-level comma. Not parsed: the value is emitted for rustc, which
/// checks it at its own tokens and handles any nesting depth, where syn's
/// expression parser recurses once per level.
pub fn value_tokens(
    meta: &ParseNestedMeta,
    name: &Ident,
    example: &str,
) -> syn::Result<TokenStream> {
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = {example}`"),
        ));
    }
    let input = meta.value()?;
    let value = tokens_until_comma(input)?;
    if value.is_empty() {
        return Err(syn::Error::new(
            name.span(),
            format!("`{name} =` has no value: expected `{name} = {example}`"),
        ));
    }
    Ok(value)
}

/// The tokens of `input` up to (not including) the next comma outside
/// delimiters and outside a turbofish's `::<..>`, so `f::<A, B>()` stays
/// one value.
pub fn tokens_until_comma(input: ParseStream) -> syn::Result<TokenStream> {
    input.step(|cursor| {
        let mut out = TokenStream::new();
        let mut rest = *cursor;
        let mut angles = 0usize;
        // The last tokens were `::` (a `:` joint with the next `:`).
        let mut joint_colon = false;
        let mut after_colons = false;
        while let Some((tt, next)) = rest.token_tree() {
            if let TokenTree::Punct(p) = &tt {
                match p.as_char() {
                    ',' if angles == 0 => break,
                    '<' if after_colons || angles > 0 => angles += 1,
                    '>' if angles > 0 => angles -= 1,
                    _ => {}
                }
                after_colons = joint_colon && p.as_char() == ':';
                joint_colon = p.as_char() == ':' && p.spacing() == proc_macro2::Spacing::Joint;
            } else {
                after_colons = false;
                joint_colon = false;
            }
            out.extend([tt]);
            rest = next;
        }
        Ok((out, rest))
    })
}

/// `r#type` → `type`.
pub trait UnrawString {
    fn unraw_string(&self) -> String;
}

impl UnrawString for Ident {
    fn unraw_string(&self) -> String {
        let s = self.to_string();
        s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
    }
}

/// The text of the `#[doc = ".."]` attributes: a default description.
pub fn doc_string(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').map(str::to_owned).unwrap_or(line));
        }
    }
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The function's `#[cfg(..)]` attributes, repeated on every generated item
/// so they come and go with it.
pub fn cfgs(attrs: &[syn::Attribute]) -> TokenStream {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .map(|a| a.to_token_stream())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let known = ["io_manager_key", "key_prefix", "group_name"];
        assert_eq!(did_you_mean("io_manger_key", known), Some("io_manager_key"));
        assert_eq!(did_you_mean("group", known), Some("group_name"));
        assert_eq!(did_you_mean("zzz", known), None);
    }

    #[test]
    fn all_errors_are_kept() {
        let mut errors = Errors::default();
        let tokens: TokenStream = "a = 1, b = \"x\", a = 2, c(d = 3)"
            .parse()
            .unwrap_or_default();
        let mut seen = Seen::default();
        parse_args(tokens, &mut errors, |meta, _| {
            let name = arg_name(meta)?;
            seen.first(&name, "argument")?;
            lit_str(meta, &name).map(|_| ())
        });
        let all = errors.to_compile_errors().to_string();
        assert_eq!(all.matches("compile_error").count(), 3, "{all}");
        assert!(all.contains("duplicate argument `a`"));
    }

    #[test]
    fn doc_comments_become_descriptions() {
        let item: syn::ItemFn = syn::parse_quote! {
            /// First line.
            ///
            /// Second paragraph.
            fn f() {}
        };
        assert_eq!(
            doc_string(&item.attrs).as_deref(),
            Some("First line.\n\nSecond paragraph.")
        );
    }
}
