//! `larder::cli`: the command line a user's binary gets by handing its
//! `Definitions` over: `list`, `materialize`, `execute`, `backfill`, `show`,
//! `runs`, `run`, `reexecute`, `validate`, `gc`. `--select` takes Dagster's selection syntax
//! (`'group:core'`, `'+recommender*'`, `'items+'`, `'*'`, `'a/b'`,
//! comma-separated clauses).
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     larder::cli::main(larder::Definitions::discover())
//! }
//! ```

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use clap::{Parser, Subcommand, ValueEnum};

use crate::definitions::{AssetSelection, Definitions};
use crate::error::{Error, Result};
use crate::io::resources::ResourceKind;
use crate::model::asset_key::AssetKey;
use crate::model::config::RunConfig;
use crate::model::events::{Event, EventKind};
use crate::model::instance::Instance;
use crate::run::ranges::{format_ranges, key_ranges};
use crate::run::{BackfillOptions, PartitionOutcome, RunOptions, RunResult, StepOutcome};

/// The command line.
#[derive(Debug, Parser)]
#[command(about = "List, materialize and inspect this code location's assets and jobs")]
pub struct Cli {
    /// The step log lines to print: error, warn, info or debug (debug adds
    /// every event).
    #[arg(long, global = true, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The lowest level of step log lines the CLI prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum LogLevel {
    /// Every event, and all log lines.
    Debug,
    /// Info, warnings and errors.
    Info,
    /// Warnings and errors.
    Warn,
    /// Errors only.
    Error,
}

