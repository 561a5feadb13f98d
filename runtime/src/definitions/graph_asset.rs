//! Graph-backed assets (Dagster's `@graph_asset`, `@graph_multi_asset`,
//! `AssetsDefinition.from_graph`): assets computed by several ops wired
//! together. Each op runs as its own step, keyed `<asset step>.<op>`; the op
//! outputs mapped to the assets are stored by the assets' managers at their
//! asset paths, the others like op outputs of a run.

use std::sync::Arc;

use super::asset::{AssetDefinition, AssetIn, IntoPartitionsDefinition};
use super::multi_asset::{AssetOut, MultiAssetDefinition};
use super::op::{In, OpDefinition, Out};
use crate::error::{Error, Result};
use crate::model::asset_key::AssetKey;
use crate::model::partitions::PartitionsDefinition;

/// Where an input of an op node of a graph-backed asset comes from.
#[derive(Clone, Debug)]
pub enum NodeInput {
    /// An output of another node of the graph.
    Node {
        /// The node's name.
        node: String,
        /// Its output's name.
        output: String,
    },
    /// An input of the graph: the upstream asset declared with
    /// [`GraphAssetBuilder::input`] under this name.
    Asset(String),
}

impl NodeInput {
    /// Output `output` of node `node`.
    pub fn node(node: impl Into<String>, output: impl Into<String>) -> Self {
        NodeInput::Node {
            node: node.into(),
            output: output.into(),
        }
    }

    /// Output `result` of node `node`.
    pub fn result_of(node: impl Into<String>) -> Self {
        NodeInput::node(node, super::DEFAULT_OUTPUT)
    }

    /// The graph input (upstream asset) named `name`.
    pub fn asset(name: impl Into<String>) -> Self {
        NodeInput::Asset(name.into())
    }
}

/// One op node of a graph: the op, and per op input (in order) its source.
#[derive(Clone, Debug)]
pub(crate) struct GraphNode {
    pub(crate) name: String,
    pub(crate) op: Arc<OpDefinition>,
    pub(crate) inputs: Vec<NodeSource>,
}

/// A resolved [`NodeInput`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum NodeSource {
    Node {
        node: usize,
        output: usize,
    },
    /// Index into the graph's (facade op's) inputs.
    Asset(usize),
}

/// The op nodes of a graph-backed asset, and which node output each of its
/// assets is (by the facade op's output index).
#[derive(Clone, Debug)]
pub(crate) struct AssetGraph {
    pub(crate) nodes: Vec<GraphNode>,
    pub(crate) outputs: Vec<(usize, usize)>,
}

/// A node as added to the builder: name, op, and its inputs' wiring by name.
type NodeSpec = (String, Arc<OpDefinition>, Vec<(String, NodeInput)>);

/// Builds a graph-backed asset; see [`MultiAssetDefinition::graph`].
pub struct GraphAssetBuilder {
    name: String,
    single: bool,
    inputs: Vec<AssetIn>,
    nodes: Vec<NodeSpec>,
    outs: Vec<(AssetOut, String, String)>,
    partitions_def: Option<PartitionsDefinition>,
    partitions_error: Option<String>,
    group_name: Option<String>,
    description: Option<String>,
    key_prefix: Vec<String>,
}

