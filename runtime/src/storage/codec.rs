//! Codecs for stored values: MessagePack by default (compact, keeps working
//! when fields are added with `#[serde(default)]`, readable from Python),
//! JSON when humans should read the files.

use std::io::{Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::types::{TypeInfo, Value};

/// How values are turned into bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    /// MessagePack (rmp-serde), structs as maps with field names.
    #[default]
    #[serde(alias = "msgpack")]
    MessagePack,
    /// JSON (serde_json).
    Json,
}

/// An encode or decode failure, before larder adds what and where.
pub(crate) type CodecError = String;

impl Codec {
    /// The codec's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Codec::MessagePack => "MessagePack",
            Codec::Json => "JSON",
        }
    }

    pub(crate) fn encode<T: Serialize + ?Sized, W: Write>(
        self,
        w: W,
        value: &T,
    ) -> Result<(), CodecError> {
        match self {
            Codec::MessagePack => {
                let mut w = w;
                value
                    .serialize(&mut rmp_serde::Serializer::new(&mut w).with_struct_map())
                    .map_err(|e| e.to_string())
            }
            Codec::Json => serde_json::to_writer(w, value).map_err(|e| e.to_string()),
        }
    }

    pub(crate) fn decode<T: DeserializeOwned, R: Read>(self, r: R) -> Result<T, CodecError> {
        match self {
            Codec::MessagePack => {
                let mut d = rmp_serde::Deserializer::new(r);
                let value = T::deserialize(&mut d).map_err(|e| e.to_string())?;
                expect_end(d.into_inner())?;
                Ok(value)
            }
            // `from_reader` already refuses anything but whitespace after the value.
            Codec::Json => serde_json::from_reader(r).map_err(|e| e.to_string()),
        }
    }

    /// Reads a byte buffer straight into its final allocation: a MessagePack
    /// `bin` is a length and the bytes, so a `ByteBuf` needs no decode copy.
    /// `None` for every other type (and codec).
    pub(crate) fn decode_fast(
        self,
        file: &std::fs::File,
        ty: std::any::TypeId,
    ) -> Result<Option<Value>, CodecError> {
        if self != Codec::MessagePack || ty != std::any::TypeId::of::<serde_bytes::ByteBuf>() {
            return Ok(None);
        }
        let mut r = file;
        let len = rmp::decode::read_bin_len(&mut r).map_err(|e| e.to_string())? as usize;
        let mut buf = Vec::new();
        buf.try_reserve_exact(len).map_err(|e| e.to_string())?;
        r.take(len as u64)
            .read_to_end(&mut buf)
            .map_err(|e| e.to_string())?;
        if buf.len() != len {
            return Err(format!("the file ends after {} of {len} bytes", buf.len()));
        }
        expect_end(r)?;
        Ok(Some(Box::new(serde_bytes::ByteBuf::from(buf))))
    }

    pub(crate) fn encode_dyn<W: Write>(
        self,
        w: W,
        value: &(dyn std::any::Any + Send + Sync),
        ty: &TypeInfo,
    ) -> Result<(), CodecError> {
        let ser = ty
            .serialize
            .ok_or_else(|| format!("`{}` does not implement Serialize", ty.name))?;
        let erased = ser(value).ok_or_else(|| format!("the value is not a `{}`", ty.name))?;
        self.encode(w, erased)
    }

    pub(crate) fn decode_dyn<R: Read>(self, r: R, ty: &TypeInfo) -> Result<Value, CodecError> {
        let de = ty
            .deserialize
            .ok_or_else(|| format!("`{}` does not implement Deserialize", ty.name))?;
        match self {
            Codec::MessagePack => {
                let mut d = rmp_serde::Deserializer::new(r);
                let value = de(&mut <dyn erased_serde::Deserializer>::erase(&mut d))
                    .map_err(|e| e.to_string())?;
                expect_end(d.into_inner())?;
                Ok(value)
            }
            Codec::Json => {
                let mut d = serde_json::Deserializer::from_reader(r);
                let v = de(&mut <dyn erased_serde::Deserializer>::erase(&mut d))
                    .map_err(|e| e.to_string())?;
                d.end().map_err(|e| e.to_string())?;
                Ok(v)
            }
        }
    }
}

/// A stored file holds exactly one value: MessagePack is self-delimiting,
/// so anything after it means the file is not what larder wrote (another
/// format whose first byte happens to be a MessagePack value, or garbage).
fn expect_end<R: Read>(mut r: R) -> Result<(), CodecError> {
    let extra = std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| e.to_string())?;
    if extra == 0 {
        Ok(())
    } else {
        Err(format!(
            "{extra} byte{} after the end of the value: the file holds more than one MessagePack value, or is not MessagePack",
            if extra == 1 { "" } else { "s" }
        ))
    }
}
