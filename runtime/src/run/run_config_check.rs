//! Checks a run config against the plan before launch, Dagster's shape:
//! `resources.<key>.config`, `ops.<step>.config`, `ops.<step>.inputs.<name>`
//! and `ops.<step>.outputs.<name>`, each against its declared config type.
//! Every problem is reported with the full path of the bad value.

use serde_json::Value as Json;

use super::plan::{InputSource, Plan};
use crate::model::config::ConfigType;
use crate::model::config::{RunConfig, unknown_field};

fn empty() -> Json {
    Json::Object(Default::default())
}

fn check(ty: &ConfigType, value: &Json, path: &str, problems: &mut Vec<String>) {
    if let Err(e) = (ty.validate)(value, path) {
        problems.push(e);
    }
}

fn table<'a>(
    value: &'a Json,
    path: &str,
    problems: &mut Vec<String>,
) -> Option<&'a serde_json::Map<String, Json>> {
    match value {
        Json::Object(m) => Some(m),
        Json::Null => None,
        other => {
            problems.push(format!(
                "{path}: expected a table, found {}",
                crate::model::config::describe(other)
            ));
            None
        }
    }
}

impl Plan {
    /// The entries of graphs (`ops.g`, `ops.g.ops.inner`) under the graph
    /// path `prefix`: only `ops`, naming the graph's nodes.
    fn check_graph_entries(
        &self,
        ops: &serde_json::Map<String, Json>,
        prefix: &str,
        problems: &mut Vec<String>,
    ) {
        for (name, entry) in ops {
            let full = format!("{prefix}{name}");
            let inner = format!("{full}.");
            if self.steps.iter().any(|s| *s.key == *full) {
                continue;
            }
            if !self.steps.iter().any(|s| s.key.starts_with(&inner)) {
                if !prefix.is_empty() {
                    let graph = crate::model::config::node_path(prefix.trim_end_matches('.'));
                    let nodes: Vec<String> = self
                        .steps
                        .iter()
                        .filter_map(|s| s.key.strip_prefix(prefix))
                        .map(|rest| rest.split('.').next().unwrap_or(rest).to_owned())
                        .collect();
                    problems.push(format!(
                        "{graph}.ops.{name}: graph `{}` has no op or graph named `{name}`{}",
                        prefix.trim_end_matches('.'),
                        crate::run::plan::did_you_mean(name, nodes.into_iter())
                    ));
                }
                continue;
            }
            let path = crate::model::config::node_path(&full);
            let Some(entry) = table(entry, &path, problems) else {
                continue;
            };
            for k in entry.keys().filter(|k| *k != "ops") {
                problems.push(unknown_field(&path, k, &["ops"]));
            }
            if let Some(inner_ops) = entry
                .get("ops")
                .and_then(|v| table(v, &format!("{path}.ops"), problems))
            {
                self.check_graph_entries(inner_ops, &inner, problems);
            }
        }
    }

    /// Every problem with `run_config` for this plan.
    pub(crate) fn check_run_config(&self, run_config: &RunConfig, problems: &mut Vec<String>) {
        let root = run_config.as_json();
        if let Some(top) = table(root, "run config", problems) {
            for key in top.keys().filter(|k| *k != "resources" && *k != "ops") {
                problems.push(unknown_field("run config", key, &["resources", "ops"]));
            }
        }
        self.check_resources(root.get("resources").unwrap_or(&Json::Null), problems);
        self.check_ops(root.get("ops").unwrap_or(&Json::Null), problems);
    }

    fn check_resources(&self, given: &Json, problems: &mut Vec<String>) {
        if let Some(map) = table(given, "resources", problems) {
            for (key, entry) in map {
                if !self.resources.contains_key(key) {
                    let bound: Vec<String> = self.resources.keys().cloned().collect();
                    problems.push(format!(
                        "resources.{key}: no resource is bound to `{key}`{}",
                        crate::run::plan::did_you_mean(key, bound.into_iter())
                    ));
                    continue;
                }
                if let Some(entry) = table(entry, &format!("resources.{key}"), problems) {
                    for k in entry.keys().filter(|k| *k != "config") {
                        problems.push(unknown_field(&format!("resources.{key}"), k, &["config"]));
                    }
                }
            }
        }
        // Dagster makes the config of resources no selected step uses
        // optional: checked when given, never required.
        let needed = self.needed_resources();
        for (key, def) in &self.resources {
            let given = given.get(key).and_then(|e| e.get("config"));
            // Nothing, or the very config it was built with, changes nothing.
            let nothing = |v: &Json| {
                v.is_null()
                    || v.as_object().is_some_and(|m| m.is_empty())
                    || def.config.as_ref() == Some(v)
            };
            if let (Some(_), Some(value)) = (&def.config, given.filter(|v| !nothing(v))) {
                // Built before the run (bound by value, or a configured
                // derive): config given now would be silently ignored.
                problems.push(format!(
                    "resources.{key}.config: `{key}` is bound to a `{}` value that was configured when it was built (`.resource(\"{key}\", ..)`, or a configured `#[derive(ConfigurableIOManager)]`), so this config would be ignored; remove it, or bind a definition that reads it at launch (`configure_at_launch()`); given: {value}",
                    crate::model::types::short_type_name(def.type_name),
                ));
                continue;
            }
            let Some(ty) = def.config_type else { continue };
            let value = match (&def.config, given) {
                (Some(c), _) => c.clone(),
                (None, Some(v)) => v.clone(),
                (None, None) if needed.contains(key) => empty(),
                (None, None) => continue,
            };
            check(&ty, &value, &format!("resources.{key}.config"), problems);
        }
    }

