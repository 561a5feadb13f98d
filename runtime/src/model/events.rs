//! Run events, in the order Dagster emits them: run start, step start,
//! loaded input, step output, asset materialization, handled output, step
//! success or failure, run success or failure.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize};

use crate::model::asset_key::AssetKey;
use crate::model::metadata::Metadata;

/// One event of a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The step it happened in, if any.
    pub step_key: Option<String>,
    /// A human-readable message.
    pub message: String,
    /// When it happened.
    pub timestamp: SystemTime,
}

/// The kinds of events and what each carries.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum EventKind {
    /// The run started.
    RunStart,
    /// The run succeeded.
    RunSuccess,
    /// The run failed.
    RunFailure {
        /// Why.
        error: String,
    },
    /// A step started.
    StepStart,
    /// An input was loaded by a manager.
    LoadedInput {
        /// The input.
        input_name: String,
        /// The manager's key.
        manager_key: String,
        /// The upstream output, when the input has one in this run.
        upstream_output_name: Option<String>,
        /// The upstream step, when the input has one in this run.
        upstream_step_key: Option<String>,
        /// Input definition metadata and what the manager added.
        metadata: Metadata,
    },
    /// A step produced an output.
    StepOutput {
        /// The output.
        output_name: String,
        /// The Rust type of the value.
        type_name: String,
        /// The mapping key, for each value of a dynamic output.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mapping_key: Option<String>,
    },
    /// An asset was materialized.
    AssetMaterialization {
        /// The asset.
        asset_key: AssetKey,
        /// The partition, if any.
        partition: Option<String>,
        /// Output metadata and what the manager added.
        metadata: Metadata,
    },
    /// An observation of an asset (from `add_input_metadata` or `log_event`).
    AssetObservation {
        /// The asset.
        asset_key: AssetKey,
        /// The partition, if any.
        partition: Option<String>,
        /// What was observed.
        metadata: Metadata,
    },
    /// A manager stored an output.
    HandledOutput {
        /// The output.
        output_name: String,
        /// The manager's key.
        manager_key: String,
        /// What the manager added.
        metadata: Metadata,
    },
    /// A step succeeded.
    StepSuccess,
    /// A step failed.
    StepFailure {
        /// The error, displayed.
        error: String,
        /// The chain of causes, outermost first.
        causes: Vec<String>,
        /// A `Failure`'s metadata (empty otherwise).
        metadata: Metadata,
        /// Attempts made, the failed one included.
        attempts: u32,
    },
    /// A step failed and will be attempted again (Dagster's
    /// STEP_UP_FOR_RETRY).
    StepUpForRetry {
        /// Why the attempt failed.
        error: String,
        /// How long the run waits before the next attempt.
        wait_seconds: f64,
        /// The attempt that failed (1 for the first).
        attempt: u32,
    },
    /// A step started again after a failure (Dagster's STEP_RESTARTED).
    StepRestarted {
        /// This attempt's number (2 for the first retry).
        attempt: u32,
    },
    /// A step did not run because an upstream step failed.
    StepSkipped {
        /// Which upstream steps failed.
        upstream: Vec<String>,
    },
    /// A log message from user code.
    Log {
        /// "debug", "info", "warn" or "error".
        #[serde(deserialize_with = "level")]
        level: StaticStr,
        /// The message.
        message: String,
    },
}

// Named so that serde does not borrow it from the input (it is read back
// into one of the four static levels).
type StaticStr = &'static str;

/// A log level read back (events cross processes as JSON): one of the
/// four levels, anything else read as "info".
fn level<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let level = String::deserialize(d)?;
    Ok(match level.as_str() {
        "debug" => "debug",
        "warn" => "warn",
        "error" => "error",
        _ => "info",
    })
}

/// The kind of an event without its data, for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    /// [`EventKind::RunStart`]
    RunStart,
    /// [`EventKind::RunSuccess`]
    RunSuccess,
    /// [`EventKind::RunFailure`]
    RunFailure,
    /// [`EventKind::StepStart`]
    StepStart,
    /// [`EventKind::LoadedInput`]
    LoadedInput,
    /// [`EventKind::StepOutput`]
    StepOutput,
    /// [`EventKind::AssetMaterialization`]
    AssetMaterialization,
    /// [`EventKind::AssetObservation`]
    AssetObservation,
    /// [`EventKind::HandledOutput`]
    HandledOutput,
    /// [`EventKind::StepSuccess`]
    StepSuccess,
    /// [`EventKind::StepFailure`]
    StepFailure,
    /// [`EventKind::StepUpForRetry`]
    StepUpForRetry,
    /// [`EventKind::StepRestarted`]
    StepRestarted,
    /// [`EventKind::StepSkipped`]
    StepSkipped,
    /// [`EventKind::Log`]
    Log,
}

impl EventKind {
    /// The kind without data.
    pub fn event_type(&self) -> EventType {
        match self {
            EventKind::RunStart => EventType::RunStart,
            EventKind::RunSuccess => EventType::RunSuccess,
            EventKind::RunFailure { .. } => EventType::RunFailure,
            EventKind::StepStart => EventType::StepStart,
            EventKind::LoadedInput { .. } => EventType::LoadedInput,
            EventKind::StepOutput { .. } => EventType::StepOutput,
            EventKind::AssetMaterialization { .. } => EventType::AssetMaterialization,
            EventKind::AssetObservation { .. } => EventType::AssetObservation,
            EventKind::HandledOutput { .. } => EventType::HandledOutput,
            EventKind::StepSuccess => EventType::StepSuccess,
            EventKind::StepFailure { .. } => EventType::StepFailure,
            EventKind::StepUpForRetry { .. } => EventType::StepUpForRetry,
            EventKind::StepRestarted { .. } => EventType::StepRestarted,
            EventKind::StepSkipped { .. } => EventType::StepSkipped,
            EventKind::Log { .. } => EventType::Log,
        }
    }
}

