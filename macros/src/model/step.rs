//! `#[asset]` and `#[op]`: a step function and its arguments. The two
//! macros share one model; each takes the arguments of its table in
//! `args.rs`, so fields the other macro sets stay empty.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Path, Type};

use crate::args::{self, Arg};
use crate::attr::{self, Errors, MetadataEntry, Seen, StrList, UnrawString};
use crate::item::Function;
use crate::key::Key;
use crate::signature::{self, Output, Param, Wrapper};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Asset,
    Op,
    MultiAsset,
}

impl StepKind {
    /// "`#[asset]`", for messages.
    pub fn what(self) -> &'static str {
        match self {
            StepKind::Asset => "`#[asset]`",
            StepKind::Op => "`#[op]`",
            StepKind::MultiAsset => "`#[multi_asset]`",
        }
    }

    /// "asset", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            StepKind::Asset => "asset",
            StepKind::Op => "op",
            StepKind::MultiAsset => "multi-asset",
        }
    }

    pub fn table(self) -> &'static [Arg<StepArgs>] {
        match self {
            StepKind::Asset => args::ASSET,
            StepKind::Op => args::OP,
            StepKind::MultiAsset => super::multi_asset::MULTI_ASSET,
        }
    }

    /// Whether its inputs are upstream assets (`#[asset]`, `#[multi_asset]`).
    pub fn is_asset(self) -> bool {
        self != StepKind::Op
    }
}

/// The arguments of `#[asset]` or `#[op]`.
#[derive(Default)]
pub struct StepArgs {
    pub name: Option<LitStr>,
    pub description: Option<LitStr>,
    pub config: Option<Type>,
    pub code_version: Option<LitStr>,
    pub ins: Vec<InSpec>,
    /// `resources(client, db(key = "warehouse_db"))`: parameters that are
    /// resources, by reference.
    pub resources: Vec<ResourceSpec>,
    /// `required_resource_keys = ["a"]`: resources read with
    /// `StepIo::resource`.
    pub required_resource_keys: Vec<LitStr>,
    /// `retry_policy = expr`.
    pub retry_policy: Option<TokenStream>,
    // `#[asset]` only.
    pub io_manager_key: Option<Key>,
    /// `io_manager_def = expr`.
    pub io_manager_def: Option<TokenStream>,
    pub key_prefix: Option<StrList>,
    pub key: Option<(LitStr, Vec<String>)>,
    pub group_name: Option<LitStr>,
    pub metadata: Vec<MetadataEntry>,
    pub deps: Vec<Dep>,
    pub partitions_def: Option<TokenStream>,
    // `#[op]` only.
    pub out: Option<(Ident, OutSpec)>,
    pub outs: Option<(Ident, Vec<OutSpec>)>,
    // `#[multi_asset]` only.
    pub asset_outs: Option<(Ident, Vec<super::multi_asset::AssetOutSpec>)>,
}

pub enum Dep {
    /// Another `#[asset]` function, by path: its key, whatever it is.
    Asset(Path),
    /// An asset key, `"a/b"`.
    Key(Vec<String>),
}

/// `resources(param)` or `resources(param(key = "k"))`: a parameter that
/// receives the resource bound to the key (default: the parameter's name).
pub struct ResourceSpec {
    pub param: Ident,
    pub key: Key,
}

/// `ins(param(..))`: how one parameter is loaded.
pub struct InSpec {
    pub param: Ident,
    pub key: Option<(LitStr, Vec<String>)>,
    pub key_prefix: Option<StrList>,
    pub input_manager_key: Option<Key>,
    pub metadata: Vec<MetadataEntry>,
    pub partition_mapping: Option<TokenStream>,
    pub description: Option<LitStr>,
}

/// `out(..)`, or one `outs(name(..))`.
#[derive(Default, Clone)]
pub struct OutSpec {
    pub name: Option<Ident>,
    pub io_manager_key: Option<Key>,
    pub metadata: Vec<MetadataEntry>,
    pub description: Option<LitStr>,
}

