//! Type-erased values and what the runtime knows about their Rust types.
//!
//! Between steps values travel as [`Value`] (`Box<dyn Any>`). Each input and
//! output carries a [`TypeInfo`] for its Rust type, recording which optional
//! capabilities the type has (serde, `Clone`). Generated code fills these in
//! with autoref specialization at a site where the type is concrete, so a
//! manager bound at run time (say `FilesystemIOManager` under a key declared
//! for a custom manager) can be checked before any step runs.

use std::any::{Any, TypeId};

/// A type-erased value produced by a step.
pub type Value = Box<dyn Any + Send + Sync>;

/// Serializes an erased value (which must be of the info's type).
pub type SerializeFn =
    for<'a> fn(&'a (dyn Any + Send + Sync)) -> Option<&'a dyn erased_serde::Serialize>;
/// Deserializes a value of the info's type.
pub type DeserializeFn =
    fn(&mut dyn erased_serde::Deserializer<'_>) -> Result<Value, erased_serde::Error>;
/// Clones an erased value of the info's type.
pub type CloneFn = fn(&(dyn Any + Send + Sync)) -> Option<Value>;

/// What the runtime knows about one Rust type.
#[derive(Clone, Copy)]
pub struct TypeInfo {
    /// `std::any::type_name` of the type.
    pub name: &'static str,
    /// Its `TypeId`.
    pub id: TypeId,
    /// `Some` when the type implements `Serialize`.
    pub serialize: Option<SerializeFn>,
    /// `Some` when the type implements `DeserializeOwned`.
    pub deserialize: Option<DeserializeFn>,
    /// `Some` when the type implements `Clone`.
    pub clone: Option<CloneFn>,
}

impl std::fmt::Debug for TypeInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypeInfo")
            .field("name", &self.name)
            .field("serialize", &self.serialize.is_some())
            .field("deserialize", &self.deserialize.is_some())
            .field("clone", &self.clone.is_some())
            .finish()
    }
}

impl TypeInfo {
    /// The info of `T` with no optional capabilities. Use [`type_info!`](crate::type_info)
    /// at a concrete type to have them detected.
    pub fn opaque<T: Any>() -> Self {
        TypeInfo {
            name: std::any::type_name::<T>(),
            id: TypeId::of::<T>(),
            serialize: None,
            deserialize: None,
            clone: None,
        }
    }

    /// A `&'static` copy, shared by every request for the same type.
    pub fn leak(info: TypeInfo) -> &'static TypeInfo {
        interned(info)
    }

    /// Whether this is `()`, whose values are never stored or loaded.
    pub fn is_unit(&self) -> bool {
        self.id == TypeId::of::<()>()
    }

    /// A short name for messages: the path with module prefixes removed.
    pub fn short_name(&self) -> String {
        short_type_name(self.name)
    }

    /// Whether serde can both write and read this type.
    pub fn is_serde(&self) -> bool {
        self.serialize.is_some() && self.deserialize.is_some()
    }
}

/// `alloc::vec::Vec<my_crate::Table>` → `Vec<Table>`.
pub fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
    out
}

/// Autoref-specialization probes: `(&Probe::<T>::NEW).__larder_ser()` is
/// `Some` exactly when `T: Serialize`, at a call site where `T` is concrete.
#[doc(hidden)]
pub mod probe {
    use std::any::Any;
    use std::marker::PhantomData;

    use super::{CloneFn, DeserializeFn, SerializeFn, Value};

    pub struct Probe<T>(PhantomData<T>);

    impl<T> Probe<T> {
        pub const NEW: Probe<T> = Probe(PhantomData);
    }

    fn ser_impl<T: serde::Serialize + Any>(
        v: &(dyn Any + Send + Sync),
    ) -> Option<&dyn erased_serde::Serialize> {
        v.downcast_ref::<T>()
            .map(|t| t as &dyn erased_serde::Serialize)
    }

