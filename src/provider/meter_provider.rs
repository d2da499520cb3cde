//! The provider handle every binding holds: meters, flush, shutdown and the
//! snapshot, each bounded by its deadline, over the pipeline of the current
//! process generation.

use super::assemble::{assemble, Pipeline};
use super::{exit, Lifecycle};
use crate::config::{self, Env, Resolved, Settings, TemporalityPreference};
use crate::diagnostics;
use crate::error::{status, Error, Result};
use crate::process::completion::{self, Completion};
use crate::process::fork::{self, PerGeneration};
use crate::process::fork_safe::Lock;
use crate::process::reentrancy::refuse_in_callback;
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use std::sync::Arc;
use std::time::Duration;

/// The name, version, schema URL and attributes of a meter.
#[derive(Debug, Clone, Default)]
pub struct MeterScope {
    pub name: String,
    pub version: Option<String>,
    pub schema_url: Option<String>,
    pub attributes: Vec<KeyValue>,
    /// Disabled by the meter configurator (or the SDK disabled): its
    /// instruments are the API's no-ops and report `enabled` false.
    pub disabled: bool,
}

impl MeterScope {
    /// An SDK meter for this scope on `sdk`.
    pub fn sdk_meter(&self, sdk: &SdkMeterProvider) -> Meter {
        let mut b = InstrumentationScope::builder(self.name.clone())
            .with_attributes(self.attributes.clone());
        if let Some(v) = &self.version {
            b = b.with_version(v.clone());
        }
        if let Some(s) = &self.schema_url {
            b = b.with_schema_url(s.clone());
        }
        if self.disabled {
            return opentelemetry::metrics::NoopMeterProvider::new().meter_with_scope(b.build());
        }
        sdk.meter_with_scope(b.build())
    }
}

/// Re-attaches something (an observable instrument) to a new generation's
/// SDK provider after a fork.
pub type RebuildHook = Box<dyn Fn(&SdkMeterProvider) + Send + Sync>;

pub struct Provider {
    cfg: Resolved,
    pipeline: PerGeneration<Pipeline>,
    lifecycle: Arc<Lifecycle>,
    shutdown: Lock<Option<Arc<Completion>>>,
    rebuild_hooks: Lock<Vec<RebuildHook>>,
}

/// A meter with what instruments need to know about where they live.
pub struct ScopedMeter {
    pub provider: Arc<Provider>,
    pub scope: MeterScope,
    meter: PerGeneration<Meter>,
}

impl ScopedMeter {
    /// The SDK meter of the current generation.
    pub fn meter(&self) -> &Meter {
        self.meter.get_or_rebuild(|_| self.scope.sdk_meter(&self.provider.pipeline().sdk))
    }

    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.provider.lifecycle
    }

    /// Whether instruments of this meter can record anything at all.
    pub fn enabled(&self) -> bool {
        !self.scope.disabled
    }

    /// The deny-list of attribute keys views impose on one instrument.
    pub fn denied_keys(
        &self,
        name: &str,
        kind: crate::views::Kind,
        unit: &str,
    ) -> Option<Arc<std::collections::HashSet<String>>> {
        crate::views::denied_keys(self.provider.views(), &self.identity(name, kind, unit))
    }

    fn identity<'a>(
        &'a self,
        name: &'a str,
        kind: crate::views::Kind,
        unit: &'a str,
    ) -> crate::views::InstrumentIdentity<'a> {
        crate::views::InstrumentIdentity {
            name,
            kind,
            unit,
            meter_name: &self.scope.name,
            meter_version: self.scope.version.as_deref().unwrap_or(""),
            meter_schema_url: self.scope.schema_url.as_deref().unwrap_or(""),
        }
    }

    /// The streams views make of one instrument (see `views::streams_of`).
    pub fn streams_of(
        &self,
        name: &str,
        kind: crate::views::Kind,
        unit: &str,
    ) -> Vec<crate::views::StreamOf> {
        crate::views::streams_of(
            self.provider.views(),
            &self.identity(name, kind, unit),
            self.provider.stream_defaults(),
        )
    }

    /// Whether views leave the instrument any stream (see `views::records_anything`).
    pub fn records_anything(&self, name: &str, kind: crate::views::Kind, unit: &str) -> bool {
        crate::views::records_anything(self.provider.views(), &self.identity(name, kind, unit))
    }

    /// Registers `attach` to run against every new generation's SDK (after
    /// a fork); the caller attaches to the current one itself.
    pub fn on_rebuild(&self, attach: RebuildHook) {
        self.provider.rebuild_hooks.lock().push(attach);
    }
}

