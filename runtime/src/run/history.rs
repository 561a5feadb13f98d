//! Run history: each run's outcome and materializations, kept in an
//! embedded SQLite database in the instance's home (`history.sqlite3`), so
//! `show ASSET` can tell where and when an asset was last materialized;
//! and per run its lineage (parent and root run ids), selection, run config,
//! partitions, steps (outcome, attempts, duration) and events, for `runs`,
//! `run RUN_ID` and re-execution. The layout is versioned with
//! `PRAGMA user_version` and migrated in place when opened.

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
#[derive(Clone, Debug)]
pub struct RunRecord<'a> {
    /// The run's id.
    pub run_id: &'a str,
    /// The job (or asset job) that ran.
    pub job_name: &'a str,
    /// Whether every step succeeded.
    pub success: bool,
    /// The run's events, in order.
    pub events: &'a [Event],
    /// Each step's outcome, in plan order.
    pub steps: Vec<StepRecord>,
}

/// How one step of a run went.
#[derive(Clone, Debug, PartialEq)]
pub struct StepRecord {
    /// The step key.
    pub step_key: String,
    /// `success`, `failure` or `skipped`.
    pub outcome: String,
    /// Attempts made (0 when it never started).
    pub attempts: u32,
    /// Seconds from its first start to its end, when it started.
    pub duration: Option<f64>,
    /// Why it failed or was skipped.
    pub error: Option<String>,
}

/// What a run was launched with, recorded next to its outcome: lineage,
/// what it ran, its run config and partitions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunLaunch {
    /// The run it re-executes.
    pub parent_run_id: Option<String>,
    /// The first run of its re-execution chain.
    pub root_run_id: Option<String>,
    /// The asset selection, in Dagster's syntax (a re-execution inherits
    /// its parent's).
    pub selection: Option<String>,
    /// The steps run, when not all of the job's: the step selection, or
    /// for a from-failure re-execution the steps it chose.
    pub step_selection: Option<String>,
    /// The run config as given (an `EnvVar` is kept as `{ env = NAME }`,
    /// never its value).
    pub run_config: Option<serde_json::Value>,
    /// The partition key or range (`START...END`).
    pub partitions: Option<String>,
}

/// A recorded run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// The run's id.
    pub run_id: String,
    /// The job that ran.
    pub job_name: String,
    /// `SUCCESS` or `FAILURE`.
    pub status: String,
    /// Start, seconds since the Unix epoch.
    pub started: f64,
    /// End, seconds since the Unix epoch.
    pub finished: f64,
    /// Lineage, selection, config and partitions.
    pub launch: RunLaunch,
}

impl RunSummary {
    /// Whether the run succeeded.
    pub fn success(&self) -> bool {
        self.status == "SUCCESS"
    }
}

/// One recorded event of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRecord {
    /// Its position in the run.
    pub seq: i64,
    /// Its step, if any.
    pub step_key: Option<String>,
    /// Dagster's event type (`STEP_START`, `LOADED_INPUT`, ...).
    pub event_type: String,
    /// When, seconds since the Unix epoch.
    pub timestamp: f64,
    /// The message.
    pub message: String,
    /// The whole event, as JSON.
    pub json: serde_json::Value,
}

/// At most this many events of one run are kept (the rest are counted in
/// a last `EVENTS_TRUNCATED` row), so one runaway run cannot fill the disk.
pub const MAX_EVENTS_PER_RUN: usize = 10_000;