impl LogLevel {
    fn of(level: &str) -> LogLevel {
        match level {
            "debug" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "warn" | "warning" => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List assets (groups, partitions, deps, resources), ops, jobs, asset
    /// jobs, and the keys managers are bound to.
    List,
    /// Check the definitions without running anything.
    Validate,
    /// Materialize assets (all, a selection, or an asset job's).
    Materialize {
        /// Assets to materialize, in Dagster's selection syntax:
        /// `a/b`, `+a`, `a*`, `group:core`, `*` (comma-separated or repeated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Materialize this asset job's selection (with its partitions and config).
        #[arg(long, conflicts_with = "select")]
        job: Option<String>,
        /// A run config file (TOML, JSON or YAML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Use the in-memory manager as the default `io_manager`.
        #[arg(long)]
        in_memory: bool,
        /// Materialize this partition of the partitioned assets.
        #[arg(long, conflicts_with = "partition_range")]
        partition: Option<String>,
        /// Materialize a range of partitions in one run: `START...END`.
        #[arg(long)]
        partition_range: Option<String>,
        /// Where steps execute: `in_process` (default) or `multiprocess`
        /// (each step in a child process of this binary).
        #[arg(long)]
        executor: Option<String>,
    },
    /// Execute a job or an asset job.
    Execute {
        /// The job's name.
        job: String,
        /// A run config file (TOML, JSON or YAML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where steps execute: `in_process` or `multiprocess` (default:
        /// the job's, else in process).
        #[arg(long)]
        executor: Option<String>,
        /// Run this partition of a partitioned job.
        #[arg(long)]
        partition: Option<String>,
    },
    /// Add, list or delete the keys of dynamic partitions, kept in the
    /// instance's run history.
    Partitions {
        /// What to do.
        #[command(subcommand)]
        action: PartitionsAction,
    },
    /// Backfill partitions: one run per partition, resumable (partitions
    /// already materialized are skipped unless `--force`).
    Backfill {
        /// The partitioned assets, in Dagster's selection syntax.
        #[arg(long, value_delimiter = ',', required_unless_present = "job")]
        select: Vec<String>,
        /// Backfill this asset job's selection (and config).
        #[arg(long, conflicts_with = "select")]
        job: Option<String>,
        /// The partitions `START...END`.
        #[arg(long, conflicts_with = "partitions")]
        partition_range: Option<String>,
        /// These partitions (comma-separated or repeated).
        #[arg(long, value_delimiter = ',')]
        partitions: Vec<String>,
        /// At most N partition runs at once.
        #[arg(long, default_value_t = 1)]
        max_concurrent: usize,
        /// Run partitions already materialized too.
        #[arg(long)]
        force: bool,
        /// A run config file (TOML, JSON or YAML) for every run.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Show an asset's latest materialization: when, where, its metadata,
    /// and its materialized, failed and missing partitions.
    Show {
        /// The asset key, `a/b`.
        asset: String,
    },
    /// List recent runs: id, job (and selection), status, start, duration,
    /// partitions, parent.
    Runs {
        /// At most this many, newest first.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show one run: its lineage, its steps (outcome, attempts, duration),
    /// then its events.
    Run {
        /// The run id.
        run_id: String,
        /// Only this step's events.
        #[arg(long)]
        step: Option<String>,
    },
    /// Re-execute a run: every step, the failed and skipped ones
    /// (`--from-failure`), or a step selection (`--select op_b`,
    /// `'*op_b'`, `'op_b+'`); the others' outputs load from the runs that
    /// stored them. The parent's run config is reused unless `--config`.
    Reexecute {
        /// The run to re-execute.
        run_id: String,
        /// Only the steps that failed or were skipped, and their downstream.
        #[arg(long, conflicts_with = "select")]
        from_failure: bool,
        /// The steps to run, in Dagster's step selection syntax.
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// A run config file (TOML, JSON or YAML) instead of the parent's.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Remove the temporary files that killed writes left behind (never a
    /// live writer's), in the instance's storage directory and below.
    Gc {
        /// Sweep these directories instead (e.g. a manager's `base_dir`).
        #[arg(long)]
        dir: Vec<PathBuf>,
    },
}

/// What `partitions` does to the keys of dynamic partitions.
#[derive(Debug, Subcommand)]
pub enum PartitionsAction {
    /// Add keys, after those there are (keys there already stay where
    /// they are).
    Add {
        /// The dynamic partitions' name (`DynamicPartitionsDefinition::new(NAME)`).
        name: String,
        /// The keys to add.
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// List the keys, in the order they were added.
    List {
        /// The dynamic partitions' name.
        name: String,
    },
    /// Delete keys (what was stored for them stays on disk).
    Delete {
        /// The dynamic partitions' name.
        name: String,
        /// The keys to delete.
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

/// Parses the process arguments and runs; the exit code is non-zero on
/// failure, after a readable error on stderr.
pub fn main(defs: Definitions) -> ExitCode {
    // A step worker of a multiprocess run executes its step and exits.
    if crate::run::worker::is_worker() {
        return ExitCode::from(crate::run::worker::run_worker(|| defs) as u8);
    }
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    match run_cli(&defs, cli, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", e.report());
            ExitCode::FAILURE
        }
    }
}

/// Runs one command at the default log level (info), writing to `out`.
pub fn run(defs: &Definitions, command: Command, out: &mut dyn Write) -> Result<()> {
    run_with(defs, command, LogLevel::Info, out)
}

/// Runs a parsed command line, writing to `out`.
pub fn run_cli(defs: &Definitions, cli: Cli, out: &mut dyn Write) -> Result<()> {
    run_with(defs, cli.command, cli.log_level, out)
}

/// Runs one command, printing step log lines at `log_level` and above.
pub fn run_with(
    defs: &Definitions,
    command: Command,
    log_level: LogLevel,
    out: &mut dyn Write,
) -> Result<()> {
    let w = |out: &mut dyn Write, line: String| writeln!(out, "{line}").map_err(Error::from);
    match command {
        Command::List => list(defs, out),
        Command::Validate => {
            defs.validate()?;
            w(
                out,
                format!(
                    "ok: {} assets, {} jobs, {} resources",
                    defs.get_assets().len(),
                    defs.get_jobs().len() + defs.get_asset_jobs().len(),
                    defs.get_resources().len()
                ),
            )
        }
        Command::Materialize {
            select,
            job,
            config,
            in_memory,
            partition,
            partition_range,
            executor,
        } => {
            let mut options = RunOptions::new()
                .run_config(read_config(config)?)
                .raise_on_error(false);
            if let Some(e) = executor {
                options = options.executor(crate::model::executor::Executor::parse(&e)?);
            }
            if let Some(key) = partition {
                options = options.partition_key(key);
            }
            if let Some(range) = partition_range {
                let (start, end) = split_range(&range)?;
                options = options.partition_range(start, end);
            }
            if in_memory {
                options = options.in_memory();
            }
            let selection = parse_select(&select)?;
            let steps = match (&job, &selection) {
                (Some(name), _) => match defs.get_asset_jobs().iter().find(|j| j.name() == name) {
                    Some(j) => j.selection().resolve(defs.get_assets())?.len(),
                    None => {
                        return Err(Error::NotFound(format!(
                            "no asset job `{name}` is defined; asset jobs: {}",
                            names_or_none(defs.get_asset_jobs().iter().map(|j| j.name()))
                        )));
                    }
                },
                (None, Some(s)) => s.resolve(defs.get_assets())?.len(),
                (None, None) => defs.get_assets().len(),
            };
            if let Some(s) = selection {
                options = options.select(s);
            }
            let result = with_progress(steps, options, |o| match &job {
                Some(name) => defs.execute_job(name, o.on_disk()),
                None => defs.run(o),
            })?;
            report(&result, log_level, out)
        }
        Command::Execute {
            job,
            config,
            executor,
            partition,
        } => {
            let steps = match defs.get_asset_jobs().iter().find(|j| j.name() == job) {
                Some(j) => j.selection().resolve(defs.get_assets())?.len(),
                None => defs.get_job(&job)?.nodes().len(),
            };
            let mut options = RunOptions::new()
                .run_config(read_config(config)?)
                .raise_on_error(false);
            if let Some(e) = executor {
                options = options.executor(crate::model::executor::Executor::parse(&e)?);
            }
            if let Some(key) = partition {
                options = options.partition_key(key);
            }
            let result = with_progress(steps, options, |o| defs.execute_job(&job, o))?;
            report(&result, log_level, out)
        }
        Command::Backfill {
            select,
            job,
            partition_range,
            partitions,
            max_concurrent,
            force,
            config,
        } => backfill(
            defs,
            BackfillArgs {
                select,
                job,
                partition_range,
                partitions,
                max_concurrent,
                force,
                config,
            },
            out,
        ),
        Command::Partitions { action } => partitions(&Instance::from_env()?, action, out),
        Command::Show { asset } => show(defs, &AssetKey::from(asset.as_str()), out),
        Command::Runs { limit } => runs(limit, out),
        Command::Run { run_id, step } => show_run(&run_id, step.as_deref(), out),
        Command::Reexecute {
            run_id,
            from_failure,
            select,
            config,
        } => {
            let re = if from_failure {
                crate::run::ReexecutionOptions::from_failure(&run_id)
            } else {
                crate::run::ReexecutionOptions::new(&run_id).step_selection(select)
            };
            let mut options = RunOptions::new().reexecution(re).raise_on_error(false);
            if config.is_some() {
                options = options.run_config(read_config(config)?);
            }
            let steps = history()?.run_steps(&run_id)?.len();
            let result = with_progress(steps, options, |o| defs.reexecute(o))?;
            writeln!(out, "run {} (re-executes {run_id})", result.run_id())?;
            report(&result, log_level, out)
        }
        Command::Gc { dir } => {
            let dirs = if dir.is_empty() {
                vec![Instance::from_env()?.storage_directory().to_path_buf()]
            } else {
                dir
            };
            for d in dirs {
                let r = crate::storage::reclaim_temp_files_below(&d)?;
                w(
                    out,
                    format!(
                        "{}: reclaimed {} temporary file{} ({} bytes)",
                        d.display(),
                        r.files,
                        if r.files == 1 { "" } else { "s" },
                        r.bytes
                    ),
                )?;
            }
            Ok(())
        }
    }
}

/// `--select` values (each a clause, or several comma-separated) as one
/// selection; `None` when there are none.
fn parse_select(select: &[String]) -> Result<Option<AssetSelection>> {
    if select.is_empty() {
        return Ok(None);
    }
    AssetSelection::parse(&select.join(","))
        .map(Some)
        .map_err(|e| Error::msg(format!("--select: {e}")))
}

/// `START...END` (Dagster's) or `START..END`.
fn split_range(range: &str) -> Result<(&str, &str)> {
    range
        .split_once("...")
        .or_else(|| range.split_once(".."))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| {
            Error::msg(format!(
                "--partition-range {range:?}: expected START...END, e.g. 2024-01-01...2024-01-31"
            ))
        })
}

fn names_or_none<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

struct BackfillArgs {
    select: Vec<String>,
    job: Option<String>,
    partition_range: Option<String>,
    partitions: Vec<String>,
    max_concurrent: usize,
    force: bool,
    config: Option<PathBuf>,
}

fn backfill(defs: &Definitions, args: BackfillArgs, out: &mut dyn Write) -> Result<()> {
    let mut config = read_config(args.config)?;
    let mut job_range = None;
    let selection = match &args.job {
        Some(name) => {
            let job = defs
                .get_asset_jobs()
                .iter()
                .find(|j| j.name() == name)
                .ok_or_else(|| {
                    Error::NotFound(format!(
                        "no asset job `{name}` is defined; asset jobs: {}",
                        names_or_none(defs.get_asset_jobs().iter().map(|j| j.name()))
                    ))
                })?;
            if config.as_json().is_null() {
                config = job.get_config().clone();
            }
            job_range = job.partition().map(|p| p.to_range());
            job.selection().clone()
        }
        None => parse_select(&args.select)?.unwrap_or(AssetSelection::All),
    };
    let mut options = BackfillOptions::new(selection)
        .max_concurrent(args.max_concurrent)
        .force(args.force)
        .run_config(config);
    if let Some(range) = &args.partition_range {
        let (start, end) = split_range(range)?;
        options = options.partition_range(start, end);
    } else if !args.partitions.is_empty() {
        options = options.partitions(args.partitions.clone());
    } else if let Some(r) = job_range {
        // The job's own partitions, when the command names none.
        options = options.partition_range(r.start, r.end);
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::no_length();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} partitions {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    if let Some(bar) = &bar {
        let on_start = bar.clone();
        let on_done = bar.clone();
        options = options
            .on_start(move |n| on_start.set_length(n as u64))
            .on_partition(move |p| {
                if let PartitionOutcome::Failed { .. } = p.outcome {
                    on_done.set_message(format!("({} failed)", p.partition));
                }
                on_done.inc(1);
            });
    }
    if bar.is_none() {
        // Not a terminal: a line per partition run, for logs.
        options = options.on_partition(|p| match &p.outcome {
            PartitionOutcome::Succeeded { run_id } => {
                eprintln!("partition {}: succeeded (run {run_id})", p.partition)
            }
            PartitionOutcome::Failed { error, .. } => {
                eprintln!("partition {}: failed: {error}", p.partition)
            }
            PartitionOutcome::Skipped => {}
        });
    }
    let result = defs.backfill(options);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let result = result?;
    writeln!(out, "{}", result.summary())?;
    if result.success() {
        Ok(())
    } else {
        let failed: Vec<String> = result.failed().map(|p| p.partition.clone()).collect();
        Err(Error::msg(format!(
            "backfill: {} of {} partitions failed (first: {})",
            failed.len(),
            result.partitions.len(),
            failed.first().map(String::as_str).unwrap_or_default()
        )))
    }
}

fn read_config(path: Option<PathBuf>) -> Result<RunConfig> {
    let Some(path) = path else {
        return Ok(RunConfig::new());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
        action: "reading run config",
        path: path.display().to_string(),
        source: e,
    })?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => RunConfig::from_json_str(&text),
        Some("yaml" | "yml") => RunConfig::from_yaml_str(&text),
        _ => RunConfig::from_toml_str(&text),
    }
}

fn list(defs: &Definitions, out: &mut dyn Write) -> Result<()> {
    let mut lines = vec![format!("assets ({}):", defs.get_assets().len())];
    for a in defs.get_assets() {
        let ty = a.type_info().map(|t| t.short_name()).unwrap_or_default();
        let ups: Vec<String> = a.upstream_keys().iter().map(|k| k.to_string()).collect();
        let mut line = format!(
            "  {}  -> {ty}  [io_manager_key: {}]",
            a.key(),
            a.io_manager_key()
        );
        if !ups.is_empty() {
            line.push_str(&format!("  inputs: {}", ups.join(", ")));
        }
        if !a.deps().is_empty() {
            let deps: Vec<String> = a.deps().iter().map(|k| k.to_string()).collect();
            line.push_str(&format!("  deps: {}", deps.join(", ")));
        }
        line.push_str(&format!("  group: {}", a.group_name()));
        if let Some(def) = a.partitions_def() {
            line.push_str(&format!("  partitions: {def}"));
        }
        let resources = a.op().required_resource_keys();
        if !resources.is_empty() {
            line.push_str(&format!("  resources: {}", resources.join(", ")));
        }
        lines.push(line);
    }
    lines.push(format!("ops ({}):", defs.get_ops().len()));
    for op in defs.get_ops() {
        let outs: Vec<String> = op
            .outputs()
            .iter()
            .map(|o| format!("{} [{}]", o.name(), o.get_io_manager_key()))
            .collect();
        lines.push(format!("  {}  outputs: {}", op.name(), outs.join(", ")));
    }
    lines.push(format!(
        "jobs ({}):",
        defs.get_jobs().len() + defs.get_asset_jobs().len()
    ));
    for job in defs.get_jobs() {
        let nodes: Vec<&str> = job.nodes().iter().map(|n| n.name()).collect();
        lines.push(format!("  {}  ops: {}", job.name(), nodes.join(" -> ")));
    }
    for job in defs.get_asset_jobs() {
        let mut line = format!("  {}  assets: {}", job.name(), job.selection());
        match job.selection().resolve(defs.get_assets()) {
            Ok(keys) => {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                line.push_str(&format!(" ({})", keys.join(", ")));
            }
            Err(e) => line.push_str(&format!(" (error: {e})")),
        }
        if let Some(p) = job.partition() {
            line.push_str(&format!("  partitions: {}", p.to_range()));
        }
        if let Some(d) = job.get_description() {
            line.push_str(&format!("  {d}"));
        }
        lines.push(line);
    }
    lines.push(format!("resources ({}):", defs.get_resources().len()));
    for (key, def) in defs.get_resources() {
        let kind = match def.kind() {
            ResourceKind::IOManager => "io manager",
            ResourceKind::InputManager => "input manager",
            ResourceKind::Resource => "resource",
        };
        lines.push(format!(
            "  {key}  {kind}: {}",
            crate::model::types::short_type_name(def.type_name())
        ));
    }
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Runs with a progress bar on a terminal, plain lines otherwise.
fn with_progress(
    steps: usize,
    options: RunOptions,
    go: impl FnOnce(RunOptions) -> Result<RunResult>,
) -> Result<RunResult> {
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(steps as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        let shown = Arc::new(bar.clone());
        let result = go(options.on_event(move |e: &Event| match &e.kind {
            EventKind::StepStart => shown.set_message(e.step_key.clone().unwrap_or_default()),
            EventKind::StepSuccess
            | EventKind::StepFailure { .. }
            | EventKind::StepSkipped { .. } => shown.inc(1),
            _ => {}
        }));
        bar.finish_and_clear();
        result
    } else {
        go(options.on_event(|e: &Event| match &e.kind {
            EventKind::StepSuccess
            | EventKind::StepFailure { .. }
            | EventKind::StepSkipped { .. } => {
                eprintln!("{}", e.message);
            }
            _ => {}
        }))
    }
}

fn report(result: &RunResult, log_level: LogLevel, out: &mut dyn Write) -> Result<()> {
    for e in result.events() {
        let step = e.step_key.as_deref().unwrap_or("-");
        match &e.kind {
            EventKind::Log { level, message } if LogLevel::of(level) >= log_level => {
                writeln!(out, "{level} {step}: {message}")?
            }
            EventKind::Log { .. } => {}
            _ if log_level == LogLevel::Debug => {
                writeln!(out, "debug {step}: {:?} {}", e.event_type(), e.message)?
            }
            _ => {}
        }
    }
    for e in result.events() {
        if let EventKind::AssetMaterialization {
            asset_key,
            metadata,
            ..
        } = &e.kind
        {
            match metadata.get("path") {
                Some(p) => writeln!(out, "materialized {asset_key} -> {p}")?,
                None => writeln!(out, "materialized {asset_key}")?,
            }
        }
    }
    let ok = result
        .step_outcomes()
        .values()
        .filter(|o| **o == StepOutcome::Success)
        .count();
    writeln!(
        out,
        "run {}: {ok}/{} steps succeeded",
        result.run_id(),
        result.step_outcomes().len()
    )?;
    if let Some(e) = result.history_error() {
        writeln!(out, "warning: the run was not recorded in the history: {e}")?;
    }
    if result.success() {
        Ok(())
    } else {
        Err(Error::RunFailed {
            run_id: result.run_id().to_owned(),
            failures: result.failure_lines(),
            source: Box::new(Error::msg("see the failures above")),
        })
    }
}

fn history() -> Result<crate::run::history::SharedHistory> {
    Instance::from_env()?.history()?.ok_or_else(|| {
        Error::msg("no run history: set LARDER_HOME (or add a larder.toml) so runs are recorded")
    })
}

fn timestamp(seconds: f64) -> String {
    let when = UNIX_EPOCH + Duration::from_secs_f64(seconds.max(0.0));
    jiff::Timestamp::try_from(when)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| format!("{seconds}"))
}

fn runs(limit: usize, out: &mut dyn Write) -> Result<()> {
    let runs = history()?.recent_runs(limit)?;
    if runs.is_empty() {
        writeln!(out, "no runs recorded")?;
        return Ok(());
    }
    writeln!(
        out,
        "RUN_ID\tJOB\tSTATUS\tSTART\tDURATION\tPARTITIONS\tPARENT"
    )?;
    for r in runs {
        let mut job = r.job_name.clone();
        if let Some(s) = &r.launch.selection {
            job.push_str(&format!(" (assets: {s})"));
        }
        if let Some(s) = &r.launch.step_selection {
            job.push_str(&format!(" (steps: {s})"));
        }
        writeln!(
            out,
            "{}\t{job}\t{}\t{}\t{:.3}s\t{}\t{}",
            r.run_id,
            r.status,
            timestamp(r.started),
            (r.finished - r.started).max(0.0),
            r.launch.partitions.as_deref().unwrap_or("-"),
            r.launch.parent_run_id.as_deref().unwrap_or("-"),
        )?;
    }
    Ok(())
}

fn show_run(run_id: &str, step: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let history = history()?;
    let Some(r) = history.run(run_id)? else {
        return Err(Error::NotFound(format!(
            "run `{run_id}` is not in the run history"
        )));
    };
    let steps = history.run_steps(run_id)?;
    if let Some(s) = step
        && !steps.iter().any(|st| st.step_key == s)
    {
        return Err(Error::NotFound(format!(
            "run `{run_id}` has no step `{s}`; steps: {}",
            names_or_none(steps.iter().map(|st| st.step_key.as_str()))
        )));
    }
    writeln!(out, "run {}: {} {}", r.run_id, r.job_name, r.status)?;
    writeln!(
        out,
        "  started: {} ({:.3}s)",
        timestamp(r.started),
        (r.finished - r.started).max(0.0)
    )?;
    if let Some(s) = &r.launch.selection {
        writeln!(out, "  assets: {s}")?;
    }
    if let Some(s) = &r.launch.step_selection {
        writeln!(out, "  steps selected: {s}")?;
    }
    if let Some(p) = &r.launch.partitions {
        writeln!(out, "  partitions: {p}")?;
    }
    if let Some(p) = &r.launch.parent_run_id {
        writeln!(
            out,
            "  parent: {p} (root {})",
            r.launch.root_run_id.as_deref().unwrap_or(p)
        )?;
    }
    writeln!(out, "steps:")?;
    for st in steps
        .iter()
        .filter(|st| step.is_none_or(|s| s == st.step_key))
    {
        let duration = st
            .duration
            .map(|d| format!("{d:.3}s"))
            .unwrap_or_else(|| "-".to_owned());
        write!(
            out,
            "  {}  {}  attempts: {}  {duration}",
            st.step_key, st.outcome, st.attempts
        )?;
        match &st.error {
            Some(e) => writeln!(out, "  {e}")?,
            None => writeln!(out)?,
        }
    }
    writeln!(out, "events:")?;
    for e in history.run_events(run_id, step)? {
        writeln!(
            out,
            "  {} {} {} {}",
            timestamp(e.timestamp),
            e.event_type,
            e.step_key.as_deref().unwrap_or("-"),
            e.message
        )?;
    }
    Ok(())
}

fn show(defs: &Definitions, key: &AssetKey, out: &mut dyn Write) -> Result<()> {
    let asset = defs.get_asset(key.clone())?;
    let instance = Instance::from_env()?;
    let Some(history) = instance.history()? else {
        return Err(Error::msg(
            "no run history: set LARDER_HOME (or add a larder.toml) so runs are recorded, then materialize",
        ));
    };
    match history.latest_materialization(key)? {
        None => writeln!(
            out,
            "{key}: never materialized (io_manager_key: {})",
            asset.io_manager_key()
        )?,
        Some(m) => {
            let when = UNIX_EPOCH + Duration::from_secs_f64(m.timestamp.max(0.0));
            let when = jiff::Timestamp::try_from(when)
                .map(|t| t.to_string())
                .unwrap_or_else(|_| format!("{}", m.timestamp));
            writeln!(out, "{key}")?;
            writeln!(out, "  materialized: {when} (run {})", m.run_id)?;
            writeln!(out, "  io_manager_key: {}", asset.io_manager_key())?;
            for (k, v) in &m.metadata {
                writeln!(out, "  {k}: {v}")?;
            }
        }
    }
    if let Some(def) = asset.partitions_def() {
        let def = &instance.resolve_dynamic(def)?;
        let keys = def.partition_keys(jiff::Timestamp::now())?;
        let status = history.partition_status(key)?;
        let (mut done, mut failed, mut missing) = (Vec::new(), Vec::new(), Vec::new());
        for (i, k) in keys.iter().enumerate() {
            let to = if status.materialized.contains(k) {
                &mut done
            } else if status.failed.contains(k) {
                &mut failed
            } else {
                &mut missing
            };
            to.push((i, k.as_str()));
        }
        writeln!(out, "  partitions: {def} ({})", keys.len())?;
        for (what, list) in [
            ("materialized", done),
            ("failed", failed),
            ("missing", missing),
        ] {
            let ranges = if list.is_empty() {
                "-".to_owned()
            } else {
                format_ranges(&key_ranges(list.iter().copied()), 10)
            };
            writeln!(out, "  {what} ({}): {ranges}", list.len())?;
        }
    }
    Ok(())
}

/// The CLI's `partitions add|list|delete`.
fn partitions(instance: &Instance, action: PartitionsAction, out: &mut dyn Write) -> Result<()> {
    match action {
        PartitionsAction::Add { name, keys } => {
            let before = instance.get_dynamic_partitions(&name)?.len();
            instance.add_dynamic_partitions(&name, keys)?;
            let after = instance.get_dynamic_partitions(&name)?.len();
            let added = after.saturating_sub(before);
            writeln!(
                out,
                "dynamic partitions `{name}`: added {added} key{} ({after} in all)",
                if added == 1 { "" } else { "s" },
            )?;
        }
        PartitionsAction::List { name } => {
            let keys = instance.get_dynamic_partitions(&name)?;
            writeln!(out, "dynamic partitions `{name}` ({} keys):", keys.len())?;
            for key in keys {
                writeln!(out, "  {key}")?;
            }
        }
        PartitionsAction::Delete { name, keys } => {
            let mut missing = Vec::new();
            for key in &keys {
                if !instance.delete_dynamic_partition(&name, key)? {
                    missing.push(key.as_str());
                }
            }
            if !missing.is_empty() {
                let have = instance.get_dynamic_partitions(&name)?;
                let hint = crate::suggest::did_you_mean(missing[0], have.iter().cloned());
                return Err(Error::NotFound(format!(
                    "dynamic partitions `{name}` have no key {}{hint} (the others were deleted)",
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            writeln!(
                out,
                "dynamic partitions `{name}`: deleted {} key{}",
                keys.len(),
                if keys.len() == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(())
}
