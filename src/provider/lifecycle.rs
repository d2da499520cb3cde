//! State every handle of one provider shares: whether it was shut down, and
//! the recording epoch that lets bound instruments skip checking it. What
//! instruments need to know about the pipeline (views, attribute limits,
//! temporality) is the provider's configuration (`Provider::views` ...).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Advanced whenever any provider shuts down and in a forked child: a bound
/// instrument that found its provider running and its SDK side current at
/// epoch E may record without checking either again for as long as the
/// epoch is still E (one load of one word that no recording call writes).
/// Starts at 1, so that 0 means "not checked yet".
static RECORDING_EPOCH: AtomicU64 = AtomicU64::new(1);

/// The current recording epoch (the fast path's one load).
#[inline(always)]
pub fn recording_epoch() -> u64 {
    RECORDING_EPOCH.load(Ordering::Relaxed)
}

/// Starts a new recording epoch: every bound instrument checks its provider
/// and generation again on its next record. Called by shutdown and by the
/// fork handler (an atomic increment: safe in a forked child).
pub fn advance_recording_epoch() {
    RECORDING_EPOCH.fetch_add(1, Ordering::SeqCst);
}

#[derive(Default)]
pub struct Lifecycle {
    shut_down: AtomicBool,
}

impl Lifecycle {
    #[inline]
    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Relaxed)
    }

    /// The recording epoch, if the provider is running (`None` once shut
    /// down). The epoch is read before the flag, and shutdown sets the flag
    /// before it advances the epoch (all SeqCst): so an epoch returned here
    /// is always older than any shutdown of this provider, and a recorder
    /// holding it falls back to the full check once shutdown has happened.
    pub fn running_epoch(&self) -> Option<u64> {
        let epoch = RECORDING_EPOCH.load(Ordering::SeqCst);
        (!self.shut_down.load(Ordering::SeqCst)).then_some(epoch)
    }

    /// Marks the provider shut down; true for the caller that did it first.
    pub fn begin_shutdown(&self) -> bool {
        let first = !self.shut_down.swap(true, Ordering::SeqCst);
        advance_recording_epoch();
        first
    }
}