    fn de_impl<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
        d: &mut dyn erased_serde::Deserializer<'_>,
    ) -> Result<Value, erased_serde::Error> {
        erased_serde::deserialize::<T>(d).map(|v| Box::new(v) as Value)
    }

    fn clone_impl<T: Clone + Send + Sync + 'static>(v: &(dyn Any + Send + Sync)) -> Option<Value> {
        v.downcast_ref::<T>().map(|t| Box::new(t.clone()) as Value)
    }

    pub trait SerYes {
        fn __larder_ser(&self) -> Option<SerializeFn>;
    }
    impl<T: serde::Serialize + Any> SerYes for Probe<T> {
        fn __larder_ser(&self) -> Option<SerializeFn> {
            Some(ser_impl::<T>)
        }
    }
    pub trait SerNo {
        fn __larder_ser(&self) -> Option<SerializeFn> {
            None
        }
    }
    impl<T> SerNo for &Probe<T> {}

    pub trait DeYes {
        fn __larder_de(&self) -> Option<DeserializeFn>;
    }
    impl<T: serde::de::DeserializeOwned + Send + Sync + 'static> DeYes for Probe<T> {
        fn __larder_de(&self) -> Option<DeserializeFn> {
            Some(de_impl::<T>)
        }
    }
    pub trait DeNo {
        fn __larder_de(&self) -> Option<DeserializeFn> {
            None
        }
    }
    impl<T> DeNo for &Probe<T> {}

    pub trait CloneYes {
        fn __larder_clone(&self) -> Option<CloneFn>;
    }
    impl<T: Clone + Send + Sync + 'static> CloneYes for Probe<T> {
        fn __larder_clone(&self) -> Option<CloneFn> {
            Some(clone_impl::<T>)
        }
    }
    pub trait CloneNo {
        fn __larder_clone(&self) -> Option<CloneFn> {
            None
        }
    }
    impl<T> CloneNo for &Probe<T> {}
}

/// The [`TypeInfo`] of a concrete type, with its serde and `Clone`
/// capabilities detected. Evaluates to a `&'static TypeInfo`.
///
/// ```
/// let info = larder::type_info!(Vec<i64>);
/// assert!(info.is_serde() && info.clone.is_some());
/// struct Opaque;
/// assert!(!larder::type_info!(Opaque).is_serde());
/// ```
#[macro_export]
macro_rules! type_info {
    ($t:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::probe::{
            CloneNo as _, CloneYes as _, DeNo as _, DeYes as _, SerNo as _, SerYes as _,
        };
        // No per-site static: the info is interned once per type, so each use
        // costs a few function pointers, not a `OnceLock` of its own.
        $crate::model::types::interned($crate::TypeInfo {
            serialize: (&$crate::__private::probe::Probe::<$t>::NEW).__larder_ser(),
            deserialize: (&$crate::__private::probe::Probe::<$t>::NEW).__larder_de(),
            clone: (&$crate::__private::probe::Probe::<$t>::NEW).__larder_clone(),
            ..$crate::TypeInfo::opaque::<$t>()
        })
    }};
}

/// The one `&'static` copy of `info` for its type. Infos of the same type
/// are identical, so the first one kept serves every later request.
#[doc(hidden)]
pub fn interned(info: TypeInfo) -> &'static TypeInfo {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static INTERNED: OnceLock<Mutex<HashMap<TypeId, &'static TypeInfo>>> = OnceLock::new();
    let table = INTERNED.get_or_init(Default::default);
    let mut table = table.lock().unwrap_or_else(|e| e.into_inner());
    table
        .entry(info.id)
        .or_insert_with(|| Box::leak(Box::new(info)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_type_name("alloc::vec::Vec<my::Table>"), "Vec<Table>");
        assert_eq!(short_type_name("i64"), "i64");
        assert_eq!(
            short_type_name("(usize, std::collections::HashMap<alloc::string::String, f64>)"),
            "(usize, HashMap<String, f64>)"
        );
    }

    #[test]
    fn probes_detect_capabilities() {
        struct NotSerde;
        let i = crate::type_info!(i64);
        assert!(i.is_serde() && i.clone.is_some());
        let n = crate::type_info!(NotSerde);
        assert!(n.serialize.is_none() && n.deserialize.is_none() && n.clone.is_none());
        assert!(crate::type_info!(()).is_unit());
    }
}
