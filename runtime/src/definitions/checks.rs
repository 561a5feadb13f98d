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
