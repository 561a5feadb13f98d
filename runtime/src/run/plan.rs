//! The execution plan: the steps of a run, where each input comes from,
//! and the checks made on the whole of it before anything runs.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use indexmap::IndexMap;

use crate::definitions::{AssetDefinition, In, JobDefinition, OpDefinition, Out};
use crate::io::context::AssetPartitions;
use crate::io::resources::{ResourceDefinition, ResourceKind};
use crate::model::asset_key::AssetKey;
use crate::model::partitions::ShapeKind;
pub(crate) use crate::suggest::did_you_mean;

/// Where an input's value comes from.
#[derive(Clone)]
pub(crate) enum InputSource {
    /// An output of a step in this run.
    Step { step: usize, output: usize },
    /// An asset defined but not materialized in this run.
    Asset(AssetDefinition),
    /// No upstream: loaded by its input manager.
    Root,
    /// A `()` input: only orders the steps.
    Unit,
    /// A fan-in input: each element from its own upstream (each a `Step`
    /// or an `External`), loaded by that upstream's manager, in order.
    FanIn(Vec<InputSource>),
    /// An output of an op step that does not run in this run (a
    /// re-execution or a step subset): loaded through its manager as the
    /// output of `run_id`, the run that produced it (this run when `None`).
    External {
        step: Arc<Step>,
        output: usize,
        run_id: Option<Arc<str>>,
    },
    /// A `Vec<T>` input collecting the values of a dynamic output, or of
    /// an op mapped over one (`of`: that output, or the mapped template's).
    /// The run fills `sources` (step, output, mapping key of a dynamic
    /// output) when the dynamic step has run (`run::dynamic`).
    Collect {
        of: (usize, usize),
        sources: Vec<(usize, usize, Option<Arc<str>>)>,
    },
}

/// One step of the run: an op invocation or an asset.
pub(crate) struct Step {
    pub(crate) key: Arc<str>,
    pub(crate) op: Arc<OpDefinition>,
    pub(crate) asset: Option<AssetDefinition>,
    pub(crate) inputs: Vec<InputSource>,
    pub(crate) upstream: Vec<usize>,
    pub(crate) downstream: Vec<usize>,
    /// The run's partition key (single-partition runs).
    pub(crate) run_partition: Option<Arc<str>>,
    /// The asset partitions this step writes.
    pub(crate) partitions: Option<AssetPartitions>,
    /// Per input: the upstream partitions it reads.
    pub(crate) input_partitions: Vec<Option<AssetPartitions>>,
    /// Whether it is mapped over a dynamic output (`run::dynamic`).
    pub(crate) mapping: super::dynamic::Mapping,
}

impl Step {
    /// "asset `a/b`", "multi-asset `ab`" or "op `op_a`", for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.asset {
            Some(a) if a.graph.is_some() => {
                format!("op `{}` of graph-backed asset `{}`", self.key, a.op.name)
            }
            Some(a) if a.multi => format!("multi-asset `{}`", self.key),
            Some(a) => format!("asset `{}`", a.key),
            None => format!("op `{}`", self.key),
        }
    }
}

/// The steps of a run and the resources they use.
pub(crate) struct Plan {
    pub(crate) job_name: Arc<str>,
    pub(crate) steps: Vec<Step>,
    pub(crate) resources: IndexMap<String, ResourceDefinition>,
}

