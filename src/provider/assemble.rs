//! Builds the SDK meter provider of one generation from a resolved
//! configuration: resource, readers, exporters, views.

use crate::config::{self, Protocol, ReaderExporter, Resolved, TemporalityPreference};
use crate::diagnostics;
use crate::error::Result;
use crate::export::exemplars::ExemplarStore;
use crate::export::guarded::{Driver, FinalExports, Guarded};
use crate::export::self_metrics::{component_type, SelfMetrics};
use crate::export::snapshot::SnapshotReader;
use crate::export::{console, otlp, prometheus};
use crate::views::default_stream_view;
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use opentelemetry_sdk::resource::{Resource, ResourceDetector, TelemetryResourceDetector};
use std::sync::{Arc, Mutex};

/// What one generation of a provider owns.
pub struct Pipeline {
    pub sdk: SdkMeterProvider,
    pub snapshot: Option<SnapshotReader>,
    /// Prometheus endpoints; stopped at shutdown.
    pub servers: Mutex<Vec<prometheus::Server>>,
    /// The exports made at shutdown, which shutdown waits for.
    pub final_exports: Arc<FinalExports>,
    /// The exemplars its instruments offer and its readers join to points.
    pub exemplars: Arc<ExemplarStore>,
}

pub fn sdk_temporality(pref: TemporalityPreference) -> Temporality {
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

/// Builds the pipeline. In a forked child (`forked`), Prometheus endpoints
/// are not opened again: the parent still listens on their ports.
pub fn assemble(cfg: &Resolved, forked: bool) -> Result<Pipeline> {
    // The SDK's reader threads start here and inherit the caller's signal
    // mask: give them one that blocks SIGPIPE (see sigpipe.rs).
    crate::process::sigpipe::with_blocked(|| assemble_pipeline(cfg, forked))
}

fn assemble_pipeline(cfg: &Resolved, forked: bool) -> Result<Pipeline> {
    if let Some(threshold) = cfg.log_level {
        crate::diagnostics::set_threshold(threshold);
    }
    let mut builder = SdkMeterProvider::builder().with_resource(resource(&cfg.resource));
    let mut servers = Vec::new();
    let final_exports = Arc::new(FinalExports::default());
    // Only when asked for: otherwise no instrument exists and exporters
    // carry no observer.
    let self_metrics =
        (cfg.self_metrics && !cfg.disabled).then(|| Arc::new(SelfMetrics::default()));
    let exemplars = Arc::new(ExemplarStore::new(cfg.exemplar_filter));
    if !cfg.disabled {
        for reader in &cfg.readers {
            let temporality = sdk_temporality(reader.temporality);
            match &reader.exporter {
                ReaderExporter::Otlp(otlp) => {
                    otlp::validate_tls(otlp)?;
                    let exporter = otlp::build(otlp, temporality, exemplars.clone())?;
                    let destination = format!(
                        "otlp {} {}",
                        config::protocol_name(otlp.protocol),
                        config::redact::endpoint(&otlp.endpoint.url)
                    );
                    let kind = match otlp.protocol {
                        Protocol::Grpc => component_type::OTLP_GRPC_METRIC_EXPORTER,
                        Protocol::HttpProtobuf => component_type::OTLP_HTTP_METRIC_EXPORTER,
                        Protocol::HttpJson => component_type::OTLP_HTTP_JSON_METRIC_EXPORTER,
                    };
                    let observer =
                        self_metrics.as_ref().map(|m| m.observer(Some((kind, &otlp.endpoint.url))));
                    let guarded = Guarded::new(
                        exporter,
                        destination,
                        reader.timeout,
                        Driver::Runtime,
                        final_exports.clone(),
                    )
                    .observed_by(observer);
                    builder = builder.with_reader(
                        PeriodicReader::builder(guarded).with_interval(reader.interval).build(),
                    );
                }
                ReaderExporter::Console(console) => {
                    let exporter =
                        console::ConsoleExporter::new(console, temporality, exemplars.clone())?;
                    let observer = self_metrics.as_ref().map(|m| m.observer(None));
                    let guarded = Guarded::new(
                        exporter,
                        "console".to_owned(),
                        reader.timeout,
                        Driver::Inline,
                        final_exports.clone(),
                    )
                    .observed_by(observer);
                    builder = builder.with_reader(
                        PeriodicReader::builder(guarded).with_interval(reader.interval).build(),
                    );
                }
                ReaderExporter::Prometheus { .. } if forked => {
                    diagnostics::warn(
                        "a forked child does not serve the parent's Prometheus endpoint",
                    );
                }
                ReaderExporter::Prometheus { address, options } => {
                    // Pull, not push: served on scrape by hyper on the
                    // endpoint's own thread (see prometheus/).
                    let snapshot = SnapshotReader::new(exemplars.clone());
                    builder = builder.with_reader(snapshot.clone());
                    servers.push(prometheus::Server::start(snapshot, *address, options.clone())?);
                }
            }
        }
    }
    let snapshot =
        (cfg.in_memory_reader && !cfg.disabled).then(|| SnapshotReader::new(exemplars.clone()));
    if let Some(reader) = &snapshot {
        builder = builder.with_reader(reader.clone());
    }
    let defaults = cfg.stream_defaults();
    for view in &cfg.views {
        builder = builder.with_view(view.clone().into_sdk_view(defaults));
    }
    builder = builder.with_view(default_stream_view(cfg.views.clone(), defaults));
    let sdk = builder.build();
    if let Some(metrics) = &self_metrics {
        metrics.instrument(&sdk);
    }
    Ok(Pipeline { sdk, snapshot, servers: Mutex::new(servers), final_exports, exemplars })
}
