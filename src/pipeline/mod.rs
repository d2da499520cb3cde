//! The provider: a pipeline (resource, readers, exporters) assembled from a
//! resolved configuration, meters, and flush/shutdown that return by their
//! deadlines. After `fork()` the child rebuilds its pipeline (process/fork.rs).

mod assemble;
mod completion;
mod compress;
pub mod console;
mod exit;
pub mod guarded;
mod lifecycle;
pub mod otlp;
pub mod prometheus;
mod provider;
pub mod render;
pub mod self_metrics;
pub mod snapshot;

pub use lifecycle::{recording_epoch, Lifecycle};
pub use provider::{MeterScope, Provider, ScopedMeter};
