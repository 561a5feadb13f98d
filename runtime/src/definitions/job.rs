//! Jobs: a graph of op invocations with the resources they run with.
//!
//! Wired like Dagster's `op_b(op_a())`: each invocation names the upstream
//! outputs its inputs come from. The `#[job]` macro writes these calls.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use super::DEFAULT_OUTPUT;
use super::graph::GraphOutputs;
pub use super::graph::Upstream;
use super::op::OpDefinition;
use crate::error::{Error, Result};
use crate::io::resources::{IntoResourceDefinition, ResourceDefinition};

/// One output of one invocation in a job being built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputHandle {
    pub(crate) node: String,
    pub(crate) output: String,
}

impl OutputHandle {
    /// The invocation's name.
    pub fn node(&self) -> &str {
        &self.node
    }
    /// The output's name.
    pub fn output(&self) -> &str {
        &self.output
    }
}

/// An op invoked in a job: its (unique) name and where its inputs come from.
#[derive(Clone, Debug)]
pub struct Node {
    pub(crate) name: String,
    pub(crate) op: Arc<OpDefinition>,
    pub(crate) inputs: IndexMap<String, OutputHandle>,
    /// Fan-in inputs: input name → the upstream outputs of its elements.
    pub(crate) fan_in: IndexMap<String, Vec<OutputHandle>>,
}

impl Node {
    /// The invocation name (the op's name, `_2`, `_3`… when reused).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The op.
    pub fn op(&self) -> &OpDefinition {
        &self.op
    }
    /// Input name → upstream output.
    pub fn inputs(&self) -> &IndexMap<String, OutputHandle> {
        &self.inputs
    }
    /// Fan-in input name → the upstream outputs of its elements, in order.
    pub fn fan_in(&self) -> &IndexMap<String, Vec<OutputHandle>> {
        &self.fan_in
    }
}

/// A job: ops wired into a graph, with resource bindings.
#[derive(Clone)]
pub struct JobDefinition {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) resources: IndexMap<String, ResourceDefinition>,
    /// The retry policy of ops that have none (Dagster's `op_retry_policy`).
    pub(crate) op_retry_policy: Option<crate::model::retry::RetryPolicy>,
    /// Where its steps execute, unless the run says otherwise.
    pub(crate) executor: Option<crate::model::executor::Executor>,
    /// Which nodes are mapped over dynamic outputs, and what is collected.
    pub(crate) dynamic: super::dynamic::DynamicWiring,
    /// Its partitions: each run executes one of them.
    pub(crate) partitions_def: Option<Arc<crate::model::partitions::PartitionsDefinition>>,
    /// Each invoked graph's path → its outputs, mapped to inner op outputs.
    pub(crate) graph_outputs: GraphOutputs,
}

impl fmt::Debug for JobDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobDefinition")
            .field("name", &self.name)
            .field(
                "nodes",
                &self.nodes.iter().map(|n| &n.name).collect::<Vec<_>>(),
            )
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The result of invoking an op in a [`JobBuilder`].
#[derive(Clone, Debug)]
pub struct Invocation {
    pub(crate) node: String,
    pub(crate) outputs: Vec<String>,
}

impl Invocation {
    /// The invocation's name.
    pub fn name(&self) -> &str {
        &self.node
    }

    /// The op's only output (`result` when it has several).
    pub fn output(&self) -> OutputHandle {
        let output = match self.outputs.as_slice() {
            [only] => only.clone(),
            _ => DEFAULT_OUTPUT.to_owned(),
        };
        OutputHandle {
            node: self.node.clone(),
            output,
        }
    }

    /// The output at `index`, in the op's declaration order.
    pub fn nth(&self, index: usize) -> OutputHandle {
        let output = self
            .outputs
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("#{index}"));
        OutputHandle {
            node: self.node.clone(),
            output,
        }
    }

    /// The output named `name`.
    pub fn out(&self, name: &str) -> OutputHandle {
        OutputHandle {
            node: self.node.clone(),
            output: name.to_owned(),
        }
    }
}

