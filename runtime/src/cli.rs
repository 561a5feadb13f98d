//! `larder::cli`: the command line a user's binary gets by handing its
//! `Definitions` over: `list`, `materialize`, `execute`, `show`, `validate`,
//! `gc`.
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

use clap::{Parser, Subcommand};

use crate::definitions::Definitions;
use crate::error::{Error, Result};
use crate::io::resources::ResourceKind;
use crate::model::asset_key::AssetKey;
use crate::model::config::RunConfig;
use crate::model::events::{Event, EventKind};
use crate::model::instance::Instance;
use crate::run::{RunOptions, RunResult, StepOutcome};

/// The command line.
#[derive(Debug, Parser)]
#[command(about = "List, materialize and inspect this code location's assets and jobs")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List assets, ops, jobs, and the keys managers are bound to.
    List,
    /// Check the definitions without running anything.
    Validate,
    /// Materialize assets (all, or a selection).
    Materialize {
        /// Assets to materialize, as `a/b` keys (comma-separated or repeated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// A run config file (TOML, JSON or YAML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Use the in-memory manager as the default `io_manager`.
        #[arg(long)]
        in_memory: bool,
        /// Materialize this partition of the partitioned assets.
        #[arg(long, conflicts_with = "partition_range")]
        partition: Option<String>,
        /// Materialize a range of partitions in one run: `START..END`.
        #[arg(long)]
        partition_range: Option<String>,
    },
    /// Execute a job.
    Execute {
        /// The job's name.
        job: String,
        /// A run config file (TOML, JSON or YAML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Show an asset's latest materialization: when, where, and its metadata.
    Show {
        /// The asset key, `a/b`.
        asset: String,
    },
    /// Remove the temporary files that killed writes left behind (never a
    /// live writer's), in the instance's storage directory and below.
    Gc {
        /// Sweep these directories instead (e.g. a manager's `base_dir`).
        #[arg(long)]
        dir: Vec<PathBuf>,
    },
}

/// Parses the process arguments and runs; the exit code is non-zero on
/// failure, after a readable error on stderr.
pub fn main(defs: Definitions) -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    match run(&defs, cli.command, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", e.report());
            ExitCode::FAILURE
        }
    }
}

/// Runs one command, writing to `out`.
pub fn run(defs: &Definitions, command: Command, out: &mut dyn Write) -> Result<()> {
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
                    defs.get_jobs().len(),
                    defs.get_resources().len()
                ),
            )
        }
        Command::Materialize {
            select,
            config,
            in_memory,
            partition,
            partition_range,
        } => {
            let mut options = RunOptions::new()
                .run_config(read_config(config)?)
                .raise_on_error(false);
            if let Some(key) = partition {
                options = options.partition_key(key);
            }
            if let Some(range) = partition_range {
                let (start, end) = range.split_once("..").ok_or_else(|| {
                    Error::msg(format!("--partition-range {range:?}: expected START..END, e.g. 2024-01-01..2024-01-31"))
                })?;
                options = options.partition_range(start, end);
            }
            if !select.is_empty() {
                options = options.selection(select.iter().map(|s| AssetKey::from(s.as_str())));
            }
            if in_memory {
                options = options.in_memory();
            }
            let steps = if select.is_empty() {
                defs.get_assets().len()
            } else {
                select.len()
            };
            let result = with_progress(steps, options, |o| defs.run(o))?;
            report(&result, out)
        }
        Command::Execute { job, config } => {
            let steps = defs.get_job(&job)?.nodes().len();
            let options = RunOptions::new()
                .run_config(read_config(config)?)
                .raise_on_error(false);
            let result = with_progress(steps, options, |o| defs.execute_job(&job, o))?;
            report(&result, out)
        }
        Command::Show { asset } => show(defs, &AssetKey::from(asset.as_str()), out),
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
    lines.push(format!("jobs ({}):", defs.get_jobs().len()));
    for job in defs.get_jobs() {
        let nodes: Vec<&str> = job.nodes().iter().map(|n| n.name()).collect();
        lines.push(format!("  {}  ops: {}", job.name(), nodes.join(" -> ")));
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

fn report(result: &RunResult, out: &mut dyn Write) -> Result<()> {
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
    Ok(())
}
