//! How a value spans partitions. An input declared `T` loads exactly one
//! upstream partition, `Option<T>` zero or one, `PartitionMap<T>` any
//! number; an output returned as `PartitionMap<T>` writes one value per
//! partition. The runtime loads and writes element by element, so every
//! manager that stores `T` serves all three shapes.

use std::any::Any;
use std::fmt;

use super::PartitionMap;
use crate::model::types::{TypeInfo, Value};

/// The shape of an input or output across partitions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShapeKind {
    /// `Option<T>`: zero or one partition.
    Optional,
    /// `PartitionMap<T>`: any number of partitions.
    Map,
}

/// `(partition key, element)` pairs.
pub(crate) type Entries = Vec<(String, Value)>;

/// Builds the declared value from per-partition elements, or splits one.
#[derive(Clone, Copy)]
pub struct PartitionShape {
    /// Optional or map.
    pub kind: ShapeKind,
    /// The element type `T`.
    pub element: &'static TypeInfo,
    pub(crate) assemble: fn(Entries) -> Option<Value>,
    pub(crate) split: fn(Value) -> Option<Entries>,
}

impl fmt::Debug for PartitionShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}<{}>", self.kind, self.element.short_name())
    }
}

fn take<T: Any>(v: Value) -> Option<T> {
    v.downcast::<T>().ok().map(|b| *b)
}

impl PartitionShape {
    /// `Option<T>` with element info `element` (from `type_info!(T)`).
    pub fn optional<T: Send + Sync + 'static>(element: &'static TypeInfo) -> Self {
        PartitionShape {
            kind: ShapeKind::Optional,
            element,
            assemble: |mut entries| match entries.len() {
                0 => Some(Box::new(None::<T>) as Value),
                1 => take::<T>(entries.remove(0).1).map(|v| Box::new(Some(v)) as Value),
                _ => None,
            },
            split: |v| {
                take::<Option<T>>(v).map(|o| {
                    o.into_iter()
                        .map(|t| (String::new(), Box::new(t) as Value))
                        .collect()
                })
            },
        }
    }

    /// `PartitionMap<T>` with element info `element` (from `type_info!(T)`).
    pub fn map<T: Send + Sync + 'static>(element: &'static TypeInfo) -> Self {
        PartitionShape {
            kind: ShapeKind::Map,
            element,
            assemble: |entries| {
                let mut m = PartitionMap::new();
                for (k, v) in entries {
                    m.insert(k, take::<T>(v)?);
                }
                Some(Box::new(m) as Value)
            },
            split: |v| {
                take::<PartitionMap<T>>(v).map(|m| {
                    m.into_iter()
                        .map(|(k, t)| (k, Box::new(t) as Value))
                        .collect()
                })
            },
        }
    }

    /// The Rust name of the declared type (`PartitionMap<T>` / `Option<T>`).
    pub fn declared_name(&self) -> String {
        match self.kind {
            ShapeKind::Optional => format!("Option<{}>", self.element.short_name()),
            ShapeKind::Map => format!("PartitionMap<{}>", self.element.short_name()),
        }
    }
}
