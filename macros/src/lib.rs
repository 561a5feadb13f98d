//! Procedural macros for larder. Depend on `larder`, which re-exports them.
use proc_macro::TokenStream;

macro_rules! stub {
    ($($name:ident),*) => {$(
        #[proc_macro_attribute]
        pub fn $name(_args: TokenStream, item: TokenStream) -> TokenStream { item }
    )*};
}
stub!(asset, op, io_manager, input_manager, job);

#[proc_macro_derive(ConfigurableIOManager, attributes(io_manager))]
pub fn derive_configurable_io_manager(_item: TokenStream) -> TokenStream { TokenStream::new() }

#[proc_macro_derive(ConfigurableIOManagerFactory, attributes(io_manager))]
pub fn derive_configurable_io_manager_factory(_item: TokenStream) -> TokenStream { TokenStream::new() }
