//! What generated code checks about steps and job bodies, as traits named
//! for what they check: rustc prints these paths in its notes, so they are
//! public (and hidden); not for use by hand, they may change in any release.

use crate::definitions::{Invocation, JobBuilder, OpDefinition, OutputHandle, StepIo};
use crate::error::Result;

/// Values that can flow between steps. Generated code calls its methods
/// through the trait, `<T as StepValue>::..`, with the type as written, so a
/// value that cannot travel is reported on that type with this message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an asset or op value",
    label = "values passed between steps must be `Send + Sync + 'static`",
    note = "wrap shared state in `Arc<Mutex<..>>`, or return owned data"
)]
pub trait StepValue: Sized {
    /// Sets output `index` of a step to `self`.
    fn set_step_output(self, io: &mut StepIo<'_>, index: usize) -> Result<()>;

    /// Nothing: calling it checks `Self: StepValue` where it is written.
    fn is_step_value() {}
}

// The bounds are on the impl, not supertraits: rustc then reports a
// missing `Send` with this trait's message, on the user's type.
impl<T: Send + Sync + 'static> StepValue for T {
    fn set_step_output(self, io: &mut StepIo<'_>, index: usize) -> Result<()> {
        io.set_output(index, self)
    }
}

/// What a `#[job]` body invokes: the proxy struct of an `#[op]` function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `#[op]`",
    label = "a `#[job]` body invokes `#[op]` functions",
    note = "annotate the function with `#[op]`; assets are not wired in jobs, they are materialized with `Definitions`"
)]
pub trait IsOp: Sized {
    /// The op's definition.
    fn definition() -> OpDefinition;

    /// Invokes the op in a job, its inputs wired to `args`. Called through
    /// the trait, so a non-op is reported once, and its arguments not at all.
    fn invoke<A: OpArgsMatchInputs<Self>>(job: &mut JobBuilder, args: A) -> Invocation {
        let op = Self::definition();
        let names: Vec<String> = op.inputs().iter().map(|i| i.name().to_owned()).collect();
        let wired: Vec<(&str, OutputHandle)> = names
            .iter()
            .zip(args.wire())
            .filter_map(|(n, h)| h.map(|h| (n.as_str(), h)))
            .collect();
        job.invoke(&op, wired)
    }
}

/// The arguments of an op call in a `#[job]` body: one upstream output per
/// input, or one per input without an `input_manager_key`.
#[diagnostic::on_unimplemented(
    message = "wrong number of arguments for `#[op]` `{P}`",
    label = "pass one upstream output per input of `{P}`, in order",
    note = "inputs with an `input_manager_key` may be left out: their manager loads them (root inputs)"
)]
pub trait OpArgsMatchInputs<P> {
    /// Each input's upstream output, `None` for a root input.
    fn wire(self) -> Vec<Option<OutputHandle>>;
}

/// Output `I` of an `#[op]` is a `DynamicOut<T>`: what `.map` in a
/// `#[job]` body requires of the output it maps over.
#[diagnostic::on_unimplemented(
    message = "`.map` needs a dynamic output, and this output of `#[op]` `{Self}` is not one",
    label = "`.map` maps over the values of a `DynamicOut<T>`",
    note = "return `DynamicOut<T>` from the op (built from `DynamicOutput::new(value, \"key\")`) to map over its values, or call the op directly"
)]
pub trait IsDynamicOutput<const I: usize> {
    /// Nothing: calling it checks the bound where the job body maps.
    fn is_dynamic_output() {}
}

/// Argument `K` of a call with `N` arguments of an `#[op]` is a `Vec<T>`
/// input: what passing `.collect()` there requires.
#[diagnostic::on_unimplemented(
    message = "`.collect()` passes a `Vec` of the mapped values, but this input of `#[op]` `{Self}` is not a `Vec<T>`",
    label = "the input receiving `.collect()` must be a `Vec<T>`",
    note = "declare the op's input as `Vec<T>`, `T` being the type of the mapped values"
)]
pub trait CollectsInto<const N: usize, const K: usize> {
    /// Nothing: calling it checks the bound where the job body collects.
    fn collects_into() {}
}
