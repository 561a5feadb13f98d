//! Dynamic outputs (Dagster's `DynamicOut`): one step per mapping key,
//! collected in emission order, stored where Dagster stores them.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use larder::dynamic::{CollectShape, DynamicShape};
use larder::prelude::*;
use larder::{EventKind, EventType, Executor, JobBuilder, StepOutcome, type_info};

/// An op emitting `values` under `keys`, in that order.
fn produce(name: &str, items: &[(&str, i64)]) -> OpDefinition {
    let items: Vec<(String, i64)> = items.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    OpDefinition::builder(name)
        .output(
            Out::result(type_info!(DynamicOut<i64>))
                .dynamic(DynamicShape::of::<i64>(type_info!(i64))),
        )
        .compute(move |io| {
            let out: DynamicOut<i64> = items
                .iter()
                .map(|(k, v)| DynamicOutput::new(*v, k.clone()))
                .collect();
            io.output("result", out)
        })
}

/// `x * factor`, failing on `fail_on`.
fn times(name: &str, factor: i64, fail_on: Option<i64>) -> OpDefinition {
    OpDefinition::builder(name)
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(move |io| {
            let x: i64 = io.input("x")?;
            if Some(x) == fail_on {
                return Err(larder::Error::msg(format!("cannot take {x}")));
            }
            io.output("result", x * factor)
        })
}

/// Collects its `Vec<i64>` input and returns it unchanged.
fn gather(name: &str) -> OpDefinition {
    OpDefinition::builder(name)
        .input(
            In::new("xs", type_info!(Vec<i64>)).collects(CollectShape::of::<i64>(type_info!(i64))),
        )
        .output(Out::result(type_info!(Vec<i64>)))
        .compute(|io| {
            let xs: Vec<i64> = io.input("xs")?;
            io.output("result", xs)
        })
}

/// `produce → double (mapped) → gather (collect)`.
fn fan_out_job(items: &[(&str, i64)], fail_on: Option<i64>) -> JobBuilder {
    let mut job = JobDefinition::builder("fan_out");
    let dynamic = job.invoke(&produce("produce", items), []).output();
    let doubled = job.map(&dynamic, |job, x| {
        job.invoke(&times("double", 2, fail_on), [("x", x)])
            .output()
    });
    let all = job.collect(&doubled);
    job.invoke(&gather("gather"), [("xs", all)]);
    job
}

fn steps(result: &RunResult) -> Vec<(String, StepOutcome)> {
    result
        .step_outcomes()
        .iter()
        .map(|(k, o)| (k.clone(), o.clone()))
        .collect()
}

#[test]
fn mapped_steps_run_per_key_and_collect_keeps_emission_order() {
    let result = fan_out_job(&[("c", 3), ("a", 1), ("b", 2)], None)
        .build()
        .unwrap()
        .execute_in_process()
        .unwrap();
    let keys: Vec<String> = result.step_outcomes().keys().cloned().collect();
    assert_eq!(
        keys,
        ["produce", "gather", "double[c]", "double[a]", "double[b]"]
    );
    assert!(
        result
            .step_outcomes()
            .values()
            .all(|o| *o == StepOutcome::Success)
    );
    assert_eq!(*result.output_for_node::<i64>("double[c]").unwrap(), 6);
    assert_eq!(*result.output_for_node::<i64>("double[a]").unwrap(), 2);
    // Emission order, not key order.
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("gather").unwrap(),
        [6, 2, 4]
    );
    let emitted = result
        .dynamic_output_values::<i64>("produce", "result")
        .unwrap();
    let emitted: Vec<(String, i64)> = emitted.into_iter().map(|(k, v)| (k, *v)).collect();
    assert_eq!(
        emitted,
        [
            ("c".to_owned(), 3),
            ("a".to_owned(), 1),
            ("b".to_owned(), 2)
        ]
    );
    // The template `double` is no step of the run.
    assert!(result.step_outcome("double").is_none());
}

