//! The trait behind `#[derive(ConfigurableResource)]`: a config struct (serde)
//! that is itself a plain resource, such as an API client's settings
//! (Dagster's `ConfigurableResource`).

use crate::io::resources::ResourceDefinition;

/// A config struct that is itself a resource. Implemented by
/// `#[derive(ConfigurableResource)]` with `#[resource(key = "...")]`.
pub trait ConfigurableResource: Sized + Send + Sync + 'static {
    /// The key declared with `#[resource(key = "...")]`.
    const KEY: &'static str;

    /// This resource, with this config, to bind (shared by runs).
    fn into_definition(self) -> ResourceDefinition;

    /// The resource built for each run from the run config's
    /// `resources.<key>.config` (Dagster's `configure_at_launch`).
    fn configure_at_launch() -> ResourceDefinition;
}
