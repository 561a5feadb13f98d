//! Executing one step: load its inputs, run its body, store its outputs,
//! recording Dagster's events in Dagster's order.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::plan::{InputSource, Plan};
use crate::definitions::{AssetDefinition, In, OpDefinition, Out, StepIo};
use crate::error::{Error, Result};
use crate::guard::{guarded, guarded_opt};
use crate::io::context::{
    AssetPartitions, InputContext, InputParts, OutputContext, OutputParts, RunOfOutput,
};
use crate::io::manager::{TypedLoader, TypedOutput};
use crate::io::resources::{ResourceInstance, Resources, RunResources};
use crate::model::asset_key::AssetKey;
use crate::model::config::RunConfig;
use crate::model::events::{EventKind, EventLog, Logger};
use crate::model::metadata::{Metadata, MetadataValue};
use crate::model::retry::{RetryPolicy, failure, requested_retry};
use crate::model::types::{TypeInfo, Value};

/// Everything a step needs from its run.
pub(crate) struct RunState {
    pub(crate) plan: Plan,
    pub(crate) run_id: Arc<str>,
    pub(crate) resources: RunResources,
    pub(crate) events: Arc<EventLog>,
    pub(crate) run_config: RunConfig,
    pub(crate) capture: bool,
    pub(crate) outputs: Mutex<HashMap<(String, String), Arc<dyn Any + Send + Sync>>>,
    pub(crate) partition_load_concurrency: usize,
    /// The retry policy of steps without their own.
    pub(crate) op_retry_policy: Option<RetryPolicy>,
    /// The mapping keys each dynamic output (step, output) emitted.
    pub(crate) emitted: super::dynamic::Emitted,
}

fn null() -> serde_json::Value {
    serde_json::Value::Null
}

/// How to load one value: the manager, and the compile-time adapter that
/// applies to the type being loaded, if any.
#[derive(Clone, Copy)]
struct Loader<'a> {
    manager: &'a ResourceInstance,
    key: &'a str,
    typed: Option<TypedLoader>,
    typed_output: Option<TypedOutput>,
}

impl Loader<'_> {
    fn load(&self, ctx: &mut InputContext, ty: &TypeInfo) -> Result<Value> {
        let value = self
            .typed
            .and_then(|t| guarded_opt(|| (t.load)(self.manager.value.as_ref(), ctx)))
            .or_else(|| {
                self.typed_output
                    .filter(|t| t.value_id == ty.id)
                    .and_then(|t| guarded_opt(|| (t.load)(self.manager.value.as_ref(), ctx)))
            });
        let value = match value {
            Some(v) => v?,
            None => match &self.manager.dyn_manager {
                Some(d) => guarded(|| d.load_input_dyn(ctx, ty))?,
                None => {
                    return Err(Error::msg(format!(
                        "the manager bound to `{}` (`{}`) cannot load a `{}`",
                        self.key,
                        self.manager.type_name,
                        ty.short_name()
                    )));
                }
            },
        };
        if value.as_ref().type_id() != ty.id {
            return Err(Error::TypeMismatch {
                what: format!("the value loaded by the manager bound to `{}`", self.key),
                expected: ty.name,
                found: "another type".to_owned(),
            });
        }
        Ok(value)
    }
}

impl RunState {
    pub(super) fn manager(&self, key: &str) -> Result<&Arc<ResourceInstance>> {
        self.resources
            .resources
            .instance(key)
            .ok_or_else(|| Error::NotFound(format!("no resource is bound to `{key}`")))
    }

    /// The manager bound to `key`: its resource config and the resources
    /// it may use.
    fn manager_view(&self, key: &str) -> (Arc<serde_json::Value>, Resources) {
        match self.resources.resources.instance(key) {
            Some(i) => (
                i.config.clone(),
                self.resources
                    .resources
                    .restricted(&i.key, i.required_keys.clone()),
            ),
            None => Default::default(),
        }
    }

