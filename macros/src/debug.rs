//! `LARDER_MACROS_DEBUG=1` prints every expansion to stderr (Rocket's
//! `ROCKET_CODEGEN_DEBUG`, axum's `AXUM_MACROS_DEBUG`), instead of
//! relying on `cargo expand`.

use proc_macro2::TokenStream;

/// Returns `tokens`, printing them first when debugging is on.
pub fn emit(what: &str, tokens: TokenStream) -> TokenStream {
    if std::env::var_os("LARDER_MACROS_DEBUG").is_some_and(|v| v == "1") {
        eprintln!("// ---- larder: expansion of {what} ----\n{tokens}\n");
    }
    tokens
}
