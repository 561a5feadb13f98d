//! Every path generated code names, declared once.
//!
//! Expansion modules interpolate these (`#_AssetKey::new(..)`) and never
//! spell `::larder::…` themselves, so when the runtime moves an item, this
//! table is the one place that changes. Paths are absolute: users depend on
//! `larder` alone, and a local item named `core` or `larder` cannot capture
//! them.
//!
//! Naming: `_Name` for `::larder::…`, `::core::…` and `::std::…` items,
//! `__name` for `::larder::__private::…` (not part of larder's API).
//! A path is emitted at the call site; `.at(span)` emits it at a user's
//! token, for errors reported there.

#![allow(non_upper_case_globals)]

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};

/// An absolute path, `::a::b::c`, and the span its tokens get.
#[derive(Clone, Copy)]
pub struct Path {
    path: &'static str,
    span: Option<Span>,
}

impl Path {
    const fn new(path: &'static str) -> Path {
        Path { path, span: None }
    }

    /// The same path with every token at `span`.
    pub fn at(self, span: Span) -> Path {
        Path {
            span: Some(span),
            ..self
        }
    }

    fn segments(self) -> impl Iterator<Item = &'static str> {
        self.path
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

impl ToTokens for Path {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let span = self.span.unwrap_or_else(Span::call_site);
        for segment in self.segments() {
            let mut joint = Punct::new(':', Spacing::Joint);
            joint.set_span(span);
            let mut alone = Punct::new(':', Spacing::Alone);
            alone.set_span(span);
            tokens.append(TokenTree::Punct(joint));
            tokens.append(TokenTree::Punct(alone));
            tokens.append(Ident::new(segment, span));
        }
    }
}

macro_rules! exports {
    ($($name:ident => $path:path,)*) => {
        $(pub const $name: Path = Path::new(stringify!($path));)*

        /// Every export, for the test below.
        #[cfg(test)]
        const ALL: &[(&str, Path)] = &[$((stringify!($name), $name)),*];
    };
}

