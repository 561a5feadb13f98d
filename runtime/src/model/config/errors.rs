//! Turning serde's messages into larder's: the full path of the bad value,
//! what was expected and what was found, a did-you-mean for unknown fields,
//! and a sample for missing ones.

use serde::de::{self, DeserializeOwned, Visitor};

/// Rewrites one serde message at `path`.
pub(crate) fn explain(path: &str, message: &str, fields: &[&'static str]) -> String {
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!("{path}: expected {expected}, found {}", found_text(found));
    }
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        // The path names the unknown field itself; report it at its parent.
        let parent = path.strip_suffix(&format!(".{field}")).unwrap_or(path);
        return unknown_field(parent, field, fields);
    }
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        return format!(
            "{path}: missing required field `{field}`; for example:\n      [{path}]\n      {field} = ...",
        );
    }
    format!("{path}: {message}")
}

/// `unknown field `x` at path; did you mean `y`? expected one of ...`
pub(crate) fn unknown_field(path: &str, field: &str, fields: &[&'static str]) -> String {
    let suggestion = crate::suggest::did_you_mean(field, fields.iter().map(|f| f.to_string()));
    let expected = if fields.is_empty() {
        String::new()
    } else {
        format!(
            " (expected one of {})",
            fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!("{path}: unknown field `{field}`{suggestion}{expected}")
}

/// serde says ``integer `123` ``; larder says `123`.
fn found_text(found: &str) -> String {
    for prefix in ["integer ", "floating point ", "string ", "boolean "] {
        if let Some(v) = found.strip_prefix(prefix) {
            return v.trim_matches('`').to_owned();
        }
    }
    match found {
        "map" => "a table".to_owned(),
        "sequence" => "a list".to_owned(),
        "unit value" | "null" => "nothing".to_owned(),
        other => other.to_owned(),
    }
}

/// The top-level field names of a struct config type, found by asking its
/// `Deserialize` impl (it names them when it calls `deserialize_struct`).
pub(crate) fn field_names<C: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe;
    #[derive(Debug)]
    struct Found(&'static [&'static str]);
    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field probe")
        }
    }
    impl std::error::Error for Found {}
    impl de::Error for Found {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Found(&[])
        }
    }
    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Found;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            Err(Found(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    match C::deserialize(Probe) {
        Err(Found(fields)) => fields,
        Ok(_) => &[],
    }
}
