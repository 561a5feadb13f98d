//! Graphs: ops (and other graphs) composed like a job body, with inputs
//! mapped to inner op inputs and outputs mapped from inner op outputs
//! (Dagster's `@graph`). A graph is flattened where it is invoked: its ops
//! become steps keyed `graph.op` (`a.b.c` for graphs in graphs).

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use indexmap::IndexMap;

use super::DEFAULT_OUTPUT;
use super::job::{Invocation, JobBuilder, JobDefinition, Node, OutputHandle};
use crate::error::{Error, Result};

/// The node name graph-input handles carry until the graph is invoked: not
/// a valid op name, so it never collides with one.
pub(crate) const GRAPH_INPUT: &str = "<graph input>";

/// Graph path → output name → the inner op output it maps.
pub(crate) type GraphOutputs = HashMap<String, IndexMap<String, OutputHandle>>;

/// Where an input's value comes from when invoking an op or a graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upstream {
    /// One upstream output.
    One(OutputHandle),
    /// Several, gathered into the input's `Vec<T>` (fan-in), or waited for
    /// (a `Nothing` input).
    Many(Vec<OutputHandle>),
}

impl From<OutputHandle> for Upstream {
    fn from(h: OutputHandle) -> Self {
        Upstream::One(h)
    }
}

impl From<Vec<OutputHandle>> for Upstream {
    fn from(hs: Vec<OutputHandle>) -> Self {
        Upstream::Many(hs)
    }
}

/// A graph: ops and graphs wired together, with named inputs and outputs
/// (Dagster's `GraphDefinition`).
#[derive(Clone, Debug)]
pub struct GraphDefinition {
    name: String,
    description: Option<String>,
    inputs: Vec<String>,
    /// The ops, flattened, named relative to the graph (`op`, `inner.op`).
    nodes: Vec<Node>,
    /// Output name → inner op output (relative names).
    outputs: IndexMap<String, OutputHandle>,
    /// The outputs of the graphs inside, by relative path.
    inner_graphs: GraphOutputs,
}

impl GraphDefinition {
    /// Starts a graph named `name`.
    ///
    /// ```
    /// use larder::prelude::*;
    /// let four = OpDefinition::builder("four")
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| io.output("result", 4_i64));
    /// let add_one = OpDefinition::builder("add_one")
    ///     .input(In::new("x", larder::type_info!(i64)))
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| { let x: i64 = io.input("x")?; io.output("result", x + 1) });
    ///
    /// // A graph adding two: its input `x` feeds the first `add_one`.
    /// let mut g = GraphDefinition::builder("add_two");
    /// let x = g.input("x");
    /// let first = g.invoke(&add_one, [("x", x)]);
    /// let second = g.invoke(&add_one, [("x", first.output())]);
    /// g.output("result", second.output());
    /// let add_two = g.build().unwrap();
    ///
    /// let mut job = JobDefinition::builder("six");
    /// let four = job.invoke(&four, []);
    /// job.invoke_graph(&add_two, [("x", four.output())]);
    /// let result = job.build().unwrap().execute_in_process().unwrap();
    /// // Inner steps are keyed `graph.op`; the graph's output is its inner op's.
    /// assert_eq!(*result.output_for_node::<i64>("add_two.add_one_2").unwrap(), 6);
    /// assert_eq!(*result.output_for_node::<i64>("add_two").unwrap(), 6);
    /// ```
    pub fn builder(name: impl Into<String>) -> GraphBuilder {
        let name = name.into();
        let mut inner = JobDefinition::builder(name.clone());
        inner.kind = "graph";
        GraphBuilder {
            inner,
            name,
            inputs: Vec::new(),
            outputs: IndexMap::new(),
            problems: Vec::new(),
        }
    }

    /// The graph's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The input names, in declaration order.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// The output names, in declaration order.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.outputs.keys().map(String::as_str)
    }

    /// The ops of the graph, flattened, named relative to it (`add_one`,
    /// `inner.add_one` for an op of an inner graph). An input wired to a
    /// graph input has a handle whose [`OutputHandle::node`] is
    /// [`GraphDefinition::input_node`]; see [`GraphDefinition::input_of`].
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Output name → the inner (node, output) it maps, by relative names
    /// (what a graph-backed asset stores as its value).
    pub fn output_mappings(&self) -> &IndexMap<String, OutputHandle> {
        &self.outputs
    }

    /// The node name that marks a graph input in [`GraphDefinition::nodes`]'
    /// input handles.
    pub fn input_node() -> &'static str {
        GRAPH_INPUT
    }

    /// The graph input a handle stands for, if it is one.
    pub fn input_of(handle: &OutputHandle) -> Option<&str> {
        (handle.node == GRAPH_INPUT).then_some(handle.output.as_str())
    }
}

