//! What the user wrote, read into plain data: one `StepFn` for `#[asset]`
//! and `#[op]`, one `ManagerDecl` for every manager declaration, and the
//! job's wiring. Parsing records the mistakes of each value (a key's
//! syntax, an empty name) where it reads them; what needs more than one
//! value, or the signature, is `check.rs`'s; tokens are `expand`'s.

mod dynamic;
mod job;
mod manager;
pub mod multi_asset;
mod step;

pub use dynamic::{Collect, MapOver, Mapped};
pub use job::{Invocation, JobArgs, JobFn, Wire, WireArg, parse_resource_defs};
pub use manager::{CtxParam, ManagerArgs, ManagerDecl, ManagerItem, ManagerKind};
pub use step::{
    Dep, InSpec, OutSpec, OutputDecl, StepArgs, StepFn, StepKind, asset_key, checked_components,
    parse_deps, parse_ins, parse_out, parse_outs, parse_resources,
};
