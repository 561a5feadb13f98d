//! How a run's steps are executed: on threads of this process (Dagster's
//! `in_process_executor`) or each in a child process of the same binary
//! (Dagster's `multiprocess_executor`). Plain data: the run layer acts on it.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

/// Where a run's steps execute.
///
/// ```
/// use larder::Executor;
/// use std::time::Duration;
/// let e = Executor::multiprocess()
///     .max_concurrent(4)
///     .step_timeout(Duration::from_secs(600));
/// assert!(e.is_multiprocess());
/// assert_eq!(Executor::parse("in_process")?, Executor::in_process());
/// # Ok::<(), larder::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Executor {
    kind: ExecutorKind,
    max_concurrent: Option<usize>,
    step_timeout: Option<Duration>,
    worker: Option<PathBuf>,
    worker_args: Vec<String>,
}

/// The kinds of executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExecutorKind {
    /// Every step on threads of the run's process.
    #[default]
    InProcess,
    /// Every step in its own child process of the same binary.
    Multiprocess,
}

impl Executor {
    /// Steps on threads of this process (the default).
    pub fn in_process() -> Self {
        Executor::default()
    }

    /// Each step in a child process of the same binary, which must call
    /// `larder::worker::run_if_worker` first thing in `main` (as
    /// `larder::cli::main` does).
    pub fn multiprocess() -> Self {
        Executor {
            kind: ExecutorKind::Multiprocess,
            ..Executor::default()
        }
    }

    /// `in_process` or `multiprocess` (also `in-process`), as on the CLI.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "in_process" | "in-process" => Ok(Executor::in_process()),
            "multiprocess" => Ok(Executor::multiprocess()),
            other => Err(Error::msg(format!(
                "unknown executor `{other}`: expected `in_process` or `multiprocess`"
            ))),
        }
    }

    /// At most `n` steps at once (default: the machine's parallelism, as
    /// Dagster's `max_concurrent`).
    pub fn max_concurrent(mut self, n: usize) -> Self {
        self.max_concurrent = Some(n.max(1));
        self
    }

    /// A child still running after `timeout` is killed and its step fails
    /// (multiprocess only; default: no limit).
    pub fn step_timeout(mut self, timeout: Duration) -> Self {
        self.step_timeout = Some(timeout);
        self
    }

    /// The program that runs steps (default: this process's executable).
    /// Tests use it to name a binary that calls `run_if_worker`, e.g.
    /// `env!("CARGO_BIN_EXE_my-bin")`.
    pub fn worker_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.worker = Some(program.into());
        self
    }

    /// Arguments passed to the worker program before anything else.
    pub fn worker_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.worker_args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Which executor this is.
    pub fn kind(&self) -> ExecutorKind {
        self.kind
    }

    /// Whether steps run in child processes.
    pub fn is_multiprocess(&self) -> bool {
        self.kind == ExecutorKind::Multiprocess
    }

    /// The step limit, when set.
    pub fn max_concurrent_steps(&self) -> Option<usize> {
        self.max_concurrent
    }

    /// The step timeout, when set.
    pub fn timeout(&self) -> Option<Duration> {
        self.step_timeout
    }

    /// The worker program, when set.
    pub fn worker(&self) -> Option<&std::path::Path> {
        self.worker.as_deref()
    }

    /// The worker program's leading arguments.
    pub fn worker_arguments(&self) -> &[String] {
        &self.worker_args
    }

    /// "in_process" or "multiprocess".
    pub fn name(&self) -> &'static str {
        match self.kind {
            ExecutorKind::InProcess => "in_process",
            ExecutorKind::Multiprocess => "multiprocess",
        }
    }
}
