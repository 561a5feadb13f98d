//! Ops: a compute function with named inputs (`In`) and outputs (`Out`).

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

pub use super::step_io::StepIo;

use super::{DEFAULT_IO_MANAGER_KEY, DEFAULT_OUTPUT};
use crate::error::Result;
use crate::io::context::OpInfo;
use crate::io::manager::{TypedLoader, TypedOutput};
use crate::model::asset_key::AssetKey;
use crate::model::config::ConfigType;
use crate::model::metadata::Metadata;
use crate::model::partitions::{PartitionMapping, PartitionShape};
use crate::model::retry::RetryPolicy;
use crate::model::types::TypeInfo;

/// An op input (Dagster's `In`).
#[derive(Clone, Debug)]
pub struct In {
    pub(crate) name: String,
    pub(crate) ty: &'static TypeInfo,
    pub(crate) input_manager_key: Option<String>,
    pub(crate) typed: Option<TypedLoader>,
    pub(crate) metadata: Arc<Metadata>,
    pub(crate) description: Option<String>,
    pub(crate) asset_key: Option<AssetKey>,
    pub(crate) shape: Option<PartitionShape>,
    pub(crate) typed_element: Option<TypedLoader>,
    pub(crate) partition_mapping: Option<PartitionMapping>,
    /// How a `Vec<T>` input is built when it collects a dynamic output.
    pub(crate) collect: Option<crate::model::dynamic::CollectShape>,
    /// A fan-in input (`Vec<T>`): how its elements are assembled.
    pub(crate) fan_in: Option<super::fan_in::FanInShape>,
}

impl In {
    /// An input named `name` of the type described by `ty`
    /// (use [`type_info!`](crate::type_info)).
    pub fn new(name: impl Into<String>, ty: &'static TypeInfo) -> Self {
        In {
            name: name.into(),
            ty,
            input_manager_key: None,
            typed: None,
            metadata: Arc::new(Metadata::new()),
            description: None,
            asset_key: None,
            shape: None,
            typed_element: None,
            partition_mapping: None,
            collect: None,
            fan_in: None,
        }
    }

    /// How the input spans upstream partitions (`Option<T>`,
    /// `PartitionMap<T>`); without it, the input takes exactly one.
    pub fn shape(mut self, shape: PartitionShape) -> Self {
        self.shape = Some(shape);
        self
    }

    /// Loads each element of a partition-shaped input with this adapter.
    pub fn typed_element(mut self, loader: TypedLoader) -> Self {
        self.typed_element = Some(loader);
        self
    }

    /// Which upstream partitions this input reads (default: Dagster's).
    pub fn partition_mapping(mut self, mapping: PartitionMapping) -> Self {
        self.partition_mapping = Some(mapping);
        self
    }

    /// Whether missing upstream partitions are skipped instead of failing
    /// (input metadata `allow_missing_partitions = true`).
    pub fn allows_missing_partitions(&self) -> bool {
        self.metadata
            .get("allow_missing_partitions")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Loads this input with the manager bound to `key`.
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

    /// Sets the input's definition metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Arc::new(metadata);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The input name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The input's Rust type.
    pub fn type_info(&self) -> &'static TypeInfo {
        self.ty
    }

    /// The input manager key, if any.
    pub fn get_input_manager_key(&self) -> Option<&str> {
        self.input_manager_key.as_deref()
    }

    /// The upstream asset, for asset inputs.
    pub fn asset_key(&self) -> Option<&AssetKey> {
        self.asset_key.as_ref()
    }

    /// The definition metadata.
    pub fn get_metadata(&self) -> &Metadata {
        &self.metadata
    }
}

/// An op output (Dagster's `Out`).
#[derive(Clone, Debug)]
pub struct Out {
    pub(crate) name: String,
    pub(crate) ty: &'static TypeInfo,
    pub(crate) io_manager_key: String,
    pub(crate) typed: Option<TypedOutput>,
    pub(crate) metadata: Arc<Metadata>,
    pub(crate) description: Option<String>,
    pub(crate) shape: Option<PartitionShape>,
    pub(crate) typed_element: Option<TypedOutput>,
    /// The asset this output materializes (an asset's, or one of a
    /// multi-asset's outputs); `None` for an op output.
    pub(crate) asset_key: Option<AssetKey>,
    /// Whether the body must set it (Dagster's `is_required`).
    pub(crate) is_required: bool,
    /// Set for a `DynamicOut<T>` output: how it splits into its values.
    pub(crate) dynamic: Option<crate::model::dynamic::DynamicShape>,
}

