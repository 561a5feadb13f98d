//! Manager keys: their syntax. How a declaration makes a key exist and how
//! a use checks it is emitted by `expand/key.rs`.
//!
//! Key rule: ASCII letters, digits and `_`, not starting with a digit (the
//! rule Dagster applies to resource keys). Keys then read the same in code,
//! in run config (`resources.<key>.config`) and in messages. At most
//! [`MAX_KEY_CHARS`] characters: one const parameter of the key type each.

use syn::LitStr;

/// A checked manager key and the literal it was written as.
#[derive(Clone)]
pub struct Key {
    pub lit: LitStr,
}

/// Longest key; `larder::key::MAX_KEY_CHARS`, the key type's parameter count.
pub const MAX_KEY_CHARS: usize = 64;

/// The key of the manager storing an asset or output that names none.
pub const DEFAULT_IO_MANAGER: &str = "io_manager";

impl Key {
    /// An `io_manager_key`: `None` for the default key written out, which
    /// needs no declaration (it is bound, and checked, with the
    /// `Definitions`), so it means the same as leaving the key out.
    pub fn parse_io_manager_key(lit: LitStr) -> syn::Result<Option<Key>> {
        let key = Key::parse(lit)?;
        Ok((key.lit.value() != DEFAULT_IO_MANAGER).then_some(key))
    }

    /// Validates `lit` against the key rule.
    pub fn parse(lit: LitStr) -> syn::Result<Key> {
        let value = lit.value();
        if value.is_empty() {
            return Err(syn::Error::new(lit.span(), "a manager key cannot be empty"));
        }
        let valid_start = value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let valid_rest = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !(valid_start && valid_rest) {
            let mut fixed: String = value
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            if fixed.starts_with(|c: char| c.is_ascii_digit()) {
                fixed.insert(0, '_');
            }
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "invalid manager key \"{value}\": keys are made of ASCII letters, digits and `_`, and do not start with a digit; did you mean \"{fixed}\"?"
                ),
            ));
        }
        if value.len() > MAX_KEY_CHARS {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "manager key \"{value}\" is too long: keys have at most {MAX_KEY_CHARS} characters, this one has {}",
                    value.len()
                ),
            ));
        }
        Ok(Key { lit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    fn key(s: &str) -> syn::Result<Key> {
        Key::parse(LitStr::new(s, Span::call_site()))
    }

    fn err(s: &str) -> String {
        key(s).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn key_rule() {
        assert!(key("warehouse").is_ok());
        assert!(key("_private_2").is_ok());
        assert!(err("").contains("cannot be empty"));
        let bad = err("my-warehouse");
        assert!(bad.contains("did you mean \"my_warehouse\""), "{bad}");
        assert!(err("2fast").contains("\"_2fast\""));
        assert!(key(&"k".repeat(MAX_KEY_CHARS)).is_ok());
        let long = err(&"k".repeat(MAX_KEY_CHARS + 1));
        assert!(
            long.contains("at most 64 characters, this one has 65"),
            "{long}"
        );
    }
}