#[test]
fn events_name_the_mapped_steps_and_each_mapping_key() {
    use EventType as E;
    let result = fan_out_job(&[("k1", 1), ("k2", 2)], None)
        .build()
        .unwrap()
        .execute_in_process()
        .unwrap();
    let kinds = |step: &str| -> Vec<E> {
        result
            .events_for_step(step)
            .iter()
            .map(|e| e.event_type())
            .collect()
    };
    assert_eq!(
        kinds("produce"),
        [
            E::StepStart,
            E::StepOutput,
            E::HandledOutput,
            E::StepOutput,
            E::HandledOutput,
            E::StepSuccess
        ]
    );
    for step in ["double[k1]", "double[k2]"] {
        assert_eq!(
            kinds(step),
            [
                E::StepStart,
                E::LoadedInput,
                E::StepOutput,
                E::HandledOutput,
                E::StepSuccess
            ],
            "{step}"
        );
    }
    // One loaded input per collected value.
    assert_eq!(
        kinds("gather"),
        [
            E::StepStart,
            E::LoadedInput,
            E::LoadedInput,
            E::StepOutput,
            E::HandledOutput,
            E::StepSuccess
        ]
    );
    let outputs: Vec<(Option<String>, String)> = result
        .events_for_step("produce")
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::StepOutput { mapping_key, .. } => {
                Some((mapping_key.clone(), e.message.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        outputs,
        [
            (
                Some("k1".to_owned()),
                "Yielded output \"result\" mapping key \"k1\" of type \"i64\".".to_owned()
            ),
            (
                Some("k2".to_owned()),
                "Yielded output \"result\" mapping key \"k2\" of type \"i64\".".to_owned()
            ),
        ]
    );
    let loaded: Vec<&str> = result
        .events_for_step("gather")
        .iter()
        .filter(|e| e.event_type() == E::LoadedInput)
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        loaded,
        [
            "Loaded input \"xs\" using input manager \"io_manager\", from output \"result\" of step \"double[k1]\"",
            "Loaded input \"xs\" using input manager \"io_manager\", from output \"result\" of step \"double[k2]\"",
        ]
    );
    assert_eq!(result.events_of_type(E::StepSkipped).len(), 0);
    assert_eq!(result.events_of_type(E::RunSuccess).len(), 1);
}

#[test]
fn the_filesystem_manager_stores_each_value_under_its_mapping_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = fan_out_job(&[("k1", 5), ("k2", 7)], None);
    job.resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = job.build().unwrap().execute_in_process().unwrap();
    let run = dir.path().join(result.run_id());
    let read = |p: std::path::PathBuf| -> i64 {
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        rmp_serde::from_slice(&bytes).unwrap()
    };
    // Dagster's `[run_id, step_key, output_name, mapping_key]`.
    assert_eq!(read(run.join("produce/result/k1")), 5);
    assert_eq!(read(run.join("produce/result/k2")), 7);
    // A mapped step's own output is an ordinary one, under its step key.
    assert_eq!(read(run.join("double[k1]/result")), 10);
    assert_eq!(read(run.join("double[k2]/result")), 14);
    let gathered: Vec<i64> =
        rmp_serde::from_slice(&std::fs::read(run.join("gather/result")).unwrap()).unwrap();
    assert_eq!(gathered, [10, 14]);
}

#[test]
fn a_failing_mapped_step_fails_only_its_key_and_collect_does_not_run() {
    let result = fan_out_job(&[("k1", 1), ("k2", 2), ("k3", 3)], Some(2))
        .build()
        .unwrap()
        .execute_in_process_with(RunOptions::new().raise_on_error(false))
        .unwrap();
    let outcomes = steps(&result);
    let get = |k: &str| {
        outcomes
            .iter()
            .find(|(s, _)| s == k)
            .map(|(_, o)| o.clone())
    };
    assert_eq!(get("produce"), Some(StepOutcome::Success));
    assert_eq!(get("double[k1]"), Some(StepOutcome::Success));
    assert_eq!(get("double[k3]"), Some(StepOutcome::Success));
    assert!(
        matches!(get("double[k2]"), Some(StepOutcome::Failed(e)) if e.contains("cannot take 2")),
        "{outcomes:?}"
    );
    assert_eq!(
        get("gather"),
        Some(StepOutcome::Skipped(vec!["double[k2]".to_owned()]))
    );
    assert_eq!(result.events_of_type(EventType::StepFailure).len(), 1);
    let skipped = result.events_of_type(EventType::StepSkipped);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].step_key.as_deref(), Some("gather"));
    assert!(!result.success());
}

