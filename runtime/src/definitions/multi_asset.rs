//! Multi-assets (Dagster's `@multi_asset`): one op whose outputs are each
//! an asset with its own key, metadata and manager. The op runs as one step;
//! each of its assets is an [`AssetDefinition`] that shares it, so keys,
//! selections and downstream inputs treat them like any other asset.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use super::asset::{AssetDefinition, AssetIn, IntoPartitionsDefinition};
use super::op::{ComputeFn, OpDefinition, Out, ResourceType, StepIo};
use crate::error::Result;
use crate::io::manager::TypedOutput;
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::model::asset_key::AssetKey;
use crate::model::config::ConfigType;
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionShape, PartitionsDefinition};
use crate::model::retry::RetryPolicy;
use crate::model::types::TypeInfo;

/// One asset of a multi-asset (Dagster's `AssetOut`): the output `name` of
/// its op, stored as the asset `key_prefix + [name]` (or `key`).
#[derive(Clone, Debug)]
pub struct AssetOut {
    pub(crate) out: Out,
    key: Option<AssetKey>,
    key_prefix: Vec<String>,
    pub(crate) group_name: Option<String>,
}

impl AssetOut {
    /// The output `name` of type `ty` (use [`type_info!`](crate::type_info)),
    /// stored by the default `io_manager`.
    pub fn new(name: impl Into<String>, ty: &'static TypeInfo) -> Self {
        AssetOut {
            out: Out::new(name, ty),
            key: None,
            key_prefix: Vec::new(),
            group_name: None,
        }
    }

    /// Prefixes the asset key (`key_prefix`).
    pub fn key_prefix<I, S>(mut self, prefix: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.key_prefix = prefix.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the whole asset key (instead of `key_prefix + [name]`).
    pub fn key(mut self, key: impl Into<AssetKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Stores the asset with the manager bound to `key`.
    pub fn io_manager_key(mut self, key: impl Into<String>) -> Self {
        self.out = self.out.io_manager_key(key);
        self
    }

    /// Stores the asset with this adapter when the key is bound to its
    /// manager type (what `#[multi_asset]` binds for a declared key).
    pub fn typed(mut self, adapter: TypedOutput) -> Self {
        self.out = self.out.typed(adapter);
        self
    }

    /// The asset's definition metadata: `definition_metadata` of the
    /// manager's output context, and of a downstream's `upstream_output`.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.out = self.out.metadata(metadata);
        self
    }

    /// Whether the body must produce it (default `true`). An optional asset
    /// the body leaves unset is not stored, and the assets reading it are
    /// skipped; the run still succeeds (Dagster's `is_required=False`).
    pub fn is_required(mut self, required: bool) -> Self {
        self.out = self.out.is_required(required);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.out = self.out.description(description);
        self
    }

    /// Sets the asset's group (else the multi-asset's, else `default`).
    pub fn group_name(mut self, group: impl Into<String>) -> Self {
        self.group_name = Some(group.into());
        self
    }

    /// For a partitioned multi-asset: the output is a `PartitionMap<T>`,
    /// each entry stored as its own partition.
    pub fn partition_map<T: Send + Sync + 'static>(mut self, element: &'static TypeInfo) -> Self {
        self.out.ty =
            TypeInfo::leak(TypeInfo::opaque::<crate::model::partitions::PartitionMap<T>>());
        self.out.shape = Some(PartitionShape::map::<T>(element));
        self
    }

    /// Sets how the output's type spans partitions;
    /// [`AssetOut::partition_map`] is the usual way to say it.
    pub fn shape(mut self, shape: PartitionShape) -> Self {
        self.out.shape = Some(shape);
        self
    }

    /// Stores each element of a partition-shaped output with this adapter.
    pub fn typed_element(mut self, adapter: TypedOutput) -> Self {
        self.out.typed_element = Some(adapter);
        self
    }

    /// The output's name.
    pub fn name(&self) -> &str {
        &self.out.name
    }