impl MultiAssetDefinition {
    /// Starts a graph-backed multi-asset (Dagster's `@graph_multi_asset`)
    /// named `name`: its steps are keyed `<name>.<node>`.
    ///
    /// ```
    /// use larder::prelude::*;
    /// use larder::{AssetOut, NodeInput};
    ///
    /// let double = OpDefinition::builder("double")
    ///     .input(In::new("x", larder::type_info!(i64)))
    ///     .output(Out::result(larder::type_info!(i64)))
    ///     .compute(|io| {
    ///         let x: i64 = io.input("x")?;
    ///         io.output("result", x * 2)
    ///     });
    /// let base = AssetDefinition::builder("base")
    ///     .output_type(larder::type_info!(i64))
    ///     .compute(|io| io.output("result", 21_i64));
    /// let doubled = MultiAssetDefinition::graph("doubled")
    ///     .input(AssetIn::new("base", larder::type_info!(i64)))
    ///     .node(double, [("x", NodeInput::asset("base"))])
    ///     .out(AssetOut::new("doubled", larder::type_info!(i64)), "double", "result")
    ///     .build()
    ///     .unwrap();
    /// let result = larder::materialize_to_memory(doubled.into_iter().chain([base])).unwrap();
    /// assert_eq!(*result.asset_value::<i64>("doubled").unwrap(), 42);
    /// assert!(result.step_outcome("doubled.double").is_some());
    /// ```
    pub fn graph(name: impl Into<String>) -> GraphAssetBuilder {
        GraphAssetBuilder::new(name.into(), false)
    }
}

impl AssetDefinition {
    /// Starts a graph-backed asset (Dagster's `@graph_asset`) named `name`:
    /// one asset, output `result` of the node given to
    /// [`GraphAssetBuilder::result`]; its steps are keyed `<key>.<node>`.
    pub fn graph(name: impl Into<String>) -> GraphAssetBuilder {
        GraphAssetBuilder::new(name.into(), true)
    }
}

impl GraphAssetBuilder {
    fn new(name: String, single: bool) -> Self {
        GraphAssetBuilder {
            name,
            single,
            inputs: Vec::new(),
            nodes: Vec::new(),
            outs: Vec::new(),
            partitions_def: None,
            partitions_error: None,
            group_name: None,
            description: None,
            key_prefix: Vec::new(),
        }
    }

    /// Adds a graph input: the upstream asset an op node reads with
    /// [`NodeInput::asset`].
    pub fn input(mut self, input: AssetIn) -> Self {
        self.inputs.push(input);
        self
    }

    /// Adds node `op`, named after it, wiring its inputs by name.
    pub fn node<I, S>(self, op: OpDefinition, inputs: I) -> Self
    where
        I: IntoIterator<Item = (S, NodeInput)>,
        S: Into<String>,
    {
        let name = op.name.clone();
        self.node_as(name, op, inputs)
    }

    /// Adds node `op` under `name` (Dagster's `op.alias(name)`).
    pub fn node_as<I, S>(mut self, name: impl Into<String>, op: OpDefinition, inputs: I) -> Self
    where
        I: IntoIterator<Item = (S, NodeInput)>,
        S: Into<String>,
    {
        let wiring = inputs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        self.nodes.push((name.into(), Arc::new(op), wiring));
        self
    }

    /// Maps output `output` of node `node` to the asset `out` (a multi-asset's
    /// out, Dagster's `AssetOut` of `@graph_multi_asset`).
    pub fn out(
        mut self,
        out: AssetOut,
        node: impl Into<String>,
        output: impl Into<String>,
    ) -> Self {
        self.outs.push((out, node.into(), output.into()));
        self
    }

    /// For [`AssetDefinition::graph`]: the asset is output `output` of node
    /// `node`, stored as `out` says (its name is the asset's; key prefix,
    /// manager, metadata).
    pub fn result(self, out: AssetOut, node: impl Into<String>, output: impl Into<String>) -> Self {
        self.out(out, node, output)
    }

    /// Prefixes the key of a single graph-backed asset (`key_prefix`).
    pub fn key_prefix<I, S>(mut self, prefix: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.key_prefix = prefix.into_iter().map(Into::into).collect();
        self
    }

    /// Partitions its assets; every op node sees the run's partition.
    pub fn partitions_def(mut self, def: impl IntoPartitionsDefinition) -> Self {
        match def.into_partitions_definition() {
            Ok(d) => self.partitions_def = Some(d),
            Err(e) => self.partitions_error = Some(e),
        }
        self
    }

