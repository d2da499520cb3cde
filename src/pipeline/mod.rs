//! The provider: resource, readers and exporters assembled from a resolved
//! configuration, and flush/shutdown that return by their deadlines.

mod completion;
pub mod console;
mod exit;
pub mod guarded;
mod lifecycle;
pub mod otlp;
pub mod prometheus;
pub mod render;
pub mod runtime;
pub mod snapshot;

pub use lifecycle::Lifecycle;

use crate::config::{self, ExporterKind, Env, Resolved, Settings, TemporalityPreference};
use crate::error::{status, Error, Result};
use crate::instruments::reentrancy::refuse_in_callback;
use completion::Completion;
use guarded::{Driver, Guarded};
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Stream, Temporality};
use opentelemetry_sdk::resource::{Resource, ResourceDetector, TelemetryResourceDetector};
use snapshot::SnapshotReader;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The name, version, schema URL and attributes of a meter.
#[derive(Debug, Clone, Default)]
pub struct MeterScope {
    pub name: String,
    pub version: Option<String>,
    pub schema_url: Option<String>,
    pub attributes: Vec<KeyValue>,
}

/// A meter with what instruments need to know about where they live.
pub struct ScopedMeter {
    pub meter: Meter,
    pub scope: MeterScope,
    pub lifecycle: Arc<Lifecycle>,
}

impl ScopedMeter {
    /// The deny-list of attribute keys views impose on one instrument.
    pub fn denied_keys(&self, name: &str, kind: crate::views::Kind, unit: &str) -> Option<Arc<std::collections::HashSet<String>>> {
        let id = crate::views::InstrumentIdentity {
            name,
            kind,
            unit,
            meter_name: &self.scope.name,
            meter_version: self.scope.version.as_deref().unwrap_or(""),
        };
        crate::views::denied_keys(self.lifecycle.views(), &id)
    }
}

pub struct Provider {
    sdk: SdkMeterProvider,
    lifecycle: Arc<Lifecycle>,
    snapshot: Option<SnapshotReader>,
    export_timeout: Duration,
    shutdown: Mutex<Option<Arc<Completion>>>,
    /// Prometheus endpoints; stopped at shutdown.
    servers: Mutex<Vec<prometheus::Server>>,
}

fn sdk_temporality(pref: TemporalityPreference) -> Temporality {
    match pref {
        TemporalityPreference::Cumulative => Temporality::Cumulative,
        TemporalityPreference::Delta => Temporality::Delta,
        TemporalityPreference::LowMemory => Temporality::LowMemory,
    }
}

fn resource(attributes: &[KeyValue]) -> Resource {
    let telemetry = TelemetryResourceDetector.detect();
    Resource::builder_empty()
        .with_attributes(telemetry.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())))
        .with_attributes(attributes.iter().cloned())
        .build()
}

impl Provider {
    /// Resolves `settings` against `env` and builds the provider.
    pub fn build(settings: &Settings, env: &dyn Env) -> Result<Arc<Provider>> {
        Self::from_resolved(&config::resolve(settings, env)?)
    }