    /// The asset key this output is stored as.
    pub fn asset_key(&self) -> AssetKey {
        self.key.clone().unwrap_or_else(|| {
            AssetKey::new([self.out.name.clone()]).with_prefix(self.key_prefix.iter().cloned())
        })
    }
}

/// A multi-asset: several assets computed by one step. Pass it where
/// assets go ([`Definitions::assets`](super::Definitions::assets),
/// [`materialize`](crate::materialize)): it is the list of its assets.
///
/// ```
/// use larder::prelude::*;
/// use larder::{AssetOut, MultiAssetDefinition};
///
/// let split = MultiAssetDefinition::builder("split")
///     .out(AssetOut::new("evens", larder::type_info!(Vec<i64>)))
///     .out(AssetOut::new("odds", larder::type_info!(Vec<i64>)).key_prefix(["raw"]))
///     .compute(|io| {
///         io.output("evens", vec![2_i64, 4])?;
///         io.output("odds", vec![1_i64, 3])
///     });
/// let total = AssetDefinition::builder("total")
///     .input(AssetIn::new("odds", larder::type_info!(Vec<i64>)).key_prefix(["raw"]))
///     .output_type(larder::type_info!(i64))
///     .compute(|io| {
///         let odds: Vec<i64> = io.input("odds")?;
///         io.output("result", odds.iter().sum::<i64>())
///     });
/// let result = larder::materialize_to_memory(split.into_iter().chain([total])).unwrap();
/// assert_eq!(*result.asset_value::<Vec<i64>>("evens").unwrap(), [2, 4]);
/// assert_eq!(*result.asset_value::<i64>("total").unwrap(), 4);
/// ```
#[derive(Clone, Debug)]
pub struct MultiAssetDefinition {
    assets: Vec<AssetDefinition>,
}

impl MultiAssetDefinition {
    /// Starts a multi-asset whose op (and step) is named `name`.
    pub fn builder(name: impl Into<String>) -> MultiAssetBuilder {
        MultiAssetBuilder {
            name: name.into(),
            outs: Vec::new(),
            inputs: Vec::new(),
            deps: Vec::new(),
            description: None,
            group_name: None,
            config_type: None,
            version: None,
            partitions_def: None,
            partitions_error: None,
            required_resource_keys: Vec::new(),
            resource_types: Vec::new(),
            retry_policy: None,
            resource_defs: IndexMap::new(),
        }
    }

    pub(crate) fn from_assets(assets: Vec<AssetDefinition>) -> Self {
        MultiAssetDefinition { assets }
    }

    /// Its assets, one per output, in output order.
    pub fn assets(&self) -> &[AssetDefinition] {
        &self.assets
    }

    /// The keys of its assets, in output order.
    pub fn keys(&self) -> impl Iterator<Item = &AssetKey> {
        self.assets.iter().map(|a| a.key())
    }

    /// The op computing every asset (its name is the step key).
    pub fn op(&self) -> Option<&OpDefinition> {
        self.assets.first().map(|a| a.op())
    }
}

impl AssetDefinition {
    /// The asset `key` computed by the same op (itself, or another asset of
    /// its multi-asset), as far as loading it needs.
    pub(crate) fn sibling(&self, key: &AssetKey) -> Option<AssetDefinition> {
        if self.key == *key {
            return Some(self.clone());
        }
        let output = self
            .op
            .outputs
            .iter()
            .position(|o| o.asset_key.as_ref() == Some(key))?;
        let mut sibling = self.clone();
        sibling.key = key.clone();
        sibling.output = output;
        sibling.metadata = self.op.outputs[output].metadata.clone();
        Some(sibling)
    }
}

impl IntoIterator for MultiAssetDefinition {
    type Item = AssetDefinition;
    type IntoIter = std::vec::IntoIter<AssetDefinition>;

    fn into_iter(self) -> Self::IntoIter {
        self.assets.into_iter()
    }
}

