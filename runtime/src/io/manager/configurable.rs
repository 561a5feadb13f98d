//! The traits behind `#[derive(ConfigurableIOManager)]` and
//! `#[derive(ConfigurableIOManagerFactory)]`: config structs (serde) that
//! are, or build, an IO manager.

use crate::error::Result;
use crate::io::resources::{InitContext, ResourceDefinition};

/// A config struct that is itself the IO manager. Implemented by
/// `#[derive(ConfigurableIOManager)]`; you implement [`IOManager<T>`](crate::IOManager)
/// for the types it stores.
pub trait ConfigurableIOManager: Sized + Send + Sync + 'static {
    /// The key declared with `#[io_manager(key = "...")]`.
    const KEY: &'static str;

    /// This manager, with this config, as a resource to bind.
    fn into_definition(self) -> ResourceDefinition;

    /// The manager configured at launch: its config comes from the run
    /// config's `resources.<key>.config` (Dagster's `configure_at_launch`).
    fn configure_at_launch() -> ResourceDefinition;
}

/// A config struct that builds an IO manager for each run, e.g. by opening a
/// connection. Implement it, and derive `ConfigurableIOManagerFactory` to
/// declare its key.
pub trait ConfigurableIOManagerFactory: Send + Sync + 'static {
    /// The manager this factory builds.
    type Manager: Send + Sync + 'static;

    /// Builds the manager for a run.
    fn create_io_manager(&self, ctx: &mut InitContext) -> Result<Self::Manager>;

    /// Called when a run ends, before the manager is dropped.
    fn teardown_after_execution(
        &self,
        _manager: &Self::Manager,
        _ctx: &mut InitContext,
    ) -> Result<()> {
        Ok(())
    }
}
