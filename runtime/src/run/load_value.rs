//! `Definitions::load_asset_value`: an asset's stored value, read through
//! its IO manager outside any run (Dagster's `Definitions.load_asset_value`).
//! The read is the input of a one-step run that is not recorded, so it uses
//! exactly the run's code path: resources, partitions, config, adapters.

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

use super::RunOptions;
use crate::definitions::{AssetDefinition, AssetIn, Definitions};
use crate::error::{Error, Result};
use crate::model::asset_key::AssetKey;
use crate::model::instance::Instance;
use crate::model::types::TypeInfo;

/// The loading step's key: not a name a user's asset can have (keys start
/// with a letter or `_`, and this one is reserved by its prefix).
const LOADER: &str = "__larder_load_asset_value";

impl Definitions {
    /// The stored value of asset `key`, loaded by its IO manager as a `T`,
    /// outside any run: nothing is materialized or recorded.
    /// `options` gives the partition (`partition_key`), run config for the
    /// manager's resources, and the instance.
    ///
    /// ```
    /// use larder::prelude::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let numbers = AssetDefinition::builder("numbers")
    ///     .output_type(larder::type_info!(Vec<i64>))
    ///     .compute(|io| io.output("result", vec![1_i64, 2]));
    /// let defs = Definitions::new().asset(numbers).resource("io_manager", FilesystemIOManager::new(dir.path()));
    /// defs.materialize_all().unwrap();
    /// let value: Vec<i64> = defs.load_asset_value("numbers", RunOptions::new()).unwrap();
    /// assert_eq!(value, [1, 2]);
    /// ```
    pub fn load_asset_value<T: Any + Send + Sync>(
        &self,
        key: impl Into<AssetKey>,
        options: RunOptions,
    ) -> Result<T> {
        let key = key.into();
        let asset = self.get_asset(key.clone())?;
        let ty: &'static TypeInfo = match asset.type_info() {
            Some(t) if t.id == TypeId::of::<T>() => t,
            Some(t) if t.is_unit() => TypeInfo::leak(TypeInfo::opaque::<T>()),
            Some(t) => {
                return Err(Error::TypeMismatch {
                    what: format!("the stored value of asset `{key}`"),
                    expected: std::any::type_name::<T>(),
                    found: t.name.to_owned(),
                });
            }
            None => TypeInfo::leak(TypeInfo::opaque::<T>()),
        };
        if asset.partitions_def().is_some() && options.partition.is_none() {
            return Err(Error::msg(format!(
                "asset `{key}` is partitioned: say which partition to load (RunOptions::partition_key)"
            )));
        }
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let loader = loader(asset, key.clone(), ty, slot.clone());
        let instance = match &options.instance {
            Some(i) => i.clone(),
            None => Instance::from_env()?,
        };
        self.clone()
            .asset(loader)
            .run(
                options
                    .selection([AssetKey::new([LOADER])])
                    .instance(instance.without_history())
                    .raise_on_error(true),
            )
            .map_err(|e| match e {
                Error::RunFailed { source, .. } => *source,
                other => other,
            })?;
        let value = slot.lock().ok().and_then(|mut s| s.take());
        value.ok_or_else(|| Error::msg(format!("asset `{key}` was loaded, but no value came back")))
    }
}

/// The one-step asset whose input is `asset` and whose body keeps it.
fn loader<T: Any + Send + Sync>(
    asset: &AssetDefinition,
    key: AssetKey,
    ty: &'static TypeInfo,
    slot: Arc<Mutex<Option<T>>>,
) -> AssetDefinition {
    let mut b = AssetDefinition::builder(LOADER).input(AssetIn::new("value", ty).key(key));
    if let Some(def) = asset.partitions_def() {
        b = b.partitions_def(def.clone());
    }
    b.compute(move |io| {
        let value: T = io.take_input(0)?;
        if let Ok(mut s) = slot.lock() {
            *s = Some(value);
        }
        Ok(())
    })
}
