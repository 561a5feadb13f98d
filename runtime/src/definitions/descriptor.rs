//! Definitions as data: what `#[asset]` and `#[op]` emit is one `static` descriptor of
//! plain data and function pointers, read by one non-generic function. The
//! user's crate then compiles a few small functions per asset (its compute
//! function, its type's info) instead of a builder chain per asset.

use std::sync::Arc;

use super::asset::{AssetBuilder, AssetDefinition, AssetIn};
use super::op::{ComputeFn, In, OpBuilder, OpDefinition, Out};
use crate::io::manager::{TypedLoader, TypedOutput};
use crate::model::types::TypeInfo;

/// The compute function of a described asset: a plain `fn`, so every asset
/// shares one `Arc<fn>` vtable.
pub type StepFn = for<'a, 'b> fn(&'a mut super::op::StepIo<'b>) -> crate::error::Result<()>;

/// An asset as the macros describe it: also the cheapest way to write
/// one by hand, since nothing in it is generic.
///
/// ```
/// use larder::prelude::*;
/// use larder::AssetDescriptor;
///
/// static NUMBERS: AssetDescriptor = AssetDescriptor {
///     name: "numbers",
///     key: &["numbers"],
///     output_type: Some(|| larder::type_info!(Vec<i64>)),
///     io_manager_key: None,
///     typed_output: None,
///     inputs: &[],
///     description: Some("Three numbers."),
///     group_name: None,
///     code_version: None,
///     configure: None,
///     compute: |io| io.output("result", vec![1_i64, 2, 3]),
/// };
///
/// let numbers = AssetDefinition::from_descriptor(&NUMBERS);
/// assert_eq!(numbers.description(), Some("Three numbers."));
/// let result = larder::materialize_to_memory([numbers]).unwrap();
/// assert_eq!(*result.asset_value::<Vec<i64>>("numbers").unwrap(), [1, 2, 3]);
/// ```
pub struct AssetDescriptor {
    /// The last key component.
    pub name: &'static str,
    /// The whole key.
    pub key: &'static [&'static str],
    /// The output's type (`None`: `()`).
    pub output_type: Option<fn() -> &'static TypeInfo>,
    /// The key of the manager storing the output (`None`: the default).
    pub io_manager_key: Option<&'static str>,
    /// The compile-time adapter of the declared manager, when one is named.
    pub typed_output: Option<fn() -> TypedOutput>,
    /// The upstream assets loaded as inputs, in parameter order.
    pub inputs: &'static [InputDescriptor],
    /// The description (the doc comment by default).
    pub description: Option<&'static str>,
    /// The group (`default` when `None`).
    pub group_name: Option<&'static str>,
    /// The code version.
    pub code_version: Option<&'static str>,
    /// Everything rarer (partitions, metadata, deps, config, key overrides of
    /// inputs), applied to the builder: paid for only by the assets that
    /// use it.
    pub configure: Option<fn(AssetBuilder) -> AssetBuilder>,
    /// The compute function.
    pub compute: StepFn,
}

/// An input of a described asset (`I` = [`AssetIn`]) or op (`I` = [`In`]).
pub struct InputDescriptor<I: 'static = AssetIn> {
    /// The parameter's name (for an asset, also the upstream asset's, unless
    /// configured).
    pub name: &'static str,
    /// The parameter's type.
    pub ty: fn() -> &'static TypeInfo,
    /// The key of the manager loading it, when it has its own.
    pub input_manager_key: Option<&'static str>,
    /// The compile-time loader of that manager.
    pub typed: Option<fn() -> TypedLoader>,
    /// Everything rarer (shape, mapping, key, metadata, description).
    pub configure: Option<fn(I) -> I>,
}

