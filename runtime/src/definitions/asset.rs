//! Assets: an op whose single output is a named, persistent asset.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::op::{In, OpDefinition, Out, ResourceType, StepIo};
use super::{DEFAULT_IO_MANAGER_KEY, DEFAULT_OUTPUT};
use indexmap::IndexMap;

use crate::error::Result;
use crate::io::manager::{TypedLoader, TypedOutput};
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};
use crate::model::asset_key::AssetKey;
use crate::model::config::ConfigType;
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionMapping, PartitionShape, PartitionsDefinition};
use crate::model::types::TypeInfo;

/// An asset input (Dagster's `AssetIn`): which upstream asset a parameter
/// is, and how to load it.
#[derive(Clone, Debug)]
pub struct AssetIn {
    pub(crate) name: String,
    pub(crate) ty: &'static TypeInfo,
    pub(crate) key: Option<AssetKey>,
    pub(crate) key_prefix: Option<Vec<String>>,
    pub(crate) input_manager_key: Option<String>,
    pub(crate) typed: Option<TypedLoader>,
    pub(crate) metadata: Metadata,
    pub(crate) shape: Option<PartitionShape>,
    pub(crate) typed_element: Option<TypedLoader>,
    pub(crate) partition_mapping: Option<PartitionMapping>,
}

impl AssetIn {
    /// The input for parameter `name`; the upstream asset is `name` unless
    /// `key` or `key_prefix` says otherwise.
    pub fn new(name: impl Into<String>, ty: &'static TypeInfo) -> Self {
        AssetIn {
            name: name.into(),
            ty,
            key: None,
            key_prefix: None,
            input_manager_key: None,
            typed: None,
            metadata: Metadata::new(),
            shape: None,
            typed_element: None,
            partition_mapping: None,
        }
    }

    /// An input loading many upstream partitions as `PartitionMap<T>`.
    pub fn partition_map<T: Send + Sync + 'static>(
        name: impl Into<String>,
        element: &'static TypeInfo,
    ) -> Self {
        let mut input = AssetIn::new(
            name,
            TypeInfo::leak(TypeInfo::opaque::<crate::model::partitions::PartitionMap<T>>()),
        );
        input.shape = Some(PartitionShape::map::<T>(element));
        input
    }

    /// An input loading zero or one upstream partition as `Option<T>`.
    pub fn optional<T: Send + Sync + 'static>(
        name: impl Into<String>,
        element: &'static TypeInfo,
    ) -> Self {
        let mut input = AssetIn::new(name, TypeInfo::leak(TypeInfo::opaque::<Option<T>>()));
        input.shape = Some(PartitionShape::optional::<T>(element));
        input
    }

    /// Sets how the input's type spans partitions; [`AssetIn::partition_map`]
    /// and [`AssetIn::optional`] are the usual ways to say it.
    pub fn shape(mut self, shape: PartitionShape) -> Self {
        self.shape = Some(shape);
        self
    }

    /// Loads each element of a partition-shaped input with this adapter
    /// (what `#[asset]` binds when the key's manager type is known).
    pub fn typed_element(mut self, loader: TypedLoader) -> Self {
        self.typed_element = Some(loader);
        self
    }

    /// Which upstream partitions this input reads.
    pub fn partition_mapping(mut self, mapping: PartitionMapping) -> Self {
        self.partition_mapping = Some(mapping);
        self
    }

    /// The upstream asset's key.
    pub fn key(mut self, key: impl Into<AssetKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The upstream key is `prefix + [name]`.
    pub fn key_prefix<I, S>(mut self, prefix: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.key_prefix = Some(prefix.into_iter().map(Into::into).collect());
        self
    }

    /// Loads with the manager bound to `key`.
    pub fn input_manager_key(mut self, key: impl Into<String>) -> Self {
        self.input_manager_key = Some(key.into());
        self
    }

    /// Loads the input with this adapter when the key is bound to its
    /// manager type, instead of the run-time protocol (`DynIOManager`).
    pub fn typed(mut self, loader: TypedLoader) -> Self {
        self.typed = Some(loader);
        self
    }

    /// Sets the input metadata (e.g. `allow_missing_partitions`).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The upstream asset key this input resolves to.
    pub fn upstream_key(&self) -> AssetKey {
        if let Some(key) = &self.key {
            return key.clone();
        }
        let base = AssetKey::new([self.name.clone()]);
        match &self.key_prefix {
            Some(prefix) => base.with_prefix(prefix.iter().cloned()),
            None => base,
        }
    }

    fn into_in(self) -> In {
        let asset_key = self.upstream_key();
        let mut input = In::new(self.name, self.ty).metadata(self.metadata);
        input.input_manager_key = self.input_manager_key;
        input.typed = self.typed;
        input.asset_key = Some(asset_key);
        input.shape = self.shape;
        input.typed_element = self.typed_element;
        input.partition_mapping = self.partition_mapping;
        input
    }
}

