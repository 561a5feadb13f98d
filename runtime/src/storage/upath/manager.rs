//! `UPathIOManager`: the trait for path-based managers (Dagster's class of
//! the same name). Implement `dump_to_path` and `load_from_path` for the
//! types you store; wrap the manager in [`UPathManager`] with a base path,
//! and it is an `IOManager`: paths laid out as Dagster lays them out,
//! `path` metadata, partitions, and missing files explained.

use super::UPath;
use crate::error::{Error, Result};
use crate::io::context::{InputContext, OutputContext};
use crate::io::manager::IOManager;
use crate::model::asset_key::AssetKey;
use crate::model::metadata::{Metadata, MetadataValue};

/// A path-based manager storing `T`.
///
/// ```
/// use larder::prelude::*;
/// use larder::storage::upath::{UPath, UPathIOManager, UPathManager, WriteMode};
///
/// struct JsonLines;
/// impl UPathIOManager<Vec<String>> for JsonLines {
///     fn extension(&self) -> &str { ".json" }
///     fn dump_to_path(&self, _: &mut OutputContext, obj: &Vec<String>, path: &UPath) -> larder::Result<()> {
///         path.write(serde_json::to_vec(obj)?, WriteMode::Overwrite)
///     }
///     fn load_from_path(&self, _: &mut InputContext, path: &UPath) -> larder::Result<Vec<String>> {
///         Ok(serde_json::from_slice(&path.read()?)?)
///     }
/// }
/// let dir = tempfile::tempdir().unwrap();
/// let manager = UPathManager::new(UPath::local(dir.path()), JsonLines);
/// let mut out = build_output_context().asset_key("names").build();
/// IOManager::handle_output(&manager, &mut out, &vec!["ada".to_owned()]).unwrap();
/// assert!(dir.path().join("names.json").is_file());
/// ```
pub trait UPathIOManager<T>: Send + Sync + 'static {
    /// Appended to every file name, after any partition key (`.json`).
    fn extension(&self) -> &str {
        ""
    }

    /// Writes `obj` at `path`.
    fn dump_to_path(&self, ctx: &mut OutputContext, obj: &T, path: &UPath) -> Result<()>;

    /// Reads the value at `path`.
    fn load_from_path(&self, ctx: &mut InputContext, path: &UPath) -> Result<T>;

    /// Metadata recorded with each output, merged after `path` (so it may
    /// replace it).
    fn get_metadata(&self, _ctx: &OutputContext, _obj: &T) -> Metadata {
        Metadata::new()
    }

    /// Where an asset lives below the base path (default: its key's path).
    fn get_asset_relative_path(&self, key: &AssetKey) -> Vec<String> {
        key.path().to_vec()
    }

    /// Where one partition of an asset lives (default: `<asset>/<key>`, a
    /// multi-partition key's values as nested directories).
    fn get_path_for_partition(&self, asset_path: &UPath, partition: &str) -> Result<UPath> {
        default_partition_path(asset_path, partition)
    }

    /// Loads an input that covers several upstream partitions into one `T`
    /// (e.g. one table from many files). By default that is an error: load
    /// them as `PartitionMap<T>` instead, which the runtime does partition
    /// by partition.
    fn load_partitions(&self, ctx: &mut InputContext, _base: &UPath) -> Result<T> {
        let keys = ctx.asset_partition_keys()?;
        Err(Error::msg(format!(
            "{} loads {} partitions into a single `{}`; declare the input `PartitionMap<{}>` to get one value per partition, or override `load_partitions` to merge them",
            describe_input(ctx),
            keys.len(),
            std::any::type_name::<T>(),
            std::any::type_name::<T>()
        )))
    }
}

/// A [`UPathIOManager`] with its base path: an `IOManager` for every type the
/// inner manager stores.
#[derive(Clone, Debug)]
pub struct UPathManager<M> {
    base: UPath,
    inner: M,
}

impl<M> UPathManager<M> {
    /// `inner` storing under `base`.
    pub fn new(base: UPath, inner: M) -> Self {
        UPathManager { base, inner }
    }

    /// The base path.
    pub fn base_path(&self) -> &UPath {
        &self.base
    }

    /// The inner manager.
    pub fn inner(&self) -> &M {
        &self.inner
    }
}

/// `<asset path>/<partition>`; a multi-partition key `a|2020-01-01` (its
/// values ordered by dimension name) becomes `<asset path>/a/2020-01-01`.
pub fn default_partition_path(asset_path: &UPath, partition: &str) -> Result<UPath> {
    let segments: Vec<&str> = partition
        .split(crate::model::partitions::MULTI_PARTITION_KEY_DELIMITER)
        .collect();
    asset_path.join(&segments, &format!("partition {partition}"))
}

/// The layout both contexts share: an asset's path (plus its one partition)
/// when there is an asset, else the run-scoped identifier; then the extension.
fn layout(
    base: &UPath,
    asset: Option<(&AssetKey, Option<&str>)>,
    run_scoped: impl FnOnce() -> Result<(Vec<String>, String)>,
    extension: &str,
    asset_path: impl Fn(&AssetKey) -> Vec<String>,
    partition_path: impl Fn(&UPath, &str) -> Result<UPath>,
) -> Result<UPath> {
    let path = match asset {
        Some((key, partition)) => {
            let relative = asset_path(key);
            if relative.is_empty() {
                // The base itself is no place for one asset's value.
                return Err(Error::InvalidAssetKey {
                    key: format!("{:?}", key.path()),
                    why: "its relative path is empty, so it would be stored as the base directory itself".to_owned(),
                });
            }
            let path = base.join(&relative, &format!("asset `{key}`"))?;
            match partition {
                Some(p) => partition_path(&path, p)?,
                None => path,
            }
        }
        None => {
            let (id, what) = run_scoped()?;
            base.join(&id, &what)?
        }
    };
    Ok(if extension.is_empty() {
        path
    } else {
        path.with_suffix(extension)
    })
}