impl Plan {
    /// The plan for materializing `selected` out of `all` assets.
    pub(crate) fn for_assets(
        job_name: &str,
        all: &[AssetDefinition],
        selected: &[AssetKey],
        resources: IndexMap<String, ResourceDefinition>,
        problems: &mut Vec<String>,
    ) -> Plan {
        let by_key: HashMap<&AssetKey, &AssetDefinition> =
            all.iter().map(|a| (&a.key, a)).collect();
        let mut steps: Vec<Step> = Vec::with_capacity(selected.len());
        let mut index: HashMap<AssetKey, usize> = HashMap::new();
        // The assets of a multi-asset share their op: one step for them all.
        let mut step_of_op: HashMap<*const OpDefinition, usize> = HashMap::new();
        for key in selected {
            match by_key.get(key) {
                Some(asset) if asset.multi || asset.graph.is_some() => {
                    let op = Arc::as_ptr(&asset.op);
                    let first = match step_of_op.get(&op) {
                        Some(&s) => s,
                        None => {
                            step_of_op.insert(op, steps.len());
                            let first = steps.len();
                            match asset.graph {
                                Some(_) => steps.extend(super::graph_asset_plan::node_steps(asset)),
                                None => steps.push(Step::of_asset(asset, &asset.op.name)),
                            }
                            first
                        }
                    };
                    let node = super::graph_asset_plan::produced_at(asset).0;
                    index.insert(key.clone(), first + node);
                }
                Some(asset) => {
                    index.insert(key.clone(), steps.len());
                    steps.push(Step {
                        key: Arc::from(key.to_step_key()),
                        op: asset.op.clone(),
                        asset: Some((*asset).clone()),
                        inputs: Vec::new(),
                        upstream: Vec::new(),
                        downstream: Vec::new(),
                        run_partition: None,
                        partitions: None,
                        input_partitions: Vec::new(),
                        mapping: Default::default(),
                    });
                }
                None => problems.push(format!(
                    "asset `{key}` is selected but not defined{}",
                    did_you_mean(&key.to_string(), all.iter().map(|a| a.key.to_string()))
                )),
            }
        }
        super::multi_asset_plan::check_not_subset(all, &index, problems);
        for (this, step) in steps.iter_mut().enumerate() {
            let Some(asset) = step.asset.clone().filter(|a| a.graph.is_none()) else {
                continue;
            };
            let mut sources = Vec::with_capacity(asset.op.inputs.len());
            let mut upstream = Vec::new();
            for input in &asset.op.inputs {
                let up_key = input
                    .asset_key
                    .clone()
                    .unwrap_or_else(|| AssetKey::new([input.name.clone()]));
                // A self-dependency (an earlier partition of this asset) is read
                // from storage: it is not an edge of this run.
                let in_run = index.get(&up_key).copied().filter(|&u| u != this);
                if let Some(u) = in_run {
                    upstream.push(u);
                }
                let source = if input.ty.is_unit() {
                    InputSource::Unit
                } else if let Some(u) = in_run {
                    let output = by_key
                        .get(&up_key)
                        .map_or(0, |a| super::graph_asset_plan::produced_at(a).1);
                    InputSource::Step { step: u, output }
                } else if let Some(def) = by_key.get(&up_key) {
                    InputSource::Asset((*def).clone())
                } else if input.input_manager_key.is_some() {
                    InputSource::Root
                } else {
                    // As in Dagster, an input's key is its name (plus its
                    // own `key_prefix`), never the asset's prefix: say so
                    // when the prefixed key is the one that exists.
                    let path = asset.key.path();
                    let parent: Vec<String> = path[..path.len().saturating_sub(1)].to_vec();
                    let prefixed = AssetKey::new([input.name.clone()]).with_prefix(parent.clone());
                    let hint = if input.asset_key.as_ref()
                        == Some(&AssetKey::new([input.name.clone()]))
                        && !parent.is_empty()
                        && by_key.contains_key(&prefixed)
                    {
                        format!(
                            "; the asset's key_prefix does not apply to its inputs (as in Dagster): to read `{prefixed}`, write `ins({}(key_prefix = [{}]))`",
                            input.name,
                            parent
                                .iter()
                                .map(|p| format!("\"{p}\""))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        did_you_mean(&up_key.to_string(), all.iter().map(|a| a.key.to_string()))
                    };
                    problems.push(format!(
                        "asset `{}` loads input `{}` from asset `{up_key}`, which is not defined and has no input_manager_key to load it{hint}",
                        asset.key,
                        input.name,
                    ));
                    InputSource::Unit
                };
                sources.push(source);
            }
            for dep in &asset.deps {
                match index.get(dep) {
                    Some(&u) => upstream.push(u),
                    None if by_key.contains_key(dep) => {}
                    None => problems.push(format!(
                        "asset `{}` depends on asset `{dep}`, which is not defined{}",
                        asset.key,
                        did_you_mean(&dep.to_string(), all.iter().map(|a| a.key.to_string()))
                    )),
                }
            }
            step.inputs = sources;
            step.upstream = upstream;
        }
        super::graph_asset_plan::wire(&mut steps, &step_of_op, &index, &by_key, problems);
        let mut plan = Plan {
            job_name: Arc::from(job_name),
            steps,
            resources,
        };
        plan.link_downstream();
        plan
    }

    /// The plan for a job.
    pub(crate) fn for_job(
        job: &JobDefinition,
        resources: IndexMap<String, ResourceDefinition>,
        problems: &mut Vec<String>,
    ) -> Plan {
        let index: HashMap<&str, usize> = job
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        let mut steps = Vec::with_capacity(job.nodes.len());
        for node in &job.nodes {
            let mut sources = Vec::with_capacity(node.op.inputs.len());
            let mut upstream = Vec::new();
            for input in &node.op.inputs {
                if let Some(handles) = node.fan_in.get(&input.name) {
                    let elements: Vec<(usize, usize)> = handles
                        .iter()
                        .filter_map(|h| {
                            let u = *index.get(h.node.as_str())?;
                            let o = job.nodes[u]
                                .op
                                .outputs
                                .iter()
                                .position(|o| o.name == h.output)?;
                            Some((u, o))
                        })
                        .collect();
                    upstream.extend(elements.iter().map(|(u, _)| *u));
                    // Fan-in of `Nothing` outputs only orders the step after all of them.
                    sources.push(if input.ty.is_unit() {
                        InputSource::Unit
                    } else {
                        InputSource::FanIn(
                            elements
                                .into_iter()
                                .map(|(step, output)| InputSource::Step { step, output })
                                .collect(),
                        )
                    });
                    continue;
                }
                let wired = node.inputs.get(&input.name).and_then(|h| {
                    let u = *index.get(h.node.as_str())?;
                    let o = job.nodes[u]
                        .op
                        .outputs
                        .iter()
                        .position(|o| o.name == h.output)?;
                    Some((u, o))
                });
                if let Some((u, _)) = wired {
                    upstream.push(u);
                }
                let source = match wired {
                    _ if input.ty.is_unit() => InputSource::Unit,
                    Some((step, output)) => InputSource::Step { step, output },
                    None if input.input_manager_key.is_some() => InputSource::Root,
                    None => {
                        problems.push(format!(
                            "input `{}` of op `{}` in job `{}` has no upstream output and no input_manager_key, so nothing can load it; wire it to an upstream op or give it an input manager",
                            input.name, node.name, job.name
                        ));
                        InputSource::Unit
                    }
                };
                sources.push(source);
            }
            let n_inputs = sources.len();
            steps.push(Step {
                key: Arc::from(node.name.as_str()),
                op: node.op.clone(),
                asset: None,
                inputs: sources,
                upstream,
                downstream: Vec::new(),
                run_partition: None,
                partitions: None,
                input_partitions: vec![None; n_inputs],
                mapping: Default::default(),
            });
        }
        super::dynamic::mark_job(job, &mut steps);
        let mut plan = Plan {
            job_name: Arc::from(job.name.as_str()),
            steps,
            resources,
        };
        plan.link_downstream();
        plan
    }

    fn link_downstream(&mut self) {
        for i in 0..self.steps.len() {
            self.steps[i].upstream.sort_unstable();
            self.steps[i].upstream.dedup();
            for u in self.steps[i].upstream.clone() {
                self.steps[u].downstream.push(i);
            }
        }
    }

    /// Every problem with the plan: cycles, unresolved or unfit managers.
    pub(crate) fn validate(&self, problems: &mut Vec<String>) {
        self.check_cycles(problems);
        // Resources requiring unbound keys, or each other in a cycle.
        match crate::io::resources::init_order(&self.resources) {
            Err(crate::error::Error::InvalidDefinitions(p)) => problems.extend(p),
            Err(e) => problems.push(e.to_string()),
            Ok(_) => {}
        }
        for step in &self.steps {
            for out in &step.op.outputs {
                self.check_output(step, &stored_as(step, out), problems);
            }
            for (input, source) in step.op.inputs.iter().zip(&step.inputs) {
                let input = match (input.shape, self.upstream_partitioned(source)) {
                    (Some(shape), true) => In {
                        ty: shape.element,
                        typed: input.typed_element,
                        ..input.clone()
                    },
                    // An input manager's `Option<T>` of an unpartitioned (or
                    // no) upstream: its `T`, wrapped in `Some`.
                    (Some(shape), false) if loads_optional_element(input) => In {
                        ty: shape.element,
                        typed: input.typed_element,
                        ..input.clone()
                    },
                    _ => input.clone(),
                };
                self.check_input(step, &input, source, problems);
            }
        }
    }

    /// The resource keys the steps of this run use (Dagster's required
    /// resources): the managers of their outputs and inputs (an input
    /// without an input manager is loaded by its upstream's), each step's
    /// `required_resource_keys`, and what those require, transitively.
    /// Only these are initialized, and only their config is required.
    pub(crate) fn needed_resources(&self) -> HashSet<String> {
        self.needed_resources_of(None)
    }

    /// The resource keys step `only` uses (all steps: `None`); a step
    /// worker initializes only its step's.
    pub(crate) fn needed_resources_of(&self, only: Option<usize>) -> HashSet<String> {
        let mut needed: Vec<String> = Vec::new();
        for (_, step) in self
            .steps
            .iter()
            .enumerate()
            .filter(|(i, _)| only.is_none_or(|o| o == *i))
        {
            needed.extend(step.op.required_resource_keys().iter().cloned());
            for out in &step.op.outputs {
                if !out.ty.is_unit() {
                    needed.push(out.io_manager_key.clone());
                }
            }
            for (input, source) in step.op.inputs.iter().zip(&step.inputs) {
                let key = match (&input.input_manager_key, source) {
                    (Some(k), _) => Some(k.clone()),
                    (None, InputSource::Step { step: u, output }) => {
                        Some(self.steps[*u].op.outputs[*output].io_manager_key.clone())
                    }
                    (None, InputSource::Asset(a)) => a.out().map(|o| o.io_manager_key.clone()),
                    (None, InputSource::External { step, output, .. }) => {
                        Some(step.op.outputs[*output].io_manager_key.clone())
                    }
                    (None, InputSource::Collect { of: (u, o), .. }) => {
                        Some(self.steps[*u].op.outputs[*o].io_manager_key.clone())
                    }
                    (None, InputSource::FanIn(elements)) => {
                        for e in elements {
                            needed.extend(self.loading_key(e));
                        }
                        None
                    }
                    (None, InputSource::Root | InputSource::Unit) => None,
                };
                needed.extend(key);
            }
        }
        let mut seen = HashSet::new();
        while let Some(key) = needed.pop() {
            if let Some(def) = self.resources.get(&key) {
                needed.extend(
                    def.required_resource_keys
                        .iter()
                        .filter(|k| !seen.contains(*k))
                        .cloned(),
                );
            }
            seen.insert(key);
        }
        seen
    }

    /// The plan of only the steps `keep` marks (a re-execution or a step
    /// subset). An input from a step left out is loaded from storage: an
    /// asset's from its path, an op output as the output of the run
    /// `run_of(step_key)` names (this run when `None`).
    pub(crate) fn subset(self, keep: &[bool], run_of: &dyn Fn(&str) -> Option<Arc<str>>) -> Plan {
        let Plan {
            job_name,
            steps,
            resources,
        } = self;
        let mut new_index: Vec<Option<usize>> = vec![None; steps.len()];
        let mut next = 0;
        for (i, slot) in new_index.iter_mut().enumerate() {
            if keep.get(i).copied().unwrap_or(false) {
                *slot = Some(next);
                next += 1;
            }
        }
        let mut dropped: Vec<Option<Arc<Step>>> = vec![None; steps.len()];
        let mut kept = Vec::with_capacity(next);
        for (i, step) in steps.into_iter().enumerate() {
            if new_index[i].is_some() {
                kept.push(step);
            } else {
                dropped[i] = Some(Arc::new(step));
            }
        }
        for step in &mut kept {
            let elements = step.inputs.iter_mut().flat_map(|s| match s {
                InputSource::FanIn(v) => v.iter_mut().collect::<Vec<_>>(),
                other => vec![other],
            });
            for source in elements {
                let InputSource::Step { step: u, output } = *source else {
                    continue;
                };
                *source = match (new_index[u], &dropped[u]) {
                    (Some(j), _) => InputSource::Step { step: j, output },
                    (None, Some(up)) => match &up.asset {
                        // The asset of that output (a multi-asset's may be
                        // another than the step's); a graph node's own op
                        // output is an op output.
                        Some(asset)
                            if let Some(a) = up.op.outputs[output]
                                .asset_key
                                .as_ref()
                                .and_then(|k| asset.sibling(k)) =>
                        {
                            InputSource::Asset(a)
                        }
                        _ => InputSource::External {
                            run_id: run_of(&up.key),
                            step: up.clone(),
                            output,
                        },
                    },
                    (None, None) => continue,
                };
            }
            step.upstream = step.upstream.iter().filter_map(|u| new_index[*u]).collect();
            step.downstream = step
                .downstream
                .iter()
                .filter_map(|d| new_index[*d])
                .collect();
        }
        Plan {
            job_name,
            steps: kept,
            resources,
        }
    }

    /// The key of the manager that loads from `source` (an upstream output).
    fn loading_key(&self, source: &InputSource) -> Option<String> {
        match source {
            InputSource::Step { step: u, output } => {
                Some(self.steps[*u].op.outputs[*output].io_manager_key.clone())
            }
            InputSource::External { step, output, .. } => {
                Some(step.op.outputs[*output].io_manager_key.clone())
            }
            _ => None,
        }
    }

    /// The plan with only the resources its steps use, for the run.
    pub(crate) fn with_needed_resources_only(mut self) -> Plan {
        let needed = self.needed_resources();
        self.resources.retain(|k, _| needed.contains(k));
        self
    }

    /// Whether an input's upstream asset is partitioned.
    pub(crate) fn upstream_partitioned(&self, source: &InputSource) -> bool {
        match source {
            InputSource::Step { step, .. } => self.steps[*step]
                .asset
                .as_ref()
                .is_some_and(|a| a.partitions_def.is_some()),
            InputSource::Asset(a) => a.partitions_def.is_some(),
            _ => false,
        }
    }

    /// Reports each cycle found by a depth-first walk. The walk keeps its
    /// own stack: a recursive one overflows the thread's on long chains.
    fn check_cycles(&self, problems: &mut Vec<String>) {
        // 0 = unvisited, 1 = on the path, 2 = done
        let mut state = vec![0u8; self.steps.len()];
        // The current path: each step with the index of its next downstream.
        let mut path: Vec<(usize, usize)> = Vec::new();
        for start in 0..self.steps.len() {
            if state[start] != 0 {
                continue;
            }
            state[start] = 1;
            path.push((start, 0));
            while let Some(top) = path.last_mut() {
                let (i, next) = *top;
                let Some(&d) = self.steps[i].downstream.get(next) else {
                    state[i] = 2;
                    path.pop();
                    continue;
                };
                top.1 += 1;
                match state[d] {
                    0 => {
                        state[d] = 1;
                        path.push((d, 0));
                    }
                    1 => {
                        let from = path.iter().position(|&(s, _)| s == d).unwrap_or(0);
                        let mut keys: Vec<&str> = path[from..]
                            .iter()
                            .map(|&(s, _)| &*self.steps[s].key)
                            .collect();
                        keys.push(&self.steps[d].key);
                        problems.push(format!("dependency cycle: {}", keys.join(" -> ")));
                    }
                    _ => {}
                }
            }
        }
    }

    pub(crate) fn bound_keys(&self) -> String {
        let keys: Vec<String> = self.resources.keys().map(|k| format!("`{k}`")).collect();
        if keys.is_empty() {
            "none".to_owned()
        } else {
            keys.join(", ")
        }
    }

    fn unbound(&self, what: &str, key: &str, needed_by: &str) -> String {
        format!(
            "{what} key `{key}` required by {needed_by} is not bound; bound keys: {}{}",
            self.bound_keys(),
            did_you_mean(key, self.resources.keys().cloned())
        )
    }

    fn check_output(&self, step: &Step, out: &Out, problems: &mut Vec<String>) {
        if out.ty.is_unit() {
            return;
        }
        let needed_by = format!(
            "output `{}` of {} (step `{}`)",
            out.name,
            step.describe(),
            step.key
        );
        let key = out.io_manager_key.as_str();
        let Some(def) = self.resources.get(key) else {
            problems.push(self.unbound("io manager", key, &needed_by));
            return;
        };
        if def.kind != ResourceKind::IOManager {
            problems.push(format!(
                "io manager key `{key}` required by {needed_by} is bound to `{}`, which is {}, not an IO manager",
                def.type_name,
                def.kind.describe()
            ));
            return;
        }
        if out.typed.is_some_and(|t| t.manager_id == def.type_id) {
            return;
        }
        match def.dyn_support {
            Some(d) => {
                if let Err(why) = (d.supports_output)(out.ty) {
                    problems.push(format!(
                        "{needed_by} is a `{}`, but `{}`, bound to key `{key}`, cannot store it: {why}",
                        out.ty.short_name(),
                        short(def.type_name)
                    ));
                }
            }
            None => problems.push(match &out.typed {
                Some(t) => format!(
                    "{needed_by} was declared for `{}` (key `{key}`), but the key is bound to `{}`, which only serves the types it was declared for; bind a `{}` or a manager that stores any type (e.g. `InMemoryIOManager`, `FilesystemIOManager`)",
                    short(t.manager_type),
                    short(def.type_name),
                    short(t.manager_type)
                ),
                None => format!(
                    "{needed_by} is stored under key `{key}`, bound to `{}`, which stores only the types it was declared for and is not known to store `{}`; name the key in the definition (`io_manager_key = \"{key}\"`) so the type is checked at compile time, or list the type in the manager's `types = [..]`",
                    short(def.type_name),
                    out.ty.short_name()
                ),
            }),
        }
    }

    pub(super) fn check_input(
        &self,
        step: &Step,
        input: &In,
        source: &InputSource,
        problems: &mut Vec<String>,
    ) {
        if matches!(source, InputSource::Unit) {
            return;
        }
        if let InputSource::Collect { of, .. } = source {
            super::dynamic::check_collect(self, step, input, *of, problems);
            return;
        }
        if let InputSource::FanIn(elements) = source {
            // Each element is checked as an input of the element type.
            let Some(shape) = input.fan_in else { return };
            let element = In {
                ty: shape.element,
                typed: None,
                fan_in: None,
                ..input.clone()
            };
            for e in elements {
                self.check_input(step, &element, e, problems);
            }
            return;
        }
        let needed_by = format!(
            "input `{}` of {} (step `{}`)",
            input.name,
            step.describe(),
            step.key
        );
        if let Some(key) = &input.input_manager_key {
            let Some(def) = self.resources.get(key) else {
                problems.push(self.unbound("input manager", key, &needed_by));
                return;
            };
            if !def.is_manager() {
                problems.push(format!(
                    "input manager key `{key}` required by {needed_by} is bound to `{}`, which is {}, not an input manager",
                    def.type_name,
                    def.kind.describe()
                ));
                return;
            }
            if input.typed.is_some_and(|t| t.manager_id == def.type_id) {
                return;
            }
            match def.dyn_support {
                Some(d) => {
                    if let Err(why) = (d.supports_input)(input.ty) {
                        problems.push(format!(
                            "{needed_by} is a `{}`, but `{}`, bound to key `{key}`, cannot load it: {why}",
                            input.ty.short_name(),
                            short(def.type_name)
                        ));
                    }
                }
                None => problems.push(format!(
                    "{needed_by} loads a `{}` with key `{key}`, bound to `{}`{}",
                    input.ty.short_name(),
                    short(def.type_name),
                    match &input.typed {
                        Some(t) => format!(", but it was declared for `{}`; bind a `{}` or a manager that loads any type", short(t.manager_type), short(t.manager_type)),
                        None => ", which is not known to load that type; name the key in the definition so it is checked at compile time".to_owned(),
                    }
                )),
            }
            return;
        }
        let (up_out, up_desc): (Out, String) = match source {
            InputSource::Step { step: u, output } => {
                let up = &self.steps[*u];
                let out = &up.op.outputs[*output];
                (
                    stored_as(up, out),
                    format!("output `{}` of step `{}`", out.name, up.key),
                )
            }
            InputSource::External {
                step: up, output, ..
            } => {
                let out = &up.op.outputs[*output];
                (
                    stored_as(up, out),
                    format!(
                        "output `{}` of step `{}` (not run in this run)",
                        out.name, up.key
                    ),
                )
            }
            InputSource::Asset(asset) => match asset.out() {
                Some(o) => {
                    let partitioned = asset.partitions_def.is_some();
                    let stored = match o.shape {
                        Some(shape) if partitioned && shape.kind == ShapeKind::Map => Out {
                            ty: shape.element,
                            typed: o.typed_element,
                            shape: None,
                            ..o.clone()
                        },
                        _ => o.clone(),
                    };
                    (
                        stored,
                        format!("asset `{}` (not materialized in this run)", asset.key),
                    )
                }
                None => return,
            },
            InputSource::Root
            | InputSource::Unit
            | InputSource::Collect { .. }
            | InputSource::FanIn(_) => return,
        };
        let up_out = &up_out;
        // A `()` upstream stored its data itself; its manager still loads
        // the input (Dagster calls `load_input` for it too). Its key is
        // not checked for the output, so it is checked here.
        let unit = up_out.ty.is_unit();
        let key = up_out.io_manager_key.as_str();
        let Some(def) = self.resources.get(key) else {
            // Reported for the upstream output when it is in this run.
            if unit || matches!(source, InputSource::Asset(_) | InputSource::External { .. }) {
                problems.push(self.unbound(
                    "io manager",
                    key,
                    &format!("{needed_by}, which loads {up_desc}"),
                ));
            }
            return;
        };
        if def.kind != ResourceKind::IOManager {
            if unit || matches!(source, InputSource::Asset(_) | InputSource::External { .. }) {
                problems.push(format!(
                    "{needed_by} loads {up_desc} with key `{key}`, bound to `{}`, which is {}, not an IO manager",
                    def.type_name,
                    def.kind.describe()
                ));
            }
            return;
        }
        // The upstream's own adapter (same type), or the loader of the
        // input's type that the upstream's declared manager provides.
        let typed_ok = up_out
            .typed
            .is_some_and(|t| t.manager_id == def.type_id && t.value_id == input.ty.id)
            || input.typed.is_some_and(|t| t.manager_id == def.type_id);
        if typed_ok {
            return;
        }
        match def.dyn_support {
            Some(d) => {
                if let Err(why) = (d.supports_input)(input.ty) {
                    problems.push(format!(
                        "{needed_by} is a `{}`, but `{}` (key `{key}`, storing {up_desc}) cannot load it: {why}",
                        input.ty.short_name(),
                        short(def.type_name)
                    ));
                }
            }
            None => problems.push(if up_out.ty.id != input.ty.id {
                let stored = if unit {
                    "stores its own data (it returns `()`)".to_owned()
                } else {
                    format!("is a `{}`", up_out.ty.short_name())
                };
                format!(
                    "{needed_by} is a `{}`, but {up_desc} {stored} and `{}` (key `{key}`) is not known to load a `{}`; implement `InputManager<{}>` for it and name the key on the upstream (`io_manager_key = \"{key}\"`) so the load is checked at compile time, or give the input an `input_manager_key`",
                    input.ty.short_name(),
                    short(def.type_name),
                    input.ty.short_name(),
                    input.ty.short_name()
                )
            } else {
                format!(
                    "{needed_by} loads {up_desc} with `{}` (key `{key}`), which is not known to load `{}`",
                    short(def.type_name),
                    input.ty.short_name()
                )
            }),
        }
    }
}

/// What a manager stores for an output: each element of a `PartitionMap`
/// output of a partitioned asset, else the value itself.
pub(crate) fn stored_as(step: &Step, out: &Out) -> Out {
    if let Some(d) = out.dynamic {
        return super::dynamic::stored_element(out, d);
    }
    let partitioned = step
        .asset
        .as_ref()
        .is_some_and(|a| a.partitions_def.is_some());
    match out.shape {
        Some(shape) if partitioned && shape.kind == ShapeKind::Map => Out {
            ty: shape.element,
            typed: out.typed_element,
            shape: None,
            ..out.clone()
        },
        _ => out.clone(),
    }
}

fn short(type_name: &str) -> String {
    crate::model::types::short_type_name(type_name)
}

/// Whether `input` is an `Option<T>` with an input manager that loads `T`
/// (the macros give it a loader of `T` only): loaded as `Some(T)` when no
/// upstream partition decides.
pub(crate) fn loads_optional_element(input: &In) -> bool {
    input.input_manager_key.is_some()
        && input.typed.is_none()
        && input.typed_element.is_some()
        && input.shape.is_some_and(|s| s.kind == ShapeKind::Optional)
}
