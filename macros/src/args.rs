//! Every macro argument, declared once: its name, how it is written (the
//! first column of the rustdoc tables in `lib.rs`), what it means, and the
//! parser storing its value in the model.
//!
//! The known-argument lists of the messages ("expected one of …", "did you
//! mean …") and the dispatch come from these tables, and a unit test checks
//! `lib.rs`'s tables against them, so an argument cannot be added, renamed
//! or dropped in one place only. Argument order here is the order messages
//! list them in.

use proc_macro2::TokenStream;
use syn::Ident;
use syn::meta::ParseNestedMeta;

use crate::attr::{self, Errors, Seen};
use crate::key::Key;
use crate::model::{self, InSpec, JobArgs, ManagerArgs, OutSpec, StepArgs};

/// Stores the value of argument `name` (already looked up) into the model.
pub type Parse<T> = fn(&mut T, &ParseNestedMeta, &Ident, &mut Errors) -> syn::Result<()>;

/// One argument of a macro (or of a nested list such as `ins(x(..))`).
pub struct Arg<T> {
    pub name: &'static str,
    /// How it is written, as in the first column of its rustdoc row.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the lib.rs table test"))]
    pub row: &'static str,
    /// What it means, as in the second column.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the lib.rs table test"))]
    pub doc: &'static str,
    pub parse: Parse<T>,
}

/// The names of `table`, in order.
pub fn names<T>(table: &[Arg<T>]) -> Vec<&'static str> {
    table.iter().map(|a| a.name).collect()
}

/// Parses a top-level argument list against `table`.
pub fn parse_list<T>(
    tokens: TokenStream,
    table: &[Arg<T>],
    ctx: &str,
    target: &mut T,
    errors: &mut Errors,
) {
    let mut seen = Seen::default();
    attr::parse_args(tokens, errors, |meta, errors| {
        dispatch(table, ctx, &mut seen, meta, target, errors)
    });
}

/// Parses `meta`'s nested list, `name(a = .., b(..))`, against `table`.
pub fn parse_nested_list<T>(
    meta: &ParseNestedMeta,
    table: &[Arg<T>],
    ctx: &str,
    target: &mut T,
    errors: &mut Errors,
) -> syn::Result<()> {
    let mut seen = Seen::default();
    attr::parse_nested(meta, errors, |m, errors| {
        dispatch(table, ctx, &mut seen, m, target, errors)
    })
}

fn dispatch<T>(
    table: &[Arg<T>],
    ctx: &str,
    seen: &mut Seen,
    meta: &ParseNestedMeta,
    target: &mut T,
    errors: &mut Errors,
) -> syn::Result<()> {
    let name = attr::arg_name(meta)?;
    let Some(arg) = table.iter().find(|a| name == a.name) else {
        return Err(attr::unknown(&name, ctx, &names(table)));
    };
    seen.first(&name, ctx)?;
    (arg.parse)(target, meta, &name, errors)
}

// Arguments `#[asset]` and `#[op]` share, written once.
const RETRY_POLICY: Arg<StepArgs> = Arg {
    name: "retry_policy",
    row: "`retry_policy = expr`",
    doc: "a `RetryPolicy`: how a failed attempt is retried",
    parse: |a, m, n, _| {
        a.retry_policy = Some(attr::value_tokens(m, n, "retry policy")?);
        Ok(())
    },
};

const RESOURCES: Arg<StepArgs> = Arg {
    name: "resources",
    row: "`resources(client, db(key = \"k\"))`",
    doc: "parameters that receive resources by reference (key: the parameter's name; checked at compile time)",
    parse: |a, m, _, e| {
        a.resources = model::parse_resources(m, e)?;
        Ok(())
    },
};

const REQUIRED_RESOURCE_KEYS: Arg<StepArgs> = Arg {
    name: "required_resource_keys",
    row: "`required_resource_keys = [\"a\"]`",
    doc: "resources the body reads with `StepIo::resource` (checked when the definitions are validated)",
    parse: |a, m, n, _| {
        a.required_resource_keys = attr::str_list(m, n)?;
        Ok(())
    },
};