    /// Sets the group of its assets.
    pub fn group_name(mut self, group: impl Into<String>) -> Self {
        self.group_name = Some(group.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The assets, or every wiring mistake, each naming the graph, the node
    /// and the input or output involved.
    pub fn build(self) -> Result<MultiAssetDefinition> {
        let mut problems = Vec::new();
        let graph = &self.name;
        let node_index = |name: &str| self.nodes.iter().position(|(n, _, _)| n == name);
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (i, (name, op, wiring)) in self.nodes.iter().enumerate() {
            if self.nodes[..i].iter().any(|(n, _, _)| n == name) {
                problems.push(format!(
                    "graph `{graph}` has two nodes named `{name}`; name one with `node_as`"
                ));
            }
            for (input, _) in wiring {
                if op.inputs.iter().all(|i| &i.name != input) {
                    problems.push(format!(
                        "graph `{graph}` wires input `{input}` of node `{name}`, but op `{}` has no such input{}",
                        op.name,
                        crate::suggest::did_you_mean(input, op.inputs.iter().map(|i| i.name.clone()))
                    ));
                }
            }
            let mut sources = Vec::with_capacity(op.inputs.len());
            for input in &op.inputs {
                let Some((_, source)) = wiring.iter().find(|(n, _)| *n == input.name) else {
                    problems.push(format!(
                        "input `{}` of node `{name}` in graph `{graph}` is not wired; wire it to a node output or a graph input",
                        input.name
                    ));
                    continue;
                };
                match source {
                    NodeInput::Node { node, output } => {
                        match node_index(node).map(|n| (n, &self.nodes[n].1)) {
                            Some((n, up)) => match up.outputs.iter().position(|o| &o.name == output) {
                                Some(o) => sources.push(NodeSource::Node { node: n, output: o }),
                                None => problems.push(format!(
                                    "input `{}` of node `{name}` in graph `{graph}` reads output `{output}` of node `{node}`, which has no such output",
                                    input.name
                                )),
                            },
                            None => problems.push(format!(
                                "input `{}` of node `{name}` in graph `{graph}` reads node `{node}`, which is not in the graph{}",
                                input.name,
                                crate::suggest::did_you_mean(node, self.nodes.iter().map(|(n, _, _)| n.clone()))
                            )),
                        }
                    }
                    NodeInput::Asset(a) => match self.inputs.iter().position(|i| &i.name == a) {
                        Some(g) if self.inputs[g].ty.id != input.ty.id => problems.push(format!(
                            "input `{}` of node `{name}` in graph `{graph}` is a `{}`, but graph input `{a}` is a `{}`",
                            input.name,
                            input.ty.short_name(),
                            self.inputs[g].ty.short_name()
                        )),
                        Some(g) => sources.push(NodeSource::Asset(g)),
                        None => problems.push(format!(
                            "input `{}` of node `{name}` in graph `{graph}` reads graph input `{a}`, which is not declared; add `.input(AssetIn::new(\"{a}\", ..))`",
                            input.name
                        )),
                    },
                }
            }
            nodes.push(GraphNode {
                name: name.clone(),
                op: op.clone(),
                inputs: sources,
            });
        }
        if self.outs.is_empty() {
            problems.push(format!(
                "graph-backed asset `{graph}` maps no node output to an asset; add `.out(..)`"
            ));
        }
        if self.single && self.outs.len() > 1 {
            problems.push(format!(
                "graph-backed asset `{graph}` is one asset but maps {} outputs; use `MultiAssetDefinition::graph` for several",
                self.outs.len()
            ));
        }
        let mut outputs = Vec::with_capacity(self.outs.len());
        let mut facade_outs = Vec::with_capacity(self.outs.len());
        for (out, node, output) in &self.outs {
            let what = format!("asset `{}` of graph `{graph}`", out.name());
            let Some(n) = node_index(node) else {
                problems.push(format!(
                    "{what} is output `{output}` of node `{node}`, which is not in the graph"
                ));
                continue;
            };
            let Some(o) = self.nodes[n]
                .1
                .outputs
                .iter()
                .position(|x| &x.name == output)
            else {
                problems.push(format!(
                    "{what} is output `{output}` of node `{node}`, which has no such output"
                ));
                continue;
            };
            let node_out = &self.nodes[n].1.outputs[o];
            if node_out.ty.id != out.out.ty.id {
                problems.push(format!(
                    "{what} is a `{}`, but output `{output}` of node `{node}` is a `{}`",
                    out.out.ty.short_name(),
                    node_out.ty.short_name()
                ));
            }
            let key = match self.single {
                true => AssetKey::new([out.name().to_owned()])
                    .with_prefix(self.key_prefix.iter().cloned()),
                false => out.asset_key(),
            };
            let mut facade = out.out.clone();
            facade.asset_key = Some(key);
            facade_outs.push((facade, out.group_name.clone()));
            outputs.push((n, o));
        }
        if !problems.is_empty() {
            return Err(Error::InvalidDefinitions(problems));
        }
        // The facade: what the rest of larder sees of the graph (its
        // inputs, its assets' outputs); its nodes run instead of it.
        let step_name = match (self.single, facade_outs.first()) {
            (true, Some((o, _))) => o
                .asset_key
                .as_ref()
                .map_or(self.name.clone(), AssetKey::to_step_key),
            _ => self.name.clone(),
        };
        let mut op = OpDefinition::builder(step_name.clone());
        for input in self.inputs {
            op = op.input(input.into_in());
        }
        for (o, _) in &facade_outs {
            op = op.output(o.clone());
        }
        if let Some(d) = &self.description {
            op = op.description(d.clone());
        }
        let graph_name = step_name;
        let op = Arc::new(op.compute(move |_| {
            Err(Error::msg(format!(
                "graph-backed asset `{graph_name}` runs as its op nodes, not as one step"
            )))
        }));
        let graph = Arc::new(AssetGraph { nodes, outputs });
        let partitions_def = self.partitions_def.map(Arc::new);
        let resource_defs = Arc::new(indexmap::IndexMap::new());
        let assets = facade_outs
            .into_iter()
            .enumerate()
            .map(|(i, (out, group))| AssetDefinition {
                key: out
                    .asset_key
                    .clone()
                    .unwrap_or_else(|| AssetKey::new([out.name.clone()])),
                op: op.clone(),
                group_name: group
                    .or_else(|| self.group_name.clone())
                    .unwrap_or_else(|| "default".to_owned()),
                description: out.description.clone().or_else(|| self.description.clone()),
                metadata: out.metadata.clone(),
                deps: Vec::new(),
                partitions_def: partitions_def.clone(),
                partitions_error: self.partitions_error.clone(),
                resource_defs: resource_defs.clone(),
                output: i,
                multi: !self.single,
                graph: Some(graph.clone()),
            })
            .collect();
        Ok(MultiAssetDefinition::from_assets(assets))
    }
}

impl AssetGraph {
    /// The op of node `n` as its step runs it: the outputs that are assets
    /// take the asset's key, manager and metadata; the inputs that are
    /// graph inputs, the upstream asset's key and loader.
    pub(crate) fn node_op(&self, n: usize, facade: &OpDefinition) -> OpDefinition {
        let node = &self.nodes[n];
        let mut op = (*node.op).clone();
        for (a, &(node_idx, o)) in self.outputs.iter().enumerate() {
            if node_idx == n
                && let (Some(slot), Some(asset_out)) =
                    (op.outputs.get_mut(o), facade.outputs.get(a))
            {
                *slot = Out {
                    name: slot.name.clone(),
                    ..asset_out.clone()
                };
            }
        }
        for (slot, source) in op.inputs.iter_mut().zip(&node.inputs) {
            if let NodeSource::Asset(g) = *source
                && let Some(graph_in) = facade.inputs.get(g)
            {
                *slot = In {
                    name: slot.name.clone(),
                    ..graph_in.clone()
                };
            }
        }
        op
    }
}
