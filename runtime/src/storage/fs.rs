//! `FilesystemIOManager`: values serialized with serde to files laid out as
//! Dagster lays them out: op outputs at `<base>/<run_id>/<step>/<output>`,
//! assets at `<base>/<asset key path>`. Writes are atomic.

use std::any::Any;
use std::any::TypeId;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::codec::{Codec, CodecError};
use super::row_count::row_count;
use super::upath::manager::{describe_input, describe_output};
use super::upath::{UPath, default_partition_path, input_path, output_path};
use crate::error::{Error, Result};
use crate::io::context::{InputContext, OutputContext};
use crate::io::manager::{DynIOManager, IOManager, IOManagerDefinition};
use crate::io::resources::{InitContext, IntoResourceDefinition, ResourceDefinition, ResourceKind};
use crate::model::metadata::{Metadata, MetadataValue, ROW_COUNT};
use crate::model::types::{TypeInfo, Value};

fn yes() -> bool {
    true
}

/// `base_dir = "/data"` or `base_dir = { env = "DATA_DIR" }`.
fn path_or_env<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<PathBuf>, D::Error> {
    let value: Option<crate::model::config::EnvVar> = Option::deserialize(d)?;
    value
        .map(|v| {
            v.get()
                .map(PathBuf::from)
                .map_err(|e| serde::de::Error::custom(e.root()))
        })
        .transpose()
}

/// Stores values as files with a serde codec (MessagePack by default).
///
/// `base_dir` comes from its config; when unset, from the instance: the
/// `storage.base_dir` of `larder.toml`, else `$LARDER_HOME/storage`, else a
/// temporary directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesystemIOManager {
    /// Where files go: a path, or `{ env = "VAR" }` naming one.
    #[serde(default, deserialize_with = "path_or_env")]
    pub base_dir: Option<PathBuf>,
    /// How values are encoded.
    #[serde(default)]
    pub codec: Codec,
    /// Whether each write is fsynced (file and directory) before it counts.
    #[serde(default = "yes")]
    pub durable: bool,
}

impl FilesystemIOManager {
    /// A manager writing under `base_dir`, MessagePack, durable writes.
    pub fn new(base_dir: impl Into<PathBuf>) -> Self {
        FilesystemIOManager {
            base_dir: Some(base_dir.into()),
            codec: Codec::MessagePack,
            durable: true,
        }
    }

    /// Uses `codec`.
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Turns fsync on or off.
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// Fills in `base_dir` from the instance when it is unset.
    pub fn setup_for_execution(&mut self, ctx: &mut InitContext) -> Result<()> {
        if self.base_dir.is_none() {
            self.base_dir = Some(ctx.instance().storage_directory().to_path_buf());
        }
        Ok(())
    }

    fn base(&self) -> Result<&Path> {
        self.base_dir.as_deref().ok_or_else(|| {
            Error::msg("FilesystemIOManager has no base_dir: set one, or bind it as a resource so the instance's storage directory is used")
        })
    }

    /// The file for an output (the UPath layout on local disk).
    pub fn path_for_output(&self, ctx: &OutputContext) -> Result<PathBuf> {
        let base = UPath::local(self.base()?);
        let path = output_path(
            &base,
            ctx,
            "",
            |k| k.path().to_vec(),
            default_partition_path,
        )?;
        Ok(path.as_local().unwrap_or_default())
    }

    /// The file for an input (the UPath layout on local disk).
    pub fn path_for_input(&self, ctx: &InputContext) -> Result<PathBuf> {
        let base = UPath::local(self.base()?);
        let path = input_path(
            &base,
            ctx,
            "",
            |k| k.path().to_vec(),
            default_partition_path,
        )?;
        Ok(path.as_local().unwrap_or_default())
    }

