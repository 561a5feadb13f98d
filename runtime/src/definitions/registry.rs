//! Discovery: what the macros register with `inventory`, and how
//! `Definitions::discover` collects it.

use std::collections::HashMap;

use crate::definitions::{AssetDefinition, Definitions, JobDefinition, OpDefinition};
use crate::error::Result;
use crate::io::resources::ResourceDefinition;

/// An `#[asset]` function.
#[doc(hidden)]
pub struct AssetRegistration {
    pub build: fn() -> AssetDefinition,
}

/// A `#[multi_asset]` function: its assets, built together so they share
/// one op (one step).
#[doc(hidden)]
pub struct MultiAssetRegistration {
    pub build: fn() -> crate::definitions::MultiAssetDefinition,
}

/// An `#[op]` function.
#[doc(hidden)]
pub struct OpRegistration {
    pub build: fn() -> OpDefinition,
}

/// A `#[job]` function.
#[doc(hidden)]
pub struct JobRegistration {
    pub build: fn() -> Result<JobDefinition>,
}

/// An asset job registered with `larder::asset_job!`.
#[doc(hidden)]
pub struct AssetJobRegistration {
    pub build: fn() -> Result<crate::definitions::AssetJob>,
}

/// A manager declared under a key.
#[doc(hidden)]
pub struct ManagerRegistration {
    pub key: &'static str,
    pub type_name: &'static str,
    pub location: &'static str,
    pub build: fn() -> ResourceDefinition,
}

inventory::collect!(AssetRegistration);
inventory::collect!(MultiAssetRegistration);
inventory::collect!(OpRegistration);
inventory::collect!(JobRegistration);
inventory::collect!(AssetJobRegistration);
inventory::collect!(ManagerRegistration);

// Here rather than beside `Definitions` so that definitions never import
// the registry: registrations build definitions, not the other way round.
impl Definitions {
    /// Everything declared with larder's macros in this binary: assets, ops,
    /// jobs, and managers bound under their declared keys.
    ///
    /// Only crates that are linked register: a dependency that defines
    /// assets but is never referenced is dropped by the linker. Reference it
    /// once, e.g. `use my_assets as _;` in `main.rs`.
    pub fn discover() -> Self {
        discover()
    }
}

fn discover() -> Definitions {
    let mut defs = Definitions::new();
    for r in inventory::iter::<AssetRegistration> {
        defs.assets.push((r.build)());
    }
    for r in inventory::iter::<MultiAssetRegistration> {
        defs.assets.extend((r.build)());
    }
    defs.assets.sort_by(|a, b| a.key.cmp(&b.key));
    for r in inventory::iter::<OpRegistration> {
        defs.ops.push((r.build)());
    }
    defs.ops.sort_by(|a, b| a.name.cmp(&b.name));
    for r in inventory::iter::<JobRegistration> {
        match (r.build)() {
            Ok(job) => defs.jobs.push(job),
            Err(e) => defs.problems.push(e.to_string()),
        }
    }
    defs.jobs.sort_by(|a, b| a.name.cmp(&b.name));
    for r in inventory::iter::<AssetJobRegistration> {
        match (r.build)() {
            Ok(job) => defs.asset_jobs.push(job),
            Err(e) => defs.problems.push(e.to_string()),
        }
    }
    defs.asset_jobs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut managers: Vec<&ManagerRegistration> =
        inventory::iter::<ManagerRegistration>.into_iter().collect();
    managers.sort_by_key(|m| (m.key, m.location));
    let mut seen: HashMap<&str, &ManagerRegistration> = HashMap::new();
    for m in managers {
        if let Some(first) = seen.get(m.key) {
            defs.problems.push(format!(
                "manager key `{}` is declared twice: by `{}` at {} and by `{}` at {}",
                m.key, first.type_name, first.location, m.type_name, m.location
            ));
            continue;
        }
        seen.insert(m.key, m);
        defs.resources.insert(m.key.to_owned(), (m.build)());
    }
    defs
}

/// The keys declared with larder's macros in this binary, sorted.
pub(crate) fn declared_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = inventory::iter::<ManagerRegistration>
        .into_iter()
        .map(|m| m.key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The definition of the manager declared under `key` with larder's macros
/// (`#[io_manager]`, `#[input_manager]`, the derives), to bind it explicitly,
/// e.g. in a job's `resource_defs`. An undeclared key gives a definition
/// whose initialization fails with the declared keys listed.
pub fn declared_manager(key: &str) -> ResourceDefinition {
    if let Some(m) = inventory::iter::<ManagerRegistration>
        .into_iter()
        .find(|m| m.key == key)
    {
        return (m.build)();
    }
    let declared = declared_keys();
    let message = format!(
        "no manager is declared with key `{key}`; declared keys: {}",
        if declared.is_empty() {
            "none".to_owned()
        } else {
            declared.join(", ")
        }
    );
    ResourceDefinition::new(
        crate::io::resources::ResourceKind::IOManager,
        move |_| -> Result<()> { Err(crate::error::Error::msg(message.clone())) },
    )
}