/// One output of a step, as `check` pairs the declared outputs with the
/// returned type.
pub struct OutputDecl {
    pub name: String,
    /// `None` for `()`.
    pub ty: Option<Type>,
    /// Whether the value comes as `Output<T>`.
    pub wrapper: Wrapper,
    pub spec: Option<OutSpec>,
}

/// An `#[asset]` or `#[op]` function with its arguments.
pub struct StepFn {
    pub kind: StepKind,
    pub func: Function,
    pub args: StepArgs,
    /// `name = ".."`, or the function's name.
    pub name: String,
    /// What the function returns.
    pub output: Output,
    /// The valid parameters, in order (set by `check`).
    pub params: Vec<Param>,
    /// The outputs of an op (set by `check`).
    pub outputs: Vec<OutputDecl>,
    /// The assets of a multi-asset (set by `check`).
    pub asset_outputs: Vec<super::multi_asset::AssetOutputDecl>,
}

impl StepFn {
    pub fn parse(kind: StepKind, tokens: TokenStream, func: Function, errors: &mut Errors) -> Self {
        let mut args = StepArgs::default();
        let ctx = format!("{} argument", kind.what());
        args::parse_list(tokens, kind.table(), &ctx, &mut args, errors);
        let name = args
            .name
            .as_ref()
            .map(LitStr::value)
            .unwrap_or_else(|| func.sig.ident.unraw_string());
        let output = signature::step_output(&func.sig);
        StepFn {
            kind,
            func,
            args,
            name,
            output,
            params: Vec::new(),
            outputs: Vec::new(),
            asset_outputs: Vec::new(),
        }
    }

    /// The parameters that are inputs (not the step's io handle, nor
    /// resources).
    pub fn inputs(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.is_input())
    }

    /// The `resources(..)` entry of `param`.
    pub fn resource_spec(&self, param: &Ident) -> Option<&ResourceSpec> {
        self.args.resources.iter().find(|r| r.param == *param)
    }

    /// The `ins(..)` entry of `param`.
    pub fn in_spec(&self, param: &Param) -> Option<&InSpec> {
        self.args.ins.iter().find(|i| i.param == param.ident)
    }

    /// Per input: whether an input manager loads it with nothing wired.
    pub fn managed_inputs(&self) -> Vec<bool> {
        self.inputs()
            .map(|p| {
                self.in_spec(p)
                    .is_some_and(|i| i.input_manager_key.is_some())
            })
            .collect()
    }
}

/// `ins(a(..), b)`, each entry's arguments from `table`.
pub fn parse_ins(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    table: &[Arg<InSpec>],
) -> syn::Result<Vec<InSpec>> {
    let mut ins = Vec::new();
    let mut seen_params = Seen::default();
    attr::parse_nested(meta, errors, |entry, errors| {
        let param = attr::arg_name(entry)?;
        seen_params.first(&param, "`ins(..)` entry for parameter")?;
        let mut spec = InSpec {
            param: param.clone(),
            key: None,
            key_prefix: None,
            input_manager_key: None,
            metadata: Vec::new(),
            partition_mapping: None,
            description: None,
        };
        if entry.input.peek(syn::token::Paren) {
            let ctx = format!("argument of `ins({param}(..))`");
            args::parse_nested_list(entry, table, &ctx, &mut spec, errors)?;
            // Within the entry, so the message comes with the entry's
            // other mistakes.
            if let (Some((lit, _)), Some(_)) = (&spec.key, &spec.key_prefix) {
                errors.spanned(
                    lit,
                    "`key` sets the whole upstream key; it cannot be combined with `key_prefix`",
                );
            }
        }
        ins.push(spec);
        Ok(())
    })?;
    Ok(ins)
}