    /// Where Dagster's legacy layout put a multi-partition input: its key
    /// as one path component (`<asset>/c|2020-04-22`).
    fn legacy_path_for_input(&self, ctx: &InputContext) -> Option<PathBuf> {
        let key = ctx.single_asset_partition()?;
        if !key.contains(crate::model::partitions::MULTI_PARTITION_KEY_DELIMITER) {
            return None;
        }
        let base = UPath::local(self.base().ok()?);
        let path = input_path(
            &base,
            ctx,
            "",
            |k| k.path().to_vec(),
            |asset, partition| asset.join(&[partition], &format!("partition {partition}")),
        )
        .ok()?;
        path.as_local()
    }

    fn write(
        &self,
        ctx: &mut OutputContext,
        type_name: &'static str,
        rows: Option<u64>,
        encode: impl FnOnce(&mut dyn Write) -> std::result::Result<(), CodecError>,
    ) -> Result<()> {
        let path = self.path_for_output(ctx)?;
        clear_unpartitioned_file(ctx, &path)?;
        let what = describe_output(ctx);
        write_atomic(&path, self.durable, |w| {
            encode(w).map_err(|message| Error::Codec {
                what: what.clone(),
                location: path.display().to_string(),
                action: "encoded",
                type_name,
                codec: self.codec.name(),
                message,
            })
        })?;
        let mut metadata = Metadata::from([("path".to_owned(), MetadataValue::path(&path))]);
        if let Some(rows) = rows {
            metadata.insert(ROW_COUNT.to_owned(), MetadataValue::from(rows));
        }
        ctx.add_output_metadata(metadata)
    }

    fn read<T>(
        &self,
        ctx: &mut InputContext,
        type_name: &'static str,
        decode: impl FnOnce(File) -> std::result::Result<T, CodecError>,
    ) -> Result<T> {
        let mut path = self.path_for_input(ctx)?;
        let what = describe_input(ctx);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Dagster before 1.4 kept a multi-partition as one
                // component, `<asset>/c|2020-04-22`: read data written so.
                match self
                    .legacy_path_for_input(ctx)
                    .and_then(|legacy| File::open(&legacy).ok().map(|f| (legacy, f)))
                {
                    Some((legacy, f)) => {
                        path = legacy;
                        f
                    }
                    None => {
                        return Err(Error::NotMaterialized {
                            what,
                            location: path.display().to_string(),
                        });
                    }
                }
            }
            Err(e) => {
                return Err(Error::Io {
                    action: "reading",
                    path: path.display().to_string(),
                    source: e,
                });
            }
        };
        let value = decode(file).map_err(|message| Error::Codec {
            what,
            location: path.display().to_string(),
            action: "decoded",
            type_name,
            codec: self.codec.name(),
            message,
        })?;
        ctx.add_input_metadata(
            Metadata::from([("path".to_owned(), MetadataValue::path(&path))]),
            None,
        )?;
        Ok(value)
    }
}

/// An asset that was stored unpartitioned and is now partitioned has a
/// file where its directory must go: remove it (Dagster does the same).
fn clear_unpartitioned_file(ctx: &OutputContext, path: &Path) -> Result<()> {
    if !ctx.has_asset_partitions() {
        return Ok(());
    }
    let Ok(key) = ctx.asset_key() else {
        return Ok(());
    };
    let mut dir = path.to_path_buf();
    for _ in ctx
        .asset_partition_key()?
        .split(crate::model::partitions::MULTI_PARTITION_KEY_DELIMITER)
    {
        dir.pop();
    }
    if dir.is_file() {
        ctx.log().warn(format!(
            "Found file at {} believed to correspond with previously non-partitioned version of asset `{key}`; removing it so its partitions can be stored",
            dir.display()
        ));
        std::fs::remove_file(&dir).map_err(|e| Error::Io {
            action: "removing the unpartitioned file",
            path: dir.display().to_string(),
            source: e,
        })?;
    }
    Ok(())
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> IOManager<T> for FilesystemIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &T) -> Result<()> {
        let codec = self.codec;
        let rows = row_count(obj);
        self.write(ctx, std::any::type_name::<T>(), rows, |w| {
            codec.encode(w, obj)
        })
    }

    fn load_input(&self, ctx: &mut InputContext) -> Result<T> {
        let codec = self.codec;
        self.read(ctx, std::any::type_name::<T>(), |file| {
            match codec.decode_fast(&file, TypeId::of::<T>())? {
                Some(v) => v
                    .downcast::<T>()
                    .map(|b| *b)
                    .map_err(|_| "fast path produced another type".to_owned()),
                None => codec.decode(BufReader::new(file)),
            }
        })
    }
}