    fn check_ops(&self, given: &Json, problems: &mut Vec<String>) {
        let ops = table(given, "ops", problems);
        if let Some(ops) = ops {
            self.check_graph_entries(ops, "", problems);
            for name in ops.keys() {
                let graph = format!("{name}.");
                if !self
                    .steps
                    .iter()
                    .any(|s| &*s.key == name || s.key.starts_with(&graph))
                {
                    let steps: Vec<String> = self.steps.iter().map(|s| s.key.to_string()).collect();
                    problems.push(format!(
                        "ops.{name}: no op or asset step is named `{name}` in this run{}",
                        crate::run::plan::did_you_mean(name, steps.into_iter())
                    ));
                }
            }
        }
        for step in &self.steps {
            let path = crate::model::config::node_path(&step.key);
            let entry = ops
                .and_then(|o| {
                    o.get(&*step.key)
                        .or_else(|| crate::model::config::nested_node(given, &step.key))
                })
                .unwrap_or(&Json::Null);
            let entry = table(entry, &path, problems);
            if let Some(entry) = entry {
                for k in entry
                    .keys()
                    .filter(|k| !matches!(k.as_str(), "config" | "inputs" | "outputs"))
                {
                    problems.push(unknown_field(&path, k, &["config", "inputs", "outputs"]));
                }
            }
            let get = |k: &str| entry.and_then(|e| e.get(k));

            match (&step.op.config_type, get("config")) {
                (Some(ty), value) => check(
                    ty,
                    value.unwrap_or(&empty()),
                    &format!("{path}.config"),
                    problems,
                ),
                (None, Some(_)) => problems.push(format!(
                    "{path}.config: {} takes no config",
                    step.describe()
                )),
                (None, None) => {}
            }

            let inputs = get("inputs").and_then(|v| table(v, &format!("{path}.inputs"), problems));
            if let Some(inputs) = inputs {
                for (name, value) in inputs {
                    let Some(pos) = step.op.inputs.iter().position(|i| &i.name == name) else {
                        problems.push(format!(
                            "{path}.inputs.{name}: {} has no input `{name}`; its inputs: {}",
                            step.describe(),
                            step.op
                                .inputs
                                .iter()
                                .map(|i| i.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        continue;
                    };
                    let input = &step.op.inputs[pos];
                    let key = match (&input.input_manager_key, &step.inputs[pos]) {
                        (Some(k), _) => Some(k.clone()),
                        (None, InputSource::Step { step: u, output }) => {
                            Some(self.steps[*u].op.outputs[*output].io_manager_key.clone())
                        }
                        (None, InputSource::Asset(a)) => a.out().map(|o| o.io_manager_key.clone()),
                        _ => None,
                    };
                    if let Some(ty) = key
                        .as_ref()
                        .and_then(|k| self.resources.get(k))
                        .and_then(|d| d.input_config_type)
                    {
                        check(&ty, value, &format!("{path}.inputs.{name}"), problems);
                    }
                }
            }

            let outputs =
                get("outputs").and_then(|v| table(v, &format!("{path}.outputs"), problems));
            for out in &step.op.outputs {
                if out.ty.is_unit() {
                    continue;
                }
                let given = outputs.and_then(|o| o.get(&out.name));
                let def = self.resources.get(&out.io_manager_key);
                match (def.and_then(|d| d.output_config_type), given) {
                    (Some(ty), value) => check(&ty, value.unwrap_or(&empty()), &format!("{path}.outputs.{}", out.name), problems),
                    (None, Some(_)) => problems.push(format!(
                        "{path}.outputs.{}: unexpected config: the IO manager bound to `{}`{} declares no output config type",
                        out.name,
                        out.io_manager_key,
                        def.map(|d| format!(" (`{}`)", crate::model::types::short_type_name(d.type_name))).unwrap_or_default()
                    )),
                    (None, None) => {}
                }
            }
            if let Some(outputs) = outputs {
                for name in outputs.keys().filter(|n| step.op.output(n).is_none()) {
                    problems.push(format!(
                        "{path}.outputs.{name}: {} has no output `{name}`; its outputs: {}",
                        step.describe(),
                        step.op
                            .outputs
                            .iter()
                            .map(|o| o.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
    }
}