exports! {
    // `::core` and `::std`.
    _Any => ::core::any::Any,
    _TypeId => ::core::any::TypeId,
    _Clone => ::core::clone::Clone,
    _concat => ::core::concat,
    _file => ::core::file,
    _line => ::core::line,
    _unreachable => ::core::unreachable,
    _Send => ::core::marker::Send,
    _Sync => ::core::marker::Sync,
    _Sized => ::core::marker::Sized,
    _Option => ::core::option::Option,
    _Some => ::core::option::Option::Some,
    _None => ::core::option::Option::None,
    _Result => ::core::result::Result,
    _Ok => ::core::result::Result::Ok,
    _Err => ::core::result::Result::Err,
    _Box => ::std::boxed::Box,
    _String => ::std::string::String,
    _Vec => ::std::vec::Vec,
    _vec => ::std::vec,
    _format => ::std::format,

    // larder's API.
    _AssetDefinition => ::larder::AssetDefinition,
    _AssetBuilder => ::larder::definitions::AssetBuilder,
    _AssetDescriptor => ::larder::AssetDescriptor,
    _AssetIn => ::larder::AssetIn,
    _AssetOut => ::larder::AssetOut,
    _AssetOutDescriptor => ::larder::AssetOutDescriptor,
    _MultiAssetBuilder => ::larder::MultiAssetBuilder,
    _MultiAssetDefinition => ::larder::MultiAssetDefinition,
    _MultiAssetDescriptor => ::larder::MultiAssetDescriptor,
    _InputDescriptor => ::larder::InputDescriptor,
    _OpBuilder => ::larder::definitions::OpBuilder,
    _OpDescriptor => ::larder::OpDescriptor,
    _OutputDescriptor => ::larder::definitions::OutputDescriptor,
    _AssetKey => ::larder::AssetKey,
    _ConfigurableIOManager => ::larder::ConfigurableIOManager,
    _ConfigurableIOManagerFactory => ::larder::ConfigurableIOManagerFactory,
    _DynIOManager => ::larder::DynIOManager,
    _Error => ::larder::Error,
    _Executor => ::larder::Executor,
    _IOManager => ::larder::IOManager,
    _In => ::larder::In,
    _InitContext => ::larder::InitContext,
    _InputContext => ::larder::InputContext,
    _InputManager => ::larder::InputManager,
    _IntoResourceDefinition => ::larder::IntoResourceDefinition,
    _JobDefinition => ::larder::JobDefinition,
    _JobBuilder => ::larder::JobBuilder,
    _Metadata => ::larder::Metadata,
    _MetadataValue => ::larder::MetadataValue,
    _OpDefinition => ::larder::OpDefinition,
    _Out => ::larder::Out,
    _OutputContext => ::larder::OutputContext,
    _OutputHandle => ::larder::OutputHandle,
    _ResourceDefinition => ::larder::ResourceDefinition,
    _ResourceKind => ::larder::ResourceKind,
    _LarderResult => ::larder::Result,
    _StepIo => ::larder::StepIo,
    _TypeInfo => ::larder::TypeInfo,
    _Value => ::larder::Value,
    _type_info => ::larder::type_info,
    _TypedLoader => ::larder::__private::TypedLoader,
    _TypedOutput => ::larder::__private::TypedOutput,
    _LoadInput => ::larder::__private::LoadInput,
    _via => ::larder::__private::via,
    _PartitionShape => ::larder::partitions::PartitionShape,
    _DynamicShape => ::larder::dynamic::DynamicShape,
    _CollectShape => ::larder::dynamic::CollectShape,
    _PhantomData => ::core::marker::PhantomData,

    // What keys and steps are checked with: rustc prints these paths in
    // notes, so they are public (hidden), named for what they check.
    _IoManagerKey => ::larder::key::IoManagerKey,
    _IoManagerKeyDeclaredBy => ::larder::key::IoManagerKeyDeclaredBy,
    _ManagerDeclaredForKeyStores => ::larder::key::ManagerDeclaredForKeyStores,
    _ManagerDeclaredForKeyLoads => ::larder::key::ManagerDeclaredForKeyLoads,
    _LoadedByManagerOf => ::larder::key::LoadedByManagerOf,
    _ResourceOfKey => ::larder::key::ResourceOfKey,
    _ConfigurableResource => ::larder::ConfigurableResource,
    _Same => ::larder::key::Same,
    _AssetKeyHash => ::larder::key::AssetKeyHash,
    _AssetStoredByDeclaredManager => ::larder::key::AssetStoredByDeclaredManager,
    _AssetManagerDeclaredBy => ::larder::key::AssetManagerDeclaredBy,
    _upstream_probe => ::larder::key::upstream_probe,
    _never => ::larder::key::never,
    _IsOp => ::larder::definitions::checks::IsOp,
    _OpArgsMatchInputs => ::larder::definitions::checks::OpArgsMatchInputs,
    _StepValue => ::larder::definitions::checks::StepValue,
    _IsDynamicOutput => ::larder::definitions::checks::IsDynamicOutput,
    _CollectsInto => ::larder::definitions::checks::CollectsInto,

    // What only generated code uses.
    __AssetRegistration => ::larder::__private::AssetRegistration,
    __DynSupport => ::larder::__private::DynSupport,
    __JobRegistration => ::larder::__private::JobRegistration,
    __ManagedBy => ::larder::__private::ManagedBy,
    __ManagerRegistration => ::larder::__private::ManagerRegistration,
    __MultiAssetRegistration => ::larder::__private::MultiAssetRegistration,
    __OpRegistration => ::larder::__private::OpRegistration,
    __config_json => ::larder::__private::config_json,
    __configurable_at_launch => ::larder::__private::configurable_at_launch,
    __configurable_shared => ::larder::__private::configurable_shared,
    __dyn_support => ::larder::__private::dyn_support,
    __factory_at_launch => ::larder::__private::factory_at_launch,
    __factory_definition => ::larder::__private::factory_definition,
    __submit => ::larder::__private::inventory::submit,
    __lifecycle => ::larder::__private::lifecycle,
    __manager_definition => ::larder::__private::manager_definition,
    __DeserializeOwned => ::larder::__private::serde::de::DeserializeOwned,
    __JsonValue => ::larder::__private::serde_json::Value,
    __user_error => ::larder::__private::user_error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_absolute_and_print_as_written() {
        for (name, path) in ALL {
            let printed = path.to_token_stream().to_string().replace(' ', "");
            assert!(
                printed.starts_with("::larder::")
                    || printed.starts_with("::core::")
                    || printed.starts_with("::std::"),
                "{name}: {printed}"
            );
            assert_eq!(printed, path.path.replace(' ', ""), "{name}");
        }
    }
}
