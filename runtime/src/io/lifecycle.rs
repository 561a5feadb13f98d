//! Setup and teardown hooks for resources and managers (Dagster's
//! `setup_for_execution` / `teardown_after_execution`).

use crate::error::Result;
use crate::io::resources::InitContext;

/// Hooks run around each run for a resource or manager. Implement it on a
/// `#[derive(ConfigurableIOManager)]` struct or on the type an
/// `#[io_manager]` function returns, and larder calls it.
pub trait ResourceLifecycle {
    /// Called after the resource is built for a run, before any step.
    fn setup_for_execution(&mut self, _ctx: &mut InitContext) -> Result<()> {
        Ok(())
    }

    /// Called when the run ends, before the resource is dropped.
    fn teardown_after_execution(&self, _ctx: &mut InitContext) -> Result<()> {
        Ok(())
    }
}
