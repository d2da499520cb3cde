//! The SDK's own metrics, as the semantic conventions name them, recorded
//! by the provider's exporters and readers and exported with the rest of its
//! metrics (meter `otelmetrics`), through every exporter it has:
//!
//! - `otel.sdk.exporter.metric_data_point.exported` (counter, `{data_point}`):
//!   per OTLP export, the points delivered (no `error.type`) and the points
//!   lost, by cause (`error.type`: "rejected" for a partial success, an HTTP
//!   status, a gRPC status name, "timeout", "transport", ...). One export
//!   counts each point once, however many retries it took.
//! - `otel.sdk.exporter.metric_data_point.inflight` (up-down counter,
//!   `{data_point}`): the points an OTLP exporter holds, from the start of an
//!   export until it is settled.
//! - `otel.sdk.exporter.operation.duration` (histogram, `s`): one observation
//!   per export, from encoding to the end of the last request, retries and
//!   backoff included; `error.type` unless everything arrived.
//! - `otel.sdk.metric_reader.collection.duration` (histogram, `s`): per
//!   collection of a periodic reader.
//!
//! An export is everything one collection hands the exporter, however many
//! requests it is split into. Its own points include the self-metrics as
//! they stood at collection, counted like any other point; what an export
//! did is recorded after it, so it shows in the next one. Recording never
//! triggers an export and the series are few and fixed, so nothing loops.
//!
//! Collections are timed from a hook: the inflight gauge is observed by a
//! callback, and the SDK runs callbacks first in a collection, in the order
//! they were registered (this one before any of the application's). The
//! callback stamps the start on the collecting thread; the periodic reader
//! calls its exporter on that same thread right after collecting, where the
//! stamp is read.
//!
//! Off by default: then none of this exists (no meter, no instrument, no
//! callback) and exports carry no observer.

use super::{ErrorType, ResponseStatus, Sent};
use opentelemetry::metrics::{
    Counter, Histogram, Meter, MeterProvider as _, ObservableUpDownCounter,
};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

pub const EXPORTED: &str = "otel.sdk.exporter.metric_data_point.exported";
pub const INFLIGHT: &str = "otel.sdk.exporter.metric_data_point.inflight";
pub const OPERATION_DURATION: &str = "otel.sdk.exporter.operation.duration";
pub const COLLECTION_DURATION: &str = "otel.sdk.metric_reader.collection.duration";
/// The scope the self-metrics are recorded under.
pub const METER_NAME: &str = "otelmetrics";

/// `otel.component.type` values of the conventions.
pub mod component_type {
    pub const PERIODIC_METRIC_READER: &str = "periodic_metric_reader";
    pub const OTLP_GRPC_METRIC_EXPORTER: &str = "otlp_grpc_metric_exporter";
    pub const OTLP_HTTP_METRIC_EXPORTER: &str = "otlp_http_metric_exporter";
    pub const OTLP_HTTP_JSON_METRIC_EXPORTER: &str = "otlp_http_json_metric_exporter";
}

/// The conventions' advice for both durations: `ExplicitBucketBoundaries`
/// of `[]`, one bucket holding count, sum, min and max (semantic-conventions
/// PR #2016), so the SDK's own metrics cost one bucket a series. A user who
/// wants a distribution sets a view.
const DURATION_BUCKETS: [f64; 0] = [];