/// An asset: a key, the op that computes it, and how its value is stored.
#[derive(Clone)]
pub struct AssetDefinition {
    pub(crate) key: AssetKey,
    pub(crate) op: Arc<OpDefinition>,
    pub(crate) group_name: String,
    pub(crate) description: Option<String>,
    pub(crate) metadata: Arc<Metadata>,
    pub(crate) deps: Vec<AssetKey>,
    pub(crate) partitions_def: Option<Arc<PartitionsDefinition>>,
    pub(crate) partitions_error: Option<String>,
    /// Resources the asset brings (Dagster's `resource_defs`, and its
    /// `io_manager_def` under `<key path>__io_manager`).
    pub(crate) resource_defs: Arc<IndexMap<String, ResourceDefinition>>,
}

impl fmt::Debug for AssetDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssetDefinition")
            .field("key", &self.key)
            .field("io_manager_key", &self.io_manager_key())
            .field("inputs", &self.upstream_keys())
            .finish_non_exhaustive()
    }
}

impl AssetDefinition {
    /// Starts an asset named `name`.
    ///
    /// ```
    /// use larder::prelude::*;
    /// let up = AssetDefinition::builder("up")
    ///     .output_type(larder::type_info!(i64))
    ///     .compute(|io| io.output("result", 1_i64));
    /// let down = AssetDefinition::builder("down")
    ///     .input(AssetIn::new("up", larder::type_info!(i64)))
    ///     .output_type(larder::type_info!(i64))
    ///     .compute(|io| {
    ///         let up: i64 = io.input("up")?;
    ///         io.output("result", up + 1)
    ///     });
    /// let result = larder::materialize_to_memory([up, down]).unwrap();
    /// assert_eq!(*result.asset_value::<i64>("down").unwrap(), 2);
    /// ```
    pub fn builder(name: impl Into<String>) -> AssetBuilder {
        AssetBuilder {
            name: name.into(),
            key: None,
            key_prefix: Vec::new(),
            inputs: Vec::new(),
            output_type: None,
            io_manager_key: DEFAULT_IO_MANAGER_KEY.to_owned(),
            typed: None,
            metadata: Metadata::new(),
            description: None,
            group_name: None,
            deps: Vec::new(),
            config_type: None,
            version: None,
            partitions_def: None,
            partitions_error: None,
            output_shape: None,
            typed_element: None,
            required_resource_keys: Vec::new(),
            resource_types: Vec::new(),
            retry_policy: None,
            resource_defs: IndexMap::new(),
            io_manager_def: None,
        }
    }

    /// How the asset is partitioned, if it is.
    pub fn partitions_def(&self) -> Option<&PartitionsDefinition> {
        self.partitions_def.as_deref()
    }

    /// The asset key.
    pub fn key(&self) -> &AssetKey {
        &self.key
    }

    /// The op computing the asset (named after its step key).
    pub fn op(&self) -> &OpDefinition {
        &self.op
    }

    /// The group name (`default` unless set).
    pub fn group_name(&self) -> &str {
        &self.group_name
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The asset's definition metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The key of the manager storing the asset.
    pub fn io_manager_key(&self) -> &str {
        self.op
            .outputs
            .first()
            .map(|o| o.io_manager_key.as_str())
            .unwrap_or(DEFAULT_IO_MANAGER_KEY)
    }

    /// The asset's Rust type.
    pub fn type_info(&self) -> Option<&'static TypeInfo> {
        self.op.outputs.first().map(|o| o.ty)
    }

    /// Upstream assets loaded as inputs.
    pub fn upstream_keys(&self) -> Vec<AssetKey> {
        self.op
            .inputs
            .iter()
            .filter_map(|i| i.asset_key.clone())
            .collect()
    }

    /// Upstream assets this asset only waits for (`deps`).
    pub fn deps(&self) -> &[AssetKey] {
        &self.deps
    }

