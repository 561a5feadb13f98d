//! `#[multi_asset(outs(a(..), b(..)))]`: a step function whose returned
//! tuple is several assets. It shares `StepFn` with `#[asset]` (inputs,
//! resources, config); this module adds its argument tables and its outs.

use syn::meta::ParseNestedMeta;
use syn::{Ident, LitBool, LitStr, Type};

use super::step::{self, StepArgs};
use crate::args::{self, Arg};
use crate::attr::{self, Errors, MetadataEntry, Seen, StrList, UnrawString};
use crate::key::Key;
use crate::signature::Wrapper;

/// One `outs(name(..))` entry (Dagster's `AssetOut`).
pub struct AssetOutSpec {
    pub name: Ident,
    pub key: Option<(LitStr, Vec<String>)>,
    pub key_prefix: Option<StrList>,
    pub io_manager_key: Option<Key>,
    pub metadata: Vec<MetadataEntry>,
    pub description: Option<LitStr>,
    pub is_required: Option<LitBool>,
    pub group_name: Option<LitStr>,
}

impl AssetOutSpec {
    /// Whether the body must produce it (`is_required`, default `true`).
    pub fn required(&self) -> bool {
        self.is_required.as_ref().is_none_or(LitBool::value)
    }

    /// The asset key: `key`, else `key_prefix + [name]`.
    pub fn key_components(&self) -> Vec<String> {
        match (&self.key, &self.key_prefix) {
            (Some((_, c)), _) => c.clone(),
            (None, prefix) => prefix
                .iter()
                .flat_map(|p| p.items.iter().map(|(s, _)| s.clone()))
                .chain([self.name.unraw_string()])
                .collect(),
        }
    }
}

/// One asset of a checked multi-asset: its out and its element of the
/// returned tuple.
pub struct AssetOutputDecl {
    /// Index into `StepArgs::asset_outs`.
    pub spec: usize,
    /// The stored type (`T` of an optional out's `Option<T>`).
    pub ty: Type,
    pub wrapper: Wrapper,
}