/// `resources(a, b(key = "k"))`.
pub fn parse_resources(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<Vec<ResourceSpec>> {
    let mut specs = Vec::new();
    let mut seen = Seen::default();
    attr::parse_nested(meta, errors, |entry, _| {
        let param = attr::arg_name(entry)?;
        seen.first(&param, "`resources(..)` entry for parameter")?;
        let mut key = None;
        if entry.input.peek(syn::token::Paren) {
            entry.parse_nested_meta(|inner| {
                let name = attr::arg_name(&inner)?;
                if name != "key" {
                    return Err(attr::unknown(
                        &name,
                        &format!("argument of `resources({param}(..))`"),
                        &["key"],
                    ));
                }
                key = Some(Key::parse(attr::lit_str(&inner, &name)?)?);
                Ok(())
            })?;
        }
        let key = match key {
            Some(k) => k,
            None => Key::parse(LitStr::new(&param.unraw_string(), param.span()))?,
        };
        specs.push(ResourceSpec { param, key });
        Ok(())
    })?;
    Ok(specs)
}

/// `out(..)`'s arguments (or one output's of `outs(..)`).
pub fn parse_out(meta: &ParseNestedMeta, errors: &mut Errors, ctx: &str) -> syn::Result<OutSpec> {
    let mut spec = OutSpec::default();
    args::parse_nested_list(meta, args::OP_OUT, ctx, &mut spec, errors)?;
    Ok(spec)
}

/// `outs(first(..), second)`.
pub fn parse_outs(meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<Vec<OutSpec>> {
    let mut outs = Vec::new();
    let mut seen_outs = Seen::default();
    attr::parse_nested(meta, errors, |entry, errors| {
        let out_name = attr::arg_name(entry)?;
        seen_outs.first(&out_name, "output")?;
        attr::check_name(&out_name.unraw_string(), out_name.span(), "output name")?;
        let mut spec = if entry.input.peek(syn::token::Paren) {
            parse_out(
                entry,
                errors,
                &format!("argument of `outs({out_name}(..))`"),
            )?
        } else {
            OutSpec::default()
        };
        spec.name = Some(out_name);
        outs.push(spec);
        Ok(())
    })?;
    Ok(outs)
}

/// `deps = [upstream_asset, "prefix/other"]`.
pub fn parse_deps(meta: &ParseNestedMeta, name: &Ident) -> syn::Result<Vec<Dep>> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = [upstream_asset, \"prefix/other\"]`"),
        ));
    }
    let tokens = attr::tokens_until_comma(meta.value()?)?;
    crate::item::check_nesting(&tokens, attr::VALUE_DEPTH, &format!("`{name}`"))?;
    let expr: Expr = syn::parse2(tokens)?;
    let Expr::Array(arr) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            format!("expected a list of assets: `{name} = [upstream_asset, \"prefix/other\"]`"),
        ));
    };
    let mut deps = Vec::new();
    for e in arr.elems {
        match e {
            Expr::Path(p) if p.qself.is_none() => deps.push(Dep::Asset(p.path)),
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let (_, components) = asset_key(s)?;
                deps.push(Dep::Key(components));
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "expected an `#[asset]` function or an asset key string such as \"prefix/name\"",
                ));
            }
        }
    }
    Ok(deps)
}

/// `"a/b/c"` as a checked asset key.
pub fn asset_key(lit: LitStr) -> syn::Result<(LitStr, Vec<String>)> {
    let value = lit.value();
    let components: Vec<String> = value.split('/').map(str::to_owned).collect();
    for c in &components {
        check_component(c, lit.span())?;
    }
    Ok((lit, components))
}

/// Each component of a key prefix, checked.
pub fn checked_components(list: StrList) -> syn::Result<StrList> {
    for (c, span) in &list.items {
        check_component(c, *span)?;
    }
    Ok(list)
}

fn check_component(c: &str, span: Span) -> syn::Result<()> {
    attr::check_name(c, span, "asset key component")
}
