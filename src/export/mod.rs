//! Exporters and readers, and the contract between them and the provider.
//!
//! An exporter is a [`Sink`]: it turns a collection into an owned batch and
//! delivers it, saying what it lost ([`Loss`], with an `error.type` from
//! [`error_type`]), so a partly delivered export reports only what did not
//! arrive. Every sink runs inside [`guarded::Guarded`] (deadline, panic
//! boundary, loss report, self-metrics).
//!
//! - `guarded`: the wrapper every exporter runs in; `self_metrics`: the SDK's
//!   own metrics it records;
//! - `otlp/`: the OTLP exporter (gRPC, HTTP/protobuf, HTTP/JSON);
//! - `prometheus/`: the Prometheus endpoint (a pull reader and its server);
//! - `console`: the console exporter; `snapshot`: the in-memory reader;
//!   `render`: the one conversion to OTLP both print (and the OTLP and
//!   Prometheus exporters send), with `number_twins` merging an instrument's
//!   integer and double streams;
//! - `exemplars`: the current span, the exemplar reservoirs instruments
//!   offer to, and their join into the points `render` makes;
//! - `compress`: gzip and zstd for the bodies we send.

pub mod compress;
pub mod console;
pub mod exemplars;
pub mod guarded;
mod number_twins;
pub mod otlp;
pub mod prometheus;
pub mod render;
pub mod self_metrics;
pub mod snapshot;

use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::Temporality;
use std::future::Future;
use std::time::Instant;

/// One batch of data points an export could not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub points: u64,
    /// Why, phrased to follow "export to <destination>", e.g. "failed: ...".
    pub why: String,
    /// The cause in a few words, as the self-metrics' `error.type`.
    pub error_type: ErrorType,
}

/// What an export came to: the points that did not arrive (empty when all
/// did), and the protocol status of the last response it got, if any (the
/// self-metrics' `http.response.status_code` / `rpc.response.status_code`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sent {
    pub losses: Vec<Loss>,
    pub last_status: Option<ResponseStatus>,
}

impl From<Vec<Loss>> for Sent {
    fn from(losses: Vec<Loss>) -> Self {
        Sent { losses, last_status: None }
    }
}

/// A receiver's answer as its protocol numbers it: an HTTP status code, or
/// a gRPC status code's name (`OK`, `UNAVAILABLE`). Only what the receiver
/// sent: a timeout or a refused connection has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    Http(u16),
    Grpc(&'static str),
}

/// A low-cardinality failure cause (`error.type` of the semantic
/// conventions): an HTTP status code ("503"), a gRPC status code name
/// ("UNAVAILABLE"), or one of the words below.
pub(crate) type ErrorType = std::borrow::Cow<'static, str>;

pub mod error_type {
    /// The receiver took the request but rejected these points (partial success).
    pub const REJECTED: &str = "rejected";
    /// An attempt, or the export's deadline, ran out.
    pub const TIMEOUT: &str = "timeout";
    /// The request could not be sent (connection refused, reset, DNS).
    pub const TRANSPORT: &str = "transport";
    /// A TLS handshake was refused (certificate not trusted, or ours refused).
    pub const TLS: &str = "tls";
    /// The receiver's answer could not be read (undecodable, or larger than
    /// the exporter reads), so what it kept is unknown.
    pub const INVALID_RESPONSE: &str = "invalid_response";
    /// A data point larger than the request size limit on its own.
    pub const TOO_LARGE: &str = "too_large";
    /// A local write failed (console exporter).
    pub const IO: &str = "io";
    /// The exporter panicked (caught).
    pub const PANIC: &str = "panic";
}

/// A destination for collected metrics, in two steps: `prepare` turns the
/// SDK's borrowed collection into an owned batch (encoding, splitting),
/// `send` delivers it.
pub trait Sink: Send + Sync + 'static {
    type Batch: Send + 'static;

    fn prepare(&self, metrics: &ResourceMetrics) -> Self::Batch;

    /// Number of data points in a batch (what losing all of it loses).
    fn points(batch: &Self::Batch) -> u64;

    /// Delivers a batch, giving up at `deadline`. Returns what did not
    /// arrive (empty when everything did) and the last answer's status.
    fn send(&self, batch: Self::Batch, deadline: Instant) -> impl Future<Output = Sent> + Send;

    fn temporality(&self) -> Temporality;
}

/// Number of data points in a batch (what a dropped batch loses).
pub fn count_points(metrics: &ResourceMetrics) -> u64 {
    fn points<T>(data: &MetricData<T>) -> usize {
        match data {
            MetricData::Gauge(g) => g.data_points().count(),
            MetricData::Sum(s) => s.data_points().count(),
            MetricData::Histogram(h) => h.data_points().count(),
            MetricData::ExponentialHistogram(h) => h.data_points().count(),
        }
    }
    metrics
        .scope_metrics()
        .flat_map(|s| s.metrics())
        .map(|m| match m.data() {
            AggregatedMetrics::F64(d) => points(d),
            AggregatedMetrics::U64(d) => points(d),
            AggregatedMetrics::I64(d) => points(d),
        } as u64)
        .sum()
}
