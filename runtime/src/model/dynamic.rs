//! Dynamic outputs (Dagster's `DynamicOut` / `DynamicOutput`): an op returns
//! any number of values, each under a mapping key; a job maps downstream ops
//! over them (one step per key, `double[k1]`) and collects the results.
//!
//! ```
//! use larder::dynamic::{DynamicOut, DynamicOutput};
//! let out: DynamicOut<i64> = (1..=3)
//!     .map(|i| DynamicOutput::new(i, format!("k{i}")))
//!     .collect();
//! assert_eq!(out.mapping_keys().collect::<Vec<_>>(), ["k1", "k2", "k3"]);
//! ```

use std::any::Any;
use std::fmt;

use crate::model::metadata::{Metadata, MetadataValue};
use crate::model::types::{TypeInfo, Value};

/// One value of a dynamic output, under its mapping key (Dagster's
/// `DynamicOutput`). The key names the mapped steps (`double[<key>]`) and
/// the stored value (`<run_id>/<step>/<output>/<key>`); it must match
/// `^[A-Za-z0-9_]+$` and be unique within the output, checked when the op
/// returns.
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicOutput<T> {
    value: T,
    mapping_key: String,
    metadata: Metadata,
}

impl<T> DynamicOutput<T> {
    /// `value` under `mapping_key`.
    pub fn new(value: T, mapping_key: impl Into<String>) -> Self {
        DynamicOutput {
            value,
            mapping_key: mapping_key.into(),
            metadata: Metadata::new(),
        }
    }

    /// This output with a metadata entry, reported on its
    /// `HandledOutput` event (Dagster's `DynamicOutput(metadata=..)`).
    pub fn with_metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<MetadataValue>,
    ) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, owned.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The mapping key.
    pub fn mapping_key(&self) -> &str {
        &self.mapping_key
    }

    /// The metadata given with the value.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }
}

/// What an op returns to fan out (Dagster's `DynamicOut`): its values in
/// emission order, which is the order `.collect()` hands them on in.
///
/// An op returning `DynamicOut<T>` can be mapped over in a `#[job]` body,
/// `produce().map(|x| double(x))`, or collected, `total(produce().collect())`.
/// An empty one maps to no steps; a collect downstream of it receives an
/// empty `Vec` (Dagster's default, `is_required=True`).
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicOut<T> {
    outputs: Vec<DynamicOutput<T>>,
}

impl<T> Default for DynamicOut<T> {
    fn default() -> Self {
        DynamicOut {
            outputs: Vec::new(),
        }
    }
}

impl<T> DynamicOut<T> {
    /// No values yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `output` after the others.
    pub fn push(&mut self, output: DynamicOutput<T>) -> &mut Self {
        self.outputs.push(output);
        self
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// The values, in emission order.
    pub fn iter(&self) -> std::slice::Iter<'_, DynamicOutput<T>> {
        self.outputs.iter()
    }

    /// The mapping keys, in emission order.
    pub fn mapping_keys(&self) -> impl Iterator<Item = &str> {
        self.outputs.iter().map(|o| o.mapping_key.as_str())
    }
}

impl<T> FromIterator<DynamicOutput<T>> for DynamicOut<T> {
    fn from_iter<I: IntoIterator<Item = DynamicOutput<T>>>(iter: I) -> Self {
        DynamicOut {
            outputs: iter.into_iter().collect(),
        }
    }
}

impl<T> From<Vec<DynamicOutput<T>>> for DynamicOut<T> {
    fn from(outputs: Vec<DynamicOutput<T>>) -> Self {
        DynamicOut { outputs }
    }
}

impl<T> IntoIterator for DynamicOut<T> {
    type Item = DynamicOutput<T>;
    type IntoIter = std::vec::IntoIter<DynamicOutput<T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.outputs.into_iter()
    }
}

/// One erased value of a dynamic output: mapping key, value, metadata.
pub(crate) type DynamicEntry = (String, Value, Metadata);

