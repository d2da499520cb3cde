//! Every exporter runs inside this guard: a deadline on each export, a panic
//! boundary, and a report of every dropped batch to the diagnostics hook.
//! Exporters are [`Sink`]s: they say what they lost, batch by batch, so a
//! partly delivered export reports only what did not arrive.
//!
//! The export the SDK makes at shutdown runs detached from the SDK's reader
//! thread, because the SDK gives up waiting for it after a fixed 5 s (and
//! would report a failure while the export goes on). [`FinalExports`] is how
//! the provider waits for it instead, bounded by the export timeout.

use super::completion::{self, Completion};
use super::self_metrics::Observer;
use crate::diagnostics;
use crate::error::{status, Error, Result};
use crate::process::runtime;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::Temporality;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One batch of data points an export could not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub points: u64,
    /// Why, phrased to follow "export to <destination>", e.g. "failed: ...".
    pub why: String,
    /// The cause in a few words, as the self-metrics' `error.type`.
    pub error_type: ErrorType,
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
    /// arrive (empty when everything did).
    fn send(&self, batch: Self::Batch, deadline: Instant)
        -> impl Future<Output = Vec<Loss>> + Send;

    fn temporality(&self) -> Temporality;
}

/// How an exporter's future is driven.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// Network exporters: on the library's tokio runtime, with a deadline.
    Runtime,
    /// Local exporters (console): directly on the reader thread.
    Inline,
}

/// How long past its deadline a sink may take before the guard gives up
/// on it: sinks stop at their deadline themselves; this bounds a bug.
const GRACE: Duration = Duration::from_millis(250);

/// The exports started once shutdown began, which the provider awaits.
#[derive(Default)]
pub struct FinalExports {
    detached: AtomicBool,
    running: Mutex<Vec<Arc<Completion>>>,
}

impl FinalExports {
    /// From now on, exports run on their own threads (see the module notes).
    pub fn detach(&self) {
        self.detached.store(true, Ordering::SeqCst);
    }

    fn is_detached(&self) -> bool {
        self.detached.load(Ordering::SeqCst)
    }

    /// Waits for every detached export (each ends by its own deadline);
    /// an error if one of them lost data.
    pub fn wait(&self) -> Result<()> {
        let running: Vec<_> =
            std::mem::take(&mut *self.running.lock().unwrap_or_else(|e| e.into_inner()));
        let mut outcome = Ok(());
        for export in running {
            // Each ends by its own deadline plus the guard's grace.
            if let Err(e) = export.wait_done() {
                outcome = Err(e);
            }
        }
        outcome
    }
}

/// Reports losses: one diagnostic per lost batch, with running totals.
struct Reporter {
    /// Names the destination in messages, e.g. "otlp grpc http://...".
    destination: String,
    failures_in_a_row: AtomicU64,
    dropped_points: AtomicU64,
}

impl Reporter {
    fn report(&self, losses: Vec<Loss>) -> std::result::Result<(), String> {
        if losses.is_empty() {
            let failed = self.failures_in_a_row.swap(0, Ordering::Relaxed);
            if failed > 0 {
                diagnostics::emit(
                    diagnostics::Level::Info,
                    &format!(
                        "export to {} recovered after {failed} failed export(s)",
                        self.destination
                    ),
                );
            }
            return Ok(());
        }
        self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
        let mut messages = Vec::with_capacity(losses.len());
        for Loss { points, why, .. } in losses {
            let total = self.dropped_points.fetch_add(points, Ordering::Relaxed) + points;
            let message =
                format!("export to {} {why}; dropped a batch of {points} data points ({total} dropped so far)", self.destination);
            diagnostics::error(&message);
            messages.push(message);
        }
        Err(messages.join("\n"))
    }
}

pub struct Guarded<S> {
    inner: Arc<S>,
    reporter: Arc<Reporter>,
    timeout: Duration,
    driver: Driver,
    final_exports: Arc<FinalExports>,
    /// Records the self-metrics; `None` (the default) costs nothing.
    observer: Option<Arc<Observer>>,
}

