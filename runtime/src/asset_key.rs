//! `AssetKey`: the path that names an asset (`["one", "two", "asset1"]`,
//! displayed `one/two/asset1`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The key of an asset: a non-empty path of string components.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssetKey(Vec<String>);

impl AssetKey {
    /// A key from path components.
    pub fn new<I, S>(path: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AssetKey(path.into_iter().map(Into::into).collect())
    }

    /// Parses `a/b/c` into `["a", "b", "c"]`.
    pub fn from_user_string(s: &str) -> Self {
        AssetKey(s.split('/').map(str::to_owned).collect())
    }

    /// The path components.
    pub fn path(&self) -> &[String] {
        &self.0
    }

    /// The last component (the asset's name).
    pub fn name(&self) -> &str {
        self.0.last().map(String::as_str).unwrap_or("")
    }

    /// This key with `prefix` in front (Dagster's `key_prefix`).
    pub fn with_prefix<I, S>(&self, prefix: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut path: Vec<String> = prefix.into_iter().map(Into::into).collect();
        path.extend(self.0.iter().cloned());
        AssetKey(path)
    }

    /// The key as a user string, `a/b/c`.
    pub fn to_user_string(&self) -> String {
        self.0.join("/")
    }

    /// The step key Dagster gives the asset's op: components joined by `__`.
    pub fn to_step_key(&self) -> String {
        self.0.join("__")
    }
}

impl fmt::Display for AssetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

impl fmt::Debug for AssetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AssetKey({:?})", self.0)
    }
}

impl From<&str> for AssetKey {
    /// `"a/b"` becomes `["a", "b"]`.
    fn from(s: &str) -> Self {
        AssetKey::from_user_string(s)
    }
}

impl From<String> for AssetKey {
    fn from(s: String) -> Self {
        AssetKey::from_user_string(&s)
    }
}

impl From<Vec<String>> for AssetKey {
    fn from(path: Vec<String>) -> Self {
        AssetKey(path)
    }
}

impl<const N: usize> From<[&str; N]> for AssetKey {
    fn from(path: [&str; N]) -> Self {
        AssetKey::new(path)
    }
}

impl From<&[&str]> for AssetKey {
    fn from(path: &[&str]) -> Self {
        AssetKey::new(path.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_display() {
        let key = AssetKey::from("asset1").with_prefix(["one", "two", "three"]);
        assert_eq!(key.to_string(), "one/two/three/asset1");
        assert_eq!(key.to_step_key(), "one__two__three__asset1");
        assert_eq!(key.name(), "asset1");
        assert_eq!(AssetKey::from("a/b"), AssetKey::new(["a", "b"]));
    }
}