impl Event {
    /// The kind without data.
    pub fn event_type(&self) -> EventType {
        self.kind.event_type()
    }
}

/// An event user code logs from a manager (`OutputContext::log_event`).
#[derive(Clone, Debug, PartialEq)]
pub enum UserEvent {
    /// An extra materialization.
    AssetMaterialization {
        /// The asset.
        asset_key: AssetKey,
        /// Optional description.
        description: Option<String>,
        /// Its metadata.
        metadata: Metadata,
        /// The partition, if any.
        partition: Option<String>,
    },
    /// An observation.
    AssetObservation {
        /// The asset.
        asset_key: AssetKey,
        /// Optional description.
        description: Option<String>,
        /// Its metadata.
        metadata: Metadata,
        /// The partition, if any.
        partition: Option<String>,
    },
}

impl UserEvent {
    pub(crate) fn into_event(self, step_key: Option<String>) -> Event {
        match self {
            UserEvent::AssetMaterialization {
                asset_key,
                description,
                metadata,
                partition,
            } => Event {
                message: description.unwrap_or_else(|| format!("Materialized value {asset_key}.")),
                kind: EventKind::AssetMaterialization {
                    asset_key,
                    partition,
                    metadata,
                },
                step_key,
                timestamp: SystemTime::now(),
            },
            UserEvent::AssetObservation {
                asset_key,
                description,
                metadata,
                partition,
            } => Event {
                message: description.unwrap_or_else(|| format!("Observed asset {asset_key}.")),
                kind: EventKind::AssetObservation {
                    asset_key,
                    partition,
                    metadata,
                },
                step_key,
                timestamp: SystemTime::now(),
            },
        }
    }
}

/// Called with each event as it happens (for progress displays).
pub type EventListener = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where a run's events go. Shared by the executor and the contexts' loggers.
#[derive(Default)]
pub(crate) struct EventLog {
    events: Mutex<Vec<Event>>,
    listener: Option<EventListener>,
    /// Set once the listener has panicked.
    listener_stopped: AtomicBool,
    /// Why the listener was stopped.
    listener_error: Mutex<Option<String>>,
}

impl EventLog {
    pub(crate) fn with_listener(listener: Option<EventListener>) -> Self {
        EventLog {
            events: Mutex::new(Vec::new()),
            listener,
            listener_stopped: AtomicBool::new(false),
            listener_error: Mutex::new(None),
        }
    }

    pub(crate) fn push(&self, kind: EventKind, step_key: Option<&str>, message: String) {
        tracing::debug!(target: "larder::events", step = step_key, "{message}");
        self.push_event(Event {
            kind,
            step_key: step_key.map(str::to_owned),
            message,
            timestamp: SystemTime::now(),
        });
    }

    pub(crate) fn push_event(&self, event: Event) {
        if let Some(listener) = &self.listener {
            // A listener that panicked once is not called again: its
            // panic must not escape the run, nor repeat for every event.
            if !self.listener_stopped.load(Ordering::Acquire)
                && let Err(e) = crate::guard::guarded(|| {
                    listener(&event);
                    Ok(())
                })
            {
                self.listener_stopped.store(true, Ordering::Release);
                tracing::warn!(target: "larder", "the event listener panicked and is no longer called: {e}");
                let mut error = self
                    .listener_error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                error.get_or_insert_with(|| format!("the event listener {e}"));
            }
        }
        if let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
    }

    /// The listener's panic, if it panicked.
    pub(crate) fn listener_error(&self) -> Option<String> {
        self.listener_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The events so far, leaving them in place.
    pub(crate) fn snapshot(&self) -> Vec<Event> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub(crate) fn take(&self) -> Vec<Event> {
        self.events
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default()
    }
}

/// The logger on contexts (Dagster's `context.log`): messages go to
/// `tracing` and, inside a run, become `Log` events.
#[derive(Clone, Default)]
pub struct Logger {
    sink: Option<Arc<EventLog>>,
    step_key: Option<Arc<str>>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("step_key", &self.step_key)
            .finish()
    }
}

impl Logger {
    pub(crate) fn for_step(sink: Arc<EventLog>, step_key: Arc<str>) -> Self {
        Logger {
            sink: Some(sink),
            step_key: Some(step_key),
        }
    }

    fn log(&self, level: &'static str, message: String) {
        let step = self.step_key.as_deref();
        match level {
            "debug" => tracing::debug!(target: "larder", step, "{message}"),
            "info" => tracing::info!(target: "larder", step, "{message}"),
            "warn" => tracing::warn!(target: "larder", step, "{message}"),
            _ => tracing::error!(target: "larder", step, "{message}"),
        }
        if let Some(sink) = &self.sink {
            sink.push(
                EventKind::Log {
                    level,
                    message: message.clone(),
                },
                step,
                message,
            );
        }
    }

    /// Records an event a manager logged, when inside a run.
    pub(crate) fn record(&self, event: UserEvent) {
        if let Some(sink) = &self.sink {
            sink.push_event(event.into_event(self.step_key.as_deref().map(str::to_owned)));
        }
    }

    /// Logs at debug level.
    pub fn debug(&self, message: impl std::fmt::Display) {
        self.log("debug", message.to_string());
    }
    /// Logs at info level.
    pub fn info(&self, message: impl std::fmt::Display) {
        self.log("info", message.to_string());
    }
    /// Logs at warn level.
    pub fn warn(&self, message: impl std::fmt::Display) {
        self.log("warn", message.to_string());
    }
    /// Logs at error level.
    pub fn error(&self, message: impl std::fmt::Display) {
        self.log("error", message.to_string());
    }
}