/// How the runtime splits a `DynamicOut<T>` into the values its manager
/// stores one by one. `#[op]` sets it for a `DynamicOut<T>` return; by
/// hand, `Out::result(type_info!(DynamicOut<T>)).dynamic(DynamicShape::of::<T>(type_info!(T)))`.
#[derive(Clone, Copy)]
pub struct DynamicShape {
    /// The element type `T`, what the manager stores per mapping key.
    pub element: &'static TypeInfo,
    pub(crate) split: fn(Value) -> Option<Vec<DynamicEntry>>,
}

impl fmt::Debug for DynamicShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DynamicOut<{}>", self.element.short_name())
    }
}

impl DynamicShape {
    /// The shape of `DynamicOut<T>`, `element` being `type_info!(T)`.
    pub fn of<T: Send + Sync + 'static>(element: &'static TypeInfo) -> Self {
        DynamicShape {
            element,
            split: |v| {
                let out = v.downcast::<DynamicOut<T>>().ok()?;
                Some(
                    out.outputs
                        .into_iter()
                        .map(|o| (o.mapping_key, Box::new(o.value) as Value, o.metadata))
                        .collect(),
                )
            },
        }
    }
}

/// How a collected input (`Vec<T>`) is built from the values of every
/// mapping key. `#[op]` sets it for each `Vec<T>` input; by hand,
/// `In::new("xs", type_info!(Vec<T>)).collects(CollectShape::of::<T>(type_info!(T)))`.
#[derive(Clone, Copy)]
pub struct CollectShape {
    /// The element type `T`.
    pub element: &'static TypeInfo,
    pub(crate) assemble: fn(Vec<Value>) -> Option<Value>,
}

impl fmt::Debug for CollectShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vec<{}>", self.element.short_name())
    }
}

impl CollectShape {
    /// The shape of `Vec<T>`, `element` being `type_info!(T)`.
    pub fn of<T: Send + Sync + 'static>(element: &'static TypeInfo) -> Self {
        CollectShape {
            element,
            assemble: |values| {
                let mut out: Vec<T> = Vec::with_capacity(values.len());
                for v in values {
                    let v: Box<dyn Any + Send + Sync> = v;
                    out.push(*v.downcast::<T>().ok()?);
                }
                Some(Box::new(out) as Value)
            },
        }
    }
}

/// Why `key` cannot be a mapping key, if it cannot: Dagster's
/// `check_valid_name` (`^[A-Za-z0-9_]+$`).
pub(crate) fn invalid_mapping_key(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("a mapping key cannot be empty".to_owned());
    }
    let bad: Vec<char> = key
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        .collect();
    if bad.is_empty() {
        return None;
    }
    let mut shown: Vec<String> = Vec::new();
    for c in bad {
        let s = format!("{c:?}");
        if !shown.contains(&s) {
            shown.push(s);
        }
    }
    Some(format!(
        "mapping keys must match ^[A-Za-z0-9_]+$ (it names the step `op[key]` and a path segment), and this one contains {}",
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_keys_follow_dagsters_name_rule() {
        assert_eq!(invalid_mapping_key("k_1A"), None);
        let why = invalid_mapping_key("a/b c").unwrap_or_default();
        assert!(why.contains("'/'") && why.contains("' '"), "{why}");
        assert!(invalid_mapping_key("").is_some());
        assert!(invalid_mapping_key("ключ").is_some());
    }

    #[test]
    fn shapes_round_trip_values_in_order() {
        let shape = DynamicShape::of::<i64>(crate::type_info!(i64));
        let out: DynamicOut<i64> = vec![
            DynamicOutput::new(5, "b").with_metadata("n", 1_i64),
            DynamicOutput::new(7, "a"),
        ]
        .into();
        let entries = (shape.split)(Box::new(out)).unwrap_or_default();
        let keys: Vec<&str> = entries.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(entries[0].2.get("n"), Some(&MetadataValue::Int(1)));
        let collect = CollectShape::of::<i64>(crate::type_info!(i64));
        let values = entries.into_iter().map(|(_, v, _)| v).collect();
        let vec = (collect.assemble)(values).and_then(|v| v.downcast::<Vec<i64>>().ok());
        assert_eq!(vec.map(|v| *v), Some(vec![5, 7]));
    }
}