pub const ASSET: &[Arg<StepArgs>] = &[
    Arg {
        name: "io_manager_key",
        row: "`io_manager_key = \"k\"`",
        doc: "the manager storing the value (checked at compile time)",
        parse: |a, m, n, _| {
            a.io_manager_key = Key::parse_io_manager_key(attr::lit_str(m, n)?)?;
            Ok(())
        },
    },
    Arg {
        name: "io_manager_def",
        row: "`io_manager_def = expr`",
        doc: "the asset's own IO manager, bound under `<key>__io_manager` (no binding needed)",
        parse: |a, m, n, _| {
            a.io_manager_def = Some(attr::value_tokens(m, n, "IO manager")?);
            Ok(())
        },
    },
    Arg {
        name: "key_prefix",
        row: "`key_prefix = [\"a\", \"b\"]` or `\"a/b\"`",
        doc: "the asset key is `a/b/<name>`",
        parse: |a, m, n, _| {
            a.key_prefix = Some(model::checked_components(attr::path_list(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "key",
        row: "`key = \"a/b/c\"`",
        doc: "the whole key (instead of `name` and `key_prefix`)",
        parse: |a, m, n, _| {
            a.key = Some(model::asset_key(attr::lit_str(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "name",
        row: "`name = \"..\"`",
        doc: "the last key component (default: the function's name)",
        parse: |a, m, n, _| {
            a.name = Some(attr::name_lit(m, n, "asset name")?);
            Ok(())
        },
    },
    Arg {
        name: "description",
        row: "`description = \"..\"`",
        doc: "default: the doc comment",
        parse: |a, m, n, _| {
            a.description = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "group_name",
        row: "`group_name = \"..\"`",
        doc: "default `default`",
        parse: |a, m, n, _| {
            a.group_name = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "metadata",
        row: "`metadata(owner = \"x\", rows = 3)`",
        doc: "definition metadata",
        parse: |a, m, _, e| {
            a.metadata = attr::metadata(m, e)?;
            Ok(())
        },
    },
    Arg {
        name: "deps",
        row: "`deps = [other_asset, \"a/b\"]`",
        doc: "upstream assets waited for, not loaded",
        parse: |a, m, n, _| {
            a.deps = model::parse_deps(m, n)?;
            Ok(())
        },
    },
    Arg {
        name: "ins",
        row: "`ins(param(key = .., key_prefix = .., input_manager_key = \"k\", metadata(..), partition_mapping = ..))`",
        doc: "per parameter: its upstream key, loader and partition mapping",
        parse: |a, m, _, e| {
            a.ins = model::parse_ins(m, e, ASSET_IN)?;
            Ok(())
        },
    },
    RETRY_POLICY,
    RESOURCES,
    REQUIRED_RESOURCE_KEYS,
    Arg {
        name: "config",
        row: "`config = T`",
        doc: "the config type of `ops.<step>.config` (read with `StepIo::config_as`)",
        parse: |a, m, n, _| {
            a.config = Some(attr::ty(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "code_version",
        row: "`code_version = \"..\"`",
        doc: "the version",
        parse: |a, m, n, _| {
            a.code_version = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "partitions_def",
        row: "`partitions_def = expr`",
        doc: "the asset's partitions; returning `PartitionMap<T>` stores one `T` per partition",
        parse: |a, m, n, _| {
            a.partitions_def = Some(attr::value_tokens(m, n, "partitions")?);
            Ok(())
        },
    },
];

/// `#[asset(ins(param(..)))]`.
pub const ASSET_IN: &[Arg<InSpec>] = &[
    Arg {
        name: "key",
        row: "`key = \"a/b\"`",
        doc: "the upstream asset's whole key",
        parse: |s, m, n, _| {
            s.key = Some(model::asset_key(attr::lit_str(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "key_prefix",
        row: "`key_prefix = [\"a\"]` or `\"a\"`",
        doc: "the upstream asset's key prefix",
        parse: |s, m, n, _| {
            s.key_prefix = Some(model::checked_components(attr::path_list(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "input_manager_key",
        row: "`input_manager_key = \"k\"`",
        doc: "the manager loading it (checked at compile time)",
        parse: |s, m, n, _| {
            s.input_manager_key = Some(Key::parse(attr::lit_str(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "metadata",
        row: "`metadata(..)`",
        doc: "input metadata",
        parse: |s, m, _, e| {
            s.metadata = attr::metadata(m, e)?;
            Ok(())
        },
    },
    Arg {
        name: "partition_mapping",
        row: "`partition_mapping = expr`",
        doc: "which upstream partitions a partition reads",
        parse: |s, m, n, _| {
            s.partition_mapping = Some(attr::value_tokens(m, n, "mapping")?);
            Ok(())
        },
    },
];

/// The row `#[op]`'s table shares for arguments that mean what they mean
/// for `#[asset]`.
const AS_FOR_ASSET: (&str, &str) = (
    "`name`, `description`, `config = T`, `code_version`",
    "as for `#[asset]`",
);

pub const OP: &[Arg<StepArgs>] = &[
    Arg {
        name: "name",
        row: AS_FOR_ASSET.0,
        doc: AS_FOR_ASSET.1,
        parse: |a, m, n, _| {
            a.name = Some(attr::name_lit(m, n, "op name")?);
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
        name: "out",
        row: "`out(io_manager_key = \"k\", metadata(..), description = \"..\")`",
        doc: "the single output `result`",
        parse: |a, m, n, e| {
            let spec = model::parse_out(m, e, "`out(..)` argument")?;
            a.out = Some((n.clone(), spec));
            Ok(())
        },
    },
    Arg {
        name: "outs",
        row: "`outs(first(io_manager_key = \"k\"), second())`",
        doc: "several outputs; the function returns a tuple of as many values",
        parse: |a, m, n, e| {
            a.outs = Some((n.clone(), model::parse_outs(m, e)?));
            Ok(())
        },
    },
    Arg {
        name: "ins",
        row: "`ins(param(input_manager_key = \"k\", metadata(..), description = \"..\"))`",
        doc: "per parameter",
        parse: |a, m, _, e| {
            a.ins = model::parse_ins(m, e, OP_IN)?;
            Ok(())
        },
    },
    RETRY_POLICY,
    RESOURCES,
    REQUIRED_RESOURCE_KEYS,
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
];

/// `#[op(out(..))]` and each output of `#[op(outs(name(..)))]`.
pub const OP_OUT: &[Arg<OutSpec>] = &[
    Arg {
        name: "io_manager_key",
        row: "`io_manager_key = \"k\"`",
        doc: "the manager storing the output (checked at compile time)",
        parse: |s, m, n, _| {
            s.io_manager_key = Key::parse_io_manager_key(attr::lit_str(m, n)?)?;
            Ok(())
        },
    },
    Arg {
        name: "metadata",
        row: "`metadata(..)`",
        doc: "output metadata",
        parse: |s, m, _, e| {
            s.metadata = attr::metadata(m, e)?;
            Ok(())
        },
    },
    Arg {
        name: "description",
        row: "`description = \"..\"`",
        doc: "the output's description",
        parse: |s, m, n, _| {
            s.description = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
];

/// `#[op(ins(param(..)))]`.
pub const OP_IN: &[Arg<InSpec>] = &[
    Arg {
        name: "input_manager_key",
        row: "`input_manager_key = \"k\"`",
        doc: "the manager loading it (checked at compile time); the input may then be left unwired",
        parse: |s, m, n, _| {
            s.input_manager_key = Some(Key::parse(attr::lit_str(m, n)?)?);
            Ok(())
        },
    },
    Arg {
        name: "metadata",
        row: "`metadata(..)`",
        doc: "input metadata",
        parse: |s, m, _, e| {
            s.metadata = attr::metadata(m, e)?;
            Ok(())
        },
    },
    Arg {
        name: "description",
        row: "`description = \"..\"`",
        doc: "the input's description",
        parse: |s, m, n, _| {
            s.description = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
];

pub const JOB: &[Arg<JobArgs>] = &[
    Arg {
        name: "name",
        row: "`name = \"..\"`",
        doc: "default: the function's name",
        parse: |a, m, n, _| {
            a.name = Some(attr::name_lit(m, n, "job name")?);
            Ok(())
        },
    },
    Arg {
        name: "description",
        row: "`description = \"..\"`",
        doc: "default: the doc comment",
        parse: |a, m, n, _| {
            a.description = Some(attr::lit_str(m, n)?);
            Ok(())
        },
    },
    Arg {
        name: "resource_defs",
        row: "`resource_defs(key = expr, \"other key\" = expr)`",
        doc: "resources bound for this job",
        parse: |a, m, n, e| model::parse_resource_defs(m, n, &mut a.resources, e),
    },
    Arg {
        name: "op_retry_policy",
        row: "`op_retry_policy = expr`",
        doc: "the `RetryPolicy` of ops that have none",
        parse: |a, m, n, _| {
            a.op_retry_policy = Some(attr::value_tokens(m, n, "retry policy")?);
            Ok(())
        },
    },
    Arg {
        name: "executor",
        row: "`executor = multiprocess(max_concurrent = 4)`",
        doc: "where its steps execute: `in_process`, `multiprocess(..)` (`max_concurrent`, `step_timeout`) or an `Executor`",
        parse: |a, m, n, _| {
            a.executor = Some(attr::value_tokens(
                m,
                n,
                "multiprocess(max_concurrent = 4)",
            )?);
            Ok(())
        },
    },
    Arg {
        name: "partitions_def",
        row: "`partitions_def = expr`",
        doc: "the job's partitions: each run executes one, which its ops' contexts see as `partition_key`",
        parse: |a, m, n, _| {
            a.partitions_def = Some(attr::value_tokens(m, n, "partitions")?);
            Ok(())
        },
    },
];

/// The three places a manager is declared, which take different subsets of
/// [`MANAGER`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// `#[io_manager]` on a function.
    IoManagerFn,
    /// `#[input_manager]` on a function.
    InputManagerFn,
    /// The derives' helper attribute `#[io_manager(..)]`.
    Derive,
    /// `#[resource]` on a function.
    ResourceFn,
    /// `#[derive(ConfigurableResource)]`'s helper `#[resource(..)]`.
    ResourceDerive,
}

/// One argument of a manager declaration.
pub struct ManagerArg {
    pub arg: Arg<ManagerArgs>,
    /// The forms taking it.
    pub forms: &'static [Form],
    /// Why the other forms do not.
    pub refused_because: &'static str,
}

use Form::{Derive, InputManagerFn, IoManagerFn, ResourceDerive, ResourceFn};

const EVERY_FORM: &[Form] = &[
    IoManagerFn,
    InputManagerFn,
    Derive,
    ResourceFn,
    ResourceDerive,
];
/// The manager forms only: what a plain resource does not take.
const MANAGER_FORMS: &[Form] = &[IoManagerFn, InputManagerFn, Derive];

/// `input_config` and `output_config` share a row.
const IO_CONFIG: (&str, &str) = (
    "`input_config = T`, `output_config = T`",
    "per-input / per-output config types",
);

pub const MANAGER: &[ManagerArg] = &[
    ManagerArg {
        arg: Arg {
            name: "key",
            row: "`key = \"k\"`",
            doc: "required: the key it is declared (and discovered) under",
            parse: |a, m, n, _| {
                a.key_written = true;
                a.key = Some(Key::parse(attr::lit_str(m, n)?)?);
                Ok(())
            },
        },
        forms: EVERY_FORM,
        refused_because: "",
    },
    ManagerArg {
        arg: Arg {
            name: "description",
            row: "`description = \"..\"`",
            doc: "default: the doc comment",
            parse: |a, m, n, _| {
                a.description = Some(attr::lit_str(m, n)?);
                Ok(())
            },
        },
        forms: EVERY_FORM,
        refused_because: "",
    },
    ManagerArg {
        arg: Arg {
            name: "config",
            row: "`config = T`",
            doc: "the type of `resources.<key>.config` (read with `InitContext::config`)",
            parse: |a, m, n, _| {
                a.config = Some(attr::ty(m, n)?);
                Ok(())
            },
        },
        forms: &[IoManagerFn, InputManagerFn, ResourceFn],
        refused_because: "a derived manager's config is the struct itself (its fields, from `resources.<key>.config`)",
    },
    ManagerArg {
        arg: Arg {
            name: "input_config",
            row: IO_CONFIG.0,
            doc: IO_CONFIG.1,
            parse: |a, m, n, _| {
                a.input_config = Some(attr::ty(m, n)?);
                Ok(())
            },
        },
        forms: MANAGER_FORMS,
        refused_because: "",
    },
    ManagerArg {
        arg: Arg {
            name: "output_config",
            row: IO_CONFIG.0,
            doc: IO_CONFIG.1,
            parse: |a, m, n, _| {
                a.output_config = Some(attr::ty(m, n)?);
                Ok(())
            },
        },
        forms: &[IoManagerFn, Derive],
        refused_because: "an input manager has no outputs",
    },
    ManagerArg {
        arg: Arg {
            name: "required_resource_keys",
            row: "`required_resource_keys = [\"a\"]`",
            doc: "resources the manager uses",
            parse: |a, m, n, _| {
                a.required_resource_keys = Some(attr::str_list(m, n)?);
                Ok(())
            },
        },
        forms: EVERY_FORM,
        refused_because: "",
    },
    ManagerArg {
        arg: Arg {
            name: "version",
            row: "`version = \"..\"`",
            doc: "the version",
            parse: |a, m, n, _| {
                a.version = Some(attr::lit_str(m, n)?);
                Ok(())
            },
        },
        forms: EVERY_FORM,
        refused_because: "",
    },
    ManagerArg {
        arg: Arg {
            name: "types",
            row: "`types = [A, B]`",
            doc: "also serve exactly these types at run time (`DynIOManager`, for a local manager type)",
            parse: |a, m, n, _| {
                a.types = Some((n.clone(), attr::type_list(m, n)?));
                Ok(())
            },
        },
        forms: &[IoManagerFn, Derive],
        refused_because: "an input manager only loads; `types = [..]` lists what an IO manager stores and loads",
    },
];

/// The names `form` takes, in order.
pub fn manager_names(form: Form) -> Vec<&'static str> {
    MANAGER
        .iter()
        .filter(|a| a.forms.contains(&form))
        .map(|a| a.arg.name)
        .collect()
}

/// Parses one manager argument list into `target`; `seen` spans several
/// lists (a derive may carry more than one helper attribute).
pub fn parse_manager(
    tokens: TokenStream,
    form: Form,
    ctx: &str,
    seen: &mut Seen,
    target: &mut ManagerArgs,
    errors: &mut Errors,
) {
    let allowed = manager_names(form);
    attr::parse_args(tokens, errors, |meta, errors| {
        let name = attr::arg_name(meta)?;
        let Some(entry) = MANAGER.iter().find(|a| name == a.arg.name) else {
            return Err(attr::unknown(&name, ctx, &allowed));
        };
        if !entry.forms.contains(&form) {
            let because = match form {
                ResourceDerive if name == "config" => {
                    "a derived resource's config is the struct itself (its fields, from `resources.<key>.config`)"
                }
                ResourceFn | ResourceDerive => {
                    "a plain resource is not an IO manager: it stores and loads nothing"
                }
                _ => entry.refused_because,
            };
            return Err(syn::Error::new(
                name.span(),
                format!("{ctx} `{name}` is not supported here: {because}"),
            ));
        }
        seen.first(&name, ctx)?;
        (entry.arg.parse)(target, meta, &name, errors)
    });
}

/// Every argument name any macro knows, for the garbage tests.
#[cfg(test)]
pub fn all_names() -> Vec<&'static str> {
    let mut all = [
        names(ASSET),
        names(ASSET_IN),
        names(OP),
        names(OP_OUT),
        names(OP_IN),
        names(JOB),
        names(crate::model::multi_asset::MULTI_ASSET),
        names(crate::model::multi_asset::ASSET_OUT),
    ]
    .concat();
    all.extend(MANAGER.iter().map(|a| a.arg.name));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = include_str!("lib.rs");

    /// `(row, meaning)` of each `| argument | meaning |` table in `lib.rs`,
    /// by the macro function it documents.
    fn doc_tables() -> Vec<(String, Vec<(String, String)>)> {
        let mut tables = Vec::new();
        let mut current: Option<Vec<(String, String)>> = None;
        for line in LIB.lines() {
            let line = line.trim();
            if line == "/// | argument | meaning |" {
                current = Some(Vec::new());
            } else if let Some(rows) = &mut current
                && let Some(row) = line.strip_prefix("/// | ")
                && row != "--- | --- |"
            {
                let row = row.strip_suffix(" |").unwrap_or(row);
                let (first, second) = row.split_once(" | ").unwrap_or((row, ""));
                rows.push((first.to_owned(), second.to_owned()));
            } else if let Some(rows) = &current
                && let Some(rest) = line.strip_prefix("pub fn ")
            {
                let name = rest.split('(').next().unwrap_or_default().to_owned();
                tables.push((name, rows.clone()));
                current = None;
            }
        }
        tables
    }

    /// The distinct rows of `args`, in order.
    fn rows<'a, T: 'a>(args: impl IntoIterator<Item = &'a Arg<T>>) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = Vec::new();
        for a in args {
            assert!(
                a.row.contains(&format!("`{}", a.name)) || a.row.contains(&format!(" {}", a.name)),
                "the row of `{}` does not show it: {}",
                a.name,
                a.row
            );
            let row = (a.row.to_owned(), a.doc.to_owned());
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        rows
    }

    fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
        v.sort();
        v
    }

    #[test]
    fn lib_rs_tables_match_the_argument_tables() {
        let tables = doc_tables();
        let found: Vec<&str> = tables.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(found, ["asset", "op", "multi_asset", "job", "io_manager"]);
        for (function, documented) in &tables {
            let declared = match function.as_str() {
                "asset" => rows(ASSET),
                "op" => rows(OP),
                "multi_asset" => rows(crate::model::multi_asset::MULTI_ASSET),
                "job" => rows(JOB),
                _ => rows(
                    MANAGER
                        .iter()
                        .filter(|a| a.forms.contains(&Form::IoManagerFn))
                        .map(|a| &a.arg),
                ),
            };
            assert_eq!(
                sorted(documented.clone()),
                sorted(declared),
                "the rustdoc table of `#[{function}]` in lib.rs"
            );
        }
    }

    #[test]
    fn nested_rows_list_every_nested_argument() {
        let row = |table: &[Arg<StepArgs>], name: &str| {
            table
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.row)
                .unwrap_or_default()
        };
        for (row, nested) in [
            (row(ASSET, "ins"), names(ASSET_IN)),
            (row(OP, "ins"), names(OP_IN)),
            (row(OP, "out"), names(OP_OUT)),
            (
                row(crate::model::multi_asset::MULTI_ASSET, "outs"),
                names(crate::model::multi_asset::ASSET_OUT),
            ),
        ] {
            for name in nested {
                assert!(
                    row.contains(&format!("{name} ")) || row.contains(&format!("{name}(")),
                    "{row} lacks `{name}`"
                );
            }
        }
    }

    /// The backticked names of the prose sentence starting at `start` (up
    /// to `end`), each cut at its first non-identifier character.
    fn prose_names(start: &str, end: &str) -> Vec<String> {
        let text: String = LIB
            .lines()
            .map(|l| l.trim().trim_start_matches("///").trim())
            .collect::<Vec<_>>()
            .join(" ");
        let from = text
            .find(start)
            .map(|i| i + start.len())
            .unwrap_or_default();
        let to = text[from..].find(end).map_or(text.len(), |i| from + i);
        text[from..to]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .collect()
    }

    #[test]
    fn lib_rs_prose_lists_match_the_manager_table() {
        let input = prose_names("Arguments:", "as for");
        assert_eq!(input, manager_names(Form::InputManagerFn));
        let mut derive = vec!["key".to_owned()];
        derive.extend(prose_names("on the struct (also:", ")"));
        assert_eq!(derive, manager_names(Form::Derive));
    }
}
