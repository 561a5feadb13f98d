//! Procedural macros for larder. Depend on `larder`, which re-exports them
//! and documents them; this crate's paths are not part of its API.
//!
//! Every expansion names only absolute paths (`::larder::__private::…`,
//! `::core::…`, `::std::…`). Errors are reported all at once, each at the
//! token it is about; on error the annotated item is still emitted so
//! nothing else breaks. `LARDER_MACROS_DEBUG=1` prints each expansion.
//!
//! Manager keys (`io_manager_key`, `input_manager_key`, `key`) are made of
//! ASCII letters, digits and `_`, and do not start with a digit.

use proc_macro::TokenStream;

mod asset;
mod attr;
mod debug;
mod derive;
mod input_manager;
mod io_manager;
mod job;
mod key;
mod op;
mod signature;
mod step;

/// See `larder::asset`.
#[proc_macro_attribute]
pub fn asset(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[asset]", asset::expand(args.into(), item.into())).into()
}

/// See `larder::op`.
#[proc_macro_attribute]
pub fn op(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[op]", op::expand(args.into(), item.into())).into()
}

/// See `larder::job`.
#[proc_macro_attribute]
pub fn job(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit("#[job]", job::expand(args.into(), item.into())).into()
}

/// See `larder::io_manager`.
#[proc_macro_attribute]
pub fn io_manager(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit(
        "#[io_manager]",
        io_manager::expand(args.into(), item.into()),
    )
    .into()
}

/// See `larder::input_manager`.
#[proc_macro_attribute]
pub fn input_manager(args: TokenStream, item: TokenStream) -> TokenStream {
    debug::emit(
        "#[input_manager]",
        input_manager::expand(args.into(), item.into()),
    )
    .into()
}

/// See `larder::ConfigurableIOManager`.
#[proc_macro_derive(ConfigurableIOManager, attributes(io_manager))]
pub fn derive_configurable_io_manager(item: TokenStream) -> TokenStream {
    debug::emit(
        "#[derive(ConfigurableIOManager)]",
        derive::expand(derive::Kind::Manager, item.into()),
    )
    .into()
}

/// See `larder::ConfigurableIOManagerFactory`.
#[proc_macro_derive(ConfigurableIOManagerFactory, attributes(io_manager))]
pub fn derive_configurable_io_manager_factory(item: TokenStream) -> TokenStream {
    debug::emit(
        "#[derive(ConfigurableIOManagerFactory)]",
        derive::expand(derive::Kind::Factory, item.into()),
    )
    .into()
}
