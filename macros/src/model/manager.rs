//! A manager declaration: `#[io_manager]` or `#[input_manager]` on a
//! function, or one of the derives with its `#[io_manager(..)]` helper.
//! All four share the arguments of `args::MANAGER`, each a subset.

use syn::{Attribute, DeriveInput, Ident, LitStr, Meta, Type};

use crate::args::{self, Form};
use crate::attr::{Errors, Seen};
use crate::item::Function;
use crate::key::Key;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ManagerKind {
    /// `#[io_manager]` on a function building the manager.
    IoManagerFn,
    /// `#[input_manager]` on a load function.
    InputManagerFn,
    /// `#[derive(ConfigurableIOManager)]`: the struct is the manager.
    DeriveManager,
    /// `#[derive(ConfigurableIOManagerFactory)]`: the struct builds it.
    DeriveFactory,
    /// `#[resource]` on a function building a plain resource.
    ResourceFn,
    /// `#[derive(ConfigurableResource)]`: the struct is the resource.
    DeriveResource,
}

impl ManagerKind {
    pub fn what(self) -> &'static str {
        match self {
            ManagerKind::IoManagerFn => "`#[io_manager]`",
            ManagerKind::InputManagerFn => "`#[input_manager]`",
            ManagerKind::DeriveManager => "`#[derive(ConfigurableIOManager)]`",
            ManagerKind::DeriveFactory => "`#[derive(ConfigurableIOManagerFactory)]`",
            ManagerKind::ResourceFn => "`#[resource]`",
            ManagerKind::DeriveResource => "`#[derive(ConfigurableResource)]`",
        }
    }

    /// Whether it declares a plain resource (not a manager).
    pub fn is_resource(self) -> bool {
        matches!(self, ManagerKind::ResourceFn | ManagerKind::DeriveResource)
    }

    /// The helper attribute a derive reads its arguments from.
    pub fn helper(self) -> &'static str {
        if self.is_resource() {
            "resource"
        } else {
            "io_manager"
        }
    }

    pub fn form(self) -> Form {
        match self {
            ManagerKind::IoManagerFn => Form::IoManagerFn,
            ManagerKind::InputManagerFn => Form::InputManagerFn,
            ManagerKind::DeriveManager | ManagerKind::DeriveFactory => Form::Derive,
            ManagerKind::ResourceFn => Form::ResourceFn,
            ManagerKind::DeriveResource => Form::ResourceDerive,
        }
    }

    /// "`#[io_manager]` argument", for messages.
    fn arg_context(self) -> &'static str {
        match self {
            ManagerKind::InputManagerFn => "`#[input_manager]` argument",
            ManagerKind::ResourceFn | ManagerKind::DeriveResource => "`#[resource]` argument",
            _ => "`#[io_manager]` argument",
        }
    }
}

/// The arguments of a manager declaration.
#[derive(Default)]
pub struct ManagerArgs {
    pub key: Option<Key>,
    /// Whether `key = ..` was written (a rejected key is reported once,
    /// not again as a missing one).
    pub key_written: bool,
    pub description: Option<LitStr>,
    pub config: Option<Type>,
    pub input_config: Option<Type>,
    pub output_config: Option<Type>,
    pub required_resource_keys: Option<Vec<LitStr>>,
    pub version: Option<LitStr>,
    pub types: Option<(Ident, Vec<Type>)>,
}

pub enum ManagerItem {
    Fn(Function),
    Struct {
        input: DeriveInput,
        /// The first `#[io_manager]` helper, where a missing key is reported.
        first_helper: Option<Attribute>,
    },
}

/// How a declaring function receives its context.
pub enum CtxParam {
    None,
    Some,
}

pub struct ManagerDecl {
    pub kind: ManagerKind,
    pub item: ManagerItem,
    pub args: ManagerArgs,
    /// Whether the function takes its context (set by `check`).
    pub ctx: CtxParam,
    /// What the function returns (`M` of `Result<M, E>`) and whether it is
    /// a `Result` (set by `check`).
    pub returned: Option<(Type, bool)>,
}

impl ManagerDecl {
    /// `#[io_manager(..)]` / `#[input_manager(..)]` on `func`.
    pub fn parse_fn(
        kind: ManagerKind,
        tokens: proc_macro2::TokenStream,
        func: Function,
        errors: &mut Errors,
    ) -> Self {
        let mut args = ManagerArgs::default();
        args::parse_manager(
            tokens,
            kind.form(),
            kind.arg_context(),
            &mut Seen::default(),
            &mut args,
            errors,
        );
        ManagerDecl::new(kind, ManagerItem::Fn(func), args)
    }

    /// A derive on `input`, its arguments in `#[io_manager(..)]` helpers.
    pub fn parse_derive(kind: ManagerKind, input: DeriveInput, errors: &mut Errors) -> Self {
        let mut args = ManagerArgs::default();
        let mut seen = Seen::default();
        let mut first_helper = None;
        let helper = kind.helper();
        for a in input.attrs.iter().filter(|a| a.path().is_ident(helper)) {
            first_helper.get_or_insert_with(|| a.clone());
            match &a.meta {
                Meta::List(list) => args::parse_manager(
                    list.tokens.clone(),
                    kind.form(),
                    kind.arg_context(),
                    &mut seen,
                    &mut args,
                    errors,
                ),
                _ => errors.spanned(a, format!("expected `#[{helper}(key = \"...\")]`")),
            }
        }
        ManagerDecl::new(
            kind,
            ManagerItem::Struct {
                input,
                first_helper,
            },
            args,
        )
    }

    fn new(kind: ManagerKind, item: ManagerItem, args: ManagerArgs) -> Self {
        ManagerDecl {
            kind,
            item,
            args,
            ctx: CtxParam::None,
            returned: None,
        }
    }
}
