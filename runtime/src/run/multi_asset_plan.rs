//! Multi-assets in a plan: the assets sharing an op are one step, and a
//! selection takes all of them or none (Dagster's multi-assets cannot be
//! subset unless they say so; larder's never can).

use std::collections::HashMap;
use std::sync::Arc;

use super::plan::Step;
use crate::definitions::AssetDefinition;
use crate::model::asset_key::AssetKey;

impl Step {
    /// The step computing `asset` (and, for a multi-asset, its siblings).
    pub(crate) fn of_asset(asset: &AssetDefinition, key: &str) -> Step {
        Step {
            key: Arc::from(key),
            op: asset.op.clone(),
            asset: Some(asset.clone()),
            inputs: Vec::new(),
            upstream: Vec::new(),
            downstream: Vec::new(),
            run_partition: None,
            partitions: None,
            input_partitions: Vec::new(),
            mapping: Default::default(),
        }
    }
}

/// Reports each multi-asset of which some assets are selected and others
/// not, naming both, as Dagster's `DagsterInvalidSubsetError` does.
pub(crate) fn check_not_subset(
    all: &[AssetDefinition],
    selected: &HashMap<AssetKey, usize>,
    problems: &mut Vec<String>,
) {
    let mut seen: Vec<*const crate::definitions::OpDefinition> = Vec::new();
    for asset in all.iter().filter(|a| a.multi) {
        let op = Arc::as_ptr(&asset.op);
        if seen.contains(&op) {
            continue;
        }
        seen.push(op);
        let mut siblings: Vec<&AssetDefinition> =
            all.iter().filter(|a| Arc::as_ptr(&a.op) == op).collect();
        // In the order of the outs, not of the definitions.
        siblings.sort_by_key(|a| a.output);
        let (inside, outside): (Vec<&AssetDefinition>, Vec<&AssetDefinition>) =
            siblings.iter().partition(|a| selected.contains_key(&a.key));
        if inside.is_empty() || outside.is_empty() {
            continue;
        }
        let list = |assets: &[&AssetDefinition]| {
            assets
                .iter()
                .map(|a| format!("`{}`", a.key))
                .collect::<Vec<_>>()
                .join(", ")
        };
        problems.push(format!(
            "multi-asset `{}` computes assets {} in one step, but only {} {} selected; it cannot be subset (as Dagster's multi-assets without can_subset): select {} too",
            asset.op.name,
            list(&siblings),
            list(&inside),
            if inside.len() == 1 { "is" } else { "are" },
            list(&outside),
        ));
    }
}