impl Out {
    /// An output named `name` of the type described by `ty`, stored by the
    /// default `io_manager`.
    pub fn new(name: impl Into<String>, ty: &'static TypeInfo) -> Self {
        Out {
            name: name.into(),
            ty,
            io_manager_key: DEFAULT_IO_MANAGER_KEY.to_owned(),
            typed: None,
            metadata: Arc::new(Metadata::new()),
            description: None,
            shape: None,
            typed_element: None,
            asset_key: None,
            is_required: true,
            dynamic: None,
        }
    }

    /// Whether the body must set this output (default `true`). An optional
    /// output the body leaves unset is not stored, and the steps reading it
    /// are skipped without failing the run (Dagster's `is_required=False`).
    pub fn is_required(mut self, required: bool) -> Self {
        self.is_required = required;
        self
    }

    /// Whether the body must set this output.
    pub fn required(&self) -> bool {
        self.is_required
    }

    /// The asset this output materializes, if it is an asset's.
    pub fn asset_key(&self) -> Option<&AssetKey> {
        self.asset_key.as_ref()
    }

    /// For a `PartitionMap<T>` output of a partitioned asset: each entry is
    /// stored as its own partition.
    pub fn shape(mut self, shape: PartitionShape) -> Self {
        self.shape = Some(shape);
        self
    }

    /// Stores each element of a partition-shaped output with this adapter.
    pub fn typed_element(mut self, adapter: TypedOutput) -> Self {
        self.typed_element = Some(adapter);
        self
    }

    /// The output `result`.
    pub fn result(ty: &'static TypeInfo) -> Self {
        Out::new(DEFAULT_OUTPUT, ty)
    }

    /// Stores this output with the manager bound to `key`.
    pub fn io_manager_key(mut self, key: impl Into<String>) -> Self {
        self.io_manager_key = key.into();
        self
    }

    /// Stores the output with this adapter when the key is bound to its
    /// manager type, instead of the run-time protocol (`DynIOManager`).
    pub fn typed(mut self, adapter: TypedOutput) -> Self {
        self.typed = Some(adapter);
        self
    }

    /// Sets the output's definition metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Arc::new(metadata);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The output name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The output's Rust type.
    pub fn type_info(&self) -> &'static TypeInfo {
        self.ty
    }

    /// The IO manager key.
    pub fn get_io_manager_key(&self) -> &str {
        &self.io_manager_key
    }

    /// The definition metadata.
    pub fn get_metadata(&self) -> &Metadata {
        &self.metadata
    }
}

/// The compute function of an op or asset.
pub type ComputeFn = Arc<dyn Fn(&mut StepIo<'_>) -> Result<()> + Send + Sync>;

/// An op: a named compute function with inputs and outputs.
#[derive(Clone)]
pub struct OpDefinition {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) inputs: Vec<In>,
    pub(crate) outputs: Vec<Out>,
    pub(crate) compute: ComputeFn,
    pub(crate) config_type: Option<ConfigType>,
    pub(crate) version: Option<String>,
    /// Resources the body uses (Dagster's `required_resource_keys`).
    pub(crate) required_resource_keys: Arc<[String]>,
    /// The Rust type the body expects of some of them (`resources(..)`
    /// parameters), checked against what is bound.
    pub(crate) resource_types: Vec<ResourceType>,
    /// How a failed attempt is retried (else the job's or run's default).
    pub(crate) retry_policy: Option<RetryPolicy>,
    /// What contexts say of this op, built once.
    pub(crate) info: Arc<OpInfo>,
}