thread_local! {
    /// When the collection under way on this thread started.
    static COLLECTION_STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The self-metrics of one provider generation.
#[derive(Default)]
pub struct SelfMetrics {
    instruments: OnceLock<Instruments>,
    /// Exporters whose inflight points the callback observes.
    exporters: Arc<Mutex<Vec<Arc<ExporterComponent>>>>,
    /// Components made so far, by type, for `<type>/<index>` names.
    made: Mutex<HashMap<&'static str, usize>>,
}

struct Instruments {
    exported: Counter<u64>,
    operation: Histogram<f64>,
    collection: Histogram<f64>,
    /// Kept so the callback stays registered.
    _inflight: ObservableUpDownCounter<i64>,
}

/// An exporter's identifying attributes and the points it holds now.
pub struct ExporterComponent {
    attributes: Vec<KeyValue>,
    inflight: AtomicI64,
}

/// What one exporter (and the reader driving it) records.
pub struct ExportObserver {
    metrics: Arc<SelfMetrics>,
    reader: Vec<KeyValue>,
    exporter: Option<Arc<ExporterComponent>>,
}

impl SelfMetrics {
    fn component(&self, kind: &'static str) -> Vec<KeyValue> {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        let index = made.entry(kind).or_insert(0);
        let name = format!("{kind}/{index}");
        *index += 1;
        vec![KeyValue::new("otel.component.type", kind), KeyValue::new("otel.component.name", name)]
    }

    /// The observer of a periodic reader and, if it exports over OTLP, its
    /// exporter (`kind`, and the endpoint's `server.address`/`server.port`).
    pub fn observer(self: &Arc<Self>, exporter: Option<(&'static str, &str)>) -> ExportObserver {
        let reader = self.component(component_type::PERIODIC_METRIC_READER);
        let exporter = exporter.map(|(kind, endpoint)| {
            let mut attributes = self.component(kind);
            attributes.extend(server_attributes(endpoint));
            let component = Arc::new(ExporterComponent { attributes, inflight: AtomicI64::new(0) });
            self.exporters.lock().unwrap_or_else(|e| e.into_inner()).push(component.clone());
            component
        });
        ExportObserver { metrics: self.clone(), reader, exporter }
    }

    /// Creates the instruments on the built provider. Runs before any
    /// meter of the application exists, so the callback comes first.
    pub fn instrument(&self, sdk: &SdkMeterProvider) {
        let meter = sdk.meter_with_scope(
            InstrumentationScope::builder(METER_NAME)
                .with_version(env!("CARGO_PKG_VERSION"))
                .build(),
        );
        let _ = self.instruments.set(Instruments::new(&meter, self.exporters.clone()));
    }
}

impl Instruments {
    fn new(meter: &Meter, exporters: Arc<Mutex<Vec<Arc<ExporterComponent>>>>) -> Self {
        let inflight = meter
            .i64_observable_up_down_counter(INFLIGHT)
            .with_unit("{data_point}")
            .with_description("The number of metric data points which were passed to the exporter, but that have not been exported yet (neither successful, nor failed).")
            .with_callback(move |observer| {
                COLLECTION_STARTED.with(|started| started.set(Some(Instant::now())));
                for exporter in exporters.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                    observer.observe(exporter.inflight.load(Ordering::Relaxed), &exporter.attributes);
                }
            })
            .build();
        Instruments {
            exported: meter
                .u64_counter(EXPORTED)
                .with_unit("{data_point}")
                .with_description("The number of metric data points for which the export has finished, either successful or failed.")
                .build(),
            operation: meter
                .f64_histogram(OPERATION_DURATION)
                .with_unit("s")
                .with_description("The duration of exporting a batch of telemetry records.")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            collection: meter
                .f64_histogram(COLLECTION_DURATION)
                .with_unit("s")
                .with_description("The duration of the collect operation of the metric reader.")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            _inflight: inflight,
        }
    }
}

/// `server.address` and `server.port` of an endpoint URL (the port the
/// scheme implies when none is written).
fn server_attributes(endpoint: &str) -> Vec<KeyValue> {
    let Ok(uri) = endpoint.parse::<http::Uri>() else { return Vec::new() };
    let Some(host) = uri.host() else { return Vec::new() };
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    });
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut attributes = vec![KeyValue::new("server.address", host.to_owned())];
    attributes.extend(port.map(|p| KeyValue::new("server.port", i64::from(p))));
    attributes
}

/// One export under way, from the moment the exporter got it.
pub struct ExportInFlight {
    started: Instant,
    points: u64,
}

