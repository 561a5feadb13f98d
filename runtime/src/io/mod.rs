//! Storing and loading: the IO and input manager traits, the contexts a
//! manager receives, resources and their lifecycle. Built on the model;
//! knows nothing of definitions or of how a run is scheduled.

pub mod configurable_resource;
pub mod context;
pub(crate) mod declared;
#[doc(hidden)]
pub mod key;
pub mod lifecycle;
pub mod manager;
pub mod resources;
