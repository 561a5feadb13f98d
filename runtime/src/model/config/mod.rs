//! Run config, shaped as Dagster's: `resources.<key>.config`,
//! `ops.<op>.config`, `ops.<op>.inputs.<name>`, `ops.<op>.outputs.<name>`.

mod env;
mod errors;
mod schema;
mod text;

pub use env::EnvVar;
pub use schema::ConfigType;
pub use text::{MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH};

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::error::{Error, Result};

pub(crate) use errors::unknown_field;

/// TOML text as a JSON value, with run config's bounds and messages (for
/// `larder.toml`).
pub(crate) fn parse_toml_text(text: &str) -> Result<Json> {
    text::parse(text::Format::Toml, text)
}

/// The config of one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunConfig {
    root: Json,
}

impl RunConfig {
    /// No config.
    pub fn new() -> Self {
        RunConfig {
            root: Json::Object(Default::default()),
        }
    }

    /// Config from a JSON value (the top level must be an object).
    pub fn from_json(value: Json) -> Result<Self> {
        if !value.is_object() && !value.is_null() {
            return Err(Error::Config(vec![format!(
                "run config: expected a table at the top level, found {}",
                describe(&value)
            )]));
        }
        Ok(RunConfig {
            root: if value.is_null() {
                Json::Object(Default::default())
            } else {
                value
            },
        })
    }

    /// Config from JSON text. Like TOML and YAML text: at most
    /// [`MAX_CONFIG_BYTES`], nested at most [`MAX_CONFIG_DEPTH`] deep, checked
    /// in one linear pass before parsing; a syntax error gives the format,
    /// line and column (and for TOML the key), never the text itself.
    pub fn from_json_str(text: &str) -> Result<Self> {
        Self::from_text(text::Format::Json, text)
    }

    /// Config from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        Self::from_text(text::Format::Toml, text)
    }

    /// Config from YAML text (Dagster's run config format).
    pub fn from_yaml_str(text: &str) -> Result<Self> {
        Self::from_text(text::Format::Yaml, text)
    }

    fn from_text(format: text::Format, text: &str) -> Result<Self> {
        let value = text::parse(format, text)?;
        Self::from_json(value).map_err(|e| match e {
            Error::Config(lines) => {
                Error::Config(lines.into_iter().map(|l| format!("{format} {l}")).collect())
            }
            other => other,
        })
    }

    /// Sets `resources.<key>.config`.
    pub fn resource(mut self, key: &str, config: Json) -> Self {
        self.set(&["resources", key, "config"], config);
        self
    }

    /// Sets `ops.<op>.config`.
    pub fn op(mut self, op: &str, config: Json) -> Self {
        self.set(&["ops", op, "config"], config);
        self
    }

    /// Sets `ops.<op>.inputs.<input>`.
    pub fn input(mut self, op: &str, input: &str, config: Json) -> Self {
        self.set(&["ops", op, "inputs", input], config);
        self
    }

    /// Sets `ops.<op>.outputs.<output>`.
    pub fn output(mut self, op: &str, output: &str, config: Json) -> Self {
        self.set(&["ops", op, "outputs", output], config);
        self
    }

    fn set(&mut self, path: &[&str], value: Json) {
        let mut node = &mut self.root;
        for part in path {
            if !node.is_object() {
                *node = Json::Object(Default::default());
            }
            let Json::Object(map) = node else { return };
            node = map.entry((*part).to_owned()).or_insert(Json::Null);
        }
        *node = value;
    }

    fn get(&self, path: &[&str]) -> Option<&Json> {
        let mut node = &self.root;
        if let ["ops", step, rest @ ..] = path {
            // A graph's op `g.op` is configured at `ops.g.ops.op` (Dagster's
            // shape); a flat `ops."g.op"` is read too.
            node = node
                .get("ops")
                .and_then(|ops| ops.get(*step).or_else(|| nested_node(ops, step)))?;
            for part in rest {
                node = node.get(part)?;
            }
            return Some(node);
        }
        for part in path {
            node = node.get(part)?;
        }
        Some(node)
    }

    /// `resources.<key>.config`, if given.
    pub fn resource_config(&self, key: &str) -> Option<&Json> {
        self.get(&["resources", key, "config"])
    }

    /// `ops.<op>.config`, if given.
    pub fn op_config(&self, op: &str) -> Option<&Json> {
        self.get(&["ops", op, "config"])
    }

    /// `ops.<op>.inputs.<input>`, if given.
    pub fn input_config(&self, op: &str, input: &str) -> Option<&Json> {
        self.get(&["ops", op, "inputs", input])
    }

    /// `ops.<op>.outputs.<output>`, if given.
    pub fn output_config(&self, op: &str, output: &str) -> Option<&Json> {
        self.get(&["ops", op, "outputs", output])
    }

    /// The whole config as JSON.
    pub fn as_json(&self) -> &Json {
        &self.root
    }
}

/// The entry of step `a.b.c` in an `ops` table: `ops.a.ops.b.ops.c`.
pub(crate) fn nested_node<'a>(ops: &'a Json, step: &str) -> Option<&'a Json> {
    let mut parts = step.split('.');
    let mut node = ops.get(parts.next()?)?;
    for part in parts {
        node = node.get("ops")?.get(part)?;
    }
    Some(node)
}

/// The config path of step `a.b.c`: `ops.a.ops.b.ops.c`.
pub(crate) fn node_path(step: &str) -> String {
    format!("ops.{}", step.replace('.', ".ops."))
}

/// Deserializes `value` as `C`; the error names the failing field's full
/// path under `path` (`resources.io_manager.config.base_dir: expected a
/// string, found 123`), suggests a field for an unknown one, and shows a
/// sample for a missing one. Fields `C` ignores are reported as unknown.
pub fn deserialize_at<C: DeserializeOwned>(
    value: &Json,
    path: &str,
) -> std::result::Result<C, String> {
    let join = |inner: &str| match (path.is_empty(), inner) {
        (true, ".") => "(top level)".to_owned(),
        (true, _) => inner.to_owned(),
        (false, ".") => path.to_owned(),
        (false, _) => format!("{path}.{inner}"),
    };
    let fields = errors::field_names::<C>();
    let mut ignored = Vec::new();
    let mut track = |p: serde_ignored::Path<'_>| ignored.push(p.to_string());
    let deserializer = serde_ignored::Deserializer::new(value, &mut track);
    let parsed: std::result::Result<C, _> = serde_path_to_error::deserialize(deserializer);
    match parsed {
        Err(e) => {
            let at = join(&e.path().to_string());
            Err(errors::explain(&at, &e.into_inner().to_string(), fields))
        }
        Ok(c) => {
            if let Some(first) = ignored.first() {
                let (parent, field) = match first.rsplit_once('.') {
                    Some((p, f)) => (join(p), f.to_owned()),
                    None => (join("."), first.clone()),
                };
                let known = if parent == join(".") { fields } else { &[] };
                return Err(errors::unknown_field(&parent, &field, known));
            }
            Ok(c)
        }
    }
}

/// A short description of a JSON value's kind, for messages.
pub(crate) fn describe(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(_) => "a string".to_owned(),
        Json::Array(_) => "a list".to_owned(),
        Json::Object(_) => "a table".to_owned(),
    }
}
