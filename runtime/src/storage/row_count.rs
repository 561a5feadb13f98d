//! The row count of a serde value, for the `larder/row_count` metadata the
//! built-in managers report: the length of a top-level sequence or map
//! (through newtype wrappers), asked of the value's `Serialize` impl and
//! answered at its first call, so nothing is serialized.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// How many rows `value` has, when it is a sequence or map whose length its
/// `Serialize` impl tells up front.
pub(crate) fn row_count(value: &dyn erased_serde::Serialize) -> Option<u64> {
    match erased_serde::serialize(value, RowProbe) {
        Err(Found::Rows(n)) => u64::try_from(n).ok(),
        _ => None,
    }
}

/// What the probe found; always returned as the "error" that stops it.
#[derive(Debug)]
enum Found {
    Rows(usize),
    NotRows,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("row count probe")
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Found::NotRows
    }
}

struct RowProbe;

type Stop = Impossible<(), Found>;

macro_rules! not_rows {
    ($($method:ident($($ty:ty),*);)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Found> {
            Err(Found::NotRows)
        }
    )*};
}

impl ser::Serializer for RowProbe {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Stop;
    type SerializeTuple = Stop;
    type SerializeTupleStruct = Stop;
    type SerializeTupleVariant = Stop;
    type SerializeMap = Stop;
    type SerializeStruct = Stop;
    type SerializeStructVariant = Stop;

    not_rows! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Found> {
        Err(Found::NotRows)
    }

    // `struct Table(Vec<Row>)` has the rows of its vector.
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Found> {
        Err(Found::NotRows)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Stop, Found> {
        Err(len.map_or(Found::NotRows, Found::Rows))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Stop, Found> {
        Err(len.map_or(Found::NotRows, Found::Rows))
    }

    fn serialize_tuple(self, _: usize) -> Result<Stop, Found> {
        Err(Found::NotRows)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Stop, Found> {
        Err(Found::NotRows)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Stop, Found> {
        Err(Found::NotRows)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Stop, Found> {
        Err(Found::NotRows)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Stop, Found> {
        Err(Found::NotRows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Table(Vec<u8>);

    #[derive(Serialize)]
    struct Row {
        id: i64,
    }

    #[test]
    fn sequences_and_maps_have_rows_other_values_do_not() {
        assert_eq!(row_count(&vec![1, 2, 3]), Some(3));
        assert_eq!(row_count(&Vec::<Row>::new()), Some(0));
        assert_eq!(
            row_count(&std::collections::BTreeMap::from([(1, 2)])),
            Some(1)
        );
        assert_eq!(row_count(&Table(vec![1, 2])), Some(2));
        assert_eq!(row_count(&Row { id: 1 }), None);
        assert_eq!(row_count(&42_i64), None);
        assert_eq!(row_count(&"text"), None);
        assert_eq!(row_count(&(1, 2)), None);
    }
}
