//! Fan-in inputs and Nothing dependencies: an input fed by several upstream
//! outputs (Dagster's `op(xs=[a(), b()])`), collected into a `Vec<T>`, and
//! inputs or outputs that only order steps (Dagster's `In(Nothing)`,
//! `Out(Nothing)`).

use std::any::Any;
use std::fmt;

use super::op::In;
use crate::model::types::{TypeInfo, Value};

/// Dagster's `Nothing`: an input or output that carries no value and only
/// orders steps. An output of this type is never stored (no `handle_output`,
/// no `HANDLED_OUTPUT` event); an input of this type is never loaded (no
/// `load_input`, no `LOADED_INPUT`), as in Dagster 1.7.2. It is `()`, so
/// `-> ()` and `()` inputs keep working as they always have.
///
/// ```
/// use larder::prelude::*;
/// let create_table = OpDefinition::builder("create_table")
///     .output(Out::result(larder::type_info!(Nothing)))
///     .compute(|_| Ok(()));
/// let fill_table = OpDefinition::builder("fill_table")
///     .input(In::new("after", larder::type_info!(Nothing)))
///     .output(Out::result(larder::type_info!(i64)))
///     .compute(|io| io.output("result", 3_i64));
/// let mut job = JobDefinition::builder("tables");
/// let created = job.invoke(&create_table, []);
/// job.invoke(&fill_table, [("after", created.output())]);
/// let result = job.build().unwrap().execute_in_process().unwrap();
/// assert_eq!(*result.output_for_node::<i64>("fill_table").unwrap(), 3);
/// ```
pub type Nothing = ();

/// How the elements of a fan-in input are gathered into its `Vec<T>`.
#[derive(Clone, Copy)]
pub struct FanInShape {
    /// The element type `T`.
    pub element: &'static TypeInfo,
    pub(crate) assemble: fn(Vec<Value>) -> Option<Value>,
}

impl fmt::Debug for FanInShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vec<{}>", self.element.short_name())
    }
}

impl FanInShape {
    /// The shape of a `Vec<T>` input.
    pub fn vec<T: Send + Sync + 'static>(element: &'static TypeInfo) -> Self {
        FanInShape {
            element,
            assemble: |values| {
                let mut out: Vec<T> = Vec::with_capacity(values.len());
                for v in values {
                    let v: Box<dyn Any + Send + Sync> = v;
                    out.push(*v.downcast::<T>().ok()?);
                }
                Some(Box::new(out))
            },
        }
    }
}

impl In {
    /// A fan-in input named `name`, of type `Vec<T>` (`ty`) with elements
    /// `T` (`element`): wired to several upstream outputs
    /// ([`JobBuilder::invoke_wired`](crate::definitions::JobBuilder::invoke_wired)
    /// with [`Upstream::Many`](crate::definitions::Upstream::Many)), each
    /// loaded by its upstream's manager, in order.
    pub fn fan_in<T: Send + Sync + 'static>(
        name: impl Into<String>,
        ty: &'static TypeInfo,
        element: &'static TypeInfo,
    ) -> Self {
        let mut input = In::new(name, ty);
        input.fan_in = Some(FanInShape::vec::<T>(element));
        input
    }

    /// The fan-in shape, when this is a `Vec<T>` fan-in input.
    pub fn fan_in_shape(&self) -> Option<&FanInShape> {
        self.fan_in.as_ref()
    }
}
