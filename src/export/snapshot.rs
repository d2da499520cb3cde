//! The in-memory reader: what the provider holds right now, read on demand
//! without any collector (for tests in every language).

use super::exemplars::ExemplarStore;
use super::render;
use crate::error::{status, Error, Result};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader;
use opentelemetry_sdk::metrics::{InstrumentKind, ManualReader, Pipeline, Temporality};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// A cumulative manual reader the provider and the snapshot call share,
/// with the provider's exemplars.
#[derive(Clone, Debug)]
pub struct SnapshotReader(Arc<ManualReader>, Arc<ExemplarStore>);

impl SnapshotReader {
    pub fn new(exemplars: Arc<ExemplarStore>) -> Self {
        SnapshotReader(
            Arc::new(ManualReader::builder().with_temporality(Temporality::Cumulative).build()),
            exemplars,
        )
    }

    /// Collects now (observable callbacks run on the calling thread) and
    /// returns the OTLP JSON `ExportMetricsServiceRequest`.
    pub fn json(&self) -> Result<String> {
        Ok(render::to_json(&self.request()?))
    }

    /// Collects now and returns what was collected as an OTLP request.
    pub fn request(&self) -> Result<ExportMetricsServiceRequest> {
        let mut rm = ResourceMetrics::default();
        self.0.collect(&mut rm).map_err(|e| {
            Error::new(status::SHUTDOWN, format!("cannot collect the provider's metrics: {e}"))
        })?;
        Ok(render::to_request(&rm, &self.1))
    }
}

impl MetricReader for SnapshotReader {
    fn register_pipeline(&self, pipeline: Weak<Pipeline>) {
        self.0.register_pipeline(pipeline)
    }
    fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
        self.0.collect(rm)
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.0.temporality(kind)
    }
}
