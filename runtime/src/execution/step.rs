//! Executing one step: load its inputs, run its body, store its outputs,
//! recording Dagster's events in Dagster's order.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use super::plan::{InputSource, Plan};
use crate::asset_key::AssetKey;
use crate::config::RunConfig;
use crate::context::{InputContext, OutputContext};
use crate::definitions::{AssetDefinition, In, Out, StepIo};
use crate::error::{Error, Result};
use crate::events::{EventKind, EventLog, Logger};
use crate::metadata::Metadata;
use crate::resources::{ResourceInstance, RunResources};
use crate::types::Value;

/// Everything a step needs from its run.
pub(crate) struct RunState {
    pub(crate) plan: Plan,
    pub(crate) run_id: Arc<str>,
    pub(crate) resources: RunResources,
    pub(crate) events: Arc<EventLog>,
    pub(crate) run_config: RunConfig,
    pub(crate) capture: bool,
    pub(crate) outputs: Mutex<HashMap<(String, String), Arc<dyn Any + Send + Sync>>>,
}

/// Turns a panic payload into an error.
pub(crate) fn panic_error(payload: Box<dyn Any + Send>) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
    Error::Panic(message)
}

/// Runs `f`, turning a panic into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(p)))
}

fn null() -> serde_json::Value {
    serde_json::Value::Null
}

impl RunState {
    fn manager(&self, key: &str) -> Result<&Arc<ResourceInstance>> {
        self.resources
            .resources
            .instance(key)
            .ok_or_else(|| Error::NotFound(format!("no resource is bound to `{key}`")))
    }

    /// The context of output `out` of step `step`.
    fn output_context(&self, step: usize, out: usize, log: Logger) -> OutputContext {
        let s = &self.plan.steps[step];
        let def = &s.op.outputs[out];
        let instance = self.resources.resources.instance(&def.io_manager_key);
        OutputContext {
            step_key: Some(s.key.clone()),
            name: Some(Arc::from(def.name.as_str())),
            job_name: Some(self.plan.job_name.clone()),
            run_id: Some(self.run_id.clone()),
            mapping_key: None,
            version: s.op.version.clone(),
            config: self
                .run_config
                .output_config(&s.key, &def.name)
                .cloned()
                .unwrap_or_else(null),
            definition_metadata: def.metadata.clone(),
            output_metadata: Metadata::new(),
            resource_config: instance.map(|i| i.config.clone()).unwrap_or_default(),
            resources: instance
                .map(|i| {
                    self.resources
                        .resources
                        .restricted(&i.key, i.required_keys.clone())
                })
                .unwrap_or_default(),
            op_def: Some(s.op.clone()),
            asset_key: s.asset.as_ref().map(|a| a.key.clone()),
            type_info: Some(def.ty),
            manager_key: Some(Arc::from(def.io_manager_key.as_str())),
            logged_events: Vec::new(),
            log,
        }
    }

    /// The upstream context of an asset that is not materialized in this run.
    fn asset_output_context(&self, asset: &AssetDefinition, log: Logger) -> Option<OutputContext> {
        let def = asset.op.outputs.first()?;
        let instance = self.resources.resources.instance(&def.io_manager_key);
        Some(OutputContext {
            step_key: Some(Arc::from(asset.key.to_step_key())),
            name: Some(Arc::from(def.name.as_str())),
            job_name: None,
            run_id: None,
            mapping_key: None,
            version: asset.op.version.clone(),
            config: null(),
            definition_metadata: def.metadata.clone(),
            output_metadata: Metadata::new(),
            resource_config: instance.map(|i| i.config.clone()).unwrap_or_default(),
            resources: instance
                .map(|i| {
                    self.resources
                        .resources
                        .restricted(&i.key, i.required_keys.clone())
                })
                .unwrap_or_default(),
            op_def: Some(asset.op.clone()),
            asset_key: Some(asset.key.clone()),
            type_info: Some(def.ty),
            manager_key: Some(Arc::from(def.io_manager_key.as_str())),
            logged_events: Vec::new(),
            log,
        })
    }

