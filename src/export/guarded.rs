//! Every exporter runs inside this guard: a deadline on each export, a panic
//! boundary, and a report of every dropped batch to the diagnostics hook.
//! Exporters are [`Sink`]s: they say what they lost, batch by batch, so a
//! partly delivered export reports only what did not arrive.
//!
//! The export the SDK makes at shutdown runs detached from the SDK's reader
//! thread, because the SDK gives up waiting for it after a fixed 5 s (and
//! would report a failure while the export goes on). [`FinalExports`] is how
//! the provider waits for it instead, bounded by the export timeout.

use super::self_metrics::ExportObserver;
use super::{count_points, error_type, Loss, Sent, Sink};
use crate::diagnostics;
use crate::error::{status, Error, Result};
use crate::process::completion::{self, Completion};
use crate::process::runtime;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::Temporality;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    observer: Option<Arc<ExportObserver>>,
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
    pub fn observed_by(mut self, observer: Option<ExportObserver>) -> Self {
        self.observer = observer.map(Arc::new);
        self
    }

    fn export_now(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let deadline = Instant::now() + self.timeout;
        let observed = self.observer.clone().map(|o| {
            let export = o.begin(count_points(metrics));
            (o, export)
        });
        let settle = move |sent: &Sent| {
            if let Some((observer, export)) = observed {
                observer.end(export, sent);
            }
        };
        let batch = match catch_unwind(AssertUnwindSafe(|| self.inner.prepare(metrics))) {
            Ok(batch) => batch,
            Err(_) => {
                let sent = Sent::from(vec![Loss {
                    points: count_points(metrics),
                    why: panicked(),
                    error_type: error_type::PANIC.into(),
                }]);
                settle(&sent);
                return self.reporter.report(sent.losses).map_err(OTelSdkError::InternalFailure);
            }
        };
        if self.driver == Driver::Runtime && self.final_exports.is_detached() {
            let (inner, reporter, timeout) =
                (self.inner.clone(), self.reporter.clone(), self.timeout);
            let started = completion::spawn("otelmetrics-final-export", move || {
                let sent = deliver(&*inner, batch, deadline, timeout, Driver::Runtime);
                settle(&sent);
                reporter.report(sent.losses).map_err(|m| {
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
        let sent = deliver(&*self.inner, batch, deadline, self.timeout, self.driver);
        settle(&sent);
        self.reporter.report(sent.losses).map_err(OTelSdkError::InternalFailure)
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
) -> Sent {
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
        Ok(Some(sent)) => sent,
        Ok(None) => vec![Loss {
            points,
            why: format!("timed out after {} ms", timeout.as_millis()),
            error_type: error_type::TIMEOUT.into(),
        }]
        .into(),
        Err(_) => {
            vec![Loss { points, why: panicked(), error_type: error_type::PANIC.into() }].into()
        }
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