impl ExportObserver {
    /// Called first thing in an export, on the reader's thread: records the
    /// collection that just ended and counts the points as in flight.
    pub fn begin(&self, points: u64) -> ExportInFlight {
        let started = Instant::now();
        if let (Some(instruments), Some(collected)) =
            (self.metrics.instruments.get(), COLLECTION_STARTED.with(Cell::take))
        {
            instruments
                .collection
                .record(started.saturating_duration_since(collected).as_secs_f64(), &self.reader);
        }
        if let Some(exporter) = &self.exporter {
            exporter.inflight.fetch_add(points as i64, Ordering::Relaxed);
        }
        ExportInFlight { started, points }
    }

    /// Called once an export is settled (delivered, refused or given up).
    pub fn end(&self, export: ExportInFlight, sent: &Sent) {
        let losses = sent.losses.as_slice();
        let Some(exporter) = &self.exporter else { return };
        exporter.inflight.fetch_sub(export.points as i64, Ordering::Relaxed);
        let Some(instruments) = self.metrics.instruments.get() else { return };
        let lost: u64 = losses.iter().map(|l| l.points).sum();
        let delivered = export.points.saturating_sub(lost);
        if delivered > 0 || losses.is_empty() {
            instruments.exported.add(delivered, &exporter.attributes);
        }
        for loss in losses {
            instruments
                .exported
                .add(loss.points, &with_error(&exporter.attributes, &loss.error_type));
        }
        let elapsed = export.started.elapsed().as_secs_f64();
        let mut attributes = match losses.last() {
            None => exporter.attributes.clone(),
            Some(last) => with_error(&exporter.attributes, &last.error_type),
        };
        attributes.extend(sent.last_status.map(status_attribute));
        instruments.operation.record(elapsed, &attributes);
    }

    #[cfg(test)]
    fn exporter_attributes(&self) -> &[KeyValue] {
        self.exporter.as_ref().map(|e| e.attributes.as_slice()).unwrap_or(&[])
    }
}

/// The last answer's status as the conventions name it (`rpc.response.status_code`
/// is the name since semantic-conventions PR #2920 replaced `rpc.grpc.status_code`,
/// a number, with the code's name).
fn status_attribute(status: ResponseStatus) -> KeyValue {
    match status {
        ResponseStatus::Http(code) => KeyValue::new("http.response.status_code", i64::from(code)),
        ResponseStatus::Grpc(name) => KeyValue::new("rpc.response.status_code", name),
    }
}

fn with_error(attributes: &[KeyValue], error_type: &ErrorType) -> Vec<KeyValue> {
    let mut all = attributes.to_vec();
    all.push(KeyValue::new("error.type", error_type.to_string()));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(attributes: &[KeyValue], key: &str) -> Option<String> {
        attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.to_string())
    }

    #[test]
    fn components_are_named_by_type_and_index() {
        let metrics = Arc::new(SelfMetrics::default());
        let first = metrics
            .observer(Some((component_type::OTLP_GRPC_METRIC_EXPORTER, "http://127.0.0.1:4317")));
        let second = metrics.observer(None);
        assert_eq!(
            value(&first.reader, "otel.component.name").as_deref(),
            Some("periodic_metric_reader/0")
        );
        assert_eq!(
            value(&second.reader, "otel.component.name").as_deref(),
            Some("periodic_metric_reader/1")
        );
        let exporter = first.exporter_attributes();
        assert_eq!(
            value(exporter, "otel.component.type").as_deref(),
            Some("otlp_grpc_metric_exporter")
        );
        assert_eq!(
            value(exporter, "otel.component.name").as_deref(),
            Some("otlp_grpc_metric_exporter/0")
        );
        assert_eq!(value(exporter, "server.address").as_deref(), Some("127.0.0.1"));
        assert_eq!(value(exporter, "server.port").as_deref(), Some("4317"));
    }

    #[test]
    fn the_port_follows_the_scheme_when_not_written() {
        let attributes =
            server_attributes("https://user:secret@collector.example/v1/metrics?token=x");
        assert_eq!(value(&attributes, "server.address").as_deref(), Some("collector.example"));
        assert_eq!(value(&attributes, "server.port").as_deref(), Some("443"));
        let v6 = server_attributes("http://[::1]:4318/v1/metrics");
        assert_eq!(value(&v6, "server.address").as_deref(), Some("::1"));
    }
}