    fn output_parts(
        &self,
        step_key: Arc<str>,
        op: &OpDefinition,
        def: &Out,
        asset_key: Option<AssetKey>,
        log: Logger,
    ) -> OutputParts {
        OutputParts {
            step_key,
            name: Arc::from(def.name.as_str()),
            op: op.info.clone(),
            version: op.version.clone(),
            definition_metadata: def.metadata.clone(),
            type_info: def.ty,
            manager_key: Arc::from(def.io_manager_key.as_str()),
            manager: self.manager_view(&def.io_manager_key),
            asset_key,
            log,
        }
    }

    /// The context of output `out` of step `step`.
    pub(super) fn output_context(&self, step: usize, out: usize, log: Logger) -> OutputContext {
        self.output_context_of(&self.plan.steps[step], out, self.run_id.clone(), log)
    }

    /// The context of output `out` of `s` as stored by run `run_id`: this
    /// run, or for a step not run here, the (parent) run that produced it.
    fn output_context_of(
        &self,
        s: &super::plan::Step,
        out: usize,
        run_id: Arc<str>,
        log: Logger,
    ) -> OutputContext {
        let def = &s.op.outputs[out];
        let name = &def.name;
        // Every asset output carries its key; a graph node's other outputs,
        // though its step is an asset's, are op outputs.
        let asset_key = def.asset_key.clone();
        let run = RunOfOutput {
            job_name: self.plan.job_name.clone(),
            run_id,
            config: self
                .run_config
                .output_config(s.config_key(), name)
                .cloned()
                .unwrap_or_else(null),
            partition_key: s.run_partition.clone(),
            // An op step of a partitioned job knows the run's partition, but
            // writes no asset partition (its outputs are stored per run).
            asset_partitions: s.partitions.clone().filter(|_| s.asset.is_some()),
        };
        let parts = self.output_parts(s.key.clone(), &s.op, def, asset_key, log);
        OutputContext::for_run_output(parts, run)
    }

    /// The upstream context of an asset that is not materialized in this run.
    fn asset_output_context(&self, asset: &AssetDefinition, log: Logger) -> Option<OutputContext> {
        let def = asset.out()?;
        let step_key = match asset.multi {
            true => Arc::from(asset.op.name.as_str()),
            false => Arc::from(asset.key.to_step_key()),
        };
        let parts = self.output_parts(step_key, &asset.op, def, Some(asset.key.clone()), log);
        Some(OutputContext::for_stored_asset(parts))
    }

