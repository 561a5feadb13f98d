//! `AssetKey`: the path that names an asset (`["one", "two", "asset1"]`,
//! displayed `one/two/asset1`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The longest key component, in bytes: the file-name limit of common
/// filesystems (ext4, XFS, APFS, NTFS), since components become file names.
pub const MAX_COMPONENT_BYTES: usize = 255;

/// How much of a long component messages show.
const SHOWN_BYTES: usize = 40;

/// `component`, cut to [`SHOWN_BYTES`] (on a character boundary) with `…`
/// when longer.
fn abbreviated(component: &str) -> String {
    if component.len() <= SHOWN_BYTES {
        return component.to_owned();
    }
    let mut end = SHOWN_BYTES;
    while !component.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &component[..end])
}

/// Why `component` cannot be one component of a key or path, if it can't:
/// the one rule for asset keys, step keys, run ids and partition keys, so
/// nothing built from them can name another place or fail at the OS.
pub(crate) fn component_problem(component: &str) -> Option<String> {
    if component.is_empty() {
        Some("it is empty".to_owned())
    } else if component == "." || component == ".." {
        Some("it refers to a directory outside its place".to_owned())
    } else if component.contains('/') || component.contains('\\') {
        Some("it contains a path separator".to_owned())
    } else if component.contains('\0') {
        Some("it contains a NUL byte".to_owned())
    } else if component.len() > MAX_COMPONENT_BYTES {
        Some(format!(
            "it is {} bytes long, and file names are limited to {MAX_COMPONENT_BYTES} bytes",
            component.len()
        ))
    } else if cfg!(windows) && component.contains(':') {
        Some("it is an absolute path".to_owned())
    } else {
        None
    }
}

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

    /// Checks that the key can name an asset: at least one component, and
    /// each one an ordinary name (not empty, `.` or `..`, no separator or
    /// NUL, at most [`MAX_COMPONENT_BYTES`] bytes).
    ///
    /// ```
    /// use larder::AssetKey;
    /// assert!(AssetKey::new(["sales", "daily"]).check().is_ok());
    /// let err = AssetKey::new(["sales", ""]).check().unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid asset key ["sales", ""]: component 2 is empty"#);
    /// ```
    pub fn check(&self) -> Result<()> {
        if self.0.is_empty() {
            return Err(Error::InvalidAssetKey {
                key: format!("{:?}", self.0),
                why: "it has no components; an asset key names at least one".to_owned(),
            });
        }
        for (i, c) in self.0.iter().enumerate() {
            if let Some(why) = component_problem(c) {
                let shown = if c.len() > SHOWN_BYTES {
                    format!("`{}`", abbreviated(c))
                } else if c.is_empty() {
                    String::new()
                } else {
                    format!("{c:?}")
                };
                let why = if shown.is_empty() {
                    format!("component {} is empty", i + 1)
                } else {
                    format!("component {} ({shown}): {why}", i + 1)
                };
                let key = if self.0.iter().map(String::len).sum::<usize>() > 120 {
                    format!("`{}`", self.name_abbreviated())
                } else {
                    format!("{:?}", self.0)
                };
                return Err(Error::InvalidAssetKey { key, why });
            }
        }
        Ok(())
    }

    /// The key shortened for messages: every component cut to 40 bytes.
    fn name_abbreviated(&self) -> String {
        self.0
            .iter()
            .map(|c| abbreviated(c))
            .collect::<Vec<_>>()
            .join("/")
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

    #[test]
    fn empty_and_overlong_keys_are_refused() {
        let none = AssetKey::new(Vec::<String>::new()).check().unwrap_err();
        assert_eq!(
            none.to_string(),
            "invalid asset key []: it has no components; an asset key names at least one"
        );
        let long = "x".repeat(256);
        let err = AssetKey::new(["raw", long.as_str()]).check().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid asset key `raw/{}…`: component 2 (`{}…`): it is 256 bytes long, and file names are limited to 255 bytes",
                "x".repeat(40),
                "x".repeat(40)
            )
        );
        assert!(AssetKey::new(["raw", &"x".repeat(255)]).check().is_ok());
        let err = AssetKey::from("a//b").check().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid asset key ["a", "", "b"]: component 2 is empty"#
        );
        assert!(AssetKey::new([".."]).check().is_err());
    }
}
