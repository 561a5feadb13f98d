//! The keys of dynamic partitions, kept by the instance: in its run
//! history (table `dynamic_partitions`, insertion order kept, as Dagster's
//! `DagsterInstance` does), or in memory for an ephemeral instance. And the
//! step that gives a run's definitions their current keys before it is
//! planned.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use indexmap::IndexSet;
use rusqlite::params;

use super::history::{RunHistory, sql};
use crate::definitions::AssetDefinition;
use crate::error::{Error, Result};
use crate::model::instance::Instance;
use crate::model::partitions::{PartitionsDefinition, check_new_key};

/// Ephemeral instances keep their dynamic keys here, by storage directory
/// then partitions name, for the life of the process.
type MemoryKeys = HashMap<PathBuf, HashMap<String, IndexSet<String>>>;

fn memory() -> &'static Mutex<MemoryKeys> {
    static KEYS: OnceLock<Mutex<MemoryKeys>> = OnceLock::new();
    KEYS.get_or_init(Default::default)
}

fn lock_memory() -> Result<std::sync::MutexGuard<'static, MemoryKeys>> {
    memory()
        .lock()
        .map_err(|_| Error::msg("dynamic partitions lock poisoned"))
}

impl RunHistory {
    /// See [`Instance::add_dynamic_partitions`].
    pub fn add_dynamic_partitions(&mut self, name: &str, keys: &[String]) -> Result<()> {
        let path = self.path.clone();
        let now = jiff::Timestamp::now().as_millisecond() as f64 / 1000.0;
        let tx = self.conn.transaction().map_err(sql(&path))?;
        for key in keys {
            tx.execute(
                "INSERT OR IGNORE INTO dynamic_partitions (partitions_def_name, partition, created)
                 VALUES (?1, ?2, ?3)",
                params![name, key, now],
            )
            .map_err(sql(&path))?;
        }
        tx.commit().map_err(sql(&path))
    }

    /// See [`Instance::delete_dynamic_partition`].
    pub fn delete_dynamic_partition(&mut self, name: &str, key: &str) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "DELETE FROM dynamic_partitions WHERE partitions_def_name = ?1 AND partition = ?2",
                params![name, key],
            )
            .map_err(sql(&self.path))?;
        Ok(n > 0)
    }

    /// See [`Instance::get_dynamic_partitions`].
    pub fn get_dynamic_partitions(&self, name: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT partition FROM dynamic_partitions WHERE partitions_def_name = ?1 ORDER BY id",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(params![name], |r| r.get::<_, String>(0))
            .map_err(sql(&self.path))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path))
    }
}

/// The dynamic partitions API of an instance, with Dagster's
/// `DagsterInstance` names.
impl Instance {
    /// Adds `keys` to the dynamic partitions named `name`, after the keys it
    /// has, in the order given; a key it has already is left where it is
    /// (Dagster's `add_dynamic_partitions`). Kept in the run history, so
    /// every later run and process of this instance sees them.
    ///
    /// ```
    /// let home = tempfile::tempdir()?;
    /// let instance = larder::Instance::at(home.path());
    /// instance.add_dynamic_partitions("files", ["a.csv", "b.csv"])?;
    /// instance.add_dynamic_partitions("files", ["a.csv", "c.csv"])?;
    /// assert_eq!(instance.get_dynamic_partitions("files")?, ["a.csv", "b.csv", "c.csv"]);
    /// assert!(instance.delete_dynamic_partition("files", "b.csv")?);
    /// assert!(!instance.has_dynamic_partition("files", "b.csv")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A key that is empty, `.` or `..`, or contains `/`, `\`, `...` or a
    /// control character (nothing is added then); the history cannot be
    /// written.
    pub fn add_dynamic_partitions<I, S>(&self, name: &str, keys: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        if name.is_empty() {
            return Err(Error::msg(
                "dynamic partitions need a name: add_dynamic_partitions was given an empty one",
            ));
        }
        for key in &keys {
            check_new_key(name, key)?;
        }
        match self.history()? {
            Some(h) => h.with(|h| h.add_dynamic_partitions(name, &keys)),
            None => {
                let mut mem = lock_memory()?;
                let set = mem
                    .entry(self.storage_directory().to_path_buf())
                    .or_default()
                    .entry(name.to_owned())
                    .or_default();
                set.extend(keys);
                Ok(())
            }
        }
    }

    /// Removes `key` from the dynamic partitions named `name` (Dagster's
    /// `delete_dynamic_partition`); whether it was there. What was stored
    /// for the partition stays on disk.
    ///
    /// # Errors
    ///
    /// The history cannot be written.
    pub fn delete_dynamic_partition(&self, name: &str, key: &str) -> Result<bool> {
        match self.history()? {
            Some(h) => h.with(|h| h.delete_dynamic_partition(name, key)),
            None => Ok(lock_memory()?
                .get_mut(self.storage_directory())
                .and_then(|m| m.get_mut(name))
                .is_some_and(|set| set.shift_remove(key))),
        }
    }

    /// The keys of the dynamic partitions named `name`, in the order they
    /// were added (Dagster's `get_dynamic_partitions`); none for a name
    /// never used.
    ///
    /// # Errors
    ///
    /// The history cannot be read.
    pub fn get_dynamic_partitions(&self, name: &str) -> Result<Vec<String>> {
        match self.history()? {
            Some(h) => h.with(|h| h.get_dynamic_partitions(name)),
            None => Ok(lock_memory()?
                .get(self.storage_directory())
                .and_then(|m| m.get(name))
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default()),
        }
    }

    /// Whether the dynamic partitions named `name` have `key` (Dagster's
    /// `has_dynamic_partition`).
    ///
    /// # Errors
    ///
    /// The history cannot be read.
    pub fn has_dynamic_partition(&self, name: &str, key: &str) -> Result<bool> {
        Ok(self.get_dynamic_partitions(name)?.iter().any(|k| k == key))
    }

    /// `def` with the keys this instance holds for its dynamic partitions.
    pub(crate) fn resolve_dynamic(
        &self,
        def: &PartitionsDefinition,
    ) -> Result<PartitionsDefinition> {
        def.with_dynamic_keys(&mut |name| self.get_dynamic_partitions(name))
    }
}

/// `assets` with their dynamic partitions' current keys, when any asset has
/// dynamic partitions (the others are not copied).
pub(crate) fn resolve_assets<'a>(
    assets: &'a [AssetDefinition],
    options: &super::RunOptions,
    problems: &mut Vec<String>,
) -> Cow<'a, [AssetDefinition]> {
    let dynamic = |a: &AssetDefinition| {
        a.partitions_def
            .as_ref()
            .is_some_and(|d| !d.dynamic_names().is_empty())
    };
    if !assets.iter().any(dynamic) {
        return Cow::Borrowed(assets);
    }
    let instance = match &options.instance {
        Some(i) => i.clone(),
        None => match Instance::from_env() {
            Ok(i) => i,
            Err(e) => {
                problems.push(format!("reading the keys of dynamic partitions: {e}"));
                return Cow::Borrowed(assets);
            }
        },
    };
    let mut resolved = assets.to_vec();
    for asset in resolved.iter_mut().filter(|a| dynamic(a)) {
        if let Some(def) = &asset.partitions_def {
            match instance.resolve_dynamic(def) {
                Ok(d) => asset.partitions_def = Some(std::sync::Arc::new(d)),
                Err(e) => problems.push(format!("asset `{}`: {e}", asset.key)),
            }
        }
    }
    Cow::Owned(resolved)
}