/// Builds a [`JobDefinition`].
///
/// ```
/// use larder::prelude::*;
/// let op_a = OpDefinition::builder("op_a")
///     .output(Out::result(larder::type_info!(i64)))
///     .compute(|io| io.output("result", 1_i64));
/// let op_b = OpDefinition::builder("op_b")
///     .input(In::new("x", larder::type_info!(i64)))
///     .output(Out::result(larder::type_info!(i64)))
///     .compute(|io| { let x: i64 = io.input("x")?; io.output("result", x + 1) });
/// let mut job = JobDefinition::builder("my_job");
/// let a = job.invoke(&op_a, []);
/// job.invoke(&op_b, [("x", a.output())]);
/// let result = job.build().unwrap().execute_in_process().unwrap();
/// assert_eq!(*result.output_for_node::<i64>("op_b").unwrap(), 2);
/// ```
pub struct JobBuilder {
    name: String,
    /// "job" or "graph", for messages.
    pub(crate) kind: &'static str,
    arity_problems: Vec<String>,
    description: Option<String>,
    pub(crate) nodes: Vec<Node>,
    resources: IndexMap<String, ResourceDefinition>,
    op_retry_policy: Option<crate::model::retry::RetryPolicy>,
    executor: Option<crate::model::executor::Executor>,
    /// `map` / `collect` wiring (`definitions::dynamic`).
    pub(crate) dynamic: super::dynamic::DynamicWiring,
    partitions_def: Option<Arc<crate::model::partitions::PartitionsDefinition>>,
    /// Node name -> index in `nodes`.
    index: HashMap<String, usize>,
    /// Op name -> the last suffix given to it, so naming the n-th
    /// invocation of an op does not retry every earlier suffix.
    suffixes: HashMap<String, usize>,
    /// Graphs invoked here: path → output name → inner op output.
    pub(crate) graphs: GraphOutputs,
}

impl JobDefinition {
    /// Starts a job named `name`.
    pub fn builder(name: impl Into<String>) -> JobBuilder {
        JobBuilder {
            name: name.into(),
            kind: "job",
            arity_problems: Vec::new(),
            description: None,
            nodes: Vec::new(),
            resources: IndexMap::new(),
            op_retry_policy: None,
            executor: None,
            dynamic: Default::default(),
            partitions_def: None,
            index: HashMap::new(),
            suffixes: HashMap::new(),
            graphs: GraphOutputs::new(),
        }
    }

    /// The job's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The executor the job chose, if any (`JobBuilder::executor`).
    pub fn executor(&self) -> Option<&crate::model::executor::Executor> {
        self.executor.as_ref()
    }

    /// The job's partitions (`JobBuilder::partitions_def`), if any.
    pub fn partitions_def(&self) -> Option<&crate::model::partitions::PartitionsDefinition> {
        self.partitions_def.as_deref()
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The invocations, in the order they were added.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The inner op output a graph output resolves to: `("my_graph",
    /// "result")` → `my_graph.add_one`'s `result` (Dagster resolves a graph's
    /// output to the op output it maps).
    pub fn graph_output(&self, graph: &str, output: &str) -> Option<&OutputHandle> {
        self.graph_outputs.get(graph)?.get(output)
    }

    /// The job's own resource bindings (`resource_defs`).
    pub fn resource_defs(&self) -> &IndexMap<String, ResourceDefinition> {
        &self.resources
    }

    /// This job with another resource bound.
    pub fn with_resource(
        mut self,
        key: impl Into<String>,
        resource: impl IntoResourceDefinition,
    ) -> Self {
        self.resources
            .insert(key.into(), resource.into_resource_definition());
        self
    }
}

impl JobBuilder {
    /// Where this job's steps execute (Dagster's `@job(executor_def=..)`),
    /// e.g. `Executor::multiprocess().max_concurrent(4)`; a run's
    /// `RunOptions::executor` overrides it.
    pub fn executor(&mut self, executor: crate::model::executor::Executor) -> &mut Self {
        self.executor = Some(executor);
        self
    }

    /// Partitions the job (Dagster's `@job(partitions_def=..)`): each run
    /// executes one partition, chosen with `RunOptions::partition_key`
    /// (or `--partition`), which every op's contexts see as their
    /// `partition_key`. Op outputs are still stored per run
    /// (`<base>/<run_id>/<step>/<output>`), as in Dagster.
    ///
    /// Takes a definition, a `Result` of one, or a time-window builder; a
    /// definition that could not be built fails [`build`](Self::build),
    /// naming the job.
    pub fn partitions_def(
        &mut self,
        def: impl super::asset::IntoPartitionsDefinition,
    ) -> &mut Self {
        match def.into_partitions_definition() {
            Ok(d) => self.partitions_def = Some(Arc::new(d)),
            Err(e) => self
                .arity_problems
                .push(format!("job `{}`: partitions_def: {e}", self.name)),
        }
        self
    }