    /// The resources the asset brings with it (`resource_defs`,
    /// `io_manager_def`).
    pub fn resource_defs(&self) -> &IndexMap<String, ResourceDefinition> {
        &self.resource_defs
    }
}

/// Builds an [`AssetDefinition`].
pub struct AssetBuilder {
    name: String,
    key: Option<AssetKey>,
    key_prefix: Vec<String>,
    inputs: Vec<AssetIn>,
    output_type: Option<&'static TypeInfo>,
    io_manager_key: String,
    typed: Option<TypedOutput>,
    metadata: Metadata,
    description: Option<String>,
    group_name: Option<String>,
    deps: Vec<AssetKey>,
    config_type: Option<ConfigType>,
    version: Option<String>,
    partitions_def: Option<PartitionsDefinition>,
    partitions_error: Option<String>,
    output_shape: Option<PartitionShape>,
    typed_element: Option<TypedOutput>,
    required_resource_keys: Vec<String>,
    resource_types: Vec<ResourceType>,
    retry_policy: Option<crate::model::retry::RetryPolicy>,
    resource_defs: IndexMap<String, ResourceDefinition>,
    io_manager_def: Option<ResourceDefinition>,
}

impl AssetBuilder {
    /// Partitions the asset (Dagster's `partitions_def`): a definition, a
    /// builder, or a `Result` of one. An invalid definition is reported
    /// when the definitions are validated.
    pub fn partitions_def(mut self, def: impl IntoPartitionsDefinition) -> Self {
        match def.into_partitions_definition() {
            Ok(d) => self.partitions_def = Some(d),
            Err(e) => self.partitions_error = Some(e),
        }
        self
    }

