//! The one guard every user callback runs under (step bodies, manager
//! calls, resource init and setup, teardown, event listeners): a panic
//! becomes an error naming what panicked instead of unwinding into the
//! caller of `run`.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Error, Result};

/// Turns a panic payload into an error.
pub(crate) fn panic_error(payload: Box<dyn Any + Send>) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
    Error::Panic(message)
}

/// Runs `f`, turning a panic into an error.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    // The callback's state is not looked at again after a panic, only the
    // error is kept, so observing a broken invariant is not a concern.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(p)))
}

/// Like [`guarded`] for the typed adapters, which answer `None` when the
/// bound manager is not the declared type.
pub(crate) fn guarded_opt<T>(f: impl FnOnce() -> Option<Result<T>>) -> Option<Result<T>> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Some(Err(panic_error(p))))
}
