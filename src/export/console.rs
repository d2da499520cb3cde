//! The console exporter: readable text or OTLP-JSON lines, to stdout or a
//! file.

use super::exemplars::ExemplarStore;
use super::render;
use super::{count_points, Loss, Sink};
use crate::config::{ConsoleFormat, ResolvedConsole};
use crate::error::{Error, Result};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::Temporality;
use std::fs::File;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub struct ConsoleExporter {
    format: ConsoleFormat,
    /// `None` writes to stdout.
    file: Option<Mutex<File>>,
    temporality: Temporality,
    exemplars: Arc<ExemplarStore>,
}

impl ConsoleExporter {
    pub fn new(
        console: &ResolvedConsole,
        temporality: Temporality,
        exemplars: Arc<ExemplarStore>,
    ) -> Result<Self> {
        let file = match &console.path {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| {
                    Error::config(
                        "console path",
                        format!("cannot open `{}` for appending: {e}", path.display()),
                    )
                })?,
            )),
            None => None,
        };
        Ok(ConsoleExporter { format: console.format, file, temporality, exemplars })
    }

    fn write(&self, text: &str) -> std::io::Result<()> {
        match &self.file {
            Some(file) => {
                let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
                f.write_all(text.as_bytes())?;
                f.flush()
            }
            // Not through std's stdout handle: its process-wide lock is not
            // safe across fork (fork_safe::write_fd).
            None => crate::process::fork_safe::write_fd(1, text.as_bytes()),
        }
    }
}

impl Sink for ConsoleExporter {
    /// The text to write, and how many data points it holds.
    type Batch = (String, u64);

    fn prepare(&self, metrics: &ResourceMetrics) -> Self::Batch {
        let request = render::to_request(metrics, &self.exemplars);
        let text = match self.format {
            ConsoleFormat::Json => render::to_json(&request) + "\n",
            ConsoleFormat::Human => render::to_text(&request),
        };
        (text, count_points(metrics))
    }

    fn points(batch: &Self::Batch) -> u64 {
        batch.1
    }

    fn send(
        &self,
        (text, points): Self::Batch,
        _deadline: Instant,
    ) -> impl std::future::Future<Output = super::Sent> + Send {
        let losses = match self.write(&text) {
            Ok(()) => Vec::new(),
            Err(e) => vec![Loss {
                points,
                why: format!("failed: cannot write: {e}"),
                error_type: super::error_type::IO.into(),
            }],
        };
        std::future::ready(losses.into())
    }

    fn temporality(&self) -> Temporality {
        self.temporality
    }
}
