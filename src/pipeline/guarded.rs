//! Every exporter runs inside this guard: a deadline on each export, a panic
//! boundary, and a report of every dropped batch to the diagnostics hook.

use super::runtime;
use crate::diagnostics;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::Temporality;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How an exporter's future is driven.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// Network exporters: on the library's tokio runtime, with a deadline.
    Runtime,
    /// Local exporters (console): directly on the reader thread.
    Inline,
}

pub struct Guarded<E> {
    inner: E,
    /// Names the destination in messages, e.g. "otlp grpc http://...".
    destination: String,
    timeout: Duration,
    driver: Driver,
    failures_in_a_row: AtomicU64,
    dropped_points: AtomicU64,
}

impl<E: PushMetricExporter> Guarded<E> {
    pub fn new(inner: E, destination: String, timeout: Duration, driver: Driver) -> Self {
        Guarded {
            inner,
            destination,
            timeout,
            driver,
            failures_in_a_row: AtomicU64::new(0),
            dropped_points: AtomicU64::new(0),
        }
    }

    fn export_now(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let fut = self.inner.export(metrics);
            match self.driver {
                Driver::Runtime => runtime::block_on_with_timeout(fut, self.timeout),
                Driver::Inline => Some(futures_executor::block_on(fut)),
            }
        }));
        let failure = match outcome {
            Ok(Some(Ok(()))) => {
                let failed = self.failures_in_a_row.swap(0, Ordering::Relaxed);
                if failed > 0 {
                    diagnostics::emit(
                        diagnostics::Level::Info,
                        &format!("export to {} recovered after {failed} failed export(s)", self.destination),
                    );
                }
                return Ok(());
            }
            Ok(Some(Err(e))) => format!("failed: {e}"),
            Ok(None) => format!("timed out after {} ms", self.timeout.as_millis()),
            Err(_) => "panicked inside the exporter (caught; the host process is unaffected)".to_owned(),
        };
        let points = count_points(metrics);
        let total = self.dropped_points.fetch_add(points, Ordering::Relaxed) + points;
        self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
        let message = format!(
            "export to {} {failure}; dropped a batch of {points} data points ({total} dropped so far)",
            self.destination
        );
        diagnostics::error(&message);
        Err(OTelSdkError::InternalFailure(message))
    }
}

impl<E: PushMetricExporter> PushMetricExporter for Guarded<E> {
    fn export(&self, metrics: &ResourceMetrics) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        // The export completes (or gives up) before the future is returned:
        // the reader thread blocks here anyway, and the deadline lives here.
        std::future::ready(self.export_now(metrics))
    }

    fn force_flush(&self) -> OTelSdkResult {
        catch_unwind(AssertUnwindSafe(|| self.inner.force_flush()))
            .unwrap_or_else(|_| Err(OTelSdkError::InternalFailure("exporter panicked in force_flush".into())))
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        catch_unwind(AssertUnwindSafe(|| self.inner.shutdown_with_timeout(timeout)))
            .unwrap_or_else(|_| Err(OTelSdkError::InternalFailure("exporter panicked in shutdown".into())))
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