#[test]
fn an_empty_dynamic_output_maps_to_no_steps_and_collects_an_empty_vec() {
    let result = fan_out_job(&[], None)
        .build()
        .unwrap()
        .execute_in_process()
        .unwrap();
    let keys: Vec<String> = result.step_outcomes().keys().cloned().collect();
    assert_eq!(keys, ["produce", "gather"]);
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("gather").unwrap(),
        Vec::<i64>::new()
    );
    assert_eq!(
        result
            .events_for_step("produce")
            .iter()
            .filter(|e| e.event_type() == EventType::StepOutput)
            .count(),
        0
    );
}

#[test]
fn a_failed_dynamic_step_skips_its_collect_without_creating_mapped_steps() {
    let failing = OpDefinition::builder("produce")
        .output(
            Out::result(type_info!(DynamicOut<i64>))
                .dynamic(DynamicShape::of::<i64>(type_info!(i64))),
        )
        .compute(|_| Err(larder::Error::msg("no items today")));
    let mut job = JobDefinition::builder("fan_out");
    let d = job.invoke(&failing, []).output();
    let doubled = job.map(&d, |job, x| {
        job.invoke(&times("double", 2, None), [("x", x)]).output()
    });
    let all = job.collect(&doubled);
    job.invoke(&gather("gather"), [("xs", all)]);
    let result = job
        .build()
        .unwrap()
        .execute_in_process_with(RunOptions::new().raise_on_error(false))
        .unwrap();
    assert_eq!(
        steps(&result),
        [
            (
                "produce".to_owned(),
                StepOutcome::Failed(
                    "error in the body of step `produce`: no items today".to_owned()
                )
            ),
            (
                "gather".to_owned(),
                StepOutcome::Skipped(vec!["produce".to_owned()])
            ),
        ]
    );
    let skipped = result.events_of_type(EventType::StepSkipped);
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        skipped[0].message,
        "Skipped execution of step \"gather\": upstream step \"produce\" did not succeed."
    );
}

#[test]
fn chained_maps_run_per_key_and_take_unmapped_inputs() {
    let add = OpDefinition::builder("add")
        .input(In::new("x", type_info!(i64)))
        .input(In::new("offset", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let x: i64 = io.input("x")?;
            let offset: i64 = io.input("offset")?;
            io.output("result", x + offset)
        });
    let mut job = JobDefinition::builder("chain");
    let offset = job.invoke(&common::const_op("offset", 100), []).output();
    let d = job
        .invoke(&produce("produce", &[("k1", 1), ("k2", 2)]), [])
        .output();
    let doubled = job.map(&d, |job, x| {
        job.invoke(&times("double", 2, None), [("x", x)]).output()
    });
    let added = job.map(&doubled, |job, y| {
        job.invoke(&add, [("x", y), ("offset", offset.clone())])
            .output()
    });
    let all = job.collect(&added);
    job.invoke(&gather("gather"), [("xs", all)]);
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert_eq!(*result.output_for_node::<i64>("add[k2]").unwrap(), 104);
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("gather").unwrap(),
        [102, 104]
    );
    let loaded_from: Vec<String> = result
        .events_for_step("add[k1]")
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::LoadedInput {
                upstream_step_key, ..
            } => upstream_step_key.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(loaded_from, ["double[k1]", "offset"]);
}

#[test]
fn collecting_a_dynamic_output_directly_gathers_its_values() {
    let mut job = JobDefinition::builder("direct");
    let d = job
        .invoke(&produce("produce", &[("x", 4), ("y", 9)]), [])
        .output();
    let all = job.collect(&d);
    job.invoke(&gather("gather"), [("xs", all)]);
    let result = job.build().unwrap().execute_in_process().unwrap();
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("gather").unwrap(),
        [4, 9]
    );
}

