//! `SerdeFiles`: values serialized with a codec, one object per output, on
//! any `UPath` — local disk, memory, S3, Azure, GCS. Wrapped in a
//! `UPathManager`, it serves any serde type, including under the default
//! `io_manager` key.

use std::any::Any;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::manager::{describe_input, describe_output};
use super::{
    UPath, UPathIOManager, UPathManager, WriteMode, default_partition_path, input_path, output_path,
};
use crate::error::{Error, Result};
use crate::io::context::{InputContext, OutputContext};
use crate::io::manager::{DynIOManager, hardcoded_io_manager};
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::model::metadata::{Metadata, MetadataValue, ROW_COUNT};
use crate::model::types::{TypeInfo, Value};
use crate::storage::Codec;
use crate::storage::row_count::row_count;

/// Stores serde values as objects encoded with `codec`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SerdeFiles {
    /// The codec.
    pub codec: Codec,
}

impl SerdeFiles {
    /// MessagePack files.
    pub fn msgpack() -> Self {
        SerdeFiles {
            codec: Codec::MessagePack,
        }
    }

    /// JSON files.
    pub fn json() -> Self {
        SerdeFiles { codec: Codec::Json }
    }

    fn codec_error(
        &self,
        what: String,
        action: &'static str,
        path: &UPath,
        type_name: &'static str,
        message: String,
    ) -> Error {
        Error::Codec {
            what,
            location: path.to_string(),
            action,
            type_name,
            codec: self.codec.name(),
            message,
        }
    }
}

impl UPathManager<SerdeFiles> {
    /// Serde values at `url` (`s3://bucket/prefix`, `memory://`, a path).
    pub fn serde(url: &str, codec: Codec) -> Result<Self> {
        Ok(UPathManager::new(UPath::parse(url)?, SerdeFiles { codec }))
    }
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> UPathIOManager<T> for SerdeFiles {
    fn dump_to_path(&self, ctx: &mut OutputContext, obj: &T, path: &UPath) -> Result<()> {
        let mut bytes = Vec::new();
        self.codec.encode(&mut bytes, obj).map_err(|m| {
            self.codec_error(
                describe_output(ctx),
                "encoded",
                path,
                std::any::type_name::<T>(),
                m,
            )
        })?;
        path.write(bytes, WriteMode::Overwrite)
    }

    fn load_from_path(&self, ctx: &mut InputContext, path: &UPath) -> Result<T> {
        let bytes = path.read()?;
        self.codec.decode(&bytes[..]).map_err(|m| {
            self.codec_error(
                describe_input(ctx),
                "decoded",
                path,
                std::any::type_name::<T>(),
                m,
            )
        })
    }
}

impl DynIOManager for UPathManager<SerdeFiles> {
    fn supports_output(ty: &TypeInfo) -> std::result::Result<(), String> {
        crate::storage::fs::needs_serde(ty)
    }

    fn supports_input(ty: &TypeInfo) -> std::result::Result<(), String> {
        crate::storage::fs::needs_serde(ty)
    }

    fn handle_output_dyn(
        &self,
        ctx: &mut OutputContext,
        value: &(dyn Any + Send + Sync),
        ty: &TypeInfo,
    ) -> Result<()> {
        let files = self.inner();
        let path = output_path(
            self.base_path(),
            ctx,
            "",
            |k| k.path().to_vec(),
            default_partition_path,
        )?;
        let mut bytes = Vec::new();
        files
            .codec
            .encode_dyn(&mut bytes, value, ty)
            .map_err(|m| files.codec_error(describe_output(ctx), "encoded", &path, ty.name, m))?;
        path.write(bytes, WriteMode::Overwrite)?;
        let mut metadata =
            Metadata::from([("path".to_owned(), MetadataValue::Path(path.to_string()))]);
        if let Some(rows) = ty.serialize.and_then(|s| s(value)).and_then(row_count) {
            metadata.insert(ROW_COUNT.to_owned(), MetadataValue::from(rows));
        }
        ctx.add_output_metadata(metadata)
    }

    fn load_input_dyn(&self, ctx: &mut InputContext, ty: &TypeInfo) -> Result<Value> {
        let files = self.inner();
        let path = input_path(
            self.base_path(),
            ctx,
            "",
            |k| k.path().to_vec(),
            default_partition_path,
        )?;
        let bytes = path.read().map_err(|e| match e {
            Error::NotMaterialized { location, .. } => Error::NotMaterialized {
                what: describe_input(ctx),
                location,
            },
            other => other,
        })?;
        let value = files
            .codec
            .decode_dyn(&bytes[..], ty)
            .map_err(|m| files.codec_error(describe_input(ctx), "decoded", &path, ty.name, m))?;
        ctx.add_input_metadata(
            Metadata::from([("path".to_owned(), MetadataValue::Path(path.to_string()))]),
            None,
        )?;
        Ok(value)
    }
}

impl IntoResourceDefinition for UPathManager<SerdeFiles> {
    fn into_resource_definition(self) -> ResourceDefinition {
        hardcoded_io_manager(self).into_resource_definition()
    }
}

// `IOManagerDefinition::hardcoded(UPathManager::serde(..))` serves any serde type too.
inventory::submit! { crate::io::manager::dyn_manager_type::<UPathManager<SerdeFiles>>() }