impl<S: Sink> Guarded<S> {
    pub fn new(
        inner: S,
        destination: String,
        timeout: Duration,
        driver: Driver,
        final_exports: Arc<FinalExports>,
    ) -> Self {
        let reporter = Reporter {
            destination,
            failures_in_a_row: AtomicU64::new(0),
            dropped_points: AtomicU64::new(0),
        };
        Guarded {
            inner: Arc::new(inner),
            reporter: Arc::new(reporter),
            timeout,
            driver,
            final_exports,
            observer: None,
        }
    }

    /// Records this exporter's self-metrics with `observer`.
    pub fn observed_by(mut self, observer: Option<Observer>) -> Self {
        self.observer = observer.map(Arc::new);
        self
    }

    fn export_now(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let deadline = Instant::now() + self.timeout;
        let observed = self.observer.clone().map(|o| {
            let export = o.begin(count_points(metrics));
            (o, export)
        });
        let settle = move |losses: &[Loss]| {
            if let Some((observer, export)) = observed {
                observer.end(export, losses);
            }
        };
        let batch = match catch_unwind(AssertUnwindSafe(|| self.inner.prepare(metrics))) {
            Ok(batch) => batch,
            Err(_) => {
                let losses = vec![Loss {
                    points: count_points(metrics),
                    why: panicked(),
                    error_type: error_type::PANIC.into(),
                }];
                settle(&losses);
                return self.reporter.report(losses).map_err(OTelSdkError::InternalFailure);
            }
        };
        if self.driver == Driver::Runtime && self.final_exports.is_detached() {
            let (inner, reporter, timeout) =
                (self.inner.clone(), self.reporter.clone(), self.timeout);
            let started = completion::spawn("otelmetrics-final-export", move || {
                let losses = deliver(&*inner, batch, deadline, timeout, Driver::Runtime);
                settle(&losses);
                reporter.report(losses).map_err(|m| {
                    Error::new(status::EXPORT_FAILED, format!("the final export lost data: {m}"))
                })
            });
            return match started {
                Ok(c) => {
                    self.final_exports.running.lock().unwrap_or_else(|e| e.into_inner()).push(c);
                    Ok(())
                }
                Err(e) => Err(OTelSdkError::InternalFailure(e.message)),
            };
        }
        let losses = deliver(&*self.inner, batch, deadline, self.timeout, self.driver);
        settle(&losses);
        self.reporter.report(losses).map_err(OTelSdkError::InternalFailure)
    }
}

fn panicked() -> String {
    "panicked inside the exporter (caught; the host process is unaffected)".to_owned()
}

/// Sends a prepared batch by its deadline, whatever the sink does.
fn deliver<S: Sink>(
    sink: &S,
    batch: S::Batch,
    deadline: Instant,
    timeout: Duration,
    driver: Driver,
) -> Vec<Loss> {
    let points = S::points(&batch);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let fut = sink.send(batch, deadline);
        match driver {
            Driver::Runtime => runtime::block_on_with_timeout(
                fut,
                deadline.saturating_duration_since(Instant::now()) + GRACE,
            ),
            Driver::Inline => Some(futures_executor::block_on(fut)),
        }
    }));
    match outcome {
        Ok(Some(losses)) => losses,
        Ok(None) => vec![Loss {
            points,
            why: format!("timed out after {} ms", timeout.as_millis()),
            error_type: error_type::TIMEOUT.into(),
        }],
        Err(_) => vec![Loss { points, why: panicked(), error_type: error_type::PANIC.into() }],
    }
}

impl<S: Sink> PushMetricExporter for Guarded<S> {
    fn export(&self, metrics: &ResourceMetrics) -> impl Future<Output = OTelSdkResult> + Send {
        // The export completes (or gives up) before the future is returned:
        // the reader thread blocks here anyway, and the deadline lives here.
        std::future::ready(self.export_now(metrics))
    }

    fn force_flush(&self) -> OTelSdkResult {
        // Every export completes inside `export`: nothing is buffered here.
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        // Connections close when the sink is dropped.
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
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
