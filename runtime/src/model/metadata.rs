//! Metadata values attached to definitions, outputs, inputs and events.

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Ordered metadata, as Dagster keeps it (insertion order).
pub type Metadata = IndexMap<String, MetadataValue>;

/// One metadata value: Dagster's `MetadataValue` kinds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MetadataValue {
    /// Plain text.
    Text(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A filesystem or object-store path.
    Path(String),
    /// A URL.
    Url(String),
    /// Arbitrary JSON.
    Json(serde_json::Value),
    /// Markdown text.
    Markdown(String),
    /// A summary of a table: its columns and, when known, its row count.
    TableSummary(TableSummary),
}

/// The shape of a table output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    /// Column names and types, in order.
    pub columns: Vec<TableColumn>,
    /// Number of rows, when known.
    pub row_count: Option<u64>,
}

/// One column of a [`TableSummary`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableColumn {
    /// Column name.
    pub name: String,
    /// Column type, as text (`"int"`, `"string"`…).
    pub r#type: String,
}

impl MetadataValue {
    /// A path value.
    pub fn path(p: impl AsRef<std::path::Path>) -> Self {
        MetadataValue::Path(p.as_ref().display().to_string())
    }

    /// A URL value.
    pub fn url(u: impl Into<String>) -> Self {
        MetadataValue::Url(u.into())
    }

    /// A markdown value.
    pub fn md(text: impl Into<String>) -> Self {
        MetadataValue::Markdown(text.into())
    }

    /// A JSON value from anything serializable.
    pub fn json(value: impl Serialize) -> Self {
        MetadataValue::Json(serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
    }

    /// The text of a `Text`, `Path`, `Url` or `Markdown` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            MetadataValue::Text(s)
            | MetadataValue::Path(s)
            | MetadataValue::Url(s)
            | MetadataValue::Markdown(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            MetadataValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of an `Int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            MetadataValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl fmt::Display for MetadataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataValue::Text(s)
            | MetadataValue::Path(s)
            | MetadataValue::Url(s)
            | MetadataValue::Markdown(s) => f.write_str(s),
            MetadataValue::Int(i) => write!(f, "{i}"),
            MetadataValue::Float(x) => write!(f, "{x}"),
            MetadataValue::Bool(b) => write!(f, "{b}"),
            MetadataValue::Json(v) => write!(f, "{v}"),
            MetadataValue::TableSummary(t) => {
                let cols: Vec<String> = t
                    .columns
                    .iter()
                    .map(|c| format!("{}: {}", c.name, c.r#type))
                    .collect();
                write!(f, "table({})", cols.join(", "))?;
                if let Some(n) = t.row_count {
                    write!(f, " with {n} rows")?;
                }
                Ok(())
            }
        }
    }
}

macro_rules! from_impls {
    ($($t:ty => $variant:ident $(via $conv:expr)?),* $(,)?) => {$(
        impl From<$t> for MetadataValue {
            fn from(v: $t) -> Self {
                MetadataValue::$variant($( $conv )? (v))
            }
        }
    )*};
}

from_impls! {
    String => Text,
    &str => Text via str::to_owned,
    i64 => Int,
    i32 => Int via i64::from,
    u32 => Int via i64::from,
    f64 => Float,
    bool => Bool,
    serde_json::Value => Json,
    TableSummary => TableSummary,
}

impl From<usize> for MetadataValue {
    fn from(v: usize) -> Self {
        MetadataValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<u64> for MetadataValue {
    fn from(v: u64) -> Self {
        MetadataValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

// A list of strings (`columns = ["id", "title"]`) is a JSON array.
impl<const N: usize> From<[&str; N]> for MetadataValue {
    fn from(v: [&str; N]) -> Self {
        MetadataValue::Json(serde_json::Value::from(v.to_vec()))
    }
}

impl From<Vec<String>> for MetadataValue {
    fn from(v: Vec<String>) -> Self {
        MetadataValue::Json(serde_json::Value::from(v))
    }
}

impl From<Vec<&str>> for MetadataValue {
    fn from(v: Vec<&str>) -> Self {
        MetadataValue::Json(serde_json::Value::from(v))
    }
}

/// The standard metadata key for the number of rows an output has, set by
/// steps (`Output::metadata`, `MaterializeResult`) and by managers that
/// know it. Dagster's `dagster/row_count`.
pub const ROW_COUNT: &str = "larder/row_count";

/// The metadata key under which a materialization records the data version
/// a step gave (`Output::data_version`); Dagster keeps it as the
/// `dagster/data_version` tag.
pub const DATA_VERSION: &str = "larder/data_version";

/// Builds [`Metadata`] from `key => value` pairs.
///
/// ```
/// let m = larder::metadata! { "rows" => 3, "owner" => "data-eng" };
/// assert_eq!(m["rows"], larder::MetadataValue::Int(3));
/// ```
#[macro_export]
macro_rules! metadata {
    () => { $crate::Metadata::new() };
    ($($k:expr => $v:expr),+ $(,)?) => {{
        let mut m = $crate::Metadata::new();
        $( m.insert(::std::string::String::from($k), $crate::MetadataValue::from($v)); )+
        m
    }};
}
