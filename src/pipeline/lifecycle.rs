//! State every handle of one provider shares: whether it was shut down, and
//! what the instruments need to know about the pipeline.

use crate::config::TemporalityPreference;
use crate::limits::AttributeLimits;
use crate::views::ViewSpec;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Lifecycle {
    shut_down: AtomicBool,
    temporality: TemporalityPreference,
    views: Vec<ViewSpec>,
    limits: AttributeLimits,
}

impl Lifecycle {
    pub fn new(temporality: TemporalityPreference, views: Vec<ViewSpec>, limits: AttributeLimits) -> Self {
        Lifecycle { shut_down: AtomicBool::new(false), temporality, views, limits }
    }

    /// Attribute limits from the environment.
    pub fn limits(&self) -> &AttributeLimits {
        &self.limits
    }

    /// The provider's views (instruments apply their deny-lists).
    pub fn views(&self) -> &[ViewSpec] {
        &self.views
    }

    #[inline]
    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Relaxed)
    }

    /// Marks the provider shut down; true for the caller that did it first.
    pub fn begin_shutdown(&self) -> bool {
        !self.shut_down.swap(true, Ordering::SeqCst)
    }

    /// The strictest temporality any reader uses (decides whether bound
    /// series may be cached).
    pub fn temporality(&self) -> TemporalityPreference {
        self.temporality
    }
}