pub(crate) fn needs_serde(ty: &TypeInfo) -> std::result::Result<(), String> {
    match (ty.serialize.is_some(), ty.deserialize.is_some()) {
        (true, true) => Ok(()),
        (false, false) => Err(format!(
            "it writes files with serde, so `{}` must implement Serialize and Deserialize",
            ty.short_name()
        )),
        (false, true) => Err(format!(
            "it writes files with serde, so `{}` must implement Serialize",
            ty.short_name()
        )),
        (true, false) => Err(format!(
            "it reads files with serde, so `{}` must implement Deserialize",
            ty.short_name()
        )),
    }
}

impl DynIOManager for FilesystemIOManager {
    fn supports_output(ty: &TypeInfo) -> std::result::Result<(), String> {
        needs_serde(ty)
    }

    fn supports_input(ty: &TypeInfo) -> std::result::Result<(), String> {
        needs_serde(ty)
    }

    fn handle_output_dyn(
        &self,
        ctx: &mut OutputContext,
        value: &(dyn Any + Send + Sync),
        ty: &TypeInfo,
    ) -> Result<()> {
        let codec = self.codec;
        let rows = ty.serialize.and_then(|s| s(value)).and_then(row_count);
        self.write(ctx, ty.name, rows, |w| codec.encode_dyn(w, value, ty))
    }

    fn load_input_dyn(&self, ctx: &mut InputContext, ty: &TypeInfo) -> Result<Value> {
        let codec = self.codec;
        self.read(ctx, ty.name, |file| {
            match codec.decode_fast(&file, ty.id)? {
                Some(v) => Ok(v),
                None => codec.decode_dyn(BufReader::new(file), ty),
            }
        })
    }
}

impl IntoResourceDefinition for FilesystemIOManager {
    /// Binds this manager; an unset `base_dir` becomes the instance's
    /// storage directory when a run starts.
    fn into_resource_definition(self) -> ResourceDefinition {
        let resource_config = serde_json::to_value(&self).unwrap_or_default();
        ResourceDefinition::new(ResourceKind::IOManager, move |ctx| {
            let mut m = self.clone();
            m.setup_for_execution(ctx)?;
            Ok(m)
        })
        .with_dyn::<FilesystemIOManager>()
        .configured(resource_config)
        .config_type::<FilesystemIOManager>()
        .description("Built-in filesystem IO manager that stores and retrieves values using serde.")
    }
}

impl crate::io::lifecycle::ResourceLifecycle for FilesystemIOManager {
    fn setup_for_execution(&mut self, ctx: &mut InitContext) -> Result<()> {
        FilesystemIOManager::setup_for_execution(self, ctx)
    }
}

/// The filesystem manager as a definition, configured at launch from
/// `resources.<key>.config` (`base_dir`, `codec`, `durable`).
pub fn fs_io_manager() -> IOManagerDefinition {
    IOManagerDefinition::new_dyn(|ctx: &mut InitContext| {
        let mut m: FilesystemIOManager = ctx.config()?;
        m.setup_for_execution(ctx)?;
        Ok(m)
    })
    .config_type::<FilesystemIOManager>()
    .description("Built-in filesystem IO manager that stores and retrieves values using serde.")
}

// `IOManagerDefinition::hardcoded(FilesystemIOManager)` serves any serde type too.
inventory::submit! { crate::io::manager::dyn_manager_type::<FilesystemIOManager>() }