    /// Runs step `i`. Errors are returned after the failure event is recorded.
    pub(crate) fn run_step(&self, i: usize) -> Result<()> {
        let step = &self.plan.steps[i];
        let key: &str = &step.key;
        self.events.push(
            EventKind::StepStart,
            Some(key),
            format!("Started execution of step \"{key}\"."),
        );
        let result = self.run_step_inner(i);
        match &result {
            Ok(()) => self.events.push(
                EventKind::StepSuccess,
                Some(key),
                format!("Finished execution of step \"{key}\"."),
            ),
            Err(e) => {
                let mut causes = Vec::new();
                let mut source: Option<&(dyn std::error::Error + 'static)> =
                    std::error::Error::source(e);
                while let Some(s) = source {
                    causes.push(s.to_string());
                    source = s.source();
                }
                self.events.push(
                    EventKind::StepFailure {
                        error: e.to_string(),
                        causes,
                    },
                    Some(key),
                    format!("Execution of step \"{key}\" failed: {e}"),
                );
            }
        }
        result
    }

    fn run_step_inner(&self, i: usize) -> Result<()> {
        let step = &self.plan.steps[i];
        let key = &step.key;
        let log = Logger::for_step(self.events.clone(), key.clone());

        let mut inputs = Vec::with_capacity(step.inputs.len());
        for (input, source) in step.op.inputs.iter().zip(&step.inputs) {
            let value = self
                .load_input(i, input, source, &log)
                .map_err(|e| Error::LoadInput {
                    step: key.to_string(),
                    input: input.name.clone(),
                    source: Box::new(e),
                })?;
            inputs.push(Some(value));
        }

        let config = self.run_config.op_config(key).cloned().unwrap_or_else(null);
        let mut io = StepIo {
            op: &step.op,
            step_key: key,
            inputs,
            outputs: (0..step.op.outputs.len()).map(|_| None).collect(),
            config: &config,
            log: &log,
        };
        guarded(|| (step.op.compute)(&mut io)).map_err(|e| Error::Compute {
            step: key.to_string(),
            source: Box::new(e),
        })?;
        let outputs = std::mem::take(&mut io.outputs);
        drop(io);

        for (o, (def, value)) in step.op.outputs.iter().zip(outputs).enumerate() {
            let value: Value = match value {
                Some(v) => v,
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
            self.store_output(i, o, def, value, &log)
                .map_err(|e| Error::HandleOutput {
                    step: key.to_string(),
                    output: def.name.clone(),
                    source: Box::new(e),
                })?;
        }
        Ok(())
    }

    fn load_input(
        &self,
        i: usize,
        input: &In,
        source: &InputSource,
        log: &Logger,
    ) -> Result<Value> {
        let step = &self.plan.steps[i];
        let (upstream, upstream_def): (Option<OutputContext>, Option<&Out>) = match source {
            InputSource::Unit => return Ok(Box::new(())),
            InputSource::Step { step: u, output } => (
                Some(self.output_context(*u, *output, log.clone())),
                Some(&self.plan.steps[*u].op.outputs[*output]),
            ),
            InputSource::Asset(asset) => (
                self.asset_output_context(asset, log.clone()),
                asset.op.outputs.first(),
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
        let mut ctx = InputContext {
            name: Some(Arc::from(input.name.as_str())),
            step_key: Some(step.key.clone()),
            job_name: Some(self.plan.job_name.clone()),
            op_def: Some(step.op.clone()),
            config: self
                .run_config
                .input_config(&step.key, &input.name)
                .cloned()
                .unwrap_or_else(null),
            definition_metadata: input.metadata.clone(),
            asset_key: input
                .asset_key
                .clone()
                .or_else(|| upstream.as_ref().and_then(|u| u.asset_key.clone())),
            upstream_output: upstream.map(Box::new),
            type_info: Some(input.ty),
            resource_config: manager.config.clone(),
            resources: self
                .resources
                .resources
                .restricted(manager_key, manager.required_keys.clone()),
            input_metadata: Metadata::new(),
            observations: Vec::new(),
            log: log.clone(),
        };

        let typed = if input.input_manager_key.is_some() {
            input
                .typed
                .and_then(|t| guarded_opt(|| (t.load)(manager.value.as_ref(), &mut ctx)))
        } else {
            upstream_def
                .and_then(|d| d.typed)
                .filter(|t| t.value_id == input.ty.id)
                .and_then(|t| guarded_opt(|| (t.load)(manager.value.as_ref(), &mut ctx)))
        };
        let value = match typed {
            Some(v) => v?,
            None => match &manager.dyn_manager {
                Some(d) => guarded(|| d.load_input_dyn(&mut ctx, input.ty))?,
                None => {
                    return Err(Error::msg(format!(
                        "the manager bound to `{manager_key}` (`{}`) cannot load a `{}`",
                        manager.type_name,
                        input.ty.short_name()
                    )));
                }
            },
        };
        if value.as_ref().type_id() != input.ty.id {
            return Err(Error::TypeMismatch {
                what: format!("the value loaded by the manager bound to `{manager_key}`"),
                expected: input.ty.name,
                found: "another type".to_owned(),
            });
        }

        let step_key = Some(&*step.key);
        for obs in ctx.observations.drain(..) {
            self.events
                .push_event(obs.into_event(step_key.map(str::to_owned)));
        }
        let mut metadata = (*input.metadata).clone();
        metadata.extend(ctx.input_metadata);
        let from = match (&upstream_name, &upstream_step) {
            (Some(o), Some(s)) => format!(", from output \"{o}\" of step \"{s}\""),
            _ => String::new(),
        };
        let message = format!(
            "Loaded input \"{}\" using input manager \"{manager_key}\"{from}",
            input.name
        );
        self.events.push(
            EventKind::LoadedInput {
                input_name: input.name.clone(),
                manager_key: manager_key.to_owned(),
                upstream_output_name: upstream_name.map(|s| s.to_string()),
                upstream_step_key: upstream_step.map(|s| s.to_string()),
                metadata,
            },
            step_key,
            message,
        );
        Ok(value)
    }

    fn store_output(
        &self,
        i: usize,
        o: usize,
        def: &Out,
        value: Value,
        log: &Logger,
    ) -> Result<()> {
        let step = &self.plan.steps[i];
        let step_key = Some(&*step.key);
        self.events.push(
            EventKind::StepOutput {
                output_name: def.name.clone(),
                type_name: def.ty.short_name(),
            },
            step_key,
            format!(
                "Yielded output \"{}\" of type \"{}\".",
                def.name,
                def.ty.short_name()
            ),
        );
        let asset_key: Option<AssetKey> = step.asset.as_ref().map(|a| a.key.clone());
        if def.ty.is_unit() {
            if let Some(asset_key) = asset_key {
                self.events.push(
                    EventKind::AssetMaterialization {
                        asset_key: asset_key.clone(),
                        partition: None,
                        metadata: Metadata::new(),
                    },
                    step_key,
                    format!("Materialized value {asset_key}."),
                );
            }
            return Ok(());
        }
        let manager = self.manager(&def.io_manager_key)?;
        let mut ctx = self.output_context(i, o, log.clone());
        let typed = def.typed.and_then(|t| {
            guarded_opt(|| (t.handle)(manager.value.as_ref(), &mut ctx, value.as_ref()))
        });
        match typed {
            Some(r) => r?,
            None => match &manager.dyn_manager {
                Some(d) => guarded(|| d.handle_output_dyn(&mut ctx, value.as_ref(), def.ty))?,
                None => {
                    return Err(Error::msg(format!(
                        "the manager bound to `{}` (`{}`) cannot store a `{}`",
                        def.io_manager_key,
                        manager.type_name,
                        def.ty.short_name()
                    )));
                }
            },
        }
        for event in ctx.logged_events.drain(..) {
            self.events
                .push_event(event.into_event(step_key.map(str::to_owned)));
        }
        if let Some(asset_key) = asset_key {
            self.events.push(
                EventKind::AssetMaterialization {
                    asset_key: asset_key.clone(),
                    partition: None,
                    metadata: ctx.output_metadata.clone(),
                },
                step_key,
                format!("Materialized value {asset_key}."),
            );
        }
        self.events.push(
            EventKind::HandledOutput {
                output_name: def.name.clone(),
                manager_key: def.io_manager_key.clone(),
                metadata: ctx.output_metadata,
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
            outputs.insert((step.key.to_string(), def.name.clone()), Arc::from(value));
        }
        Ok(())
    }
}

/// Like [`guarded`] for the typed adapters, which answer `None` when the
/// bound manager is not the declared type.
fn guarded_opt<T>(f: impl FnOnce() -> Option<Result<T>>) -> Option<Result<T>> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Some(Err(panic_error(p))))
}