/// Builds a [`GraphDefinition`]: the same calls as a [`JobBuilder`] (it
/// dereferences to one), plus [`input`](GraphBuilder::input) and
/// [`output`](GraphBuilder::output).
pub struct GraphBuilder {
    inner: JobBuilder,
    name: String,
    inputs: Vec<String>,
    outputs: IndexMap<String, OutputHandle>,
    problems: Vec<String>,
}

impl Deref for GraphBuilder {
    type Target = JobBuilder;
    fn deref(&self) -> &JobBuilder {
        &self.inner
    }
}

impl DerefMut for GraphBuilder {
    fn deref_mut(&mut self) -> &mut JobBuilder {
        &mut self.inner
    }
}

impl GraphBuilder {
    /// Declares graph input `name` (in order) and returns the handle inner
    /// op inputs are wired to.
    pub fn input(&mut self, name: impl Into<String>) -> OutputHandle {
        let name = name.into();
        if self.inputs.contains(&name) {
            self.problems.push(format!(
                "graph `{}`: input `{name}` is declared twice",
                self.name
            ));
        } else {
            self.inputs.push(name.clone());
        }
        OutputHandle {
            node: GRAPH_INPUT.to_owned(),
            output: name,
        }
    }

    /// Maps graph output `name` to an inner output (an op's, or an inner
    /// graph's).
    pub fn output(&mut self, name: impl Into<String>, handle: OutputHandle) -> &mut Self {
        let name = name.into();
        let handle = self.inner.resolve(handle);
        if handle.node == GRAPH_INPUT {
            self.problems.push(format!(
                "graph `{}`: output `{name}` maps graph input `{}` directly; map an op's output",
                self.name, handle.output
            ));
        } else if self.outputs.insert(name.clone(), handle).is_some() {
            self.problems.push(format!(
                "graph `{}`: output `{name}` is mapped twice",
                self.name
            ));
        }
        self
    }

    /// Maps the outputs of `invocation` out under the same names (`result`
    /// for a single output), as a graph returning `op(..)` does.
    pub fn outputs_of(&mut self, invocation: &Invocation) -> &mut Self {
        match invocation.outputs.as_slice() {
            [] => self.problems.push(format!(
                "graph `{}` returns `{}`, which has no outputs",
                self.name, invocation.node
            )),
            [_] => {
                self.output(DEFAULT_OUTPUT, invocation.output());
            }
            many => {
                for o in many {
                    self.output(o.clone(), invocation.out(o));
                }
            }
        }
        self
    }

    /// Finishes the graph, checking its wiring: inputs wired to outputs that
    /// exist, graph inputs declared, outputs mapped to op outputs.
    pub fn build(&mut self) -> Result<GraphDefinition> {
        let mut problems = std::mem::take(&mut self.problems);
        for node in self.inner.nodes_so_far() {
            let handles = node.inputs.values().chain(node.fan_in.values().flatten());
            for h in handles.filter(|h| h.node == GRAPH_INPUT) {
                if !self.inputs.contains(&h.output) {
                    problems.push(format!(
                        "graph `{}`: op `{}` is wired to graph input `{}`, which is not declared; its inputs: {}",
                        self.name,
                        node.name,
                        h.output,
                        list(&self.inputs)
                    ));
                }
            }
        }
        for (name, h) in &self.outputs {
            let known = self
                .inner
                .nodes_so_far()
                .iter()
                .find(|n| n.name == h.node)
                .map(|n| n.op.output(&h.output).is_some());
            match known {
                Some(true) => {}
                Some(false) => problems.push(format!(
                    "graph `{}`: output `{name}` maps output `{}` of op `{}`, which has no such output",
                    self.name, h.output, h.node
                )),
                None => problems.push(format!(
                    "graph `{}`: output `{name}` maps `{}`, which is not in the graph",
                    self.name, h.node
                )),
            }
        }
        let job = match self.inner.build() {
            Ok(job) if problems.is_empty() => job,
            Ok(_) => return Err(Error::InvalidDefinitions(problems)),
            Err(Error::InvalidDefinitions(p)) => {
                problems.extend(p);
                return Err(Error::InvalidDefinitions(problems));
            }
            Err(e) => return Err(e),
        };
        Ok(GraphDefinition {
            name: self.name.clone(),
            description: job.description,
            inputs: std::mem::take(&mut self.inputs),
            nodes: job.nodes,
            outputs: std::mem::take(&mut self.outputs),
            inner_graphs: job.graph_outputs,
        })
    }
}