impl fmt::Debug for OpDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpDefinition")
            .field("name", &self.name)
            .field(
                "inputs",
                &self.inputs.iter().map(|i| &i.name).collect::<Vec<_>>(),
            )
            .field(
                "outputs",
                &self.outputs.iter().map(|o| &o.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl OpDefinition {
    /// Starts an op named `name`.
    pub fn builder(name: impl Into<String>) -> OpBuilder {
        OpBuilder {
            name: name.into(),
            description: None,
            inputs: Vec::new(),
            outputs: Vec::new(),
            config_type: None,
            version: None,
            required_resource_keys: Vec::new(),
            resource_types: Vec::new(),
            retry_policy: None,
        }
    }

    /// The op's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[In] {
        &self.inputs
    }

    /// The outputs, in order.
    pub fn outputs(&self) -> &[Out] {
        &self.outputs
    }

    /// The output named `name`.
    pub fn output(&self, name: &str) -> Option<&Out> {
        self.outputs.iter().find(|o| o.name == name)
    }

    /// The version, if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// What a manager's context says of this op (its `op_def`).
    pub fn info(&self) -> &OpInfo {
        &self.info
    }

    /// The config type, if any.
    pub fn config_type(&self) -> Option<&ConfigType> {
        self.config_type.as_ref()
    }

    /// The resources the body uses (Dagster's `required_resource_keys`).
    pub fn required_resource_keys(&self) -> &[String] {
        &self.required_resource_keys
    }

    /// The retry policy, if the op has its own.
    pub fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry_policy.as_ref()
    }
}

/// Builds an [`OpDefinition`].
pub struct OpBuilder {
    name: String,
    description: Option<String>,
    inputs: Vec<In>,
    outputs: Vec<Out>,
    config_type: Option<ConfigType>,
    version: Option<String>,
    required_resource_keys: Vec<String>,
    resource_types: Vec<ResourceType>,
    retry_policy: Option<RetryPolicy>,
}

/// A resource a step receives as a typed parameter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResourceType {
    pub(crate) key: &'static str,
    pub(crate) id: TypeId,
    pub(crate) name: &'static str,
}

impl OpBuilder {
    /// Adds an input.
    pub fn input(mut self, input: In) -> Self {
        self.inputs.push(input);
        self
    }

    /// Adds an output.
    pub fn output(mut self, output: Out) -> Self {
        self.outputs.push(output);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Declares the op's config type (`ops.<op>.config`).
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
    /// `required_resource_keys`): each must be bound when the definitions
    /// are validated, and only these are available through
    /// [`StepIo::resource`].
    pub fn required_resource_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for key in keys {
            let key = key.into();
            if !self.required_resource_keys.contains(&key) {
                self.required_resource_keys.push(key);
            }
        }
        self
    }

    /// Declares that the body uses the resource bound to `key` as an `R`
    /// (what `resources(key)` on `#[asset]`/`#[op]` generates): the key is
    /// required, and binding a resource of another type is reported when
    /// the definitions are validated.
    pub fn resource<R: Any>(mut self, key: &'static str) -> Self {
        self = self.required_resource_keys([key]);
        self.resource_types.push(ResourceType {
            key,
            id: TypeId::of::<R>(),
            name: std::any::type_name::<R>(),
        });
        self
    }

    /// Retries a failed attempt as `policy` says (Dagster's `retry_policy`).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// Finishes with the compute function.
    pub fn compute<F>(self, compute: F) -> OpDefinition
    where
        F: Fn(&mut StepIo<'_>) -> Result<()> + Send + Sync + 'static,
    {
        // Only this line is generic: the rest is compiled once, not once
        // per asset or op (it dominated the build time of macro users).
        self.compute_fn(Arc::new(compute))
    }

    /// Finishes with an already boxed compute function: one shared
    /// instantiation instead of one per closure type.
    pub fn compute_fn(self, compute: ComputeFn) -> OpDefinition {
        let info = OpInfo::new(
            &self.name,
            self.inputs.iter().map(|i| &i.name),
            self.outputs.iter().map(|o| &o.name),
        )
        .with_description(self.description.clone())
        .with_version(self.version.clone());
        OpDefinition {
            info: Arc::new(info),
            name: self.name,
            description: self.description,
            inputs: self.inputs,
            outputs: self.outputs,
            compute,
            config_type: self.config_type,
            version: self.version,
            required_resource_keys: Arc::from(self.required_resource_keys),
            resource_types: self.resource_types,
            retry_policy: self.retry_policy,
        }
    }
}
