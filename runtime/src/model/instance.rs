//! The instance: where larder keeps things on this machine. Resolved from
//! `LARDER_HOME` and the instance config `larder.toml`, like Dagster's
//! `DAGSTER_HOME` and `dagster.yaml`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Where storage lives for runs of this process.
#[derive(Clone, Debug)]
pub struct Instance {
    home: Option<PathBuf>,
    storage_dir: PathBuf,
    // Keeps an ephemeral instance's directory alive while anything uses it.
    _temp: Option<Arc<tempfile::TempDir>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceConfig {
    #[serde(default)]
    storage: StorageConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageConfig {
    base_dir: Option<PathBuf>,
}

impl Instance {
    /// The instance from the environment: `storage.base_dir` in
    /// `$LARDER_HOME/larder.toml` (or `./larder.toml`), else
    /// `$LARDER_HOME/storage`, else a fresh temporary directory.
    pub fn from_env() -> Result<Instance> {
        let home = std::env::var_os("LARDER_HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let config_path = match &home {
            Some(h) => h.join("larder.toml"),
            None => PathBuf::from("larder.toml"),
        };
        let config = read_config(&config_path)?;
        if let Some(base) = config.storage.base_dir {
            let base = match (&home, base.is_relative()) {
                (Some(h), true) => h.join(base),
                _ => base,
            };
            return Ok(Instance {
                home,
                storage_dir: base,
                _temp: None,
            });
        }
        match home {
            Some(h) => Ok(Instance {
                storage_dir: h.join("storage"),
                home: Some(h),
                _temp: None,
            }),
            None => Ok(Instance::ephemeral()),
        }
    }

    /// An instance in a fresh temporary directory, removed when the last
    /// clone of it is dropped.
    pub fn ephemeral() -> Instance {
        match tempfile::Builder::new().prefix("larder-").tempdir() {
            Ok(dir) => Instance {
                home: None,
                storage_dir: dir.path().join("storage"),
                _temp: Some(Arc::new(dir)),
            },
            // No temp dir available: fall back to a relative directory.
            Err(_) => Instance {
                home: None,
                storage_dir: PathBuf::from("larder-storage"),
                _temp: None,
            },
        }
    }

    /// An instance whose home is `home` (storage in `home/storage`).
    pub fn at(home: impl Into<PathBuf>) -> Instance {
        let home = home.into();
        Instance {
            storage_dir: home.join("storage"),
            home: Some(home),
            _temp: None,
        }
    }

    /// The instance another process named by its home and storage
    /// directory (a step worker's: the same storage as its parent's run).
    pub fn from_location(home: Option<PathBuf>, storage_dir: PathBuf) -> Instance {
        Instance {
            home,
            storage_dir,
            _temp: None,
        }
    }

    /// `LARDER_HOME`, when set.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The storage directory: the filesystem manager's default `base_dir`.
    pub fn storage_directory(&self) -> &Path {
        &self.storage_dir
    }

    /// Where run history is kept: `history.sqlite3` in the home, when the
    /// instance has one (ephemeral instances keep none).
    pub fn history_path(&self) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join("history.sqlite3"))
    }

    /// The same storage, with no history: for reads that are not runs.
    pub(crate) fn without_history(&self) -> Instance {
        Instance {
            home: None,
            storage_dir: self.storage_dir.clone(),
            _temp: self._temp.clone(),
        }
    }

    /// Whether this instance lives in a temporary directory.
    pub fn is_ephemeral(&self) -> bool {
        self._temp.is_some()
    }
}

fn read_config(path: &Path) -> Result<InstanceConfig> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            // Bounded and echo-free like run config: the file may sit next
            // to secrets.
            let in_file = |m: String| format!("instance config {}: {m}", path.display());
            let value = crate::model::config::parse_toml_text(&text).map_err(|e| match e {
                Error::Config(lines) => Error::Config(lines.into_iter().map(in_file).collect()),
                other => other,
            })?;
            serde_json::from_value(value).map_err(|e| Error::Config(vec![in_file(e.to_string())]))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(InstanceConfig::default()),
        Err(e) => Err(Error::Io {
            action: "reading",
            path: path.display().to_string(),
            source: e,
        }),
    }
}