impl Provider {
    /// Resolves `settings` against `env` and builds the provider.
    pub fn build(settings: &Settings, env: &dyn Env) -> Result<Arc<Provider>> {
        Self::from_resolved(config::resolve(settings, env)?)
    }

    pub fn from_resolved(cfg: Resolved) -> Result<Arc<Provider>> {
        fork::on_child(super::lifecycle::advance_recording_epoch);
        // Bound instruments record through their full path (which offers
        // exemplars) while exemplars are armed.
        crate::export::exemplars::on_arm(super::lifecycle::advance_recording_epoch);
        let pipeline = assemble(&cfg, false)?;
        let provider = Arc::new(Provider {
            lifecycle: Arc::new(Lifecycle::default()),
            pipeline: PerGeneration::new(pipeline),
            cfg,
            shutdown: Lock::new(None),
            rebuild_hooks: Lock::new(Vec::new()),
        });
        exit::register(&provider);
        Ok(provider)
    }

    /// The pipeline of the current generation; a forked child builds its
    /// own (starting from zero: the parent's data is the parent's to export).
    fn pipeline(&self) -> &Pipeline {
        self.pipeline.get_or_rebuild(|_| {
            let fresh = assemble(&self.cfg, true).unwrap_or_else(|e| {
                diagnostics::error(&format!(
                    "after fork: cannot rebuild the export pipeline ({e}); exporting nothing"
                ));
                let mut none = self.cfg.clone();
                none.readers.clear();
                assemble(&none, true).expect("a pipeline without exporters always builds")
            });
            for hook in self.rebuild_hooks.lock().iter() {
                hook(&fresh.sdk);
            }
            fresh
        })
    }

    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    /// The provider's views (instruments apply their deny-lists).
    pub fn views(&self) -> &[crate::views::ViewSpec] {
        &self.cfg.views
    }

    /// The attribute limits every measurement's attributes are cut to.
    pub fn limits(&self) -> &crate::limits::AttributeLimits {
        &self.cfg.attribute_limits
    }

    /// The strictest temporality any reader uses: instruments cache bound
    /// series only when every reader aggregates their kind cumulatively
    /// (the in-memory and Prometheus readers always do).
    pub fn temporality(&self) -> TemporalityPreference {
        self.cfg.temporality()
    }

    /// The exemplar store of the current generation.
    pub fn exemplars(&self) -> &Arc<crate::export::exemplars::ExemplarStore> {
        &self.pipeline().exemplars
    }

    /// What views leave unset (cardinality limit, histogram aggregation).
    pub fn stream_defaults(&self) -> crate::views::StreamDefaults {
        self.cfg.stream_defaults()
    }

