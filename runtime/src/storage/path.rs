//! Paths built from keys: every component is checked so nothing can leave
//! the storage directory.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::asset_key::component_problem;

/// Checks that `component` is a single, ordinary path component that fits
/// in a file name.
pub fn check_component(component: &str, what: &str) -> Result<()> {
    match component_problem(component) {
        Some(why) => Err(Error::UnsafePath {
            component: component.to_owned(),
            what: what.to_owned(),
            why,
        }),
        None => Ok(()),
    }
}

/// `base/c1/c2/...`, refusing any component that would leave `base`.
pub fn safe_join<S: AsRef<str>>(base: &Path, components: &[S], what: &str) -> Result<PathBuf> {
    let mut path = base.to_path_buf();
    for c in components {
        check_component(c.as_ref(), what)?;
        path.push(c.as_ref());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_traversal() {
        let base = Path::new("/base");
        assert_eq!(
            safe_join(base, &["a", "b"], "asset `a/b`").unwrap(),
            Path::new("/base/a/b")
        );
        for bad in ["..", ".", "", "a/b", "a\\b", "a\0b", "/etc"] {
            let err = safe_join(base, &["ok", bad], "asset `x`").unwrap_err();
            assert!(
                err.to_string().contains("refusing unsafe path component"),
                "{bad:?}: {err}"
            );
        }
    }
}