type Seen = Arc<Mutex<Vec<String>>>;

/// Stores `i64`s in memory by identifier, recording what each context says.
#[derive(Default)]
struct Recording {
    seen: Seen,
    values: Mutex<HashMap<Vec<String>, i64>>,
}

impl IOManager<i64> for Recording {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &i64) -> larder::Result<()> {
        self.seen.lock().unwrap().push(format!(
            "out {} {} {:?}",
            ctx.step_key()?,
            ctx.name()?,
            ctx.mapping_key()
        ));
        ctx.add_output_metadata(larder::metadata! { "stored" => *obj })?;
        let id = ctx.get_identifier()?;
        self.values.lock().unwrap().insert(id, *obj);
        Ok(())
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
        let up = ctx
            .upstream_output()
            .ok_or_else(|| larder::Error::msg("no upstream"))?;
        self.seen.lock().unwrap().push(format!(
            "in {} from {} {:?}",
            ctx.name()?,
            up.step_key()?,
            up.mapping_key()
        ));
        let id = ctx.get_identifier()?;
        self.values
            .lock()
            .unwrap()
            .get(&id)
            .copied()
            .ok_or_else(|| larder::Error::msg(format!("nothing at {id:?}")))
    }
}

#[test]
fn both_contexts_and_the_step_see_the_mapping_key() {
    let seen = Seen::default();
    let step_keys: Seen = Seen::default();
    let typed = larder::TypedOutput::new::<Recording, i64>();
    let produce = OpDefinition::builder("produce")
        .output(
            Out::result(type_info!(DynamicOut<i64>))
                .io_manager_key("rec")
                .typed_element(typed)
                .dynamic(DynamicShape::of::<i64>(type_info!(i64))),
        )
        .compute(|io| {
            let out: DynamicOut<i64> = vec![
                DynamicOutput::new(1_i64, "k1").with_metadata("source", "first"),
                DynamicOutput::new(2_i64, "k2"),
            ]
            .into();
            io.output("result", out)
        });
    let keys = step_keys.clone();
    let double = OpDefinition::builder("double")
        .input(In::new("x", type_info!(i64)))
        .output(
            Out::result(type_info!(i64))
                .io_manager_key("rec")
                .typed(typed),
        )
        .compute(move |io| {
            keys.lock()
                .unwrap()
                .push(format!("{} {:?}", io.step_key(), io.mapping_key()));
            let x: i64 = io.input("x")?;
            io.output("result", x * 2)
        });
    let mut job = JobDefinition::builder("recorded");
    let d = job.invoke(&produce, []).output();
    let doubled = job.map(&d, |job, x| job.invoke(&double, [("x", x)]).output());
    let all = job.collect(&doubled);
    job.invoke(&gather("gather"), [("xs", all)]);
    job.resource(
        "rec",
        IOManagerDefinition::hardcoded(Recording {
            seen: seen.clone(),
            values: Mutex::default(),
        }),
    );
    let result = job
        .executor(Executor::in_process().max_concurrent(1))
        .build()
        .unwrap()
        .execute_in_process()
        .unwrap();
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("gather").unwrap(),
        [2, 4]
    );
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            "in x from produce Some(\"k1\")",
            "in x from produce Some(\"k2\")",
            "in xs from double[k1] None",
            "in xs from double[k2] None",
            "out double[k1] result None",
            "out double[k2] result None",
            "out produce result Some(\"k1\")",
            "out produce result Some(\"k2\")",
        ]
    );
    let mut step_keys = step_keys.lock().unwrap().clone();
    step_keys.sort();
    assert_eq!(
        step_keys,
        ["double[k1] Some(\"k1\")", "double[k2] Some(\"k2\")"]
    );
    // Per-value metadata, then what the manager added.
    let handled: Vec<Metadata> = result
        .events_for_step("produce")
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::HandledOutput { metadata, .. } => Some(metadata.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        handled,
        [
            larder::metadata! { "source" => "first", "stored" => 1_i64 },
            larder::metadata! { "stored" => 2_i64 },
        ]
    );
}

