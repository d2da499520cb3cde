//! otelmetrics: OpenTelemetry metrics for any runtime that can call C.
//!
//! The Rust core owns the OpenTelemetry meter provider, the aggregation and
//! the export thread; foreign runtimes reach it through the `extern "C"`
//! functions in [`ffi`], declared in the generated `include/otelmetrics.h`.
//!
//! Where a measurement goes, by file:
//! `ffi/instruments.rs` (validate C input) → `instruments/` (the SDK
//! instrument, with a cache of bound series) → `pipeline/` (readers,
//! exporters, the export thread and its timeouts) → the wire.

pub mod config;
pub mod diagnostics;
pub mod error;
pub mod ffi;
pub mod instruments;
pub mod limits;
pub mod pipeline;
pub(crate) mod process;
pub mod views;
