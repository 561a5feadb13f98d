//! Jobs: a graph of op invocations with the resources they run with.
//!
//! Wired like Dagster's `op_b(op_a())`: each invocation names the upstream
//! outputs its inputs come from. The `#[job]` macro writes these calls.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use super::DEFAULT_OUTPUT;
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
    node: String,
    outputs: Vec<String>,
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
}

impl JobDefinition {
    /// Starts a job named `name`.
    pub fn builder(name: impl Into<String>) -> JobBuilder {
        JobBuilder {
            name: name.into(),
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
        // Every suffix below the last one given is taken: start there.
        let mut n = self.suffixes.get(&op.name).copied().unwrap_or(1);
        let mut name = match n {
            1 => op.name.clone(),
            _ => format!("{}_{n}", op.name),
        };
        while self.index.contains_key(&name) {
            n += 1;
            name = format!("{}_{n}", op.name);
        }
        self.suffixes.insert(op.name.clone(), n);
        self.index.insert(name.clone(), self.nodes.len());
        let node = Node {
            name: name.clone(),
            op: Arc::new(op.clone()),
            inputs: inputs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        };
        let outputs = op.outputs.iter().map(|o| o.name.clone()).collect();
        self.nodes.push(node);
        Invocation {
            node: name,
            outputs,
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
                "job `{}`: op `{}` takes {expected} input{} ({}), but {given} {} given",
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
        for node in &self.nodes {
            for (input, handle) in &node.inputs {
                if !node.op.inputs.iter().any(|i| &i.name == input) {
                    problems.push(format!(
                        "job `{}`: op `{}` has no input `{input}`; its inputs: {}",
                        self.name,
                        node.name,
                        names(node.op.inputs.iter().map(|i| i.name.as_str()))
                    ));
                }
                match self.index.get(&handle.node).and_then(|&i| self.nodes.get(i)) {
                    None => problems.push(format!(
                        "job `{}`: input `{input}` of op `{}` comes from `{}`, which is not in the job",
                        self.name, node.name, handle.node
                    )),
                    Some(up) if up.op.output(&handle.output).is_none() => problems.push(format!(
                        "job `{}`: input `{input}` of op `{}` comes from output `{}` of op `{}`, which has no such output; its outputs: {}",
                        self.name,
                        node.name,
                        handle.output,
                        up.name,
                        names(up.op.outputs.iter().map(|o| o.name.as_str()))
                    )),
                    Some(_) => {}
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
        Ok(JobDefinition {
            name: self.name.clone(),
            description: self.description.clone(),
            nodes: std::mem::take(&mut self.nodes),
            resources: std::mem::take(&mut self.resources),
            op_retry_policy: self.op_retry_policy,
            executor: self.executor.clone(),
            dynamic: std::mem::take(&mut self.dynamic),
            partitions_def: self.partitions_def.clone(),
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