#[test]
fn a_version_and_a_mapping_key_together_are_dagsters_error() {
    let ctx = build_output_context()
        .step_key("baz")
        .name("buzz")
        .version("foo")
        .mapping_key("bar")
        .build();
    let e = ctx.get_identifier().unwrap_err().to_string();
    assert!(
        e.contains("output `buzz` of step `baz` has both a mapping key and a version"),
        "{e}"
    );
    // In a run: a dynamic op with a code version cannot be stored.
    let versioned = OpDefinition::builder("produce")
        .version("v1")
        .output(
            Out::result(type_info!(DynamicOut<i64>))
                .dynamic(DynamicShape::of::<i64>(type_info!(i64))),
        )
        .compute(|io| {
            io.output(
                "result",
                DynamicOut::from(vec![DynamicOutput::new(1_i64, "k1")]),
            )
        });
    let mut job = JobDefinition::builder("versioned");
    job.invoke(&versioned, []);
    let dir = tempfile::tempdir().unwrap();
    job.resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = job
        .build()
        .unwrap()
        .execute_in_process_with(RunOptions::new().raise_on_error(false))
        .unwrap();
    match result.step_outcome("produce") {
        Some(StepOutcome::Failed(e)) => assert!(
            e.contains("error while handling output `result` of step `produce`")
                && e.contains("has both a mapping key and a version"),
            "{e}"
        ),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn invalid_and_duplicate_mapping_keys_fail_naming_the_op_and_key() {
    let run = |items: &[(&str, i64)]| -> String {
        let mut job = JobDefinition::builder("keys");
        job.invoke(&produce("splitter", items), []);
        let result = job
            .build()
            .unwrap()
            .execute_in_process_with(RunOptions::new().raise_on_error(false))
            .unwrap();
        match result.step_outcome("splitter") {
            Some(StepOutcome::Failed(e)) => e.clone(),
            other => panic!("unexpected {other:?}"),
        }
    };
    let invalid = run(&[("ok", 1), ("not ok/", 2)]);
    assert!(
        invalid.contains(
            "op `splitter` returned a DynamicOutput with mapping_key \"not ok/\", which is not valid: mapping keys must match ^[A-Za-z0-9_]+$"
        ) && invalid.contains("' ', '/'"),
        "{invalid}"
    );
    let duplicate = run(&[("k1", 1), ("k1", 2)]);
    assert!(
        duplicate.contains(
            "op `splitter` returned a DynamicOutput with mapping_key \"k1\" more than once"
        ),
        "{duplicate}"
    );
}

#[test]
fn misused_map_and_collect_are_refused_when_the_job_is_built() {
    let problems = |job: &mut JobBuilder| -> Vec<String> {
        match job.build() {
            Err(larder::Error::InvalidDefinitions(p)) => p,
            other => panic!("unexpected {other:?}"),
        }
    };
    // `map` over an output that is not dynamic.
    let mut job = JobDefinition::builder("j");
    let plain = job.invoke(&common::const_op("numbers", 1), []).output();
    job.map(&plain, |job, x| {
        job.invoke(&times("double", 2, None), [("x", x)]).output()
    });
    assert_eq!(
        problems(&mut job),
        [
            "job `j`: op `double` is mapped over output `result` of op `numbers`, which is not a dynamic output; `map` applies to outputs declared `DynamicOut<T>`"
        ]
    );
    // A dynamic output wired straight into an op.
    let mut job = JobDefinition::builder("j");
    let d = job.invoke(&produce("produce", &[]), []).output();
    job.invoke(&times("double", 2, None), [("x", d)]);
    assert_eq!(
        problems(&mut job),
        [
            "job `j`: input `x` of op `double` receives the dynamic output `result` of op `produce`, one value per mapping key; map over it (`map`) or gather it (`collect`)"
        ]
    );
    // `collect` into an input that is no `Vec<T>`.
    let mut job = JobDefinition::builder("j");
    let d = job.invoke(&produce("produce", &[]), []).output();
    let all = job.collect(&d);
    job.invoke(&times("double", 2, None), [("x", all)]);
    assert_eq!(
        problems(&mut job),
        [
            "job `j`: input `x` of op `double` collects the dynamic output `result` of op `produce`, but it is a `i64`; a collected input is a `Vec<T>`"
        ]
    );
}

#[test]
fn nested_dynamic_outputs_are_refused_and_mapped_ops_are_validated_before_the_run() {
    let mut job = JobDefinition::builder("nested");
    let d = job.invoke(&produce("outer", &[]), []).output();
    let inner = OpDefinition::builder("inner")
        .input(In::new("x", type_info!(i64)))
        .output(
            Out::result(type_info!(DynamicOut<i64>))
                .dynamic(DynamicShape::of::<i64>(type_info!(i64))),
        )
        .compute(|_| Ok(()));
    job.map(&d, |job, x| job.invoke(&inner, [("x", x)]).output());
    match job.build() {
        Err(larder::Error::InvalidDefinitions(p)) => assert_eq!(
            p,
            [
                "job `nested`: op `inner` is mapped and has the dynamic output `result`; nested dynamic outputs are not supported"
            ]
        ),
        other => panic!("unexpected {other:?}"),
    }
    // A mapped op is checked like any other before anything runs, though
    // its steps only exist once the dynamic step has run.
    let stored_elsewhere = OpDefinition::builder("double")
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)).io_manager_key("warehouse"))
        .compute(|io| io.output("result", 1_i64));
    let mut job = JobDefinition::builder("unbound");
    let d = job.invoke(&produce("produce", &[("k1", 1)]), []).output();
    job.map(&d, |job, x| {
        job.invoke(&stored_elsewhere, [("x", x)]).output()
    });
    let e = job
        .build()
        .unwrap()
        .execute_in_process()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("io manager key `warehouse` required by output `result` of op `double` (step `double`) is not bound"),
        "{e}"
    );
}