    pub fn from_resolved(cfg: &Resolved) -> Result<Arc<Provider>> {
        let mut builder = SdkMeterProvider::builder().with_resource(resource(&cfg.resource));
        let temporality = sdk_temporality(cfg.temporality);
        let mut exporting = false;
        let mut servers = Vec::new();
        if !cfg.disabled {
            for kind in &cfg.exporters {
                match kind {
                    ExporterKind::Otlp => {
                        let otlp = cfg.otlp.as_ref().expect("resolved with the otlp exporter");
                        otlp::validate_tls(otlp)?;
                        let exporter = otlp::build(otlp, temporality)?;
                        let destination = format!(
                            "otlp {} {}",
                            config::protocol_name(otlp.protocol),
                            otlp.endpoint.url
                        );
                        let guarded = Guarded::new(exporter, destination, cfg.export_timeout, Driver::Runtime);
                        builder = builder.with_reader(PeriodicReader::builder(guarded).with_interval(cfg.export_interval).build());
                    }
                    ExporterKind::Prometheus => {
                        // Pull, not push: served on scrape by the library's
                        // own small HTTP server (see prometheus/).
                        let addr = cfg.prometheus.expect("resolved with the prometheus exporter");
                        let reader = SnapshotReader::new();
                        builder = builder.with_reader(reader.clone());
                        servers.push(prometheus::Server::start(reader, addr)?);
                        continue;
                    }
                    ExporterKind::Console => {
                        let console = cfg.console.as_ref().expect("resolved with the console exporter");
                        let exporter = console::ConsoleExporter::new(console, temporality)?;
                        let guarded = Guarded::new(exporter, "console".to_owned(), cfg.export_timeout, Driver::Inline);
                        builder = builder.with_reader(PeriodicReader::builder(guarded).with_interval(cfg.export_interval).build());
                    }
                }
                exporting = true;
            }
        }
        let snapshot = (cfg.in_memory_reader && !cfg.disabled).then(SnapshotReader::new);
        if let Some(reader) = &snapshot {
            builder = builder.with_reader(reader.clone());
        }
        for view in &cfg.views {
            builder = builder.with_view(view.clone().into_sdk_view());
        }
        if let Some(limit) = cfg.cardinality_limit {
            // The default limit, for instruments no view selects (a view's
            // own limit applies to the streams it makes).
            builder = builder.with_view(move |_: &opentelemetry_sdk::metrics::Instrument| {
                Stream::builder().with_cardinality_limit(limit).build().ok()
            });
        }
        let effective = if exporting { cfg.temporality } else { TemporalityPreference::Cumulative };
        let provider = Arc::new(Provider {
            sdk: builder.build(),
            lifecycle: Arc::new(Lifecycle::new(effective, cfg.views.clone())),
            snapshot,
            export_timeout: cfg.export_timeout,
            shutdown: Mutex::new(None),
            servers: Mutex::new(servers),
        });
        exit::register(&provider);
        Ok(provider)
    }

    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    /// The addresses the Prometheus endpoints listen on (port 0 resolved).
    pub fn prometheus_addresses(&self) -> Vec<std::net::SocketAddr> {
        self.servers.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|s| s.local_addr()).collect()
    }

    pub fn export_timeout(&self) -> Duration {
        self.export_timeout
    }

    fn ensure_running(&self) -> Result<()> {
        if self.lifecycle.is_shut_down() {
            return Err(Error::shutdown());
        }
        Ok(())
    }

    pub fn meter(&self, scope: &MeterScope) -> Result<ScopedMeter> {
        refuse_in_callback("getting a meter")?;
        self.ensure_running()?;
        if scope.name.is_empty() {
            return Err(Error::new(status::INVALID_NAME, "a meter needs a non-empty name"));
        }
        let mut b = InstrumentationScope::builder(scope.name.clone()).with_attributes(scope.attributes.clone());
        if let Some(v) = &scope.version {
            b = b.with_version(v.clone());
        }
        if let Some(s) = &scope.schema_url {
            b = b.with_schema_url(s.clone());
        }
        Ok(ScopedMeter {
            meter: self.sdk.meter_with_scope(b.build()),
            scope: scope.clone(),
            lifecycle: self.lifecycle.clone(),
        })
    }

    /// Exports everything recorded so far, returning by `timeout`.
    pub fn force_flush(&self, timeout: Duration) -> Result<()> {
        refuse_in_callback("force_flush")?;
        self.ensure_running()?;
        let sdk = self.sdk.clone();
        completion::run_bounded("otelmetrics-flush", timeout, move || {
            sdk.force_flush().map_err(|e| Error::new(status::EXPORT_FAILED, format!("force_flush: {e}")))
        })
    }

    /// Starts the shutdown (once) and returns its completion.
    fn begin_shutdown(self: &Arc<Self>) -> Result<Arc<Completion>> {
        let mut slot = self.shutdown.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        self.lifecycle.begin_shutdown();
        for server in self.servers.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            server.stop();
        }
        let sdk = self.sdk.clone();
        let me = Arc::downgrade(self);
        let c = completion::spawn("otelmetrics-shutdown", move || {
            let r = sdk.shutdown().map_err(|e| Error::new(status::EXPORT_FAILED, format!("shutdown: {e}")));
            if let Some(p) = me.upgrade() {
                exit::unregister(&p);
            }
            r
        })?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Exports what is left and stops, returning by `timeout` whatever the
    /// collector does. A second call reports SHUTDOWN.
    pub fn shutdown(self: &Arc<Self>, timeout: Duration) -> Result<()> {
        refuse_in_callback("shutdown")?;
        if self.shutdown.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|c| c.is_done()) {
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
        match &self.snapshot {
            Some(reader) => reader.json(),
            None => Err(Error::argument(
                "this provider has no in-memory reader (enable it on the builder before building)",
            )),
        }
    }
}
