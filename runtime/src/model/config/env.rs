//! `EnvVar`: a config value that names an environment variable, resolved at
//! launch and never printed.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A secret or setting read from the environment (Dagster's `EnvVar`).
///
/// In run config it is written `{ env = "NAME" }` (or a plain string, taken
/// literally). Reading a config that names an unset variable fails at
/// launch with the variable and the config path. Its `Debug`, `Display` and
/// `Serialize` forms never contain the value.
///
/// ```
/// use larder::config::EnvVar;
/// # unsafe { std::env::set_var("LARDER_DOC_TOKEN", "s3cret") };
/// let token = EnvVar::new("LARDER_DOC_TOKEN");
/// assert_eq!(token.get().unwrap(), "s3cret");
/// assert_eq!(format!("{token:?}"), "EnvVar(LARDER_DOC_TOKEN)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EnvVar {
    source: Source,
}

#[derive(Clone, PartialEq, Eq)]
enum Source {
    Env(String),
    Literal(String),
}

impl EnvVar {
    /// The variable `name`, read when its value is needed.
    pub fn new(name: impl Into<String>) -> Self {
        EnvVar {
            source: Source::Env(name.into()),
        }
    }

    /// A literal value (for tests and local runs).
    pub fn literal(value: impl Into<String>) -> Self {
        EnvVar {
            source: Source::Literal(value.into()),
        }
    }

    /// The variable's name, if it names one.
    pub fn name(&self) -> Option<&str> {
        match &self.source {
            Source::Env(n) => Some(n),
            Source::Literal(_) => None,
        }
    }

    /// The value; an error names the variable when it is unset.
    pub fn get(&self) -> Result<String> {
        match &self.source {
            Source::Literal(v) => Ok(v.clone()),
            Source::Env(name) => std::env::var(name).map_err(|_| Error::Config(vec![unset(name)])),
        }
    }
}

fn unset(name: &str) -> String {
    format!("environment variable `{name}` is not set; set it before launching the run")
}

impl fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Env(n) => write!(f, "EnvVar({n})"),
            Source::Literal(_) => f.write_str("EnvVar(<literal>)"),
        }
    }
}

impl fmt::Display for EnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Env(n) => write!(f, "${{{n}}}"),
            Source::Literal(_) => f.write_str("<secret>"),
        }
    }
}

impl Serialize for EnvVar {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match &self.source {
            Source::Env(n) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("env", n)?;
                m.end()
            }
            Source::Literal(_) => s.serialize_str("<secret>"),
        }
    }
}

impl<'de> Deserialize<'de> for EnvVar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EnvVar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or { env = \"NAME\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<EnvVar, E> {
                Ok(EnvVar::literal(v))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<EnvVar, A::Error> {
                let mut name: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "env" {
                        name = Some(map.next_value()?);
                    } else {
                        return Err(de::Error::custom(format!(
                            "unknown field `{key}`; expected `env`"
                        )));
                    }
                }
                let name = name.ok_or_else(|| de::Error::custom("missing field `env`"))?;
                // Resolved at launch: an unset variable fails here, with its path.
                if std::env::var_os(&name).is_none() {
                    return Err(de::Error::custom(unset(&name)));
                }
                Ok(EnvVar::new(name))
            }
        }
        d.deserialize_any(V)
    }
}
