//! larder's error type: every failure names the thing involved (asset, op,
//! step, key, path, config field) and keeps its cause.

use std::fmt;

/// A boxed error from user code (a manager, an asset body) kept as a cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with larder's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in larder.
///
/// User code (asset bodies, IO managers) returns `larder::Result`; `?` works
/// on `std::io::Error`, serde errors and `String`/`&str` messages, and any
/// other error converts with [`Error::user`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The definitions are invalid; every problem found is listed.
    #[error("invalid definitions ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, DisplayList(.0))]
    InvalidDefinitions(Vec<String>),

    /// A context accessor that does not apply here.
    #[error("{0}")]
    Context(String),

    /// `add_output_metadata` / `add_input_metadata` was given a key twice.
    #[error("tried to add metadata for key(s) that already have metadata: {}", .keys.join(", "))]
    DuplicateMetadata {
        /// The keys given twice.
        keys: Vec<String>,
    },

    /// An IO manager failed while storing an output.
    #[error("error while handling output `{output}` of step `{step}`: {source}")]
    HandleOutput {
        /// The step key.
        step: String,
        /// The output name.
        output: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },

    /// An IO manager or input manager failed while loading an input.
    #[error("error while loading input `{input}` of step `{step}`: {source}")]
    LoadInput {
        /// The step key.
        step: String,
        /// The input name.
        input: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },

    /// The asset or op body failed.
    #[error("error in the body of step `{step}`: {source}")]
    Compute {
        /// The step key.
        step: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },

    /// User code panicked; the panic message is kept.
    #[error("panicked: {0}")]
    Panic(String),

    /// A value was loaded that was never stored.
    #[error("{what} was never materialized: nothing is stored at {location}")]
    NotMaterialized {
        /// What was being loaded (e.g. "asset `a/b`").
        what: String,
        /// Where it was looked for (a path or an identifier).
        location: String,
    },

    /// A stored value could not be decoded or encoded.
    #[error(
        "{what} at {location} could not be {action} as `{type_name}` with the {codec} codec: {message}"
    )]
    Codec {
        /// What was being read or written.
        what: String,
        /// The path.
        location: String,
        /// "decoded" or "encoded".
        action: &'static str,
        /// The Rust type expected.
        type_name: &'static str,
        /// The codec name.
        codec: &'static str,
        /// The codec's message.
        message: String,
    },

    /// A path component that would leave the storage directory.
    #[error("refusing unsafe path component {component:?} in {what}: {why}")]
    UnsafePath {
        /// The offending component.
        component: String,
        /// What it belongs to (an asset key, a step key…).
        what: String,
        /// Why it is refused.
        why: String,
    },

    /// A value's Rust type did not match what was expected.
    #[error("type mismatch for {what}: expected `{expected}`, found `{found}`")]
    TypeMismatch {
        /// What carried the value.
        what: String,
        /// The expected type.
        expected: &'static str,
        /// The actual type.
        found: String,
    },

    /// Bad configuration.
    #[error("invalid config:\n{}", DisplayList(.0))]
    Config(Vec<String>),

    /// A filesystem error, with the path involved.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("writing", "reading"…).
        action: &'static str,
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// A run finished with failed steps.
    #[error("run {run_id} failed:\n{}", DisplayList(.failures))]
    RunFailed {
        /// The run id.
        run_id: String,
        /// One line per failed or skipped step.
        failures: Vec<String>,
        /// The first failed step's error.
        #[source]
        source: Box<Error>,
    },

    /// Something not found by name (an asset, an op, a job, an output).
    #[error("{0}")]
    NotFound(String),

    /// An error from user code, kept whole.
    #[error(transparent)]
    User(BoxError),

    /// A plain message from user code.
    #[error("{0}")]
    Message(String),

    /// An asset key that cannot name an asset (empty, an empty or unsafe
    /// component, a component longer than a file name may be).
    #[error("invalid asset key {key}: {why}")]
    InvalidAssetKey {
        /// The key as written (components quoted).
        key: String,
        /// What is wrong with it.
        why: String,
    },

    /// A resource could not be built for a run: its init function or its
    /// `setup_for_execution` failed or panicked.
    #[error("initializing resource `{key}` ({type_name}): {source}")]
    ResourceInit {
        /// The resource key.
        key: String,
        /// The resource's Rust type.
        type_name: &'static str,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

struct DisplayList<'a>(&'a [String]);

impl fmt::Display for DisplayList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  - {line}")?;
        }
        Ok(())
    }
}

impl Error {
    /// Wraps any error from user code.
    pub fn user(err: impl Into<BoxError>) -> Self {
        Error::User(err.into())
    }

    /// A plain message.
    pub fn msg(message: impl fmt::Display) -> Self {
        Error::Message(message.to_string())
    }

    /// The innermost larder error (through step and manager wrappers).
    pub fn root(&self) -> &Error {
        match self {
            Error::HandleOutput { source, .. }
            | Error::LoadInput { source, .. }
            | Error::Compute { source, .. }
            | Error::RunFailed { source, .. }
            | Error::ResourceInit { source, .. } => source.root(),
            other => other,
        }
    }

    /// The error and its causes, one per line, for printing at the edge of
    /// a program (`error: ...` then `  caused by: ...`).
    pub fn report(&self) -> String {
        let mut out = format!("error: {self}\n");
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            out.push_str(&format!("  caused by: {s}\n"));
            source = s.source();
        }
        out
    }

    pub(crate) fn context(message: impl Into<String>) -> Self {
        Error::Context(message.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::User(Box::new(err))
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::User(Box::new(err))
    }
}

impl From<rmp_serde::encode::Error> for Error {
    fn from(err: rmp_serde::encode::Error) -> Self {
        Error::User(Box::new(err))
    }
}

impl From<rmp_serde::decode::Error> for Error {
    fn from(err: rmp_serde::decode::Error) -> Self {
        Error::User(Box::new(err))
    }
}

impl From<BoxError> for Error {
    fn from(err: BoxError) -> Self {
        Error::User(err)
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Message(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::Message(message.to_owned())
    }
}

impl From<std::fmt::Error> for Error {
    fn from(err: std::fmt::Error) -> Self {
        Error::User(Box::new(err))
    }
}

/// Converts the error a user's function returned into larder's, keeping a
/// larder error as it is (so `?` on a larder call inside a step keeps its
/// variant).
pub fn user_error<E: Into<BoxError>>(err: E) -> Error {
    match err.into().downcast::<Error>() {
        Ok(e) => *e,
        Err(other) => Error::User(other),
    }
}
