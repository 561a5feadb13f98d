//! Graph-backed assets in a plan: one step per op node, keyed
//! `<asset step>.<node>`, pushed together; the wiring between them, and
//! from the graph's inputs to their upstream assets.

use std::collections::HashMap;
use std::sync::Arc;

use super::plan::{InputSource, Step, did_you_mean};
use crate::definitions::{AssetDefinition, OpDefinition};
use crate::model::asset_key::AssetKey;

/// Where in the plan an asset is produced, relative to the first step of
/// its op: (node offset, output index of that step's op).
pub(crate) fn produced_at(asset: &AssetDefinition) -> (usize, usize) {
    match &asset.graph {
        Some(g) => g.outputs.get(asset.output).copied().unwrap_or((0, 0)),
        None => (0, asset.output),
    }
}

/// The steps of a graph-backed asset's nodes, in node order.
pub(crate) fn node_steps(asset: &AssetDefinition) -> Vec<Step> {
    let Some(graph) = &asset.graph else {
        return Vec::new();
    };
    graph
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let mut step = Step::of_asset(asset, &format!("{}.{}", asset.op.name, node.name));
            step.op = Arc::new(graph.node_op(n, &asset.op));
            step
        })
        .collect()
}

/// Wires the inputs of every node step: to sibling nodes, or through the
/// graph's inputs to upstream assets (in this run, in storage, or loaded
/// by an input manager).
pub(crate) fn wire(
    steps: &mut [Step],
    first_step: &HashMap<*const OpDefinition, usize>,
    index: &HashMap<AssetKey, usize>,
    by_key: &HashMap<&AssetKey, &AssetDefinition>,
    problems: &mut Vec<String>,
) {
    for (i, step) in steps.iter_mut().enumerate() {
        let Some(asset) = step.asset.clone() else {
            continue;
        };
        let Some(graph) = asset.graph.clone() else {
            continue;
        };
        let Some(&base) = first_step.get(&Arc::as_ptr(&asset.op)) else {
            continue;
        };
        let Some(node) = graph.nodes.get(i - base) else {
            continue;
        };
        let own = base..base + graph.nodes.len();
        let mut sources = Vec::with_capacity(node.inputs.len());
        let mut upstream = Vec::new();
        for (source, input) in node.inputs.iter().zip(&step.op.inputs) {
            let source = match *source {
                crate::definitions::graph_asset::NodeSource::Node { node, output } => {
                    upstream.push(base + node);
                    InputSource::Step {
                        step: base + node,
                        output,
                    }
                }
                crate::definitions::graph_asset::NodeSource::Asset(_) => {
                    let up_key = input
                        .asset_key
                        .clone()
                        .unwrap_or_else(|| AssetKey::new([input.name.clone()]));
                    let in_run = index.get(&up_key).copied().filter(|u| !own.contains(u));
                    if input.ty.is_unit() {
                        InputSource::Unit
                    } else if let (Some(u), Some(def)) = (in_run, by_key.get(&up_key)) {
                        upstream.push(u);
                        InputSource::Step {
                            step: u,
                            output: produced_at(def).1,
                        }
                    } else if let Some(def) = by_key.get(&up_key) {
                        InputSource::Asset((*def).clone())
                    } else if input.input_manager_key.is_some() {
                        InputSource::Root
                    } else {
                        problems.push(format!(
                            "graph-backed asset `{}` loads input `{}` of node `{}` from asset `{up_key}`, which is not defined and has no input_manager_key to load it{}",
                            asset.key,
                            input.name,
                            node.name,
                            did_you_mean(&up_key.to_string(), by_key.keys().map(|k| k.to_string()))
                        ));
                        InputSource::Unit
                    }
                }
            };
            sources.push(source);
        }
        step.inputs = sources;
        step.upstream = upstream;
    }
}
