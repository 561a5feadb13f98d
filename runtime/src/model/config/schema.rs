//! Config schemas: the Rust type a definition's config deserializes to,
//! kept as a name and a check so run config is validated before a run.

use std::fmt;

use serde::de::DeserializeOwned;

/// A config type: its name and how to check a config value against it.
#[derive(Clone, Copy)]
pub struct ConfigType {
    /// The Rust type name.
    pub name: &'static str,
    /// Deserializes the value (found at the given path) to check it; the
    /// error names the field's full path.
    pub validate: fn(&serde_json::Value, &str) -> std::result::Result<(), String>,
}

impl ConfigType {
    /// The config type `C`.
    pub fn of<C: DeserializeOwned>() -> Self {
        ConfigType {
            name: std::any::type_name::<C>(),
            validate: |v, path| super::deserialize_at::<C>(v, path).map(|_| ()),
        }
    }
}

impl fmt::Debug for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
