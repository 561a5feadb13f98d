//! Retries and structured failures (Dagster's `RetryPolicy`,
//! `RetryRequested` and `Failure`): what a step may ask of the run when it
//! fails, and how long to wait before the next attempt.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::metadata::Metadata;

/// How the wait between attempts grows (Dagster's `Backoff`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backoff {
    /// The same delay each time.
    #[default]
    Constant,
    /// `delay × n` before retry `n`.
    Linear,
    /// `delay × (2ⁿ − 1)` before retry `n`.
    Exponential,
}

/// Randomness added to the wait (Dagster's `Jitter`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jitter {
    /// None.
    #[default]
    None,
    /// A random fraction of the wait.
    Full,
    /// The wait ± up to one `delay`.
    PlusMinus,
}

/// Retries a failed step up to `max_retries` times (Dagster's
/// `RetryPolicy`), on `#[asset(retry_policy = ..)]`, `#[op(retry_policy =
/// ..)]`, or as a job's or run's default (`op_retry_policy`).
///
/// ```
/// use larder::{Backoff, RetryPolicy};
/// use std::time::Duration;
///
/// let policy = RetryPolicy::new(3).delay(Duration::from_millis(100)).backoff(Backoff::Exponential);
/// assert_eq!(policy.wait_before_retry(1), Duration::from_millis(100));
/// assert_eq!(policy.wait_before_retry(3), Duration::from_millis(700));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    /// The base wait.
    pub delay: Duration,
    /// How the wait grows.
    pub backoff: Backoff,
    /// Randomness added to it.
    pub jitter: Jitter,
}

impl RetryPolicy {
    /// Up to `max_retries` retries, immediately.
    pub const fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            delay: Duration::ZERO,
            backoff: Backoff::Constant,
            jitter: Jitter::None,
        }
    }

    /// Waits `delay` (grown by the backoff) before each retry.
    pub const fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sets the backoff.
    pub const fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets the jitter.
    pub const fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The wait before retry number `retry` (1 for the first), as Dagster's
    /// `calculate_delay`.
    pub fn wait_before_retry(&self, retry: u32) -> Duration {
        let base = self.delay.as_secs_f64();
        let grown = match self.backoff {
            Backoff::Constant => base,
            Backoff::Linear => base * f64::from(retry),
            Backoff::Exponential => base * (2f64.powi(retry.min(62) as i32) - 1.0),
        };
        let waited = match self.jitter {
            Jitter::None => grown,
            Jitter::Full => random_unit() * grown,
            Jitter::PlusMinus => grown + (2.0 * random_unit() * base) - base,
        };
        Duration::try_from_secs_f64(waited.max(0.0)).unwrap_or(Duration::MAX)
    }
}

/// A number in `[0, 1)` from the operating system's randomness (jitter
/// needs no more).
fn random_unit() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u64_pair().0 >> 11;
    bits as f64 / (1u64 << 53) as f64
}

/// Returned from a step body, an IO manager or an input manager to ask for
/// another attempt of the step (Dagster's `RetryRequested`), whatever its
/// retry policy: up to `max_retries` retries, each after `wait`.
///
/// ```
/// use larder::RetryRequested;
/// fn fetch() -> larder::Result<i64> {
///     Err(RetryRequested::new(3).wait(std::time::Duration::from_secs(1)).into())
/// }
/// assert!(fetch().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryRequested {
    /// Retries allowed for this step.
    pub max_retries: u32,
    /// How long to wait first.
    pub wait: Duration,
    /// Why, for the step's events.
    pub reason: Option<String>,
}

impl RetryRequested {
    /// Up to `max_retries` retries, immediately.
    pub fn new(max_retries: u32) -> Self {
        RetryRequested {
            max_retries,
            wait: Duration::ZERO,
            reason: None,
        }
    }

    /// Waits `wait` before the retry (Dagster's `seconds_to_wait`).
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Says why (shown in the STEP_UP_FOR_RETRY event).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

impl fmt::Display for RetryRequested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Some(r) => write!(f, "retry requested: {r}"),
            None => f.write_str("retry requested"),
        }
    }
}

impl std::error::Error for RetryRequested {}

impl From<RetryRequested> for crate::error::Error {
    fn from(r: RetryRequested) -> Self {
        crate::error::Error::User(Box::new(r))
    }
}

/// A failure with a description and metadata for the STEP_FAILURE event
/// (Dagster's `Failure`), from a step body or a manager. With
/// `allow_retries(false)`, the step's retry policy does not retry it.
///
/// ```
/// use larder::{Failure, metadata};
/// fn check(rows: usize) -> larder::Result<()> {
///     Err(Failure::new("no rows arrived").metadata(metadata! { "rows" => rows }).into())
/// }
/// assert_eq!(check(0).unwrap_err().to_string(), "no rows arrived");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// What went wrong.
    pub description: String,
    /// Recorded on the STEP_FAILURE event.
    pub metadata: Metadata,
    /// Whether a retry policy may retry it (default `true`).
    pub allow_retries: bool,
}

impl Failure {
    /// A failure described by `description`.
    pub fn new(description: impl Into<String>) -> Self {
        Failure {
            description: description.into(),
            metadata: Metadata::new(),
            allow_retries: true,
        }
    }

    /// Adds metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata.extend(metadata);
        self
    }

    /// Whether a retry policy may retry it.
    pub fn allow_retries(mut self, allow: bool) -> Self {
        self.allow_retries = allow;
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl std::error::Error for Failure {}

impl From<Failure> for crate::error::Error {
    fn from(failure: Failure) -> Self {
        crate::error::Error::User(Box::new(failure))
    }
}

/// The `RetryRequested` or `Failure` an error carries, through the
/// boundaries it crossed.
pub(crate) fn requested_retry(e: &crate::error::Error) -> Option<&RetryRequested> {
    match e.root() {
        crate::error::Error::User(b) => b.downcast_ref::<RetryRequested>(),
        _ => None,
    }
}

/// The `Failure` an error carries, if any.
pub(crate) fn failure(e: &crate::error::Error) -> Option<&Failure> {
    match e.root() {
        crate::error::Error::User(b) => b.downcast_ref::<Failure>(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_as_dagsters_calculate_delay() {
        let d = Duration::from_secs(2);
        let constant = RetryPolicy::new(5).delay(d);
        assert_eq!(constant.wait_before_retry(3), d);
        let linear = constant.backoff(Backoff::Linear);
        assert_eq!(linear.wait_before_retry(3), Duration::from_secs(6));
        let exp = constant.backoff(Backoff::Exponential);
        assert_eq!(exp.wait_before_retry(1), Duration::from_secs(2));
        assert_eq!(exp.wait_before_retry(2), Duration::from_secs(6));
        for _ in 0..100 {
            let full = exp.jitter(Jitter::Full).wait_before_retry(2);
            assert!(full <= Duration::from_secs(6));
            let pm = constant.jitter(Jitter::PlusMinus).wait_before_retry(1);
            assert!(pm <= Duration::from_secs(4));
        }
        assert_eq!(RetryPolicy::new(1).wait_before_retry(1), Duration::ZERO);
    }
}
