//! otelmetrics: OpenTelemetry metrics for any runtime that can call C.
//!
//! The Rust core owns the OpenTelemetry meter provider, the aggregation and
//! the export thread; foreign runtimes reach it through the `extern "C"`
//! functions in [`ffi`], declared in the generated `include/otelmetrics.h`.
//!
//! Where a measurement goes, by file:
//! `ffi/instruments.rs` (validate C input) → `instruments/` (the SDK
//! instrument, with a cache of bound series) → `provider/` (the SDK
//! pipeline, flush and shutdown by their deadlines) → `export/` (readers
//! and exporters, each in its guard) → the wire. The layers, bottom first:
//! `error`, `process`, `diagnostics`, `limits` and `views`, `config`,
//! `export`, `provider`, `instruments`, `ffi` (docs/architecture.md;
//! `tools/check_layers.py` keeps it so).

pub mod config;
pub mod diagnostics;
pub mod error;
pub(crate) mod export;
pub mod ffi;
pub mod instruments;
pub(crate) mod limits;
pub(crate) mod process;
pub mod provider;
pub(crate) mod views;