/// The schema version this build writes (`PRAGMA user_version`). Version 0
/// is a history from before run lineage was kept; it is migrated in place.
pub const SCHEMA_VERSION: i64 = 2;

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

    pub(super) fn with<T>(&self, f: impl FnOnce(&mut RunHistory) -> Result<T>) -> Result<T> {
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

    /// See [`RunHistory::record_launch`].
    pub fn record_launch(&self, run_id: &str, launch: &RunLaunch) -> Result<()> {
        self.with(|h| h.record_launch(run_id, launch))
    }

    /// See [`RunHistory::run`].
    pub fn run(&self, run_id: &str) -> Result<Option<RunSummary>> {
        self.with(|h| h.run(run_id))
    }

    /// See [`RunHistory::recent_runs`].
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunSummary>> {
        self.with(|h| h.recent_runs(limit))
    }

    /// See [`RunHistory::run_steps`].
    pub fn run_steps(&self, run_id: &str) -> Result<Vec<StepRecord>> {
        self.with(|h| h.run_steps(run_id))
    }

    /// See [`RunHistory::run_events`].
    pub fn run_events(&self, run_id: &str, step: Option<&str>) -> Result<Vec<EventRecord>> {
        self.with(|h| h.run_events(run_id, step))
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
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

pub(super) fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::msg(format!("run history {}: {e}", path.display()))
}

/// Brings the file to [`SCHEMA_VERSION`], one step per version, each in
/// a transaction with its `user_version` bump. A file from a newer larder
/// is refused rather than written with an older layout.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    const STEPS: [&str; 3] = [
        // 0: the layout before run lineage (files written before it have
        // these tables already, hence `IF NOT EXISTS`).
        "CREATE TABLE IF NOT EXISTS runs (
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
        // 1: lineage, launch, steps and events per run.
        "ALTER TABLE runs ADD COLUMN parent_run_id TEXT;
         ALTER TABLE runs ADD COLUMN root_run_id TEXT;
         ALTER TABLE runs ADD COLUMN selection TEXT;
         ALTER TABLE runs ADD COLUMN step_selection TEXT;
         ALTER TABLE runs ADD COLUMN run_config TEXT;
         ALTER TABLE runs ADD COLUMN partitions TEXT;
         CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started);
         CREATE TABLE IF NOT EXISTS run_steps (
             run_id TEXT NOT NULL, position INTEGER NOT NULL, step_key TEXT NOT NULL,
             outcome TEXT NOT NULL, attempts INTEGER NOT NULL, duration REAL, error TEXT,
             PRIMARY KEY (run_id, step_key));
         CREATE TABLE IF NOT EXISTS run_events (
             run_id TEXT NOT NULL, seq INTEGER NOT NULL, step_key TEXT, event_type TEXT NOT NULL,
             timestamp REAL NOT NULL, message TEXT NOT NULL, event TEXT NOT NULL,
             PRIMARY KEY (run_id, seq));",
        // 2: the keys of dynamic partitions, in the order they were added.
        "CREATE TABLE IF NOT EXISTS dynamic_partitions (
             id INTEGER PRIMARY KEY AUTOINCREMENT, partitions_def_name TEXT NOT NULL,
             partition TEXT NOT NULL, created REAL NOT NULL,
             UNIQUE (partitions_def_name, partition));",
    ];
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql(path))?;
    if version > SCHEMA_VERSION {
        return Err(Error::msg(format!(
            "run history {}: schema version {version} is newer than this larder's ({SCHEMA_VERSION}); upgrade larder to read it",
            path.display()
        )));
    }
    // Version 0 covers both a new file and one from before versioning:
    // step 0 is idempotent, so it runs for either; step `v` leaves the
    // file at version `v`.
    for (v, step) in STEPS.iter().enumerate() {
        let v = v as i64;
        if !(v > version || (v == 0 && version == 0)) {
            continue;
        }
        let tx = conn.transaction().map_err(sql(path))?;
        tx.execute_batch(step).map_err(sql(path))?;
        tx.execute_batch(&format!("PRAGMA user_version = {v}"))
            .map_err(sql(path))?;
        tx.commit().map_err(sql(path))?;
    }
    Ok(())
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
        let mut conn = Connection::open(&path).map_err(sql(&path))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;",
        )
        .map_err(sql(&path))?;
        migrate(&mut conn, &path)?;
        Ok(RunHistory { conn, path })
    }

    /// Records a finished run, its steps, events and materializations, in
    /// one transaction.
    pub fn record(&mut self, result: &RunRecord<'_>) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sql(&path))?;
        let events = result.events;
        let started = events.first().map(|e| seconds(e.timestamp)).unwrap_or(0.0);
        let finished = events.last().map(|e| seconds(e.timestamp)).unwrap_or(0.0);
        // An upsert, not a replace: what `record_launch` wrote stays.
        tx.execute(
            "INSERT INTO runs (run_id, job_name, success, started, finished) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (run_id) DO UPDATE SET job_name = ?2, success = ?3, started = ?4, finished = ?5",
            params![
                result.run_id,
                result.job_name,
                result.success,
                started,
                finished
            ],
        )
        .map_err(sql(&path))?;
        tx.execute(
            "DELETE FROM run_steps WHERE run_id = ?1",
            params![result.run_id],
        )
        .map_err(sql(&path))?;
        tx.execute(
            "DELETE FROM run_events WHERE run_id = ?1",
            params![result.run_id],
        )
        .map_err(sql(&path))?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO run_steps (run_id, position, step_key, outcome, attempts, duration, error)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sql(&path))?;
            for (i, st) in result.steps.iter().enumerate() {
                insert
                    .execute(params![
                        result.run_id,
                        i as i64,
                        st.step_key,
                        st.outcome,
                        st.attempts,
                        st.duration,
                        st.error
                    ])
                    .map_err(sql(&path))?;
            }
            let mut insert = tx
                .prepare(
                    "INSERT INTO run_events (run_id, seq, step_key, event_type, timestamp, message, event)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sql(&path))?;
            for (seq, e) in events.iter().take(MAX_EVENTS_PER_RUN).enumerate() {
                let json = serde_json::to_value(e).map_err(|e| Error::msg(e.to_string()))?;
                let ty = json
                    .pointer("/kind/type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("UNKNOWN")
                    .to_owned();
                insert
                    .execute(params![
                        result.run_id,
                        seq as i64,
                        e.step_key,
                        ty,
                        seconds(e.timestamp),
                        e.message,
                        json.to_string()
                    ])
                    .map_err(sql(&path))?;
            }
            if events.len() > MAX_EVENTS_PER_RUN {
                let dropped = events.len() - MAX_EVENTS_PER_RUN;
                insert
                    .execute(params![
                        result.run_id,
                        MAX_EVENTS_PER_RUN as i64,
                        Option::<String>::None,
                        "EVENTS_TRUNCATED",
                        finished,
                        format!("{dropped} more events were not kept"),
                        "null"
                    ])
                    .map_err(sql(&path))?;
            }
        }
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

    /// Records what run `run_id` was launched with (its row is created if
    /// the run is not recorded yet).
    pub fn record_launch(&mut self, run_id: &str, launch: &RunLaunch) -> Result<()> {
        let config = launch.run_config.as_ref().map(|c| c.to_string());
        self.conn
            .execute(
                "INSERT INTO runs (run_id, job_name, success, started, finished,
                                   parent_run_id, root_run_id, selection, run_config, partitions,
                                   step_selection)
                 VALUES (?1, '', 0, 0, 0, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (run_id) DO UPDATE SET parent_run_id = ?2, root_run_id = ?3,
                     selection = ?4, run_config = ?5, partitions = ?6, step_selection = ?7",
                params![
                    run_id,
                    launch.parent_run_id,
                    launch.root_run_id,
                    launch.selection,
                    config,
                    launch.partitions,
                    launch.step_selection
                ],
            )
            .map_err(sql(&self.path))?;
        Ok(())
    }

    fn summary_row(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
        let config: Option<String> = r.get(8)?;
        Ok(RunSummary {
            run_id: r.get(0)?,
            job_name: r.get(1)?,
            status: if r.get::<_, bool>(2)? {
                "SUCCESS".to_owned()
            } else {
                "FAILURE".to_owned()
            },
            started: r.get(3)?,
            finished: r.get(4)?,
            launch: RunLaunch {
                parent_run_id: r.get(5)?,
                root_run_id: r.get(6)?,
                selection: r.get(7)?,
                // Written by `record_launch` from a JSON value: a bad one
                // is a damaged file, read as no config.
                run_config: config.and_then(|c| serde_json::from_str(&c).ok()),
                partitions: r.get(9)?,
                step_selection: r.get(10)?,
            },
        })
    }

    /// The run `run_id`, if recorded.
    pub fn run(&self, run_id: &str) -> Result<Option<RunSummary>> {
        self.conn
            .query_row(
                "SELECT run_id, job_name, success, started, finished, parent_run_id, root_run_id,
                        selection, run_config, partitions, step_selection FROM runs WHERE run_id = ?1",
                params![run_id],
                |r| self.summary_row(r),
            )
            .optional()
            .map_err(sql(&self.path))
    }

    /// The `limit` most recent runs, newest first.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, job_name, success, started, finished, parent_run_id, root_run_id,
                        selection, run_config, partitions, step_selection FROM runs
                 ORDER BY started DESC, rowid DESC LIMIT ?1",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(params![limit as i64], |r| self.summary_row(r))
            .map_err(sql(&self.path))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(sql(&self.path))
    }

    /// The steps of run `run_id`, in plan order.
    pub fn run_steps(&self, run_id: &str) -> Result<Vec<StepRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT step_key, outcome, attempts, duration, error FROM run_steps
                 WHERE run_id = ?1 ORDER BY position",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(params![run_id], |r| {
                Ok(StepRecord {
                    step_key: r.get(0)?,
                    outcome: r.get(1)?,
                    attempts: r.get(2)?,
                    duration: r.get(3)?,
                    error: r.get(4)?,
                })
            })
            .map_err(sql(&self.path))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(sql(&self.path))
    }

    /// The events of run `run_id` in order, only `step`'s when given.
    pub fn run_events(&self, run_id: &str, step: Option<&str>) -> Result<Vec<EventRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, step_key, event_type, timestamp, message, event FROM run_events
                 WHERE run_id = ?1 AND (?2 IS NULL OR step_key = ?2) ORDER BY seq",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(params![run_id, step], |r| {
                let json: String = r.get(5)?;
                Ok(EventRecord {
                    seq: r.get(0)?,
                    step_key: r.get(1)?,
                    event_type: r.get(2)?,
                    timestamp: r.get(3)?,
                    message: r.get(4)?,
                    json: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
                })
            })
            .map_err(sql(&self.path))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(sql(&self.path))
    }

    /// The schema version of the file (see [`SCHEMA_VERSION`]).
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql(&self.path))
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
