//! The provider: a pipeline (resource, readers, exporters) assembled from a
//! resolved configuration, meters, and flush/shutdown that return by their
//! deadlines. After `fork()` the child rebuilds its pipeline (process/fork.rs).
//! The exporters and readers it assembles are in `crate::export`.

mod assemble;
mod exit;
mod lifecycle;
mod meter_provider;

pub use lifecycle::{recording_epoch, Lifecycle};
pub use meter_provider::{MeterScope, Provider, ScopedMeter};
