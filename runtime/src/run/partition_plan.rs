//! Partitions in the plan: which partitions each asset step writes and
//! which upstream partitions each input reads, through its mapping; and
//! the checks that the input and output types fit those counts.

use std::sync::Arc;

use super::plan::{InputSource, Plan};
use crate::definitions::In;
use crate::io::context::AssetPartitions;
use crate::model::partitions::{PartitionSelection, ShapeKind, default_mapping, upstream_keys_for};

impl Plan {
    /// Resolves the partitions of a run. Without a selection, only checks
    /// that each input's mapping fits its upstream and downstream.
    pub(crate) fn resolve_partitions(
        &mut self,
        selection: Option<&PartitionSelection>,
        now: jiff::Timestamp,
        problems: &mut Vec<String>,
    ) {
        let run_partition: Option<Arc<str>> = match selection {
            Some(PartitionSelection::Key(k)) => Some(Arc::from(k.as_str())),
            _ => None,
        };
        for i in 0..self.steps.len() {
            let Some(asset) = self.steps[i].asset.clone() else {
                continue;
            };
            self.steps[i].run_partition = run_partition.clone();
            if let (Some(def), Some(sel)) = (&asset.partitions_def, selection) {
                match sel.keys(def, now) {
                    Ok(keys) => {
                        self.steps[i].partitions = Some(AssetPartitions::new(def.clone(), keys))
                    }
                    Err(e) => problems.push(format!("asset `{}`: {e}", asset.key)),
                }
            }
            // The step's op: a graph node's inputs are not its asset's.
            let op = self.steps[i].op.clone();
            let mut input_partitions = Vec::with_capacity(op.inputs.len());
            for (input, source) in op.inputs.iter().zip(&self.steps[i].inputs) {
                let (up_def, upstream_name) = match source {
                    // Only an asset output has partitions (not a graph
                    // node's op output).
                    InputSource::Step { step, output } => {
                        let up = &self.steps[*step];
                        let is_asset = up.op.outputs[*output].asset_key.is_some();
                        (
                            up.asset
                                .as_ref()
                                .filter(|_| is_asset)
                                .and_then(|a| a.partitions_def.clone()),
                            up.describe(),
                        )
                    }
                    InputSource::Asset(a) => {
                        (a.partitions_def.clone(), format!("asset `{}`", a.key))
                    }
                    _ => (None, String::new()),
                };
                let Some(up_def) = up_def else {
                    input_partitions.push(None);
                    continue;
                };
                let what = format!("input `{}` of asset `{}`", input.name, asset.key);
                let down_def = asset.partitions_def.as_deref();
                let mapping = match &input.partition_mapping {
                    Some(m) => m.clone(),
                    None => match default_mapping(&up_def, down_def) {
                        Ok(m) => m,
                        Err(e) => {
                            problems.push(format!("{what}: {e}"));
                            input_partitions.push(None);
                            continue;
                        }
                    },
                };
                let down_keys: Option<Vec<String>> = match (&self.steps[i].partitions, down_def) {
                    (Some(p), _) => Some(p.keys.as_ref().map(|k| k.to_vec()).unwrap_or_default()),
                    (None, None) => Some(Vec::new()),
                    // A partitioned asset with no selection: check the mapping only.
                    (None, Some(_)) => None,
                };
                let Some(down_keys) = down_keys else {
                    if let Err(e) = mapping.check(&up_def, down_def) {
                        problems.push(format!("{what}: {e}"));
                    }
                    input_partitions.push(None);
                    continue;
                };
                // Every manager is held to "one partition into one `T`",
                // except a path manager, whose `load_partitions` is the one
                // documented way to merge them.
                let manager_key = match (&input.input_manager_key, source) {
                    (Some(k), _) => Some(k.clone()),
                    (None, InputSource::Step { step, output }) => {
                        Some(self.steps[*step].op.outputs[*output].io_manager_key.clone())
                    }
                    (None, InputSource::Asset(a)) => a.out().map(|o| o.io_manager_key.clone()),
                    _ => None,
                };
                let may_merge = manager_key
                    .and_then(|k| self.resources.get(&k))
                    .is_some_and(|d| is_path_manager(d.type_name));
                match upstream_keys_for(&mapping, down_def, &down_keys, &up_def, now) {
                    Ok(keys) => {
                        if !(may_merge && input.shape.is_none() && keys.len() > 1) {
                            check_shape(&what, &upstream_name, input, &keys, problems);
                        }
                        input_partitions.push(Some(AssetPartitions::new(up_def.clone(), keys)));
                    }
                    Err(e) => {
                        problems.push(format!("{what}: {e}"));
                        input_partitions.push(None);
                    }
                }
            }
            self.steps[i].input_partitions = input_partitions;
            // Every output: a multi-asset's step writes each of its assets.
            let parts = self.steps[i].partitions.as_ref();
            for (parts, out) in parts.iter().flat_map(|p| {
                op.outputs
                    .iter()
                    .filter(|o| o.asset_key.is_some())
                    .map(move |o| (p, o))
            }) {
                let n = parts.keys.as_ref().map(|k| k.len()).unwrap_or(0);
                let is_map = out.shape.is_some_and(|s| s.kind == ShapeKind::Map);
                if n > 1 && !is_map && !out.ty.is_unit() {
                    problems.push(format!(
                        "asset `{}` covers {n} partitions in this run, but returns a single `{}`; return `PartitionMap<{}>` with one value per partition, or run one partition at a time",
                        out.asset_key.as_ref().unwrap_or(&asset.key),
                        out.ty.short_name(),
                        out.ty.short_name()
                    ));
                }
            }
        }
    }
}

/// An input of type `T` takes exactly one upstream partition, `Option<T>`
/// zero or one, `PartitionMap<T>` any number.
fn check_shape(
    what: &str,
    upstream: &str,
    input: &In,
    keys: &[String],
    problems: &mut Vec<String>,
) {
    let n = keys.len();
    let span = match keys {
        [] => String::new(),
        [one] => format!(" ({one})"),
        [first, .., last] => format!(" ({first} to {last})"),
    };
    let (ok, wanted) = match input.shape.map(|s| s.kind) {
        None => (n == 1, if n == 0 { "Option" } else { "PartitionMap" }),
        Some(ShapeKind::Optional) => (n <= 1, "PartitionMap"),
        Some(ShapeKind::Map) => (true, ""),
    };
    if !ok {
        let element = input
            .shape
            .map(|s| s.element.short_name())
            .unwrap_or_else(|| input.ty.short_name());
        let declared = input
            .shape
            .map(|s| s.declared_name())
            .unwrap_or_else(|| input.ty.short_name());
        problems.push(format!(
            "{what} reads {n} partition{}{span} of {upstream}, but its type `{declared}` takes {}; declare it as `{wanted}<{element}>`",
            if n == 1 { "" } else { "s" },
            if input.shape.is_some() { "at most one" } else { "exactly one" },
        ));
    }
}

/// Whether `type_name` is a `UPathManager<_>`, which may merge partitions.
fn is_path_manager(type_name: &str) -> bool {
    let path_manager = std::any::type_name::<crate::storage::upath::UPathManager<()>>();
    let generic = path_manager.split('<').next().unwrap_or(path_manager);
    type_name.split('<').next() == Some(generic)
}
