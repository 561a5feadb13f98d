//! Run history: each run's outcome and materializations, kept in an
//! embedded SQLite database in the instance's home (`history.sqlite3`), so
//! `show ASSET` can tell where and when an asset was last materialized.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::model::asset_key::AssetKey;
use crate::model::events::Event;
use crate::model::events::EventKind;
use crate::model::instance::Instance;
use crate::model::metadata::Metadata;

/// One recorded materialization.
#[derive(Clone, Debug, PartialEq)]
pub struct MaterializationRecord {
    /// The asset.
    pub asset_key: AssetKey,
    /// The run that materialized it.
    pub run_id: String,
    /// The step.
    pub step_key: Option<String>,
    /// When, as seconds since the Unix epoch.
    pub timestamp: f64,
    /// The materialization's metadata (e.g. `path`).
    pub metadata: Metadata,
}

/// The recorded state of an asset's partitions, by the latest outcome
/// of each (a partition in neither set is missing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionStatus {
    /// Partitions last materialized.
    pub materialized: std::collections::HashSet<String>,
    /// Partitions whose last run failed.
    pub failed: std::collections::HashSet<String>,
}

/// What the history keeps of a finished run. A plain record of its own,
/// so the history knows nothing of how runs execute; the executor builds
/// it from the run's result.
#[derive(Clone, Copy, Debug)]
pub struct RunRecord<'a> {
    /// The run's id.
    pub run_id: &'a str,
    /// The job (or asset job) that ran.
    pub job_name: &'a str,
    /// Whether every step succeeded.
    pub success: bool,
    /// The run's events, in order.
    pub events: &'a [Event],
}

/// A process-wide handle on one history file.
#[derive(Clone)]
pub struct SharedHistory(std::sync::Arc<std::sync::Mutex<RunHistory>>);

impl SharedHistory {
    /// The shared connection to the history at `path`, opened on first use.
    pub fn open(path: PathBuf) -> Result<Self> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        static OPEN: OnceLock<Mutex<HashMap<PathBuf, SharedHistory>>> = OnceLock::new();
        let mut open = OPEN
            .get_or_init(Default::default)
            .lock()
            .map_err(|_| Error::msg("run history lock poisoned"))?;
        if let Some(h) = open.get(&path) {
            return Ok(h.clone());
        }
        let h = SharedHistory(Arc::new(Mutex::new(RunHistory::open(path.clone())?)));
        open.insert(path, h.clone());
        Ok(h)
    }

    fn with<T>(&self, f: impl FnOnce(&mut RunHistory) -> Result<T>) -> Result<T> {
        let mut h = self
            .0
            .lock()
            .map_err(|_| Error::msg("run history lock poisoned"))?;
        f(&mut h)
    }

    /// See [`RunHistory::record`].
    pub fn record(&self, result: &RunRecord<'_>) -> Result<()> {
        self.with(|h| h.record(result))
    }

    /// See [`RunHistory::latest_materialization`].
    pub fn latest_materialization(&self, key: &AssetKey) -> Result<Option<MaterializationRecord>> {
        self.with(|h| h.latest_materialization(key))
    }

    /// See [`RunHistory::record_partition_failure`].
    pub fn record_partition_failure(
        &self,
        run_id: &str,
        assets: &[AssetKey],
        partition: &str,
        error: &str,
    ) -> Result<()> {
        self.with(|h| h.record_partition_failure(run_id, assets, partition, error))
    }

    /// See [`RunHistory::partition_status`].
    pub fn partition_status(&self, key: &AssetKey) -> Result<PartitionStatus> {
        self.with(|h| h.partition_status(key))
    }

    /// See [`RunHistory::run_count`].
    pub fn run_count(&self) -> Result<i64> {
        self.with(|h| h.run_count())
    }
}

// The history belongs to the run layer; the instance (model) only says
// where it lives.
impl Instance {
    /// The run history, when the instance keeps one. One connection per
    /// history file stays open for the process: closing the last one makes
    /// SQLite checkpoint (and fsync) after every run.
    pub fn history(&self) -> Result<Option<SharedHistory>> {
        self.history_path().map(SharedHistory::open).transpose()
    }
}