/// What an input descriptor builds: [`AssetIn`] or [`In`].
pub(crate) trait DescribedInput: Sized {
    fn new(name: &'static str, ty: &'static TypeInfo) -> Self;
    fn input_manager_key(self, key: &'static str) -> Self;
    fn typed(self, loader: TypedLoader) -> Self;
}

impl DescribedInput for AssetIn {
    fn new(name: &'static str, ty: &'static TypeInfo) -> Self {
        AssetIn::new(name, ty)
    }
    fn input_manager_key(self, key: &'static str) -> Self {
        AssetIn::input_manager_key(self, key)
    }
    fn typed(self, loader: TypedLoader) -> Self {
        AssetIn::typed(self, loader)
    }
}

impl DescribedInput for In {
    fn new(name: &'static str, ty: &'static TypeInfo) -> Self {
        In::new(name, ty)
    }
    fn input_manager_key(self, key: &'static str) -> Self {
        In::input_manager_key(self, key)
    }
    fn typed(self, loader: TypedLoader) -> Self {
        In::typed(self, loader)
    }
}

pub(crate) fn build_input<I: DescribedInput>(d: &InputDescriptor<I>) -> I {
    let mut input = I::new(d.name, (d.ty)());
    if let Some(k) = d.input_manager_key {
        input = input.input_manager_key(k);
    }
    if let Some(t) = d.typed {
        input = input.typed(t());
    }
    match d.configure {
        Some(f) => f(input),
        None => input,
    }
}

impl AssetDefinition {
    /// The definition a descriptor describes: one function for every asset.
    pub fn from_descriptor(d: &'static AssetDescriptor) -> AssetDefinition {
        let mut b = AssetDefinition::builder(d.name).key(d.key);
        for i in d.inputs {
            b = b.input(build_input(i));
        }
        if let Some(t) = d.output_type {
            b = b.output_type(t());
        }
        if let Some(k) = d.io_manager_key {
            b = b.io_manager_key(k);
        }
        if let Some(t) = d.typed_output {
            b = b.typed_output(t());
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
        let compute: ComputeFn = Arc::new(d.compute);
        b.compute_fn(compute)
    }
}

/// An op as `#[op]` describes it.
pub struct OpDescriptor {
    /// The op's name.
    pub name: &'static str,
    /// Its inputs, in parameter order.
    pub inputs: &'static [InputDescriptor<In>],
    /// Its outputs, in order.
    pub outputs: &'static [OutputDescriptor],
    /// The description (the doc comment by default).
    pub description: Option<&'static str>,
    /// The code version.
    pub code_version: Option<&'static str>,
    /// Everything rarer (the config type), applied to the builder.
    pub configure: Option<fn(OpBuilder) -> OpBuilder>,
    /// The compute function.
    pub compute: StepFn,
}

/// An output of a described op.
pub struct OutputDescriptor {
    /// The output's name.
    pub name: &'static str,
    /// Its type.
    pub ty: fn() -> &'static TypeInfo,
    /// The key of the manager storing it (`None`: the default).
    pub io_manager_key: Option<&'static str>,
    /// The compile-time adapter of that manager.
    pub typed: Option<fn() -> TypedOutput>,
    /// Everything rarer (metadata, description).
    pub configure: Option<fn(Out) -> Out>,
}

impl OpDefinition {
    /// The definition a descriptor describes: one function for every op.
    pub fn from_descriptor(d: &'static OpDescriptor) -> OpDefinition {
        let mut b = OpDefinition::builder(d.name);
        for i in d.inputs {
            b = b.input(build_input(i));
        }
        for o in d.outputs {
            let mut out = Out::new(o.name, (o.ty)());
            if let Some(k) = o.io_manager_key {
                out = out.io_manager_key(k);
            }
            if let Some(t) = o.typed {
                out = out.typed(t());
            }
            if let Some(f) = o.configure {
                out = f(out);
            }
            b = b.output(out);
        }
        if let Some(s) = d.description {
            b = b.description(s);
        }
        if let Some(v) = d.code_version {
            b = b.version(v);
        }
        if let Some(f) = d.configure {
            b = f(b);
        }
        let compute: ComputeFn = Arc::new(d.compute);
        b.compute_fn(compute)
    }
}