    /// Runs step `i`, retrying a failed attempt when the step asks for it
    /// (`RetryRequested`) or its retry policy allows it. Errors are
    /// returned after the failure event is recorded.
    pub(crate) fn run_step(&self, i: usize) -> Result<()> {
        let step = &self.plan.steps[i];
        let key: &str = &step.key;
        self.events.push(
            EventKind::StepStart,
            Some(key),
            format!("Started execution of step \"{key}\"."),
        );
        let mut attempt: u32 = 1;
        loop {
            let result = self.run_step_inner(i);
            let e = match result {
                Ok(()) => {
                    self.events.push(
                        EventKind::StepSuccess,
                        Some(key),
                        format!("Finished execution of step \"{key}\"."),
                    );
                    return Ok(());
                }
                Err(e) => e,
            };
            match self.retry_wait(&step.op, &e, attempt) {
                Ok(wait) => {
                    let in_seconds = if wait.is_zero() {
                        String::new()
                    } else {
                        format!(" in {:.3} seconds", wait.as_secs_f64())
                    };
                    self.events.push(
                        EventKind::StepUpForRetry {
                            error: e.to_string(),
                            wait_seconds: wait.as_secs_f64(),
                            attempt,
                        },
                        Some(key),
                        format!(
                            "Execution of step \"{key}\" failed and has requested a retry{in_seconds}: {e}"
                        ),
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                    self.events.push(
                        EventKind::StepRestarted { attempt },
                        Some(key),
                        format!("Started re-execution (attempt # {attempt}) of step \"{key}\"."),
                    );
                }
                Err(exhausted) => {
                    self.step_failed(key, &e, exhausted, attempt);
                    return Err(e);
                }
            }
        }
    }

    /// How long to wait before retrying a failed attempt, or why it is not
    /// retried (a note for the failure message, empty when nothing asked).
    fn retry_wait(
        &self,
        op: &OpDefinition,
        e: &Error,
        attempt: u32,
    ) -> std::result::Result<std::time::Duration, String> {
        if let Some(r) = requested_retry(e) {
            return if attempt <= r.max_retries {
                Ok(r.wait)
            } else {
                Err(format!(" (exceeded max_retries of {})", r.max_retries))
            };
        }
        if failure(e).is_some_and(|f| !f.allow_retries) {
            return Err(String::new());
        }
        match op.retry_policy.or(self.op_retry_policy) {
            Some(p) if attempt <= p.max_retries => Ok(p.wait_before_retry(attempt)),
            Some(p) if p.max_retries > 0 => Err(format!(
                " (after {attempt} attempts; its retry policy allows {} retries)",
                p.max_retries
            )),
            _ => Err(String::new()),
        }
    }

    fn step_failed(&self, key: &str, e: &Error, note: String, attempts: u32) {
        let mut causes = Vec::new();
        let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
        while let Some(s) = source {
            causes.push(s.to_string());
            source = s.source();
        }
        let metadata = failure(e).map(|f| f.metadata.clone()).unwrap_or_default();
        self.events.push(
            EventKind::StepFailure {
                error: format!("{e}{note}"),
                causes,
                metadata,
                attempts,
            },
            Some(key),
            format!("Execution of step \"{key}\" failed: {e}{note}"),
        );
    }

    fn run_step_inner(&self, i: usize) -> Result<()> {
        let step = &self.plan.steps[i];
        let key = &step.key;
        let log = Logger::for_step(self.events.clone(), key.clone());

        let mut inputs = Vec::with_capacity(step.inputs.len());
        for (n, (input, source)) in step.op.inputs.iter().zip(&step.inputs).enumerate() {
            let value = self
                .load_input(i, n, input, source, &log, step.mapping.key.clone())
                .map_err(|e| Error::LoadInput {
                    step: key.to_string(),
                    input: input.name.clone(),
                    source: Box::new(e),
                })?;
            inputs.push(Some(value));
        }

        // Most steps have no config: they share one `null`.
        let config = match self.run_config.op_config(step.config_key()) {
            Some(c) => Arc::new(c.clone()),
            None => {
                static NULL: std::sync::OnceLock<Arc<serde_json::Value>> =
                    std::sync::OnceLock::new();
                NULL.get_or_init(|| Arc::new(null())).clone()
            }
        };
        let n_outputs = step.op.outputs.len();
        let mut io = StepIo {
            op: step.op.clone(),
            step_key: key.clone(),
            run_id: self.run_id.clone(),
            inputs,
            outputs: (0..n_outputs).map(|_| None).collect(),
            output_metadata: Vec::new(),
            config,
            log: log.clone(),
            run_partition: step.run_partition.clone(),
            partitions: step.partitions.clone(),
            resources: self
                .resources
                .resources
                .for_step(key, step.op.required_resource_keys.clone()),
            events: None,
            mapping_key: step.mapping.key.clone(),
            _call: std::marker::PhantomData,
        };
        guarded(|| (step.op.compute)(&mut io)).map_err(|e| Error::Compute {
            step: key.to_string(),
            source: Box::new(e),
        })?;
        let outputs = std::mem::take(&mut io.outputs);
        let mut step_metadata = std::mem::take(&mut io.output_metadata);
        drop(io);

        for (o, (def, value)) in step.op.outputs.iter().zip(outputs).enumerate() {
            let value: Value = match value {
                Some(v) => v,
                // Not stored, no event: the steps reading it are skipped.
                None if !def.is_required => continue,
                None if def.ty.is_unit() => Box::new(()),
                None => {
                    return Err(Error::Compute {
                        step: key.to_string(),
                        source: Box::new(Error::msg(format!(
                            "the body did not set output `{}`",
                            def.name
                        ))),
                    });
                }
            };
            let metadata = step_metadata
                .get_mut(o)
                .map(std::mem::take)
                .unwrap_or_default();
            self.store_output(i, o, def, value, metadata, &log)
                .map_err(|e| Error::HandleOutput {
                    step: key.to_string(),
                    output: def.name.clone(),
                    source: Box::new(e),
                })?;
        }
        Ok(())
    }

    /// Loads input `n` of step `i`; `mapping_key` is the key of the value
    /// read when the upstream is a dynamic output.
    pub(super) fn load_input(
        &self,
        i: usize,
        n: usize,
        input: &In,
        source: &InputSource,
        log: &Logger,
        mapping_key: Option<Arc<str>>,
    ) -> Result<Value> {
        let step = &self.plan.steps[i];
        let (upstream, upstream_def): (Option<OutputContext>, Option<&Out>) =
            match source {
                InputSource::Unit => return Ok(Box::new(())),
                InputSource::Collect { sources, .. } => {
                    return self.load_collected(i, n, input, sources, log);
                }
                InputSource::FanIn(elements) => {
                    return self.load_fan_in(i, n, input, elements, log);
                }
                InputSource::Step { step: u, output } => (
                    Some(
                        self.output_context(*u, *output, log.clone())
                            .with_mapping_key(mapping_key.filter(|_| {
                                self.plan.steps[*u].op.outputs[*output].dynamic.is_some()
                            })),
                    ),
                    Some(&self.plan.steps[*u].op.outputs[*output]),
                ),
                InputSource::Asset(asset) => {
                    (self.asset_output_context(asset, log.clone()), asset.out())
                }
                InputSource::External {
                    step: up,
                    output,
                    run_id,
                } => (
                    Some(self.output_context_of(
                        up,
                        *output,
                        run_id.clone().unwrap_or_else(|| self.run_id.clone()),
                        log.clone(),
                    )),
                    Some(&up.op.outputs[*output]),
                ),
                InputSource::Root => (None, None),
            };
        let manager_key: &str = match (&input.input_manager_key, upstream_def) {
            (Some(k), _) => k,
            (None, Some(up)) => &up.io_manager_key,
            (None, None) => {
                return Err(Error::msg(
                    "the input has no upstream output and no input_manager_key",
                ));
            }
        };
        let manager = self.manager(manager_key)?;
        let upstream_step = upstream
            .as_ref()
            .filter(|u| u.run_id.is_some())
            .and_then(|u| u.step_key.clone());
        let upstream_name = upstream
            .as_ref()
            .filter(|u| u.run_id.is_some())
            .and_then(|u| u.name.clone());
        let partitions: Option<&AssetPartitions> =
            step.input_partitions.get(n).and_then(Option::as_ref);
        let upstream = match (upstream, partitions) {
            (Some(up), Some(p)) => Some(up.with_asset_partitions(p.clone())),
            (up, _) => up,
        };
        let mut ctx = InputContext::for_step_input(InputParts {
            name: Arc::from(input.name.as_str()),
            step_key: step.key.clone(),
            job_name: self.plan.job_name.clone(),
            op: step.op.info.clone(),
            config: self
                .run_config
                .input_config(step.config_key(), &input.name)
                .cloned()
                .unwrap_or_else(null),
            definition_metadata: input.metadata.clone(),
            asset_key: input.asset_key.clone(),
            upstream,
            type_info: input.ty,
            manager: (
                manager.config.clone(),
                self.resources
                    .resources
                    .restricted(manager_key, manager.required_keys.clone()),
            ),
            log: log.clone(),
            partition_key: step.run_partition.clone(),
            asset_partitions: partitions.cloned(),
        });
        // The upstream's compile-time adapters, for the value or its elements.
        let typed_output = |want: &TypeInfo| -> Option<TypedOutput> {
            if input.input_manager_key.is_some() {
                return None;
            }
            let d = upstream_def?;
            [d.typed, d.typed_element]
                .into_iter()
                .flatten()
                .find(|t| t.value_id == want.id)
        };

        let (value, metadata) = match (partitions, input.shape) {
            (Some(p), Some(shape)) => {
                let loader = Loader {
                    manager,
                    key: manager_key,
                    // The input manager's, or the upstream manager's loader
                    // of the input's type (the downcast picks the right one).
                    typed: input.typed_element,
                    typed_output: typed_output(shape.element),
                };
                let keys: Vec<String> = p.keys.as_ref().map(|k| k.to_vec()).unwrap_or_default();
                let entries = self.load_partitions(
                    &ctx,
                    &keys,
                    loader,
                    shape.element,
                    input.allows_missing_partitions(),
                )?;
                let loaded = entries.len();
                let value = (shape.assemble)(entries).ok_or_else(|| {
                    Error::msg(format!(
                        "could not assemble a `{}` from the loaded partitions",
                        shape.declared_name()
                    ))
                })?;
                let mut metadata = (*input.metadata).clone();
                metadata.insert("partitions".to_owned(), MetadataValue::from(loaded));
                (value, metadata)
            }
            _ => {
                // An input manager's `Option<T>` with no upstream partition
                // to decide: its manager loads a `T`, wrapped in `Some`.
                let element_only = input
                    .shape
                    .filter(|_| super::plan::loads_optional_element(input));
                let (ty, typed) = match element_only {
                    Some(shape) => (shape.element, input.typed_element),
                    None => (input.ty, input.typed),
                };
                let loader = Loader {
                    manager,
                    key: manager_key,
                    typed,
                    typed_output: typed_output(ty),
                };
                let value = match loader.load(&mut ctx, ty) {
                    Err(e)
                        if partitions.is_some()
                            && input.allows_missing_partitions()
                            && is_missing(&e) =>
                    {
                        return Err(Error::msg(format!(
                            "{e}; allow_missing_partitions is set, but a `{}` cannot be missing: declare the input `Option<{}>`",
                            input.ty.short_name(),
                            input.ty.short_name()
                        )));
                    }
                    other => other?,
                };
                let value = match element_only {
                    Some(shape) => {
                        (shape.assemble)(vec![(String::new(), value)]).ok_or_else(|| {
                            Error::msg(format!("could not assemble a `{}`", shape.declared_name()))
                        })?
                    }
                    None => value,
                };
                for obs in ctx.observations.drain(..) {
                    self.events
                        .push_event(obs.into_event(Some(step.key.to_string())));
                }
                let mut metadata = (*input.metadata).clone();
                metadata.extend(std::mem::take(&mut ctx.input_metadata));
                (value, metadata)
            }
        };

        let from = match (&upstream_name, &upstream_step) {
            (Some(o), Some(s)) => format!(", from output \"{o}\" of step \"{s}\""),
            _ => String::new(),
        };
        self.events.push(
            EventKind::LoadedInput {
                input_name: input.name.clone(),
                manager_key: manager_key.to_owned(),
                upstream_output_name: upstream_name.map(|s| s.to_string()),
                upstream_step_key: upstream_step.map(|s| s.to_string()),
                metadata,
            },
            Some(&step.key),
            format!(
                "Loaded input \"{}\" using input manager \"{manager_key}\"{from}",
                input.name
            ),
        );
        Ok(value)
    }

    /// A fan-in input: each element loaded by its upstream's manager (one
    /// `LOADED_INPUT` each, as Dagster 1.7.2), gathered into its `Vec<T>`.
    fn load_fan_in(
        &self,
        i: usize,
        n: usize,
        input: &In,
        elements: &[InputSource],
        log: &Logger,
    ) -> Result<Value> {
        let Some(shape) = input.fan_in else {
            return Err(Error::msg(format!(
                "input `{}` is wired to several upstream outputs but is not a fan-in input (`Vec<T>`)",
                input.name
            )));
        };
        let element = In {
            ty: shape.element,
            typed: None,
            fan_in: None,
            ..input.clone()
        };
        let mut values = Vec::with_capacity(elements.len());
        for source in elements {
            // A skipped optional output is left out (Dagster's fan-in).
            if let InputSource::Step { step: u, output } = source
                && !super::optional_outputs::produced(self, *u, *output)
            {
                continue;
            }
            values.push(self.load_input(i, n, &element, source, log, None)?);
        }
        (shape.assemble)(values).ok_or_else(|| {
            Error::msg(format!(
                "could not gather a `Vec<{}>` for input `{}`",
                shape.element.short_name(),
                input.name
            ))
        })
    }

    /// Loads each upstream partition as its own value, up to
    /// `partition_load_concurrency` at once, in partition order.
    fn load_partitions(
        &self,
        ctx: &InputContext,
        keys: &[String],
        loader: Loader<'_>,
        element: &'static TypeInfo,
        allow_missing: bool,
    ) -> Result<Vec<(String, Value)>> {
        let load_one = |key: &String| -> Result<Option<Value>> {
            let mut one = ctx.narrowed_to(key);
            match loader.load(&mut one, element) {
                Ok(v) => Ok(Some(v)),
                Err(e) if allow_missing && is_missing(&e) => {
                    ctx.log.warn(format!(
                        "Couldn't load partition {key} and skipped it because the input metadata includes allow_missing_partitions=true"
                    ));
                    Ok(None)
                }
                // Name the partition unless the manager's message already does.
                Err(e) if e.to_string().contains(key.as_str()) => Err(e),
                Err(e) => Err(Error::msg(format!("partition {key}: {e}"))),
            }
        };
        let workers = self.partition_load_concurrency.min(keys.len()).max(1);
        let results: Vec<Result<Option<Value>>> = if workers == 1 {
            keys.iter().map(load_one).collect()
        } else {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let slots: Vec<Mutex<Option<Result<Option<Value>>>>> =
                keys.iter().map(|_| Mutex::new(None)).collect();
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    scope.spawn(|| {
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(key) = keys.get(i) else { break };
                            let r = load_one(key);
                            if let Ok(mut slot) = slots[i].lock() {
                                *slot = Some(r);
                            }
                        }
                    });
                }
            });
            slots
                .into_iter()
                .map(|s| {
                    s.into_inner()
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| Err(Error::msg("a partition load did not finish")))
                })
                .collect()
        };
        let mut entries = Vec::with_capacity(keys.len());
        let mut errors = Vec::new();
        for (i, (key, r)) in keys.iter().zip(results).enumerate() {
            match r {
                Ok(Some(v)) => entries.push((key.clone(), v)),
                Ok(None) => {}
                Err(e) => errors.push((i, key.as_str(), e.to_string())),
            }
        }
        // Ranges and the first errors, not one line per partition: over
        // 50,000 partitions that was a 7.5 MB message.
        match errors.len() {
            0 => Ok(entries),
            1 => Err(Error::msg(errors.remove(0).2)),
            _ => Err(Error::msg(super::ranges::partition_failures(
                "could not be loaded",
                keys.len(),
                &errors,
                false,
            ))),
        }
    }

    fn store_output(
        &self,
        i: usize,
        o: usize,
        def: &Out,
        value: Value,
        step_metadata: Metadata,
        log: &Logger,
    ) -> Result<()> {
        if let Some(shape) = def.dynamic {
            return self.store_dynamic(i, o, def, shape, value, step_metadata, log);
        }
        let step = &self.plan.steps[i];
        let step_key = Some(&*step.key);
        self.events.push(
            EventKind::StepOutput {
                output_name: def.name.clone(),
                type_name: def.ty.short_name(),
                mapping_key: None,
            },
            step_key,
            format!(
                "Yielded output \"{}\" of type \"{}\".",
                def.name,
                def.ty.short_name()
            ),
        );
        let asset_key: Option<AssetKey> = def.asset_key.clone();
        if def.ty.is_unit() {
            if let Some(asset_key) = asset_key {
                let keys = step
                    .partitions
                    .as_ref()
                    .and_then(|p| p.keys.as_ref().ok())
                    .map(|k| k.to_vec());
                for partition in keys
                    .map(|k| k.into_iter().map(Some).collect())
                    .unwrap_or_else(|| vec![None])
                {
                    self.materialized(step_key, &asset_key, partition, step_metadata.clone());
                }
            }
            return Ok(());
        }
        let manager = self.manager(&def.io_manager_key)?;
        let ctx = self.output_context(i, o, log.clone());
        match (
            step.partitions.as_ref().filter(|_| step.asset.is_some()),
            def.shape,
        ) {
            (Some(parts), Some(shape)) => {
                let entries = (shape.split)(value).ok_or_else(|| {
                    Error::msg(format!("the value is not a `{}`", shape.declared_name()))
                })?;
                let run_keys: Vec<String> =
                    parts.keys.as_ref().map(|k| k.to_vec()).unwrap_or_default();
                let returned: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
                let extra: Vec<&str> = returned
                    .iter()
                    .copied()
                    .filter(|k| !run_keys.iter().any(|r| r == k))
                    .collect();
                let missing: Vec<&str> = run_keys
                    .iter()
                    .map(String::as_str)
                    .filter(|k| !returned.contains(k))
                    .collect();
                if !extra.is_empty() || !missing.is_empty() {
                    return Err(Error::msg(format!(
                        "the `{}` returned does not match the run's partitions:{}{}",
                        shape.declared_name(),
                        if extra.is_empty() {
                            String::new()
                        } else {
                            format!(" not in this run: {};", extra.join(", "))
                        },
                        if missing.is_empty() {
                            String::new()
                        } else {
                            format!(" missing: {}", missing.join(", "))
                        },
                    )));
                }
                for (key, element) in entries {
                    let mut one = ctx.narrowed_to(&key);
                    self.handle(
                        manager,
                        def,
                        def.typed_element,
                        &mut one,
                        element.as_ref(),
                        shape.element,
                    )?;
                    self.finish_output(step, def, one, &step_metadata, Some(key), element);
                }
            }
            _ => {
                let mut ctx = ctx;
                self.handle(manager, def, def.typed, &mut ctx, value.as_ref(), def.ty)?;
                let partition = ctx.single_asset_partition().map(str::to_owned);
                self.finish_output(step, def, ctx, &step_metadata, partition, value);
            }
        }
        Ok(())
    }

    pub(super) fn handle(
        &self,
        manager: &ResourceInstance,
        def: &Out,
        typed: Option<TypedOutput>,
        ctx: &mut OutputContext,
        value: &(dyn Any + Send + Sync),
        ty: &TypeInfo,
    ) -> Result<()> {
        match typed.and_then(|t| guarded_opt(|| (t.handle)(manager.value.as_ref(), ctx, value))) {
            Some(r) => r,
            None => match &manager.dyn_manager {
                Some(d) => guarded(|| d.handle_output_dyn(ctx, value, ty)),
                None => Err(Error::msg(format!(
                    "the manager bound to `{}` (`{}`) cannot store a `{}`",
                    def.io_manager_key,
                    manager.type_name,
                    ty.short_name()
                ))),
            },
        }
    }

    fn materialized(
        &self,
        step_key: Option<&str>,
        asset_key: &AssetKey,
        partition: Option<String>,
        metadata: Metadata,
    ) {
        let message = match &partition {
            Some(p) => format!("Materialized value {asset_key} (partition {p})."),
            None => format!("Materialized value {asset_key}."),
        };
        self.events.push(
            EventKind::AssetMaterialization {
                asset_key: asset_key.clone(),
                partition,
                metadata,
            },
            step_key,
            message,
        );
    }

    /// Records what storing one value produced, and keeps the value.
    fn finish_output(
        &self,
        step: &super::plan::Step,
        def: &Out,
        ctx: OutputContext,
        step_metadata: &Metadata,
        partition: Option<String>,
        value: Value,
    ) {
        let step_key = Some(&*step.key);
        let asset_key = def.asset_key.as_ref();
        // Dagster's order: what the body gave, then what the manager
        // added (which wins on a shared key).
        let mut metadata = step_metadata.clone();
        metadata.extend(ctx.output_metadata);
        if let Some(asset_key) = asset_key {
            self.materialized(step_key, asset_key, partition.clone(), metadata.clone());
        }
        self.events.push(
            EventKind::HandledOutput {
                output_name: def.name.clone(),
                manager_key: def.io_manager_key.clone(),
                metadata,
            },
            step_key,
            format!(
                "Handled output \"{}\" using IO manager \"{}\"",
                def.name, def.io_manager_key
            ),
        );
        if self.capture
            && let Ok(mut outputs) = self.outputs.lock()
        {
            let name = match &partition {
                Some(p) if def.shape.is_some() => format!("{}[{p}]", def.name),
                _ => def.name.clone(),
            };
            outputs.insert((step.key.to_string(), name), Arc::from(value));
        }
    }
}

/// Whether an error says that nothing was stored where a value was looked for.
fn is_missing(e: &Error) -> bool {
    matches!(e.root(), Error::NotMaterialized { .. })
}