/// The run history of an instance.
pub struct RunHistory {
    conn: Connection,
    path: PathBuf,
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::msg(format!("run history {}: {e}", path.display()))
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl RunHistory {
    /// Opens (creating if needed) the history database at `path`.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io {
                action: "creating directory",
                path: parent.display().to_string(),
                source: e,
            })?;
        }
        let conn = Connection::open(&path).map_err(sql(&path))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS runs (
                 run_id TEXT PRIMARY KEY, job_name TEXT NOT NULL, success INTEGER NOT NULL,
                 started REAL NOT NULL, finished REAL NOT NULL);
             CREATE TABLE IF NOT EXISTS materializations (
                 asset_key TEXT NOT NULL, run_id TEXT NOT NULL, step_key TEXT,
                 partition TEXT, timestamp REAL NOT NULL, metadata TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS materializations_by_asset ON materializations (asset_key, timestamp);
             CREATE TABLE IF NOT EXISTS partition_failures (
                 asset_key TEXT NOT NULL, partition TEXT NOT NULL, run_id TEXT NOT NULL,
                 timestamp REAL NOT NULL, error TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS partition_failures_by_asset ON partition_failures (asset_key, partition);",
        )
        .map_err(sql(&path))?;
        Ok(RunHistory { conn, path })
    }

    /// Records a finished run and its materializations, in one transaction.
    pub fn record(&mut self, result: &RunRecord<'_>) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sql(&path))?;
        let events = result.events;
        let started = events.first().map(|e| seconds(e.timestamp)).unwrap_or(0.0);
        let finished = events.last().map(|e| seconds(e.timestamp)).unwrap_or(0.0);
        tx.execute(
            "INSERT OR REPLACE INTO runs VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                result.run_id,
                result.job_name,
                result.success,
                started,
                finished
            ],
        )
        .map_err(sql(&path))?;
        {
            let mut insert = tx
                .prepare("INSERT INTO materializations VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .map_err(sql(&path))?;
            for e in events {
                if let EventKind::AssetMaterialization {
                    asset_key,
                    partition,
                    metadata,
                } = &e.kind
                {
                    let metadata =
                        serde_json::to_string(metadata).map_err(|e| Error::msg(e.to_string()))?;
                    insert
                        .execute(params![
                            asset_key.to_user_string(),
                            result.run_id,
                            e.step_key,
                            partition,
                            seconds(e.timestamp),
                            metadata
                        ])
                        .map_err(sql(&path))?;
                }
            }
        }
        tx.commit().map_err(sql(&path))
    }

    /// The latest materialization of `key`, if any.
    pub fn latest_materialization(&self, key: &AssetKey) -> Result<Option<MaterializationRecord>> {
        let row = self
            .conn
            .query_row(
                "SELECT run_id, step_key, timestamp, metadata FROM materializations
                 WHERE asset_key = ?1 ORDER BY timestamp DESC, rowid DESC LIMIT 1",
                params![key.to_user_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, f64>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(sql(&self.path))?;
        row.map(|(run_id, step_key, timestamp, metadata)| {
            Ok(MaterializationRecord {
                asset_key: key.clone(),
                run_id,
                step_key,
                timestamp,
                metadata: serde_json::from_str(&metadata).map_err(|e| {
                    Error::msg(format!(
                        "run history {}: bad metadata: {e}",
                        self.path.display()
                    ))
                })?,
            })
        })
        .transpose()
    }

    /// Records that a run for `partition` of `assets` failed (backfills
    /// do, so `show` can list failed partitions and a re-run retries them).
    pub fn record_partition_failure(
        &mut self,
        run_id: &str,
        assets: &[AssetKey],
        partition: &str,
        error: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sql(&path))?;
        let now = seconds(SystemTime::now());
        {
            let mut insert = tx
                .prepare("INSERT INTO partition_failures VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(sql(&path))?;
            for key in assets {
                insert
                    .execute(params![key.to_user_string(), partition, run_id, now, error])
                    .map_err(sql(&path))?;
            }
        }
        tx.commit().map_err(sql(&path))
    }

    /// The partitions of `key` whose latest recorded outcome is a
    /// materialization, and those whose latest is a failure.
    pub fn partition_status(&self, key: &AssetKey) -> Result<PartitionStatus> {
        let query = |q: &str| -> Result<Vec<(String, f64)>> {
            let mut stmt = self.conn.prepare(q).map_err(sql(&self.path))?;
            let rows = stmt
                .query_map(params![key.to_user_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .map_err(sql(&self.path))?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(sql(&self.path))
        };
        let done = query(
            "SELECT partition, MAX(timestamp) FROM materializations
             WHERE asset_key = ?1 AND partition IS NOT NULL GROUP BY partition",
        )?;
        let failed = query(
            "SELECT partition, MAX(timestamp) FROM partition_failures
             WHERE asset_key = ?1 GROUP BY partition",
        )?;
        let mut latest: std::collections::HashMap<String, (f64, bool)> =
            std::collections::HashMap::with_capacity(done.len());
        for (p, t) in done {
            latest.insert(p, (t, true));
        }
        for (p, t) in failed {
            match latest.get(&p) {
                Some((done_at, _)) if *done_at >= t => {}
                _ => {
                    latest.insert(p, (t, false));
                }
            }
        }
        let mut status = PartitionStatus::default();
        for (p, (_, ok)) in latest {
            if ok {
                status.materialized.insert(p);
            } else {
                status.failed.insert(p);
            }
        }
        Ok(status)
    }

    /// How many runs are recorded.
    pub fn run_count(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .map_err(sql(&self.path))
    }
}