    /// The addresses the Prometheus endpoints listen on (port 0 resolved).
    pub fn prometheus_addresses(&self) -> Vec<std::net::SocketAddr> {
        self.pipeline()
            .servers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|s| s.local_addr())
            .collect()
    }

    /// The ports of the Prometheus endpoints, in the order of their readers
    /// (port 0 resolved; none in a forked child); SHUTDOWN once shut down.
    /// The list is read before the flag: shutdown sets the flag before it
    /// stops the endpoints, so a list taken while they stop is reported as
    /// SHUTDOWN rather than returned short.
    pub fn prometheus_ports(&self) -> Result<Vec<u16>> {
        let ports = self.prometheus_addresses().iter().map(|a| a.port()).collect();
        self.ensure_running()?;
        Ok(ports)
    }

    pub fn export_timeout(&self) -> Duration {
        self.cfg.export_timeout()
    }

    fn ensure_running(&self) -> Result<()> {
        if self.lifecycle.is_shut_down() {
            return Err(Error::shutdown());
        }
        Ok(())
    }

    pub fn meter(self: &Arc<Self>, scope: &MeterScope) -> Result<Arc<ScopedMeter>> {
        refuse_in_callback("getting a meter")?;
        self.ensure_running()?;
        if scope.name.is_empty() {
            return Err(Error::new(status::INVALID_NAME, "a meter needs a non-empty name"));
        }
        let mut scope = scope.clone();
        let reads =
            !self.cfg.disabled && (!self.cfg.readers.is_empty() || self.cfg.in_memory_reader);
        scope.disabled |=
            !reads || !crate::views::meter_enabled(&self.cfg.meter_rules, &scope.name);
        let meter = PerGeneration::new(scope.sdk_meter(&self.pipeline().sdk));
        Ok(Arc::new(ScopedMeter { provider: self.clone(), scope, meter }))
    }

    /// Exports everything recorded so far, returning by `timeout`.
    pub fn force_flush(&self, timeout: Duration) -> Result<()> {
        refuse_in_callback("force_flush")?;
        self.ensure_running()?;
        let sdk = self.pipeline().sdk.clone();
        completion::run_bounded("otelmetrics-flush", timeout, move || {
            sdk.force_flush()
                .map_err(|e| Error::new(status::EXPORT_FAILED, format!("force_flush: {e}")))
        })
    }

    /// Starts the shutdown (once) and returns its completion.
    pub(crate) fn begin_shutdown(self: &Arc<Self>) -> Result<Arc<Completion>> {
        // The slot is claimed under its lock; the work (stopping servers,
        // starting a thread) is done outside it: the lock is fork-safe only
        // for short sections.
        let c = Completion::new();
        {
            let mut slot = self.shutdown.lock();
            if let Some(c) = slot.as_ref() {
                return Ok(c.clone());
            }
            *slot = Some(c.clone());
        }
        self.lifecycle.begin_shutdown();
        let pipeline = self.pipeline();
        for server in pipeline.servers.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            server.stop();
        }
        let sdk = pipeline.sdk.clone();
        let final_exports = pipeline.final_exports.clone();
        let me = Arc::downgrade(self);
        let started = completion::spawn_into(&c, "otelmetrics-shutdown", move || {
            // The SDK waits at most 5 s for its readers' last exports; they
            // run detached and are awaited here, by their own deadlines.
            final_exports.detach();
            let r = sdk
                .shutdown()
                .map_err(|e| Error::new(status::EXPORT_FAILED, format!("shutdown: {e}")));
            let r = r.and(final_exports.wait());
            if let Some(p) = me.upgrade() {
                exit::unregister(&p);
            }
            r
        });
        if let Err(e) = started {
            // Whoever waits on it meanwhile gets the error; a later call
            // tries again.
            c.complete(Err(e.clone()));
            *self.shutdown.lock() = None;
            return Err(e);
        }
        Ok(c)
    }

    /// Exports what is left and stops, returning by `timeout` whatever the
    /// collector does. A second call reports SHUTDOWN.
    pub fn shutdown(self: &Arc<Self>, timeout: Duration) -> Result<()> {
        refuse_in_callback("shutdown")?;
        if self.shutdown.lock().as_ref().is_some_and(|c| c.is_done()) {
            return Err(Error::new(status::SHUTDOWN, "the meter provider was already shut down"));
        }
        let c = self.begin_shutdown()?;
        c.wait(timeout).unwrap_or_else(|| Err(completion::timed_out("shutdown", timeout)))
    }

    /// Shuts down without waiting (used when a handle is freed while live).
    pub fn shutdown_in_background(self: &Arc<Self>) {
        let _ = self.begin_shutdown();
    }

    /// The in-memory reader's view, as OTLP JSON.
    pub fn snapshot_json(&self) -> Result<String> {
        refuse_in_callback("reading the snapshot")?;
        self.ensure_running()?;
        match &self.pipeline().snapshot {
            Some(reader) => reader.json(),
            None => Err(Error::argument(
                "this provider has no in-memory reader (enable it on the builder before building)",
            )),
        }
    }
}
