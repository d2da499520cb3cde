//! The console exporter: readable text or OTLP-JSON lines, to stdout or a
//! file.

use super::render;
use crate::config::{ConsoleFormat, ResolvedConsole};
use crate::error::{Error, Result};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::Temporality;
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

pub struct ConsoleExporter {
    format: ConsoleFormat,
    /// `None` writes to stdout.
    file: Option<Mutex<File>>,
    temporality: Temporality,
}

impl ConsoleExporter {
    pub fn new(console: &ResolvedConsole, temporality: Temporality) -> Result<Self> {
        let file = match &console.path {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| {
                    Error::config("console path", format!("cannot open `{}` for appending: {e}", path.display()))
                })?,
            )),
            None => None,
        };
        Ok(ConsoleExporter { format: console.format, file, temporality })
    }

    fn write(&self, text: &str) -> std::io::Result<()> {
        match &self.file {
            Some(file) => {
                let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
                f.write_all(text.as_bytes())?;
                f.flush()
            }
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()
            }
        }
    }
}

impl PushMetricExporter for ConsoleExporter {
    fn export(&self, metrics: &ResourceMetrics) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let request = render::to_request(metrics);
        let text = match self.format {
            ConsoleFormat::Json => render::to_json(&request) + "\n",
            ConsoleFormat::Human => render::to_text(&request),
        };
        let result = self.write(&text).map_err(|e| OTelSdkError::InternalFailure(format!("console write: {e}")));
        std::future::ready(result)
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        self.temporality
    }
}
