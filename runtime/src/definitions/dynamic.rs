//! Mapping ops over a dynamic output and collecting the results, as a job
//! is built: Dagster's `dyn.map(lambda x: double(x))` and
//! `total(mapped.collect())`. The nodes invoked inside a `map` are
//! templates: the run creates one step per mapping key (`double[k1]`).

use std::collections::HashMap;

use indexmap::IndexMap;

use super::job::{JobBuilder, Node, OutputHandle};
use super::op::{In, Out};
use crate::model::dynamic::{CollectShape, DynamicShape};

impl Out {
    /// Makes this a dynamic output (Dagster's `DynamicOut`): its value, a
    /// `DynamicOut<T>`, is stored one value per mapping key, and the job
    /// can map ops over it.
    pub fn dynamic(mut self, shape: DynamicShape) -> Self {
        self.dynamic = Some(shape);
        self
    }

    /// Whether this is a dynamic output.
    pub fn is_dynamic(&self) -> bool {
        self.dynamic.is_some()
    }
}

impl In {
    /// How this `Vec<T>` input is built when it is wired to `.collect()`.
    pub fn collects(mut self, shape: CollectShape) -> Self {
        self.collect = Some(shape);
        self
    }
}

/// What `map` and `collect` recorded on a job.
#[derive(Clone, Debug, Default)]
pub(crate) struct DynamicWiring {
    /// Mapped node → the dynamic output it is mapped over.
    pub(crate) mapped: IndexMap<String, OutputHandle>,
    /// The handles `collect` was called with.
    pub(crate) collected: Vec<OutputHandle>,
}

impl JobBuilder {
    /// Maps the ops `f` invokes over the dynamic output `over` (Dagster's
    /// `over.map(lambda x: ...)`): at run time each is a step per mapping
    /// key, `<op>[<key>]`. `f` receives the handle to wire in place of one
    /// value and returns the handle of the mapped result, which can be
    /// mapped again (chained maps run per key) or collected.
    ///
    /// ```
    /// use larder::prelude::*;
    /// use larder::dynamic::{CollectShape, DynamicOut, DynamicOutput, DynamicShape};
    ///
    /// let produce = OpDefinition::builder("produce")
    ///     .output(
    ///         Out::result(larder::type_info!(DynamicOut<i64>))
    ///             .dynamic(DynamicShape::of::<i64>(larder::type_info!(i64))),
    ///     )
    ///     .compute(|io| {
    ///         let out: DynamicOut<i64> =
    ///             (1..=3).map(|i| DynamicOutput::new(i, format!("k{i}"))).collect();
    ///         io.output("result", out)
    ///     });
    /// let double = OpDefinition::builder("double")
    ///     .input(In::new("x", larder::type_info!(i64)))
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| { let x: i64 = io.input("x")?; io.output("result", 2 * x) });
    /// let total = OpDefinition::builder("total")
    ///     .input(
    ///         In::new("xs", larder::type_info!(Vec<i64>))
    ///             .collects(CollectShape::of::<i64>(larder::type_info!(i64))),
    ///     )
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| { let xs: Vec<i64> = io.input("xs")?; io.output("result", xs.iter().sum::<i64>()) });
    ///
    /// let mut job = JobDefinition::builder("fan_out");
    /// let items = job.invoke(&produce, []).output();
    /// let doubled = job.map(&items, |job, x| job.invoke(&double, [("x", x)]).output());
    /// let all = job.collect(&doubled);
    /// job.invoke(&total, [("xs", all)]);
    /// let result = job.build().unwrap().execute_in_process().unwrap();
    /// assert_eq!(*result.output_for_node::<i64>("double[k2]").unwrap(), 4);
    /// assert_eq!(*result.output_for_node::<i64>("total").unwrap(), 12);
    /// ```
    pub fn map(
        &mut self,
        over: &OutputHandle,
        f: impl FnOnce(&mut JobBuilder, OutputHandle) -> OutputHandle,
    ) -> OutputHandle {
        // Mapping a mapped result maps over the same dynamic output.
        let root = self
            .dynamic
            .mapped
            .get(&over.node)
            .cloned()
            .unwrap_or_else(|| over.clone());
        let start = self.nodes.len();
        let result = f(self, over.clone());
        let names: Vec<String> = self.nodes[start..].iter().map(|n| n.name.clone()).collect();
        for name in names {
            self.dynamic
                .mapped
                .entry(name)
                .or_insert_with(|| root.clone());
        }
        result
    }

    /// The values of a dynamic or mapped output, gathered into one `Vec`
    /// ordered as the mapping keys were emitted (Dagster's `.collect()`).
    /// Wire the handle to a `Vec<T>` input.
    pub fn collect(&mut self, handle: &OutputHandle) -> OutputHandle {
        self.dynamic.collected.push(handle.clone());
        handle.clone()
    }
}