/// Builds a [`MultiAssetDefinition`].
pub struct MultiAssetBuilder {
    name: String,
    outs: Vec<AssetOut>,
    inputs: Vec<AssetIn>,
    deps: Vec<AssetKey>,
    description: Option<String>,
    group_name: Option<String>,
    config_type: Option<ConfigType>,
    version: Option<String>,
    partitions_def: Option<PartitionsDefinition>,
    partitions_error: Option<String>,
    required_resource_keys: Vec<String>,
    resource_types: Vec<ResourceType>,
    retry_policy: Option<RetryPolicy>,
    resource_defs: IndexMap<String, ResourceDefinition>,
}

impl MultiAssetBuilder {
    /// Adds an asset output (Dagster's `outs={"name": AssetOut(..)}`).
    pub fn out(mut self, out: AssetOut) -> Self {
        self.outs.push(out);
        self
    }

    /// Adds an upstream asset input.
    pub fn input(mut self, input: AssetIn) -> Self {
        self.inputs.push(input);
        self
    }

    /// Adds upstream assets that are waited for but not loaded.
    pub fn deps<I, K>(mut self, deps: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<AssetKey>,
    {
        self.deps.extend(deps.into_iter().map(Into::into));
        self
    }

    /// Partitions every asset of it (Dagster's `partitions_def`).
    pub fn partitions_def(mut self, def: impl IntoPartitionsDefinition) -> Self {
        match def.into_partitions_definition() {
            Ok(d) => self.partitions_def = Some(d),
            Err(e) => self.partitions_error = Some(e),
        }
        self
    }

    /// Sets the description (of the op, and of each asset without its own).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the group of its assets (`default` unless set).
    pub fn group_name(mut self, group: impl Into<String>) -> Self {
        self.group_name = Some(group.into());
        self
    }

    /// Declares the config type (`ops.<name>.config`).
    pub fn config_type<C: DeserializeOwned>(mut self) -> Self {
        self.config_type = Some(ConfigType::of::<C>());
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Declares the resources the body uses (`required_resource_keys`).
    pub fn required_resource_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_resource_keys
            .extend(keys.into_iter().map(Into::into));
        self
    }

    /// Declares that the body uses the resource bound to `key` as an `R`.
    pub fn resource<R: std::any::Any>(mut self, key: &'static str) -> Self {
        self.required_resource_keys.push(key.to_owned());
        self.resource_types.push(ResourceType {
            key,
            id: std::any::TypeId::of::<R>(),
            name: std::any::type_name::<R>(),
        });
        self
    }

    /// Retries a failed attempt as `policy` says.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// A resource the multi-asset brings (Dagster's `resource_defs`).
    pub fn resource_def(
        mut self,
        key: impl Into<String>,
        def: impl IntoResourceDefinition,
    ) -> Self {
        self.resource_defs
            .insert(key.into(), def.into_resource_definition());
        self
    }

    /// Finishes with the compute function, which sets each output by name
    /// (`io.output("a", ..)`), leaving unset only optional ones.
    pub fn compute<F>(self, compute: F) -> MultiAssetDefinition
    where
        F: Fn(&mut StepIo<'_>) -> Result<()> + Send + Sync + 'static,
    {
        self.compute_fn(Arc::new(compute))
    }

    /// Finishes with an already boxed compute function.
    pub fn compute_fn(self, compute: ComputeFn) -> MultiAssetDefinition {
        let mut op = OpDefinition::builder(self.name);
        let mut keys = Vec::with_capacity(self.outs.len());
        let mut groups = Vec::with_capacity(self.outs.len());
        for out in self.outs {
            let key = out.asset_key();
            let mut o = out.out;
            o.asset_key = Some(key.clone());
            keys.push(key);
            groups.push(out.group_name);
            op = op.output(o);
        }
        for input in self.inputs {
            op = op.input(input.into_in());
        }
        if let Some(d) = &self.description {
            op = op.description(d.clone());
        }
        if let Some(v) = self.version {
            op = op.version(v);
        }
        op = op.required_resource_keys(self.required_resource_keys);
        let mut op = op.compute_fn(compute);
        op.resource_types = self.resource_types;
        op.retry_policy = self.retry_policy;
        op.config_type = self.config_type;
        let op = Arc::new(op);
        let partitions_def = self.partitions_def.map(Arc::new);
        let resource_defs = Arc::new(self.resource_defs);
        let assets = keys
            .into_iter()
            .zip(groups)
            .enumerate()
            .map(|(i, (key, group))| {
                let out = &op.outputs[i];
                AssetDefinition {
                    key,
                    op: op.clone(),
                    group_name: group
                        .or_else(|| self.group_name.clone())
                        .unwrap_or_else(|| "default".to_owned()),
                    description: out.description.clone().or_else(|| self.description.clone()),
                    metadata: out.metadata.clone(),
                    deps: self.deps.clone(),
                    partitions_def: partitions_def.clone(),
                    partitions_error: self.partitions_error.clone(),
                    resource_defs: resource_defs.clone(),
                    output: i,
                    multi: true,
                    graph: None,
                }
            })
            .collect();
        MultiAssetDefinition { assets }
    }
}

/// A multi-asset as `#[multi_asset]` describes it (see [`AssetDescriptor`](super::AssetDescriptor)).
pub struct MultiAssetDescriptor {
    /// The op's (and step's) name.
    pub name: &'static str,
    /// Its assets, in the order of the returned tuple.
    pub outs: &'static [AssetOutDescriptor],
    /// The upstream assets loaded as inputs, in parameter order.
    pub inputs: &'static [super::InputDescriptor],
    /// The description (the doc comment by default).
    pub description: Option<&'static str>,
    /// The group (`default` when `None`).
    pub group_name: Option<&'static str>,
    /// The code version.
    pub code_version: Option<&'static str>,
    /// Everything rarer (partitions, deps, config, resources).
    pub configure: Option<fn(MultiAssetBuilder) -> MultiAssetBuilder>,
    /// The compute function.
    pub compute: super::StepFn,
}

/// One asset of a described multi-asset.
pub struct AssetOutDescriptor {
    /// The output's name.
    pub name: &'static str,
    /// The asset's whole key.
    pub key: &'static [&'static str],
    /// The output's type.
    pub ty: fn() -> &'static TypeInfo,
    /// The key of the manager storing it (`None`: the default).
    pub io_manager_key: Option<&'static str>,
    /// The compile-time adapter of that manager.
    pub typed: Option<fn() -> TypedOutput>,
    /// Whether the body must produce it.
    pub is_required: bool,
    /// Everything rarer (metadata, description, partition shape).
    pub configure: Option<fn(AssetOut) -> AssetOut>,
}

impl MultiAssetDefinition {
    /// The definition a descriptor describes: one function for every
    /// multi-asset.
    pub fn from_descriptor(d: &'static MultiAssetDescriptor) -> MultiAssetDefinition {
        let mut b = MultiAssetDefinition::builder(d.name);
        for o in d.outs {
            let mut out = AssetOut::new(o.name, (o.ty)())
                .key(o.key)
                .is_required(o.is_required);
            if let Some(k) = o.io_manager_key {
                out = out.io_manager_key(k);
            }
            if let Some(t) = o.typed {
                out = out.typed(t());
            }
            if let Some(f) = o.configure {
                out = f(out);
            }
            b = b.out(out);
        }
        for i in d.inputs {
            b = b.input(super::descriptor::build_input(i));
        }
        if let Some(s) = d.description {
            b = b.description(s);
        }
        if let Some(g) = d.group_name {
            b = b.group_name(g);
        }
        if let Some(v) = d.code_version {
            b = b.version(v);
        }
        if let Some(f) = d.configure {
            b = f(b);
        }
        b.compute_fn(Arc::new(d.compute))
    }
}