    /// The asset returns `PartitionMap<T>`: each entry is its own partition
    /// (what a key-range run writes).
    pub fn output_partition_map<T: Send + Sync + 'static>(
        mut self,
        element: &'static TypeInfo,
    ) -> Self {
        self.output_type = Some(TypeInfo::leak(TypeInfo::opaque::<
            crate::model::partitions::PartitionMap<T>,
        >()));
        self.output_shape = Some(PartitionShape::map::<T>(element));
        self
    }

    /// Sets how the output's type spans partitions;
    /// [`AssetBuilder::output_partition_map`] is the usual way to say it.
    pub fn output_shape(mut self, shape: PartitionShape) -> Self {
        self.output_shape = Some(shape);
        self
    }

    /// Stores each element of a partition-shaped output with this adapter.
    pub fn typed_element(mut self, adapter: TypedOutput) -> Self {
        self.typed_element = Some(adapter);
        self
    }

    /// Prefixes the key (`key_prefix`).
    pub fn key_prefix<I, S>(mut self, prefix: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.key_prefix = prefix.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the whole key (instead of `key_prefix + [name]`).
    pub fn key(mut self, key: impl Into<AssetKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds an upstream asset input.
    pub fn input(mut self, input: AssetIn) -> Self {
        self.inputs.push(input);
        self
    }

    /// The asset's Rust type (use [`type_info!`](crate::type_info)). `()`
    /// when not set: nothing is stored.
    pub fn output_type(mut self, ty: &'static TypeInfo) -> Self {
        self.output_type = Some(ty);
        self
    }

    /// Stores the asset with the manager bound to `key`.
    pub fn io_manager_key(mut self, key: impl Into<String>) -> Self {
        self.io_manager_key = key.into();
        self
    }

    /// Stores the output with this adapter when the key is bound to its
    /// manager type, instead of the run-time protocol (`DynIOManager`).
    pub fn typed_output(mut self, adapter: TypedOutput) -> Self {
        self.typed = Some(adapter);
        self
    }

    /// Sets the asset's metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the group name.
    pub fn group_name(mut self, group: impl Into<String>) -> Self {
        self.group_name = Some(group.into());
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

    /// Declares the asset's config type (`ops.<step>.config`).
    pub fn config_type<C: DeserializeOwned>(mut self) -> Self {
        self.config_type = Some(ConfigType::of::<C>());
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Declares the resources the body uses (Dagster's
    /// `required_resource_keys`).
    pub fn required_resource_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_resource_keys
            .extend(keys.into_iter().map(Into::into));
        self
    }

    /// Declares that the body uses the resource bound to `key` as an `R`
    /// (what `resources(key)` generates); see [`OpBuilder::resource`](super::OpBuilder::resource).
    pub fn resource<R: std::any::Any>(mut self, key: &'static str) -> Self {
        self.required_resource_keys.push(key.to_owned());
        self.resource_types.push(ResourceType {
            key,
            id: std::any::TypeId::of::<R>(),
            name: std::any::type_name::<R>(),
        });
        self
    }

    /// Retries a failed attempt as `policy` says (Dagster's `retry_policy`).
    pub fn retry_policy(mut self, policy: crate::model::retry::RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// A resource the asset brings (Dagster's `resource_defs`): bound for
    /// runs that include it unless `Definitions` binds the key too, which
    /// is refused as a conflict.
    pub fn resource_def(
        mut self,
        key: impl Into<String>,
        def: impl IntoResourceDefinition,
    ) -> Self {
        self.resource_defs
            .insert(key.into(), def.into_resource_definition());
        self
    }

    /// The asset's own IO manager (Dagster's `io_manager_def`): bound under
    /// `<key path joined by __>__io_manager`, no binding in `Definitions`
    /// needed.
    pub fn io_manager_def(mut self, def: impl IntoResourceDefinition) -> Self {
        self.io_manager_def = Some(def.into_resource_definition());
        self
    }

    /// Finishes with the compute function, which sets output `result`.
    pub fn compute<F>(self, compute: F) -> AssetDefinition
    where
        F: Fn(&mut StepIo<'_>) -> Result<()> + Send + Sync + 'static,
    {
        // Only this line is generic: the rest is compiled once, not once
        // per asset or op (it dominated the build time of macro users).
        self.compute_fn(Arc::new(compute))
    }

    /// Finishes with an already boxed compute function: one shared
    /// instantiation instead of one per closure type.
    pub fn compute_fn(self, compute: super::op::ComputeFn) -> AssetDefinition {
        let key = self
            .key
            .unwrap_or_else(|| AssetKey::new([self.name]).with_prefix(self.key_prefix));
        let mut resource_defs = self.resource_defs;
        let mut io_manager_key = self.io_manager_key;
        if let Some(def) = self.io_manager_def {
            io_manager_key = format!("{}__io_manager", key.path().join("__"));
            resource_defs.insert(io_manager_key.clone(), def);
        }
        let metadata = Arc::new(self.metadata);
        let mut out = Out::new(
            DEFAULT_OUTPUT,
            self.output_type.unwrap_or(crate::type_info!(())),
        )
        .io_manager_key(io_manager_key);
        out.typed = self.typed;
        out.metadata = metadata.clone();
        out.shape = self.output_shape;
        out.typed_element = self.typed_element;
        let mut op = OpDefinition::builder(key.to_step_key()).output(out);
        for input in self.inputs {
            op = op.input(input.into_in());
        }
        // Description and version go through the builder, so the op's
        // `OpInfo` (what contexts report as `op_def`) carries them too.
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
        AssetDefinition {
            key,
            op: Arc::new(op),
            group_name: self.group_name.unwrap_or_else(|| "default".to_owned()),
            description: self.description,
            metadata,
            deps: self.deps,
            partitions_def: self.partitions_def.map(Arc::new),
            partitions_error: self.partitions_error,
            resource_defs: Arc::new(resource_defs),
        }
    }
}

/// What `partitions_def` accepts: a definition, a builder, or a `Result`.
pub trait IntoPartitionsDefinition {
    /// The definition, or why there is none.
    fn into_partitions_definition(self) -> std::result::Result<PartitionsDefinition, String>;
}

impl<T: Into<PartitionsDefinition>> IntoPartitionsDefinition for T {
    fn into_partitions_definition(self) -> std::result::Result<PartitionsDefinition, String> {
        Ok(self.into())
    }
}

impl<T: Into<PartitionsDefinition>, E: std::fmt::Display> IntoPartitionsDefinition
    for std::result::Result<T, E>
{
    fn into_partitions_definition(self) -> std::result::Result<PartitionsDefinition, String> {
        self.map(Into::into).map_err(|e| e.to_string())
    }
}

impl IntoPartitionsDefinition for crate::model::partitions::TimeWindowPartitionsBuilder {
    fn into_partitions_definition(self) -> std::result::Result<PartitionsDefinition, String> {
        self.build().map(Into::into).map_err(|e| e.to_string())
    }
}