impl DynamicWiring {
    /// Every misuse of `map` / `collect` in job `job`.
    pub(crate) fn check(&self, job: &str, nodes: &[Node], problems: &mut Vec<String>) {
        let any_dynamic = nodes
            .iter()
            .any(|n| n.op.outputs.iter().any(|o| o.dynamic.is_some()));
        if !any_dynamic && self.mapped.is_empty() && self.collected.is_empty() {
            return;
        }
        let by_name: HashMap<&str, &Node> = nodes.iter().map(|n| (n.name.as_str(), n)).collect();
        let dynamic_output = |h: &OutputHandle| {
            by_name
                .get(h.node.as_str())
                .and_then(|n| n.op.output(&h.output))
                .is_some_and(|o| o.dynamic.is_some())
        };
        for (node, root) in &self.mapped {
            if self.mapped.contains_key(&root.node) {
                continue;
            }
            if !dynamic_output(root) {
                problems.push(format!(
                    "job `{job}`: op `{node}` is mapped over output `{}` of op `{}`, which is not a dynamic output; `map` applies to outputs declared `DynamicOut<T>`",
                    root.output, root.node
                ));
            }
        }
        for n in nodes {
            let mapped_over = self.mapped.get(&n.name);
            if mapped_over.is_some()
                && let Some(out) = n.op.outputs.iter().find(|o| o.dynamic.is_some())
            {
                problems.push(format!(
                    "job `{job}`: op `{}` is mapped and has the dynamic output `{}`; nested dynamic outputs are not supported",
                    n.name, out.name
                ));
            }
            for (input, h) in &n.inputs {
                let from_mapped = self.mapped.get(&h.node);
                let from_dynamic = from_mapped.is_none() && dynamic_output(h);
                let collected = self.collected.contains(h);
                match mapped_over {
                    Some(root) => {
                        let other = match (from_mapped, from_dynamic) {
                            (Some(r), _) if r != root => Some(r),
                            (None, true) if h != root => Some(h),
                            _ => None,
                        };
                        if let Some(other) = other {
                            problems.push(format!(
                                "job `{job}`: op `{}` is mapped over output `{}` of op `{}`, but its input `{input}` is mapped over output `{}` of op `{}`; a mapped op maps over one dynamic output",
                                n.name, root.output, root.node, other.output, other.node
                            ));
                        }
                    }
                    None if from_mapped.is_some() || from_dynamic => {
                        let what = if from_dynamic {
                            format!("the dynamic output `{}` of op `{}`", h.output, h.node)
                        } else {
                            format!("output `{}` of mapped op `{}`", h.output, h.node)
                        };
                        if !collected {
                            problems.push(format!(
                                "job `{job}`: input `{input}` of op `{}` receives {what}, one value per mapping key; map over it (`map`) or gather it (`collect`)",
                                n.name
                            ));
                        } else if let Some(i) = n.op.inputs.iter().find(|i| &i.name == input)
                            && i.collect.is_none()
                        {
                            problems.push(format!(
                                "job `{job}`: input `{input}` of op `{}` collects {what}, but it is a `{}`; a collected input is a `Vec<T>`",
                                n.name,
                                i.ty.short_name()
                            ));
                        }
                    }
                    None if collected => problems.push(format!(
                        "job `{job}`: input `{input}` of op `{}` collects output `{}` of op `{}`, which is neither dynamic nor mapped; `collect` gathers the values of a dynamic output",
                        n.name, h.output, h.node
                    )),
                    None => {}
                }
            }
        }
    }
}