impl JobBuilder {
    /// Invokes `graph` with its inputs wired to upstream outputs, flattening
    /// its ops into this job (or graph) as `<graph>.<op>`; invoking it again
    /// names it `<graph>_2`. The returned invocation's outputs are the
    /// graph's, resolved to the inner op outputs they map when wired on.
    pub fn invoke_graph<'a, I>(&mut self, graph: &GraphDefinition, inputs: I) -> Invocation
    where
        I: IntoIterator<Item = (&'a str, OutputHandle)>,
    {
        let prefix = self.unique_name(&graph.name);
        let mut given: HashMap<String, OutputHandle> = HashMap::new();
        for (name, h) in inputs {
            if !graph.inputs.iter().any(|i| i == name) {
                self.push_problem(format!(
                    "graph `{}` has no input `{name}`; its inputs: {}",
                    prefix,
                    list(&graph.inputs)
                ));
            }
            let h = self.resolve(h);
            given.insert(name.to_owned(), h);
        }
        let outer = |h: &OutputHandle| -> Option<OutputHandle> {
            if h.node == GRAPH_INPUT {
                // An input the caller leaves out stays unwired: the inner
                // op's input manager loads it, or the plan says why not.
                given.get(&h.output).cloned()
            } else {
                Some(OutputHandle {
                    node: format!("{prefix}.{}", h.node),
                    output: h.output.clone(),
                })
            }
        };
        let nodes: Vec<Node> = graph
            .nodes
            .iter()
            .map(|n| Node {
                name: format!("{prefix}.{}", n.name),
                op: Arc::clone(&n.op),
                inputs: n
                    .inputs
                    .iter()
                    .filter_map(|(k, h)| Some((k.clone(), outer(h)?)))
                    .collect(),
                fan_in: n
                    .fan_in
                    .iter()
                    .map(|(k, hs)| (k.clone(), hs.iter().filter_map(outer).collect()))
                    .collect(),
            })
            .collect();
        let prefixed = |outs: &IndexMap<String, OutputHandle>| -> IndexMap<String, OutputHandle> {
            outs.iter()
                .map(|(k, h)| {
                    let h = OutputHandle {
                        node: format!("{prefix}.{}", h.node),
                        output: h.output.clone(),
                    };
                    (k.clone(), h)
                })
                .collect()
        };
        let mut graphs: Vec<(String, IndexMap<String, OutputHandle>)> = graph
            .inner_graphs
            .iter()
            .map(|(path, outs)| (format!("{prefix}.{path}"), prefixed(outs)))
            .collect();
        graphs.push((prefix.clone(), prefixed(&graph.outputs)));
        for node in nodes {
            self.push_node(node);
        }
        self.graphs.extend(graphs);
        Invocation {
            node: prefix,
            outputs: graph.outputs.keys().cloned().collect(),
        }
    }

    /// Invokes `graph` with its inputs, in declaration order, wired to
    /// `upstream` (what `my_graph(op_a())` in a `#[job]` body becomes).
    pub fn invoke_graph_positional(
        &mut self,
        graph: &GraphDefinition,
        upstream: Vec<OutputHandle>,
    ) -> Invocation {
        let (given, expected) = (upstream.len(), graph.inputs.len());
        if given != expected {
            self.push_problem(format!(
                "graph `{}` takes {expected} input{} ({}), but {given} {} given",
                graph.name,
                if expected == 1 { "" } else { "s" },
                list(&graph.inputs),
                if given == 1 { "was" } else { "were" }
            ));
        }
        let names = graph.inputs.clone();
        let wired: Vec<(&str, OutputHandle)> =
            names.iter().map(String::as_str).zip(upstream).collect();
        self.invoke_graph(graph, wired)
    }
}

impl JobDefinition {
    /// The outputs of the graphs invoked in this job, for results: each
    /// `(graph path, output)` with the inner `(step, output)` it maps.
    pub(crate) fn graph_output_aliases(&self) -> Vec<((String, String), (String, String))> {
        self.graph_outputs
            .iter()
            .flat_map(|(path, outs)| {
                outs.iter().map(move |(o, h)| {
                    (
                        (path.clone(), o.clone()),
                        (h.node.clone(), h.output.clone()),
                    )
                })
            })
            .collect()
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}