fn parse_asset_outs(meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<Vec<AssetOutSpec>> {
    let mut outs = Vec::new();
    let mut seen = Seen::default();
    attr::parse_nested(meta, errors, |entry, errors| {
        let name = attr::arg_name(entry)?;
        // Reported, but kept: the tuple's arity is then checked against
        // what was written, not reported as a second mistake.
        if let Err(e) = seen.first(&name, "out") {
            errors.push(e);
        }
        attr::check_name(&name.unraw_string(), name.span(), "output name")?;
        let mut spec = AssetOutSpec {
            name: name.clone(),
            key: None,
            key_prefix: None,
            io_manager_key: None,
            metadata: Vec::new(),
            description: None,
            is_required: None,
            group_name: None,
        };
        if entry.input.peek(syn::token::Paren) {
            let ctx = format!("argument of `outs({name}(..))`");
            args::parse_nested_list(entry, ASSET_OUT, &ctx, &mut spec, errors)?;
            if let (Some((lit, _)), Some(_)) = (&spec.key, &spec.key_prefix) {
                errors.spanned(
                    lit,
                    "`key` sets the out's whole asset key; it cannot be combined with `key_prefix`",
                );
            }
        }
        outs.push(spec);
        Ok(())
    })?;
    Ok(outs)
}

/// The row of arguments `#[multi_asset]` shares with `#[asset]`.
const AS_FOR_ASSET: (&str, &str) = (
    "`description`, `group_name`, `deps`, `config = T`, `code_version`, `retry_policy`",
    "as for `#[asset]`",
);

/// `#[multi_asset(..)]`.
pub const MULTI_ASSET: &[Arg<StepArgs>] = &[
    Arg {
        name: "outs",
        row: "`outs(a(key = .., key_prefix = .., io_manager_key = \"k\", metadata(..), is_required = false, description = \"..\", group_name = \"..\"), b)`",
        doc: "its assets, one per element of the returned tuple, in order",
        parse: |a, m, n, e| {
            a.asset_outs = Some((n.clone(), parse_asset_outs(m, e)?));
            Ok(())
        },
    },
    Arg {
        name: "name",
        row: "`name = \"..\"`",
        doc: "the op's (and step's) name (default: the function's name)",
        parse: |a, m, n, _| {
            a.name = Some(attr::name_lit(m, n, "op name")?);
            Ok(())
        },
    },
    Arg {
        name: "ins",
        row: "`ins(param(key = .., key_prefix = .., input_manager_key = \"k\", metadata(..), partition_mapping = ..))`",
        doc: "as for `#[asset]`",
        parse: |a, m, _, e| {
            a.ins = step::parse_ins(m, e, args::ASSET_IN)?;
            Ok(())
        },
    },
    Arg {
        name: "partitions_def",
        row: "`partitions_def = expr`",
        doc: "the partitions of all its assets",
        parse: |a, m, n, _| {
            a.partitions_def = Some(attr::value_tokens(m, n, "partitions")?);
            Ok(())
        },
    },
    Arg {
        name: "description",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.description = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "group_name",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.group_name = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "deps",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.deps = step::parse_deps(m, n)?;
            Ok(())
        },
    },
    Arg {
        name: "config",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.config = Some(attr::ty(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "code_version",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.code_version = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "retry_policy",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.retry_policy = Some(attr::value_tokens(m, n, "retry policy")?);
            Ok(())
        },
    },
    Arg {
        name: "resources",
        row: "`resources(client, db(key = \"k\"))`",
        doc: "parameters that receive resources by reference (key: the parameter's name; checked at compile time)",
        parse: |a, m, _, e| {
            a.resources = step::parse_resources(m, e)?;
            Ok(())
        },
    },
    Arg {
        name: "required_resource_keys",
        row: "`required_resource_keys = [\"a\"]`",
        doc: "resources the body reads with `StepIo::resource` (checked when the definitions are validated)",
        parse: |a, m, n, _| {
            a.required_resource_keys = attr::str_list(m, n)?;
            Ok(())
        },
    },
];

/// Each `outs(name(..))` of `#[multi_asset]`.
pub const ASSET_OUT: &[Arg<AssetOutSpec>] = &[
    Arg {
        name: "key_prefix",
        row: "`key_prefix = [\"a\"]` or `\"a\"`",
        doc: "the asset key is `a/<out name>`",
        parse: |s, m, n, _| {
            s.key_prefix = Some(step::checked_components(attr::path_list(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "key",
        row: "`key = \"a/b\"`",
        doc: "the asset's whole key",
        parse: |s, m, n, _| {
            s.key = Some(step::asset_key(attr::lit_str(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "io_manager_key",
        row: "`io_manager_key = \"k\"`",
        doc: "the manager storing this asset (checked at compile time)",
        parse: |s, m, n, _| {
            s.io_manager_key = Key::parse_io_manager_key(attr::lit_str(m, n)?)?;
            Ok(())
        },
    },
    Arg {
        name: "metadata",
        row: "`metadata(..)`",
        doc: "the asset's definition metadata",
        parse: |s, m, _, e| {
            s.metadata = attr::metadata(m, e)?;
            Ok(())
        },
    },
    Arg {
        name: "is_required",
        row: "`is_required = false`",
        doc: "the element is an `Option<T>`; `None` skips the assets reading it",
        parse: |s, m, n, _| {
            s.is_required = Some(attr::lit_bool(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "description",
        row: "`description = \"..\"`",
        doc: "the asset's description",
        parse: |s, m, n, _| {
            s.description = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "group_name",
        row: "`group_name = \"..\"`",
        doc: "the asset's group (default: the multi-asset's)",
        parse: |s, m, n, _| {
            s.group_name = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
];
