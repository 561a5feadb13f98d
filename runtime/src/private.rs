//! Not public API. The only surface generated code touches; everything here
//! may change in any release.

pub use crate::{
    __config_json as config_json, __dyn_support as dyn_support, __lifecycle as lifecycle, type_info,
};

pub use crate::definitions::asset_job::IntoAssetJob;
pub use crate::definitions::registry::{
    AssetJobRegistration, AssetRegistration, JobRegistration, ManagerRegistration,
    MultiAssetRegistration, OpRegistration,
};
pub use crate::error::user_error;
pub use crate::io::declared::{
    DynSupport, Lifecycle, configurable_at_launch, configurable_shared, factory_at_launch,
    factory_definition, into_definition, manager_definition, manager_probe,
};
pub use crate::io::manager::{LoadInput, ManagedBy, TypedLoader, TypedOutput, via};
pub use crate::model::types::probe;
pub use inventory;
pub use serde;
pub use serde_json;