#[test]
fn mapped_steps_read_their_ops_run_config() {
    #[derive(serde::Deserialize)]
    struct Scale {
        factor: i64,
    }
    let scale = OpDefinition::builder("scale")
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .config_type::<Scale>()
        .compute(|io| {
            let Scale { factor } = io.config_as()?;
            let x: i64 = io.input("x")?;
            io.output("result", x * factor)
        });
    let mut job = JobDefinition::builder("configured");
    let d = job
        .invoke(&produce("produce", &[("k1", 1), ("k2", 2)]), [])
        .output();
    let scaled = job.map(&d, |job, x| job.invoke(&scale, [("x", x)]).output());
    let all = job.collect(&scaled);
    job.invoke(&gather("gather"), [("xs", all)]);
    // As in Dagster, the config of a mapped op is under its name.
    let config = RunConfig::new().op("scale", serde_json::json!({ "factor": 10 }));
    let result = job
        .build()
        .unwrap()
        .execute_in_process_with(RunOptions::new().run_config(config))
        .unwrap();
    assert_eq!(
        *result.output_for_node::<Vec<i64>>("gather").unwrap(),
        [10, 20]
    );
}

#[test]
fn handled_outputs_of_a_dynamic_output_read_as_dagsters() {
    let result = fan_out_job(&[("k1", 1)], None)
        .build()
        .unwrap()
        .execute_in_process()
        .unwrap();
    let handled: Vec<&str> = result
        .events_for_step("produce")
        .iter()
        .filter(|e| e.event_type() == EventType::HandledOutput)
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        handled,
        ["Handled output \"result\" using IO manager \"io_manager\""]
    );
}

#[test]
fn multiprocess_and_step_selections_of_dynamic_jobs_are_refused_before_launch() {
    let job = fan_out_job(&[("k1", 1)], None).build().unwrap();
    let e = job
        .execute_in_process_with(RunOptions::new().executor(Executor::multiprocess()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("job `fan_out` has dynamic outputs (op `produce`), which run on the in-process executor only for now"),
        "{e}"
    );
    let e = job
        .execute_in_process_with(RunOptions::new().step_selection(["gather"]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("job `fan_out` has dynamic outputs (op `produce`): re-executing it or running a step selection of it is not supported yet"),
        "{e}"
    );
}