    /// The retry policy of this job's ops that have none of their own
    /// (Dagster's `op_retry_policy`).
    pub fn op_retry_policy(&mut self, policy: crate::model::retry::RetryPolicy) -> &mut Self {
        self.op_retry_policy = Some(policy);
        self
    }

    /// Binds a resource for this job (`resource_defs`).
    pub fn resource(
        &mut self,
        key: impl Into<String>,
        resource: impl IntoResourceDefinition,
    ) -> &mut Self {
        self.resources
            .insert(key.into(), resource.into_resource_definition());
        self
    }

    /// Sets the description.
    pub fn description(&mut self, description: impl Into<String>) -> &mut Self {
        self.description = Some(description.into());
        self
    }

    /// Invokes `op` with its inputs wired to upstream outputs. Invoking the
    /// same op again names it `<op>_2`, `<op>_3`…
    pub fn invoke<'a, I>(&mut self, op: &OpDefinition, inputs: I) -> Invocation
    where
        I: IntoIterator<Item = (&'a str, OutputHandle)>,
    {
        self.invoke_wired(op, inputs.into_iter().map(|(k, v)| (k, Upstream::One(v))))
    }

    /// Invokes `op` with each input wired to one upstream output or, for a
    /// fan-in input (`Vec<T>`, or `Nothing` to wait for all), to several.
    ///
    /// ```
    /// use larder::prelude::*;
    /// let one = OpDefinition::builder("one")
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| io.output("result", 1_i64));
    /// let total = OpDefinition::builder("total")
    ///     .input(In::fan_in::<i64>("xs", larder::type_info!(Vec<i64>), larder::type_info!(i64)))
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| { let xs: Vec<i64> = io.input("xs")?; io.output("result", xs.iter().sum::<i64>()) });
    /// let mut job = JobDefinition::builder("sum");
    /// let a = job.invoke(&one, []);
    /// let b = job.invoke(&one, []);
    /// job.invoke_wired(&total, [("xs", Upstream::Many(vec![a.output(), b.output()]))]);
    /// let result = job.build().unwrap().execute_in_process().unwrap();
    /// assert_eq!(*result.output_for_node::<i64>("total").unwrap(), 2);
    /// ```
    pub fn invoke_wired<'a, I>(&mut self, op: &OpDefinition, inputs: I) -> Invocation
    where
        I: IntoIterator<Item = (&'a str, Upstream)>,
    {
        let name = self.unique_name(&op.name);
        self.index.insert(name.clone(), self.nodes.len());
        let mut wired = IndexMap::new();
        let mut fan_in = IndexMap::new();
        for (input, upstream) in inputs {
            match upstream {
                Upstream::One(h) => {
                    wired.insert(input.to_owned(), self.resolve(h));
                }
                Upstream::Many(hs) => {
                    let hs = hs.into_iter().map(|h| self.resolve(h)).collect();
                    fan_in.insert(input.to_owned(), hs);
                }
            }
        }
        let node = Node {
            name: name.clone(),
            op: Arc::new(op.clone()),
            inputs: wired,
            fan_in,
        };
        let outputs = op.outputs.iter().map(|o| o.name.clone()).collect();
        self.nodes.push(node);
        Invocation {
            node: name,
            outputs,
        }
    }

    /// A name for an invocation of `base` not yet taken by an op or a graph
    /// here: `base`, then `base_2`, `base_3`… (Dagster's aliases).
    pub(crate) fn unique_name(&mut self, base: &str) -> String {
        // Every suffix below the last one given is taken: start there.
        let mut n = self.suffixes.get(base).copied().unwrap_or(1);
        let mut name = match n {
            1 => base.to_owned(),
            _ => format!("{base}_{n}"),
        };
        while self.index.contains_key(&name) || self.graphs.contains_key(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.suffixes.insert(base.to_owned(), n);
        name
    }

    /// The ops invoked so far.
    pub(crate) fn nodes_so_far(&self) -> &[Node] {
        &self.nodes
    }

    /// A wiring problem, reported by `build`.
    pub(crate) fn push_problem(&mut self, problem: String) {
        self.arity_problems.push(problem);
    }

    /// Adds a node named by the caller (a flattened graph's op).
    pub(crate) fn push_node(&mut self, node: Node) {
        self.index.insert(node.name.clone(), self.nodes.len());
        self.nodes.push(node);
    }

    /// A graph's output, as the inner op output it maps; any other handle
    /// as it is.
    pub(crate) fn resolve(&self, handle: OutputHandle) -> OutputHandle {
        match self
            .graphs
            .get(&handle.node)
            .and_then(|o| o.get(&handle.output))
        {
            Some(inner) => inner.clone(),
            None => handle,
        }
    }

    /// Invokes `op` with its inputs, in declaration order, wired to
    /// `upstream` (what `op_b(op_a())` in a `#[job]` body becomes).
    pub fn invoke_positional(
        &mut self,
        op: &OpDefinition,
        upstream: Vec<OutputHandle>,
    ) -> Invocation {
        let given = upstream.len();
        let expected = op.inputs.len();
        if given != expected {
            self.arity_problems.push(format!(
                "{} `{}`: op `{}` takes {expected} input{} ({}), but {given} {} given",
                self.kind,
                self.name,
                op.name,
                if expected == 1 { "" } else { "s" },
                names(op.inputs.iter().map(|i| i.name.as_str())),
                if given == 1 { "was" } else { "were" }
            ));
        }
        let names: Vec<String> = op.inputs.iter().map(|i| i.name.clone()).collect();
        let wired: Vec<(&str, OutputHandle)> =
            names.iter().map(String::as_str).zip(upstream).collect();
        self.invoke(op, wired)
    }

    /// Finishes the job, checking that every wired input and output exists.
    pub fn build(&mut self) -> Result<JobDefinition> {
        let mut problems = std::mem::take(&mut self.arity_problems);
        let (kind, job) = (self.kind, &self.name);
        for node in &self.nodes {
            let singles = node
                .inputs
                .iter()
                .map(|(i, h)| (i, std::slice::from_ref(h)));
            for (input, handles) in singles.chain(node.fan_in.iter().map(|(i, h)| (i, &h[..]))) {
                let def = node.op.inputs.iter().find(|i| &i.name == input);
                if def.is_none() {
                    // Its upstream is still checked below: every mistake at once.
                    problems.push(format!(
                        "{kind} `{job}`: op `{}` has no input `{input}`; its inputs: {}",
                        node.name,
                        names(node.op.inputs.iter().map(|i| i.name.as_str()))
                    ));
                }
                if let Some(def) = def
                    && node.fan_in.contains_key(input)
                    && def.fan_in.is_none()
                    && !def.ty.is_unit()
                {
                    problems.push(format!(
                        "{kind} `{job}`: input `{input}` of op `{}` is fed several upstream outputs, but it is a `{}`: a fan-in input is a `Vec<T>` (`In::fan_in`) or `Nothing`",
                        node.name,
                        def.ty.short_name()
                    ));
                }
                for handle in handles {
                    if handle.node == super::graph::GRAPH_INPUT {
                        // A graph input: mapped when the graph is invoked.
                        continue;
                    }
                    match self.index.get(&handle.node).and_then(|&i| self.nodes.get(i)) {
                    None => problems.push(match self.graphs.get(&handle.node) {
                        Some(outs) => format!(
                            "{kind} `{job}`: input `{input}` of op `{}` comes from output `{}` of graph `{}`, which has no such output; its outputs: {}",
                            node.name,
                            handle.output,
                            handle.node,
                            names(outs.keys().map(String::as_str))
                        ),
                        None => format!(
                            "{kind} `{job}`: input `{input}` of op `{}` comes from `{}`, which is not in the {kind}",
                            node.name, handle.node
                        ),
                    }),
                    Some(up) if up.op.output(&handle.output).is_none() => problems.push(format!(
                        "{kind} `{job}`: input `{input}` of op `{}` comes from output `{}` of op `{}`, which has no such output; its outputs: {}",
                        node.name,
                        handle.output,
                        up.name,
                        names(up.op.outputs.iter().map(|o| o.name.as_str()))
                    )),
                    Some(_) => {}
                }
                }
            }
        }
        self.dynamic.check(&self.name, &self.nodes, &mut problems);
        if !problems.is_empty() {
            return Err(Error::InvalidDefinitions(problems));
        }
        // The builder starts over, as its nodes move into the job.
        self.index.clear();
        self.suffixes.clear();
        let graph_outputs = std::mem::take(&mut self.graphs);
        Ok(JobDefinition {
            name: self.name.clone(),
            description: self.description.clone(),
            nodes: std::mem::take(&mut self.nodes),
            resources: std::mem::take(&mut self.resources),
            op_retry_policy: self.op_retry_policy,
            executor: self.executor.clone(),
            dynamic: std::mem::take(&mut self.dynamic),
            partitions_def: self.partitions_def.clone(),
            graph_outputs,
        })
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}