/// Where an output is stored: `<base>/<asset path>[/<partition>]<ext>` for
/// assets, `<base>/<run_id>/<step>/<output><ext>` for op outputs.
pub fn output_path(
    base: &UPath,
    ctx: &OutputContext,
    extension: &str,
    asset_path: impl Fn(&AssetKey) -> Vec<String>,
    partition_path: impl Fn(&UPath, &str) -> Result<UPath>,
) -> Result<UPath> {
    // An invalid key is an error, never a reason to fall back to the
    // run-scoped layout.
    let asset = match ctx.has_asset_key() {
        true if ctx.has_asset_partitions() => {
            Some((ctx.asset_key()?, Some(ctx.asset_partition_key()?)))
        }
        true => Some((ctx.asset_key()?, None)),
        false => None,
    };
    let run_scoped = || {
        Ok((
            ctx.get_identifier()?,
            format!("output `{}` of step `{}`", ctx.name()?, ctx.step_key()?),
        ))
    };
    layout(
        base,
        asset,
        run_scoped,
        extension,
        asset_path,
        partition_path,
    )
}

/// Where an input is read from (see [`output_path`]).
pub fn input_path(
    base: &UPath,
    ctx: &InputContext,
    extension: &str,
    asset_path: impl Fn(&AssetKey) -> Vec<String>,
    partition_path: impl Fn(&UPath, &str) -> Result<UPath>,
) -> Result<UPath> {
    // An invalid key is an error, never a reason to fall back to the
    // run-scoped layout.
    let asset = match ctx.has_asset_key() {
        true if ctx.has_asset_partitions() => {
            Some((ctx.asset_key()?, Some(ctx.asset_partition_key()?)))
        }
        true => Some((ctx.asset_key()?, None)),
        false => None,
    };
    let run_scoped = || Ok((ctx.get_identifier()?, format!("input `{}`", ctx.name()?)));
    layout(
        base,
        asset,
        run_scoped,
        extension,
        asset_path,
        partition_path,
    )
}

/// What an output is, for messages: an asset's partition, an asset, or a
/// step's output.
pub(crate) fn describe_output(ctx: &OutputContext) -> String {
    match (ctx.asset_key(), ctx.single_asset_partition()) {
        (Ok(k), Some(p)) => format!("partition {p} of asset `{k}`"),
        (Ok(k), None) => format!("asset `{k}`"),
        _ => format!(
            "output `{}` of step `{}`",
            ctx.name().unwrap_or("?"),
            ctx.step_key().unwrap_or("?")
        ),
    }
}

/// What an input loads, for messages (see [`describe_output`]).
pub(crate) fn describe_input(ctx: &InputContext) -> String {
    match (ctx.asset_key(), ctx.single_asset_partition()) {
        (Ok(k), Some(p)) => format!("partition {p} of asset `{k}`"),
        (Ok(k), None) => format!("asset `{k}`"),
        _ => match ctx.upstream_output() {
            Some(up) => format!(
                "output `{}` of step `{}`",
                up.name().unwrap_or("?"),
                up.step_key().unwrap_or("?")
            ),
            None => format!("input `{}`", ctx.name().unwrap_or("?")),
        },
    }
}

impl<T, M: UPathIOManager<T>> IOManager<T> for UPathManager<M> {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &T) -> Result<()> {
        let path = output_path(
            &self.base,
            ctx,
            self.inner.extension(),
            |k| self.inner.get_asset_relative_path(k),
            |p, k| self.inner.get_path_for_partition(p, k),
        )?;
        self.inner.dump_to_path(ctx, obj, &path)?;
        let mut metadata =
            Metadata::from([("path".to_owned(), MetadataValue::Path(path.to_string()))]);
        metadata.extend(self.inner.get_metadata(ctx, obj));
        ctx.add_output_metadata(metadata)
    }

    fn load_input(&self, ctx: &mut InputContext) -> Result<T> {
        if ctx.has_asset_partitions()
            && ctx.asset_partition_keys().map(|k| k.len()).unwrap_or(1) != 1
        {
            return self.inner.load_partitions(ctx, &self.base);
        }
        let path = input_path(
            &self.base,
            ctx,
            self.inner.extension(),
            |k| self.inner.get_asset_relative_path(k),
            |p, k| self.inner.get_path_for_partition(p, k),
        )?;
        let value = self.inner.load_from_path(ctx, &path).map_err(|e| match e {
            Error::NotMaterialized { location, .. } => Error::NotMaterialized {
                what: describe_input(ctx),
                location,
            },
            other => other,
        })?;
        ctx.add_input_metadata(
            Metadata::from([("path".to_owned(), MetadataValue::Path(path.to_string()))]),
            None,
        )?;
        Ok(value)
    }
}
